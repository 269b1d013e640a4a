"""Greying by role: every button, menu entry and action that sends a command is disabled when the signed-in
user's roles cannot give it, its tooltip saying which roles it needs. The one place that decides, from the
core's own permission table (`Access.missing_role`), so that the window greys exactly what the core would
refuse; the core still checks every command itself.

Each widget keeps deciding when its commands make sense (a selection, a permit's state); the gate only
holds back, on top, what the role may not do: a widget enabling a held-back button is disabled again at once,
and the tooltip it sets is kept for when the role allows the command. On a change of user, what the gate
held back is let go and the widgets' `refreshers` put their own enabling back. Qt thread only.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from console.server.permissions import Access
from console.window.main_window import MainWindow
from console.window.signed_in import SignedIn
from widgets.alarms.alarm_actions import AlarmAction

Target = QWidget | QAction
_WATCHED = (QEvent.Type.EnabledChange, QEvent.Type.ToolTipChange)


class RoleGate(QObject):
    def __init__(self, access: Access, user: SignedIn, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.access, self.user = access, user
        self.refreshers: list[Callable[[], None]] = []  # the widgets' own enabling, run after a change
        self._commands: dict[Target, str] = {}
        self._owner_tips: dict[Target, str] = {}  # the widget's tooltip, while the gate shows its own
        self._gate_tips: dict[Target, str] = {}  # the gate's own, shown now
        self._busy = False
        user.changed.connect(self.update)

    def why_not(self, command: str) -> str:
        """Why the signed-in user may not give `command` ("" when they may)."""
        if self.user.demo:
            return ""
        if not self.user.name:
            return self.tr("Nobody is signed in at this console")
        if self.user.locked:
            return self.tr("The console is locked: sign in again")
        missing = self.access.missing_role(command, self.user.roles)
        return self.tr("Not for {user}: {why}").format(user=self.user.name, why=missing) if missing else ""

    def guard(self, target: Target, command: str) -> None:
        """Hold `target` back whenever the signed-in user may not give `command` (a class name of
        `console.server.session`, as in the permission table)."""
        if command not in self.access.table:
            raise ValueError(f"{command} is not in the permission table")
        self._commands[target] = command
        if isinstance(target, QAction):
            target.changed.connect(lambda: self._enforce(target))
        else:
            target.installEventFilter(self)
        target.destroyed.connect(lambda _obj=None: self._forget(target))
        self._enforce(target)

    def held_back(self, target: Target) -> bool:
        return target in self._owner_tips

    def update(self) -> None:
        """After a change of user or lock: hold back or let go, then the widgets refresh their own state."""
        for target in list(self._commands):
            self._enforce(target)
        for refresh in self.refreshers:
            refresh()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _WATCHED and watched in self._commands:
            self._enforce(watched)  # type: ignore[arg-type]
        return False

    def _enforce(self, target: Target) -> None:
        if self._busy or target not in self._commands:
            return
        why = self.why_not(self._commands[target])
        self._busy = True
        try:
            if why:
                if target.toolTip() != self._gate_tips.get(target):  # the widget set it: keep it for later
                    self._owner_tips[target] = target.toolTip()
                if target.toolTip() != why:
                    target.setToolTip(why)
                self._gate_tips[target] = why
                if target.isEnabled():
                    target.setEnabled(False)
            elif target in self._owner_tips:
                self._gate_tips.pop(target, None)
                target.setToolTip(self._owner_tips.pop(target))
                target.setEnabled(True)  # the widget's refresher then disables what makes no sense now
        finally:
            self._busy = False

    def _forget(self, target: Target) -> None:
        self._commands.pop(target, None)
        self._owner_tips.pop(target, None)
        self._gate_tips.pop(target, None)


def guard_commands(gate: RoleGate, window: MainWindow) -> None:
    """Every command control of the main window with the command it sends (context menus guard their
    entries as they build them, the isolation strip its buttons as it makes them)."""
    table, card = window.alarm_table, window.permit_card
    alarm_commands = {
        AlarmAction.ACKNOWLEDGE: "Acknowledge",
        AlarmAction.ACKNOWLEDGE_WITH_COMMENT: "Acknowledge",
        AlarmAction.SHELVE: "Shelve",
        AlarmAction.UNSHELVE: "Unshelve",
        AlarmAction.RESET: "ResetAlarm",
        AlarmAction.REMOVE_FROM_SERVICE: "RemoveFromService",
        AlarmAction.RETURN_TO_SERVICE: "ReturnToService",
    }
    for kind, command in alarm_commands.items():
        gate.guard(table.actions[kind], command)
        if kind in table.buttons:
            gate.guard(table.buttons[kind], command)
    controls: list[tuple[Target, str]] = [
        (table.acknowledge_page_button, "Acknowledge"),
        (table.respond_button, "AssignResponder"),
        (window.worker_details.respond_button, "AssignResponder"),
        (card.submit_button, "SubmitPermit"),
        (card.gas_test_button, "RecordGasTest"),
        (card.check_in_button, "CheckInGuardian"),
        (card.activate_button, "ActivatePermit"),
        (card.suspend_button, "SuspendPermit"),
        (card.resume_button, "ResumePermit"),
        (card.close_button, "ClosePermit"),
        (card.approve_button, "ApprovePermit"),
        (window.muster_action, "StartMuster"),
        (window.muster_panel.end_button, "StopMuster"),
        (window.muster_panel.account_button, "AccountForWorker"),
        (window.isolate_button, "IsolateZone"),
        (window.note_action, "OperatorNote"),
        (window.handover_action, "StartHandover"),
        (window.broadcast_action, "Broadcast"),
        (card.broadcast_button, "Broadcast"),
        (window.interlock_panel.arm_button, "ArmInterlock"),
        (window.interlock_panel.reset_button, "ResetInterlock"),
        (window.interlock_panel.execute_button, "ExecuteInterlock"),
        (window.interlock_panel.cancel_button, "CancelInterlock"),
    ]
    for target, command in controls:
        gate.guard(target, command)
    table.why_not = gate.why_not  # the entries its row menu makes itself
    strip = window.isolation_strip  # its "End isolation" buttons come and go with the isolations
    strip.rows_changed.connect(lambda: [gate.guard(b, "IsolateZone") for b in strip.end_buttons()])
