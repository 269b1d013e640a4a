"""Transferring an incident's command: to whom, and why (both required; Enter submits)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QFormLayout, QLineEdit, QVBoxLayout, QWidget

from widgets.common.text_dialog import MAX_COMMENT, ok_cancel


class TransferDialog(QDialog):
    def __init__(self, incident: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Transfer command of {0}").format(incident))
        self.commander_edit, self.reason_edit = QLineEdit(), QLineEdit()
        self.commander_edit.setPlaceholderText(self.tr("user name"))
        self.reason_edit.setMaxLength(MAX_COMMENT)
        form = QFormLayout()
        form.addRow(self.tr("New incident commander"), self.commander_edit)
        form.addRow(self.tr("Reason"), self.reason_edit)
        buttons, self.ok_button = ok_cancel(self, self.tr("Transfer"))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        for edit in (self.commander_edit, self.reason_edit):
            edit.textChanged.connect(self._update)
        self._update()

    def commander(self) -> str:
        return self.commander_edit.text().strip()

    def reason(self) -> str:
        return self.reason_edit.text().strip()

    def accept(self) -> None:
        if self.commander() and self.reason():
            super().accept()

    def _update(self) -> None:
        self.ok_button.setEnabled(bool(self.commander() and self.reason()))
