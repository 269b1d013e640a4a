"""The interlock panel, its confirmation dialog and the requests under the banner, kept in step with the
core's interlock service; their buttons become session commands signed with the signed-in user's name.

Arm (or Reset) sends the selection; once the core has it, the confirmation opens with what the interlock
will do, the feedback now, who may execute and the time left; Execute writes. Closing the confirmation
without executing cancels the selection (select before operate: nothing stays armed unseen). Refreshed on
every change the core reports and once a second (the countdown). Lives on the Qt thread.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from console.server.interlock_service import InterlockStatus
from console.server.session import (
    ArmInterlock,
    CancelInterlock,
    Command,
    CommandResult,
    ConfirmSecondPerson,
    DismissInterlockRequest,
    ExecuteInterlock,
    ResetInterlock,
    Session,
    Topic,
)
from console.window.command_runner import CommandRunner
from console.window.main_window import MainWindow
from console.window.refresher import Refresher
from console.window.signed_in import SignedIn
from plant_maps.alarm_zones import Occurrence
from plant_maps.roles import role_words
from widgets.common.time_text import clock_text
from widgets.interlocks.interlock_dialog import InterlockDialog
from widgets.interlocks.interlock_panel import InterlockLine
from widgets.interlocks.interlock_requests import RequestNotice

REFRESH_S = 1.0


class InterlockView(QObject):
    def __init__(
        self,
        core: Session,
        window: MainWindow,
        user: SignedIn,
        runner: CommandRunner,
        roles_of: Callable[[str], frozenset[str] | None],
    ) -> None:
        super().__init__(window)
        self.core, self.window, self.user, self.runner = core, window, user, runner
        self._roles_of = roles_of
        self.dialog: InterlockDialog | None = None  # the confirmation open now
        self._unsubscribe = core.subscribe(Topic.INTERLOCKS, lambda _ids: self._refresher.soon())
        panel = window.interlock_panel
        panel.arm_requested.connect(lambda i: self.arm(i, True))
        panel.reset_requested.connect(lambda i: self.arm(i, False))
        panel.execute_requested.connect(self.open)
        panel.cancel_requested.connect(lambda i: self._send(CancelInterlock(self.user.name, i)))
        window.interlock_requested.connect(self._requested)
        window.interlock_requests.execute_requested.connect(self._requested)
        window.interlock_requests.dismiss_requested.connect(
            lambda i: self._send(DismissInterlockRequest(self.user.name, i))
        )
        self._refresher = Refresher(self, self.refresh, REFRESH_S)
        self.refresh()

    def close(self) -> None:
        self._refresher.stop()
        self._unsubscribe()

    def refresh(self) -> None:
        lines = {s.interlock.id: self._line(s) for s in self.core.interlocks.statuses()}
        self.window.interlock_panel.set_lines(list(lines.values()))
        self.window.interlock_requests.set_requests(
            [RequestNotice(r.interlock_id, r.reason, r.ts, r.auto) for r in self.core.interlocks.requests()]
        )
        if self.dialog is not None:
            self.dialog.update_line(lines[self.dialog.interlock_id])

    def arm(self, interlock_id: str, trip: bool) -> None:
        """Select it (to trip, or to return to normal); the confirmation opens once the core has it."""
        command = ArmInterlock if trip else ResetInterlock

        def armed(result: CommandResult) -> None:
            self._shown(result)
            if result.ok:
                self.open(interlock_id)

        self.runner.send(command(self.user.name, interlock_id), armed)

    def open(self, interlock_id: str) -> None:
        """The confirmation of the operator's selection of this interlock."""
        if self.dialog is not None:
            if self.dialog.interlock_id == interlock_id:
                self.dialog.raise_()
                return
            self.dialog.reject()  # another interlock's confirmation: its selection is cancelled
        status = self.core.interlocks.status(interlock_id)
        dialog = self.dialog = InterlockDialog(self._line(status), self.window)
        dialog.execute_clicked.connect(self._execute)
        dialog.cancel_clicked.connect(lambda i: self._send(CancelInterlock(self.user.name, i), close=True))
        dialog.confirm_clicked.connect(
            lambda i, who, password, seen: self._send(
                ConfirmSecondPerson(self.user.name, i, who, password, seen)
            )
        )
        dialog.rejected.connect(lambda: self._closed(dialog))
        dialog.open()

    # --- inside --------------------------------------------------------------------------------------------

    def _requested(self, interlock_id: str) -> None:
        self.window.show_interlock(interlock_id)
        self.arm(interlock_id, True)

    def _execute(self, interlock_id: str, reason: str, seen: tuple[Occurrence, ...]) -> None:
        """Refused (say, a tier-1 alarm raised since the confirmation's last refresh), the confirmation stays
        open, refreshed with the alarms active now and the reason kept, and says why."""
        self._send(ExecuteInterlock(self.user.name, interlock_id, reason, seen), close=True)

    def _closed(self, dialog: InterlockDialog) -> None:
        """Closed without executing (Esc, the title bar): the selection it showed is cancelled."""
        if self.dialog is dialog:
            self.dialog = None
        selection = self.core.interlocks.status(dialog.interlock_id).selection
        if selection is not None and selection.actor == self.user.name:
            self._send(CancelInterlock(self.user.name, dialog.interlock_id))
        dialog.deleteLater()

    def _send(self, command: Command, close: bool = False) -> None:
        dialog = self.dialog

        def done(result: CommandResult) -> None:
            self._shown(result)
            if dialog is not None and self.dialog is dialog:
                if result.ok and close:
                    self.dialog = None
                    dialog.done(0)
                    dialog.deleteLater()
                else:
                    dialog.show_outcome(result.message)

        self.runner.send(command, done)

    def _shown(self, result: CommandResult) -> None:
        self.window.interlock_panel.show_outcome(result.message)
        self.window.statusBar().showMessage(result.message, 10_000)
        self.refresh()

    def _line(self, s: InterlockStatus) -> InterlockLine:
        il, sel, last = s.interlock, s.selection, s.last
        now = self.core.clock.now()
        roles = self._roles_of(self.user.name)
        if roles is None:
            blocked = self.tr("{0} is not signed in at this console").format(self.user.name)
        elif not roles & il.roles:
            blocked = self.tr("needs one of the roles {0}").format(role_words(il.roles))
        else:
            blocked = ""
        return InterlockLine(
            id=il.id,
            name=il.name,
            zone_name=self.core.site.zone(il.zone).name,
            does=il.does or il.name,
            roles=tuple(sorted(il.roles)),
            two_person=il.two_person,
            command=s.command,
            feedback=s.feedback,
            state=s.state.value,
            armed_by=sel.actor if sel else "",
            trip=sel.trip if sel else True,
            second=sel.second if sel else "",
            remaining_s=sel.until - now if sel else None,
            last_actor=last.actor if last else "",
            last_time=clock_text(last.ts) if last else "",
            last_text=last.text if last else "",
            mine=bool(sel) and sel.actor == self.user.name,
            blocked=blocked,
            overrides=s.overrides,
            second_needed=s.second_needed,
        )
