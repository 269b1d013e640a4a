"""The shelve dialog: ISA-18.2 shelving (§11.7.3) always has a reason and a bounded duration.

The engine refuses a shelve longer than its maximum; the dialog never offers one, so the operator is not
refused after the fact. The dialog is opened with `open()` (never a blocking `exec()`), so the asyncio loop
keeps running and tests drive it like any widget. Runs on the Qt thread.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from alarms.records import AlarmView
from widgets.common.plain_text import ElidedLabel
from widgets.common.tiers import TierMarkers, priority_text
from widgets.common.time_text import duration_text

ONE_SHOT = QT_TRANSLATE_NOOP("ShelveDialog", "Until it clears")
DURATIONS_S = (15 * 60.0, 3600.0, 4 * 3600.0, 8 * 3600.0)


class ShelveDialog(QDialog):
    """Asks for the reason (required) and the duration of shelving one alarm."""

    def __init__(self, view: AlarmView, max_shelve_s: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.setWindowTitle(self.tr("Shelve {alarm}").format(alarm=view.id))
        self.setMinimumWidth(36 * self.fontMetrics().horizontalAdvance("M"))
        marker = QLabel()
        marker.setPixmap(TierMarkers().pixmap(view.tier, 14, self.devicePixelRatioF()))
        priority = QLabel(priority_text(view.tier, view.priority))
        font = priority.font()
        font.setBold(True)
        priority.setFont(font)
        title = ElidedLabel(f"{view.id} — {view.message}", lines=None)
        heading = QHBoxLayout()
        heading.addWidget(marker)
        heading.addWidget(priority)
        heading.addWidget(title, 1)
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText(self.tr("Required: why is this alarm shelved?"))
        self.duration_combo = QComboBox()
        for seconds in DURATIONS_S:
            if seconds <= max_shelve_s:
                self.duration_combo.addItem(duration_text(seconds), seconds)
        self.duration_combo.addItem(
            self.tr(ONE_SHOT), None
        )  # the engine ends a one-shot shelve at the maximum too
        form = QFormLayout()
        form.addRow(self.tr("Reason"), self.reason_edit)
        form.addRow(self.tr("Duration"), self.duration_combo)
        note = QLabel(
            self.tr("At most {span}. When the time is up the alarm returns unacknowledged.").format(
                span=duration_text(max_shelve_s)
            )
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("Shelve"))
        self.ok_button.setEnabled(False)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.reason_edit.textChanged.connect(lambda: self.ok_button.setEnabled(bool(self._reason())))
        layout = QVBoxLayout(self)
        layout.addLayout(heading)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def durations(self) -> list[float | None]:
        """The durations offered, in seconds (None: until it clears)."""
        return [self.duration_combo.itemData(i) for i in range(self.duration_combo.count())]

    def accept(self) -> None:
        """Refuse to close without a reason, also when accepted programmatically."""
        if self._reason():
            super().accept()

    def choice(self) -> tuple[str, float | None] | None:
        """(reason, duration in seconds or None for one-shot) once accepted; None if cancelled or still open."""
        if self.result() != QDialog.DialogCode.Accepted:
            return None
        return self._reason(), self.duration_combo.currentData()

    def _reason(self) -> str:
        return self.reason_edit.text().strip()
