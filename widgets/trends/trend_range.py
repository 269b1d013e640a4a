"""The date-range picker: From and To in local time, checked before the trend shows that history."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QDateTime, Qt
from PySide6.QtWidgets import QDateTimeEdit, QDialog, QDialogButtonBox, QFormLayout, QLabel, QWidget

MAX_RANGE_S = 31 * 86400  # a month: longer ranges are a report, not a trend
FUTURE_SLACK_S = 60.0  # a To typed at "now" may be a minute ahead of the clock


def range_problem(start: float, end: float, now: float) -> str:
    """Why (start, end) cannot be shown, or "" (marked for translation; the dialog translates it)."""
    if end <= start:
        return QT_TRANSLATE_NOOP("RangeDialog", "The end must be after the start.")
    if end > now + FUTURE_SLACK_S:
        return QT_TRANSLATE_NOOP("RangeDialog", "The end is in the future.")
    if end - start > MAX_RANGE_S:
        return QT_TRANSLATE_NOOP("RangeDialog", "At most 31 days.")
    return ""


class RangeDialog(QDialog):
    """From/To pickers (local time, to the second); OK only for a valid range, saying what is wrong."""

    def __init__(self, start: float, end: float, now: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Show a time range"))
        self.now = now
        self.start_edit, self.end_edit = (self._edit(start), self._edit(end))
        self.problem = QLabel()
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.tr("From"), self.start_edit)
        form.addRow(self.tr("To"), self.end_edit)
        form.addRow(self.problem)
        form.addRow(self.buttons)
        for edit in (self.start_edit, self.end_edit):
            edit.dateTimeChanged.connect(self._check)
        self._check()

    def _edit(self, ts: float) -> QDateTimeEdit:
        edit = QDateTimeEdit(QDateTime.fromSecsSinceEpoch(int(ts)))
        edit.setDisplayFormat("yyyy-MM-dd HH:mm:ss")
        edit.setCalendarPopup(True)
        edit.setMaximumDateTime(QDateTime.fromSecsSinceEpoch(int(self.now + 86400)))
        return edit

    def chosen(self) -> tuple[float, float]:
        return (
            self.start_edit.dateTime().toSecsSinceEpoch() * 1.0,
            self.end_edit.dateTime().toSecsSinceEpoch() * 1.0,
        )

    def _check(self) -> None:
        problem = range_problem(*self.chosen(), self.now)
        self.problem.setText(self.tr(problem) if problem else "")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not problem)
