"""The permit, worker and muster views kept in step with the core, and their commands sent back to it.

Lives on the Qt thread (the core's loop under qasync). Permits are redrawn when the core journals a change
and once a second (remaining validity moves on); the worker list, the open details and the muster board
once a second, as a whole-site table refresh costs tens of milliseconds. Commands are signed with the
signed-in user's name (`SignedIn`); each outcome is shown on the permit card.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDialog, QMessageBox

from alarms.records import Transition
from console.server.field_operations import wearable_alerts
from console.server.session import (
    AccountForWorker,
    ActivatePermit,
    ApprovePermit,
    CheckInGuardian,
    ClosePermit,
    Command,
    CommandResult,
    RecordGasTest,
    ResumePermit,
    Session,
    StartMuster,
    StopMuster,
    SubmitPermit,
    SuspendPermit,
    Topic,
)
from console.server.signatures import approval_meaning
from console.window.command_runner import CommandRunner
from console.window.main_window import MainWindow
from console.window.refresher import Refresher
from console.window.signed_in import SignedIn
from console.window.signing import sign_and_send
from plant_maps.alarm_rules import wearable_worker
from plant_maps.permit_lifecycle import PermitState
from widgets.common.hazard_override import OverrideDialog
from widgets.common.text_dialog import MAX_COMMENT, TextDialog
from widgets.common.wearable_response import worker_alarm
from widgets.sign_in.sign_in_dialogs import SignatureDialog
from widgets.workers.worker_details import WorkerLive

REFRESH_S = 1.0
MISSING_NAMED = 10  # the question before ending a muster names this many of the missing, then counts


class FieldView(QObject):
    """Fills the field docks from the core and turns their buttons into session commands."""

    def __init__(self, core: Session, window: MainWindow, user: SignedIn, runner: CommandRunner) -> None:
        super().__init__(window)
        self.core, self.window, self.user, self.runner = core, window, user, runner
        self._permit: str | None = None
        self._worker: str | None = None
        self.signature: SignatureDialog | None = None  # the last signature dialog opened (tests drive it)
        self.end_muster_box: QMessageBox | None = None  # the question before ending a muster, while open
        self.account_dialog: TextDialog | None = None  # the head count's reason, while asked
        self.override: OverrideDialog | None = None  # the override of live tier-1 alarms open now
        self._override_zone = ""
        self._unsubscribe: list[Callable[[], None]] = [
            core.subscribe(Topic.PERMITS, self._soon),
            core.subscribe(Topic.MUSTER, self._soon),
            core.subscribe(Topic.RESPONSES, lambda _ids: self._show_response()),
            core.subscribe(Topic.ALARMS, self._alarms_changed),
        ]
        card = window.permit_card
        card.suspend_requested.connect(
            lambda p, reason: self._stopping(SuspendPermit(self.user.name, p, reason))
        )
        card.resume_requested.connect(lambda p: self.admit(p, ResumePermit))
        closed = self.tr("closed from the card")  # journaled as the reason, shown on the closed permit's card
        card.close_requested.connect(lambda p: self._send(ClosePermit(self.user.name, p, closed)))
        card.gas_test_requested.connect(  # a failed test stops running work (GB 30871)
            lambda p, readings, tester: self._stopping(
                RecordGasTest(self.user.name, p, tuple(readings.items()), tester)
            )
        )
        card.check_in_requested.connect(lambda p: self._send(CheckInGuardian(self.user.name, p)))
        card.activate_requested.connect(lambda p: self.admit(p, ActivatePermit))
        card.submit_requested.connect(lambda p: self._send(SubmitPermit(self.user.name, p)))
        card.approve_requested.connect(self.approve)
        window.muster_action.toggled.connect(self._muster)
        window.muster_panel.end_requested.connect(self.ask_end_muster)
        window.muster_panel.account_requested.connect(self.ask_account)
        window.permit_shown.connect(self._show_permit)
        window.worker_shown.connect(self._show_worker)
        self._refresher = Refresher(self, self.refresh, REFRESH_S)
        self.refresh()

    def close(self) -> None:
        self._refresher.stop()
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()

    def refresh(self) -> None:
        """Permits on the map, in the list, on the open card and in the open worker's details; workers; the
        muster board."""
        core, w = self.core, self.window
        statuses, simops = core.permits.statuses(), core.permits.book.simops()
        w.plant_map.update_permits(statuses)
        w.permit_panel.set_permits(statuses, simops)
        if self._permit is not None:
            w.permit_card.set_permit(core.permits.status(self._permit), simops)
        if self.override is not None:
            self.override.set_hazards(core.alarms.hazards([self._override_zone]))
        alerts = wearable_alerts(core.alarms.views())
        w.worker_panel.update_workers(core.workers, alerts)
        if self._worker is not None:
            w.worker_details.update_permits(statuses)
            row = core.site.worker_index[self._worker]
            w.worker_details.update_live(
                WorkerLive.from_table(core.workers, row, alerts.get(self._worker, ""))
            )
            self._show_response()
        self._show_muster()

    def _show_muster(self) -> None:
        muster, w = self.core.muster, self.window
        w.muster_action.blockSignals(True)  # a muster restored after a restart shows as running
        w.muster_action.setChecked(muster.active)
        w.muster_action.blockSignals(False)
        if muster.active:
            w.muster_panel.set_muster(muster.counts(), self.core.muster_missing(), muster.started_at)
        else:
            w.muster_panel.set_muster(None, [])
        w.missing_changed()

    def _show_response(self) -> None:
        """The shown worker's SOS / man-down and where its response stands, with its next step."""
        if self._worker is None:
            return
        responses = self.core.responses.open
        alarm = worker_alarm(self._worker, self.core.alarms.views(), responses)
        response = responses.get(alarm.id) if alarm is not None else None
        self.window.worker_details.set_response(alarm, response)

    def _alarms_changed(self, transitions: list[Transition]) -> None:
        """An acknowledgement of the shown worker's SOS enables its next step at once, not a second later."""
        if self._worker is not None and any(wearable_worker(t.alarm_id) == self._worker for t in transitions):
            self._show_response()

    def _soon(self, _payload: Any) -> None:
        self._refresher.soon()

    def _show_permit(self, permit_id: str) -> None:
        self._permit = permit_id
        self.refresh()

    def _show_worker(self, worker_id: str) -> None:
        self._worker = worker_id
        self.window.worker_details.set_worker(worker_id, self.core.permits.statuses())
        self.refresh()

    def approve(self, permit_id: str, role: str) -> None:
        """Sign the permit's step as `role`: an electronic signature, with the signer's password."""
        name = self.user.name
        self.signature = sign_and_send(
            self.window,
            self.user,
            self.runner,
            self.tr("Permit {permit}: sign the approval as {role}").format(
                permit=permit_id, role=role.replace("_", " ")
            ),
            approval_meaning(role),
            lambda signature: ApprovePermit(name, permit_id, role, signature),
            self._show,
        )

    def admit(self, permit_id: str, command: type[ResumePermit] | type[ActivatePermit]) -> None:
        """Resume or start the permit's work. While tier-1 alarms are active in its zone this overrides them:
        only through the confirmation that names them and asks why (and, where the site says so, for a
        second person); the core refuses it otherwise, and when an alarm is active that the confirmation did
        not show: the confirmation stays open until the core's answer, refreshed, so it shows that one."""
        zone = self.core.permits.status(permit_id).permit.zone
        hazards = self.core.alarms.hazards([zone])
        if not hazards:
            self._send(command(self.user.name, permit_id))
            return
        if command is ResumePermit:
            title, action = self.tr("Resume {0}").format(permit_id), self.tr("Resume anyway")
        else:
            title, action = self.tr("Start the work of {0}").format(permit_id), self.tr("Start anyway")
        name = self.core.site.zone(zone).name
        second = self.core.site.hazard_second_person
        dialog = self.override = OverrideDialog(title, action, name, hazards, second, self.window)
        self._override_zone = zone
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def submitted() -> None:
            who, password, seen = dialog.second_user(), dialog.second_password(), dialog.override.seen()
            self.runner.send(
                command(self.user.name, permit_id, dialog.reason(), who, password, seen), answered
            )

        def answered(result: CommandResult) -> None:
            self._show(result)  # refreshes the confirmation's list too
            if self.override is dialog:
                if result.ok:
                    dialog.done(QDialog.DialogCode.Accepted)
                else:
                    dialog.show_outcome(result.message)

        def finished(_result: int) -> None:
            if self.override is dialog:
                self.override = None

        dialog.submitted.connect(submitted)
        dialog.finished.connect(finished)
        dialog.open()

    def _muster(self, on: bool) -> None:
        """The toolbar's Muster: checked starts one; unchecked asks before ending it (checked till then)."""
        if on:
            self._send(StartMuster(self.user.name))
        else:
            self.refresh()
            self.ask_end_muster()

    def ask_account(self, worker: str) -> None:
        """A warden's head count: who saw the worker, and where, is required (the muster trusts it)."""
        dialog = self.account_dialog = TextDialog(
            self.tr("Account for {worker} by head count").format(worker=self._name(worker)),
            self.tr("Who saw them, and where? (required, journaled)"),
            self.tr("Account for"),
            required=True,
            max_length=MAX_COMMENT,
            parent=self.window,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._send(AccountForWorker(self.user.name, worker, dialog.text())))
        dialog.finished.connect(lambda _r: setattr(self, "account_dialog", None))
        dialog.open()

    def ask_end_muster(self) -> None:
        """Ending a muster stops counting the missing: the question says how many are still missing and
        who, and keeps Cancel the default while anyone is."""
        muster = self.core.muster
        if not muster.active or self.end_muster_box is not None:
            return
        missing = [m.worker for m in self.core.muster_missing()]
        counts = muster.counts()
        if missing:
            names = ", ".join(self._name(w) for w in missing[:MISSING_NAMED])
            more = len(missing) - MISSING_NAMED
            text = self.tr(
                "{n} of {expected} are still missing: {names}{more}.\n\nEnd the muster anyway? They will no "
                "longer be counted at the muster points."
            ).format(
                n=len(missing),
                expected=counts.expected,
                names=names,
                more=self.tr(" and {n} more").format(n=more) if more > 0 else "",
            )
        else:
            text = self.tr("All {expected} are accounted for. End the muster?").format(
                expected=counts.expected
            )
        box = self.end_muster_box = QMessageBox(
            QMessageBox.Icon.Warning if missing else QMessageBox.Icon.Question,
            self.tr("End the muster"),
            text,
            parent=self.window,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        end = box.addButton(self.tr("End muster"), QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel if missing else end)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered() -> None:
            self.end_muster_box = None
            if box.clickedButton() is end:
                self._send(StopMuster(self.user.name, tuple(missing)))

        box.finished.connect(answered)
        box.open()

    def _name(self, worker: str) -> str:
        return f"{self.core.site.workers[self.core.site.worker_index[worker]].name} ({worker})"

    def _send(self, command: Command) -> None:
        self.runner.send(command, self._show)

    def _stopping(self, command: SuspendPermit | RecordGasTest) -> None:
        """Send a command that may stop the permit's running work (a suspension, a gas test that fails); if it
        did, the window offers to tell the people in the permit's zone (also when the database did not save
        it: the work is stopped all the same)."""
        permit_id = command.permit_id
        was_active = self.core.permits.status(permit_id).state is PermitState.ACTIVE

        def done(result: CommandResult) -> None:
            self._show(result)
            if was_active and self.core.permits.status(permit_id).state is PermitState.SUSPENDED:
                self.window.permit_suspended.emit(permit_id)

        self.runner.send(command, done)

    def _show(self, result: CommandResult) -> None:
        self.window.permit_card.set_status(result.message, refused=not result.ok)
        self.window.statusBar().showMessage(result.message, 10_000)
        self.refresh()
