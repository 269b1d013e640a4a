"""One line of text from the operator (an acknowledgement's comment, a shift-log note, a reason), as plain
text with a length limit: what people type is never taken as markup, and never grows without bound.

Opened with `open()` (never a blocking `exec()`), so the asyncio loop keeps running; runs on the Qt thread.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

MAX_COMMENT = 200  # an acknowledgement's comment, a reason
MAX_NOTE = 500  # a shift-log note


def ok_cancel(dialog: QDialog, action: str) -> tuple[QDialogButtonBox, QPushButton]:
    """OK (named `action`, the default: Enter submits) and Cancel, wired to the dialog's accept and reject."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(action)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons, ok


class TextDialog(QDialog):
    """Asks for one line of plain text; with `required`, OK stays greyed until something is typed."""

    def __init__(
        self,
        title: str,
        prompt: str,
        action: str,
        *,
        required: bool,
        max_length: int = MAX_COMMENT,
        placeholder: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.required = required
        self.setWindowTitle(title)
        self.setMinimumWidth(40 * self.fontMetrics().horizontalAdvance("M"))
        label = QLabel(prompt)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        self.edit = QLineEdit()
        self.edit.setMaxLength(max_length)
        self.edit.setPlaceholderText(placeholder)
        buttons, self.ok_button = ok_cancel(self, action)
        self.edit.textChanged.connect(self._update)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.edit)
        layout.addWidget(buttons)
        self.edit.setFocus()  # the typing goes into the text at once
        self._update()

    def text(self) -> str:
        return self.edit.text().strip()

    def accept(self) -> None:
        """Refuse to close without the required text, also when accepted programmatically."""
        if self.text() or not self.required:
            super().accept()

    def _update(self) -> None:
        self.ok_button.setEnabled(bool(self.text()) or not self.required)
