"""The operator's alarm commands from the window to the core, and each outcome back to the alarm list.

A command is reported done only when the core says it is journaled; a refusal or a journal failure is shown
in the alarm list's status line, and the alarm stays as it was on screen (the engine did not change it).
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject

from console.server.session import (
    Acknowledge,
    Command,
    CommandResult,
    RemoveFromService,
    ResetAlarm,
    ReturnToService,
    Shelve,
    Unshelve,
)
from console.window.command_runner import CommandRunner
from console.window.main_window import MainWindow
from console.window.signed_in import SignedIn
from widgets.common.wearable_response import related_unacknowledged

# What the status line calls each command while it is being journaled (the English words are the command
# names, as the status line has always written them).
COMMAND_WORDS: dict[type[Command], str] = {
    Acknowledge: QT_TRANSLATE_NOOP("AlarmCommands", "acknowledge"),
    Shelve: QT_TRANSLATE_NOOP("AlarmCommands", "shelve"),
    Unshelve: QT_TRANSLATE_NOOP("AlarmCommands", "unshelve"),
    ResetAlarm: QT_TRANSLATE_NOOP("AlarmCommands", "resetalarm"),
    RemoveFromService: QT_TRANSLATE_NOOP("AlarmCommands", "removefromservice"),
    ReturnToService: QT_TRANSLATE_NOOP("AlarmCommands", "returntoservice"),
}


class AlarmCommands(QObject):
    """Turns the alarm list's requests into session commands signed with the signed-in user's name."""

    def __init__(self, runner: CommandRunner, window: MainWindow, user: SignedIn) -> None:
        super().__init__(window)
        self.runner, self.window, self.user = runner, window, user
        table = window.alarm_table
        table.acknowledge_requested.connect(self.acknowledge)
        table.shelve_requested.connect(self.shelve)
        table.unshelve_requested.connect(lambda a: self._send(Unshelve(self.user.name, a)))
        table.reset_requested.connect(lambda a: self._send(ResetAlarm(self.user.name, a)))
        table.remove_requested.connect(
            lambda a, reason: self._send(RemoveFromService(self.user.name, a, reason))
        )
        table.return_requested.connect(lambda a: self._send(ReturnToService(self.user.name, a)))

    def acknowledge(self, alarms: list[tuple[str, int]], comment: str = "") -> None:
        """Acknowledge (alarm id, seq) as seen; with an SOS or man-down, also the wearer's other unacknowledged
        SOS / man-down alarms as listed (one event of one person: DOMAIN `Wearables`, bulk acknowledgement)."""
        ids = {alarm_id for alarm_id, _ in alarms}
        related = related_unacknowledged(ids, self.window.alarm_table.model.views())
        pairs = (*alarms, *((v.id, v.seq) for v in related))
        self._send(Acknowledge(self.user.name, tuple((a, s) for a, s in pairs), comment))

    def shelve(self, alarm_id: str, reason: str, duration_s: float | None) -> None:
        self._send(Shelve(self.user.name, alarm_id, reason, duration_s))

    def _send(self, command: Command) -> None:
        word = self.tr(COMMAND_WORDS[type(command)])
        self.window.alarm_table.set_status(self.tr("{command}: saving…").format(command=word))
        self.runner.send(command, self._show)

    def _show(self, result: CommandResult) -> None:
        self.window.alarm_table.set_status(result.message, refused=not result.ok)
