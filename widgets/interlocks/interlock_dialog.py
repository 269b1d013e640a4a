"""The confirmation of an armed interlock: what it will do, the feedback now, who may execute, the time left
on the selection; for a return to normal while tier-1 alarms are active in its zone, those alarms and the
required reason (`OverrideBox`); where a second person is needed (a two-person interlock, or such an
override where the site asks for one) their name and password; Execute and Cancel.

It is opened with `open()` (no nested event loop: the core runs on); Execute, Cancel and Confirm emit and
the console's interlock view sends the commands; the core's answer comes back in `show_outcome`. The
password field is cleared as soon as it has been sent. Runs on the Qt thread.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from widgets.common.hazard_override import OverrideBox, dialog_width, fit_height, second_person_fields
from widgets.common.panel_look import heading_font, section_heading
from widgets.common.plain_text import ElidedLabel
from widgets.interlocks.interlock_panel import InterlockLine, value_text


class InterlockDialog(QDialog):
    # interlock id, the reason for overriding live tier-1 alarms (""), the occurrences of them it showed
    execute_clicked = Signal(str, str, object)
    cancel_clicked = Signal(str)
    # interlock id, second person, password, the occurrences of the tier-1 alarms shown to them
    confirm_clicked = Signal(str, str, str, object)

    def __init__(self, line: InterlockLine, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("InterlockDialog")
        self.interlock_id = line.id
        self.setWindowTitle(self.tr("Interlock {0}").format(line.id))
        self.heading = QLabel()
        self.heading.setWordWrap(True)  # an interlock's name may be long: never cut
        self.heading.setFont(heading_font(self))
        self.does = ElidedLabel(lines=None)
        self.feedback = QLabel()
        self.who = QLabel()
        self.who.setWordWrap(True)
        self.selection = QLabel()
        facts = QFormLayout()
        facts.addRow(self.tr("It will:"), self.does)
        facts.addRow(self.tr("Now:"), self.feedback)
        facts.addRow(self.tr("May execute:"), self.who)
        facts.addRow(self.tr("Selection:"), self.selection)
        self.override = OverrideBox()
        self.override.changed.connect(self._update_execute)
        self.second_box = QWidget()
        self.second_name, self.password = second_person_fields()
        self.confirm_button = QPushButton()  # its text: update_line
        self.confirm_button.clicked.connect(self._confirm)
        for edit in (self.second_name, self.password):  # Enter confirms the second person, never executes
            edit.returnPressed.connect(self._confirm)
        second = QFormLayout(self.second_box)
        second.setContentsMargins(0, 0, 0, 0)
        second.addRow(section_heading(self.tr("Second person (perform and verify)")))
        second.addRow(self.tr("Name:"), self.second_name)
        second.addRow(self.tr("Password:"), self.password)
        second.addRow("", self.confirm_button)
        self.outcome = ElidedLabel(lines=None)
        self.execute_button = QPushButton(self.tr("Execute"))
        self.cancel_button = QPushButton(self.tr("Cancel selection"))
        self.execute_button.clicked.connect(
            lambda: self.execute_clicked.emit(
                self.interlock_id, self.override.reason_text(), self.override.seen()
            )
        )
        self.cancel_button.clicked.connect(lambda: self.cancel_clicked.emit(self.interlock_id))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.execute_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(facts)
        layout.addWidget(self.override)
        layout.addWidget(self.second_box)
        layout.addWidget(self.outcome)
        layout.addStretch(1)  # room a taller dialog has goes above the buttons, not between the lines
        layout.addLayout(buttons)
        self.setMinimumWidth(max(520, dialog_width(self)))
        for button in (self.confirm_button, self.execute_button, self.cancel_button):
            button.setAutoDefault(False)  # Enter in the password field must never execute a trip
        self._line = line
        self.update_line(line)

    def update_line(self, line: InterlockLine) -> None:
        """The interlock as it is now (every second: the countdown, the feedback)."""
        way = self.tr("Trip") if line.trip else self.tr("Return to normal")
        self.heading.setText(self.tr("{0}: {1} — {2}").format(way, line.id, line.name))
        self.does.setText(line.does if line.trip else self.tr("return {0} to normal").format(line.name))
        self.feedback.setText(
            self.tr("command {0}, feedback {1}").format(value_text(line.command), value_text(line.feedback))
        )
        self.who.setText(line.who_may())
        dropped = bool(self._line.second and line.armed_by) and not line.second
        self._line = line
        self.override.setVisible(bool(line.overrides))
        self.override.set_hazards(line.zone_name, line.overrides)
        self.second_box.setVisible(line.two_person or line.second_needed)
        if line.armed_by:
            self.selection.setText(self.tr("{0} by {1}").format(line.state_text(), line.armed_by))
        else:
            self.selection.setText(self.tr("not armed (lapsed, cancelled or executed)"))
        self.confirm_button.setEnabled(bool(line.armed_by) and line.second_needed and not line.second)
        if line.second:
            self.confirm_button.setText(self.tr("Confirmed by {0}").format(line.second))
        else:  # not yet, or their confirmation dropped (an alarm raised that it did not show them)
            self.confirm_button.setText(self.tr("Confirm as second person"))
        if (
            dropped
        ):  # they confirm again: the focus to their password, not wherever the greyed Execute left it
            self.password.setFocus()
        self._update_execute()
        self.cancel_button.setEnabled(bool(line.armed_by))
        fit_height(self)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fit_height(self)

    def _update_execute(self) -> None:
        """Execute once armed here, with the reason an override needs and the second person where needed."""
        line = self._line
        if line.overrides and not self.override.reason_text():
            why = self.tr("give the reason for overriding the tier-1 alarms first")
        elif line.second_needed and not line.second:
            why = self.tr("waits for the second person")
        else:
            why = ""
        self.execute_button.setEnabled(line.mine and not why)
        self.execute_button.setToolTip(why or self.tr("Write it to the PLC now"))

    def show_outcome(self, text: str) -> None:
        self.outcome.setText(text)
        fit_height(self)  # a refusal may take lines: never at the cost of the alarms it names

    def _confirm(self) -> None:
        name, password = self.second_name.text().strip(), self.password.text()
        self.password.clear()
        if not name or not password:
            self.show_outcome(self.tr("Enter the second person's name and password."))
            return
        self.confirm_clicked.emit(self.interlock_id, name, password, self.override.seen())

    def closeEvent(self, event: QCloseEvent) -> None:
        self.password.clear()
        super().closeEvent(event)
