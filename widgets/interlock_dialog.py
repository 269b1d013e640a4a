"""The confirmation of an armed interlock: what it will do, the feedback now, who may execute, the time left
on the selection; for a two-person interlock the second person's name and password; Execute and Cancel.

It is opened with `open()` (no nested event loop: the core runs on); Execute, Cancel and Confirm emit and
the console's interlock view sends the commands; the core's answer comes back in `show_outcome`. The
password field is cleared as soon as it has been sent. Runs on the Qt thread.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from widgets.interlock_panel import InterlockLine, value_text
from widgets.panel_look import heading_font, section_heading
from widgets.plain_text import ElidedLabel

NAME_MAX = 64
PASSWORD_MAX = 256


class InterlockDialog(QDialog):
    execute_clicked = Signal(str)  # interlock id
    cancel_clicked = Signal(str)
    confirm_clicked = Signal(str, str, str)  # interlock id, second person, password

    def __init__(self, line: InterlockLine, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("InterlockDialog")
        self.interlock_id = line.id
        self.setWindowTitle(self.tr("Interlock {0}").format(line.id))
        self.heading = QLabel()
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
        self.second_box = QWidget()
        self.second_name = QLineEdit()
        self.second_name.setMaxLength(NAME_MAX)
        self.second_name.setPlaceholderText(self.tr("user name of the second person"))
        self.password = QLineEdit()
        self.password.setMaxLength(PASSWORD_MAX)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("their password"))
        self.confirm_button = QPushButton(self.tr("Confirm as second person"))
        self.confirm_button.clicked.connect(self._confirm)
        second = QFormLayout(self.second_box)
        second.setContentsMargins(0, 0, 0, 0)
        second.addRow(section_heading(self.tr("Second person (perform and verify)")))
        second.addRow(self.tr("Name:"), self.second_name)
        second.addRow(self.tr("Password:"), self.password)
        second.addRow("", self.confirm_button)
        self.outcome = ElidedLabel(lines=None)
        self.execute_button = QPushButton(self.tr("Execute"))
        self.cancel_button = QPushButton(self.tr("Cancel selection"))
        self.execute_button.clicked.connect(lambda: self.execute_clicked.emit(self.interlock_id))
        self.cancel_button.clicked.connect(lambda: self.cancel_clicked.emit(self.interlock_id))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.execute_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(facts)
        layout.addWidget(self.second_box)
        layout.addWidget(self.outcome)
        layout.addLayout(buttons)
        self.setMinimumWidth(520)
        for button in (self.confirm_button, self.execute_button, self.cancel_button):
            button.setAutoDefault(False)  # Enter in the password field must never execute a trip
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
        self.second_box.setVisible(line.two_person)
        if line.armed_by:
            self.selection.setText(self.tr("{0} by {1}").format(line.state_text(), line.armed_by))
        else:
            self.selection.setText(self.tr("not armed (lapsed, cancelled or executed)"))
        waiting = line.two_person and not line.second
        self.confirm_button.setEnabled(bool(line.armed_by) and waiting)
        if line.two_person and line.second:
            self.confirm_button.setText(self.tr("Confirmed by {0}").format(line.second))
        self.execute_button.setEnabled(line.mine and not waiting)
        self.execute_button.setToolTip(
            self.tr("waits for the second person") if waiting else self.tr("Write it to the PLC now")
        )
        self.cancel_button.setEnabled(bool(line.armed_by))

    def show_outcome(self, text: str) -> None:
        self.outcome.setText(text)

    def _confirm(self) -> None:
        name, password = self.second_name.text().strip(), self.password.text()
        self.password.clear()
        if not name or not password:
            self.show_outcome(self.tr("Enter the second person's name and password."))
            return
        self.confirm_clicked.emit(self.interlock_id, name, password)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.password.clear()
        super().closeEvent(event)
