"""The response to an SOS or man-down from the window: the next step's dialog, its command, its outcome.

DOMAIN `Wearables`: acknowledge → assign a responder → on scene → resolved with a reason and notes. The alarm
list and the worker's details ask for `respond(alarm_id)` (the step their one button names); menus may ask for
a step by name. Each command goes through the window's CommandRunner and is shown done only once the core
has journaled it; a refusal says why, where the operator asked and in the alarm list. Runs on the Qt thread.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDialog

from console.server.session import (
    AssignResponder,
    CommandResult,
    ResolveWearableAlarm,
    ResponderOnScene,
    Session,
)
from console.server.signatures import closing_meaning
from console.window.command_runner import CommandRunner
from console.window.main_window import MainWindow
from console.window.signed_in import SignedIn
from console.window.signing import sign_and_send
from plant_maps.alarm_rules import wearable_worker
from plant_maps.wearables import Step
from widgets.common.wearable_response import next_step
from widgets.sign_in.sign_in_dialogs import SignatureDialog
from widgets.workers.wearable_response_dialogs import AssignResponderDialog, ResolveDialog


class WearableResponseCommands(QObject):
    """Turns "respond" intents into the response's commands, signed with the signed-in user's name."""

    def __init__(self, core: Session, runner: CommandRunner, window: MainWindow, user: SignedIn) -> None:
        super().__init__(window)
        self.core, self.runner, self.window, self.user = core, runner, window, user
        self.dialog: QDialog | None = None  # the step's dialog while open
        self.signature: SignatureDialog | None = None  # the last resolution's signature dialog
        window.alarm_table.respond_requested.connect(self.respond)
        window.worker_details.respond_requested.connect(self.respond)

    def respond(self, alarm_id: str) -> None:
        """Take the next step of the response to `alarm_id`, or say why it cannot be taken yet."""
        if wearable_worker(alarm_id) not in self.core.site.worker_index:
            self._show(
                CommandResult(False, self.tr("{alarm} is not an SOS or man-down").format(alarm=alarm_id))
            )
            return
        step = next_step(self.core.alarms.engine.view(alarm_id), self.core.responses.open.get(alarm_id))
        if not step.enabled:
            self._show(CommandResult(False, f"{alarm_id}: {step.reason}"))
            return
        actions: dict[Step, Callable[[str], None]] = {
            Step.ASSIGNED: self.assign_responder,
            Step.ON_SCENE: self.responder_on_scene,
            Step.RESOLVED: self.resolve,
        }
        actions[step.step](alarm_id)

    def assign_responder(self, alarm_id: str) -> None:
        """Ask who goes (a site worker, nearest first, or a typed name), then send them."""
        wearer = wearable_worker(alarm_id)
        assert wearer is not None  # `respond` takes only a wearer's alarms
        dialog = AssignResponderDialog(
            alarm_id, self._message(alarm_id), self._candidates(wearer), self.window
        )
        assign = self.tr("Assigning the responder")
        self._open(
            dialog, lambda: self._send(AssignResponder(self.user.name, alarm_id, dialog.responder()), assign)
        )

    def _candidates(self, wearer: str) -> list[tuple[str, str]]:
        """The site's other workers as (id, "Ma Lin (W13) — Compressor house, 35 m"): nearest to the wearer
        first (by the last fixes), those with no position last."""
        site, table = self.core.site, self.core.workers
        distance = table.distances_from(wearer)
        rows = [row for row, w in enumerate(site.workers) if w.id != wearer]
        rows.sort(key=lambda row: (math.isnan(distance[row]), distance[row]))
        out = []
        for row in rows:
            worker, zone = site.workers[row], int(table.zone[row])
            if math.isnan(table.x[row]):
                where = self.tr("no position")
            else:
                where = site.zones[zone].name if zone >= 0 else self.tr("outside zones")
                if not math.isnan(distance[row]):
                    where = self.tr("{zone}, {metres:.0f} m").format(zone=where, metres=distance[row])
            out.append((worker.id, f"{worker.name} ({worker.id}) — {where}"))
        return out

    def responder_on_scene(self, alarm_id: str) -> None:
        self._send(ResponderOnScene(self.user.name, alarm_id), self.tr("Responder on scene"))

    def resolve(self, alarm_id: str) -> None:
        """Ask what was found (actual incident or false alarm) and the notes, then resolve."""
        dialog = ResolveDialog(alarm_id, self._message(alarm_id), self.window)

        def sign() -> None:
            resolution, notes, name = dialog.resolution(), dialog.notes(), self.user.name
            if resolution is None:
                return
            self.signature = sign_and_send(
                self.window,
                self.user,
                self.runner,
                self.tr("Resolve {alarm}: {notes}").format(alarm=alarm_id, notes=notes),
                closing_meaning(alarm_id, resolution),
                lambda signature: ResolveWearableAlarm(name, alarm_id, notes, resolution, signature),
                self._show,
            )

        self._open(dialog, sign)

    def _message(self, alarm_id: str) -> str:
        return self.core.alarms.engine.view(alarm_id).message

    def _open(self, dialog: QDialog, on_accepted: Callable[[], None]) -> None:
        """Window-modal, so the plant stays in view and live; one step's dialog at a time."""
        if self.dialog is not None:
            self.dialog.reject()
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(on_accepted)
        dialog.finished.connect(lambda: setattr(self, "dialog", None) if self.dialog is dialog else None)
        dialog.open()

    def _send(self, command: AssignResponder | ResponderOnScene | ResolveWearableAlarm, doing: str) -> None:
        saving = self.tr("{doing} {alarm}: saving…").format(doing=doing, alarm=command.alarm_id)
        self.window.alarm_table.set_status(saving)
        self.window.worker_details.set_response_status(saving)
        self.runner.send(command, self._show)

    def _show(self, result: CommandResult) -> None:
        """In the alarm list and the status bar; in the details only a refusal (done, their state line says
        it already)."""
        refused = not result.ok
        self.window.alarm_table.set_status(result.message, refused=refused)
        self.window.worker_details.set_response_status(result.message if refused else "", refused=refused)
        self.window.statusBar().showMessage(result.message, 10_000)
