"""Incidents in the window (issue 17): "Declare incident…" on a tier-1 alarm's row asks for the declaration
and sends DeclareIncident as the signed-in user; the incident tab then follows the incident declared (or
restored after a restart): its header with an elapsed-time clock, its timeline read on a worker thread
(`incident_timeline`) whenever a command on it is done and every few seconds while in view, and its commands
(transfer, note, close and reopen with a reason), greyed by role as the core would refuse them.

Lives on the Qt thread (the core's loop under qasync).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer

from console.server.field_operations import wearable_alerts
from console.server.incident_report import replayed_positions
from console.server.incident_timeline import KINDS, incident_timeline
from console.server.incidents import SEVERITIES, TYPES, Incident, IncidentService
from console.server.session import (
    AddIncidentNote,
    AddIncidentObjective,
    CloseIncident,
    CommandResult,
    DeclareIncident,
    IncidentCommand,
    ReopenIncident,
    Session,
    SuspendPermits,
    Topic,
    TransferIncidentCommand,
)
from console.window.command_runner import CommandRunner
from console.window.handover_view import open_folder
from console.window.main_window import MainWindow
from console.window.role_gate import RoleGate
from console.window.signed_in import SignedIn
from integrations.storage import StorageError, data_folder
from plant_maps.danger_area import NEAR_M, DangerArea, people_near, permits_near, running
from widgets.common.permit_look import STATE_LOOKS
from widgets.common.text_dialog import MAX_COMMENT, MAX_NOTE, TextDialog
from widgets.common.time_text import clock_text, dated_clock_text, duration_text
from widgets.common.wearable_response import response_text, worker_alarm
from widgets.incidents.declare_dialog import DeclareDialog
from widgets.incidents.incident_panel import IncidentPanel
from widgets.incidents.transfer_dialog import TransferDialog

TIMELINE_EVERY_MS = 5_000  # the timeline read afresh while the tab is in view (what others did meanwhile)
CLOCK_EVERY_MS = 1_000
LIVE_READ_MS = 300  # a burst of changes (a flood, a suspend-all) read once


def _tr(text: str) -> str:
    return QCoreApplication.translate("IncidentView", text)


def type_names() -> list[tuple[str, str]]:
    names = (
        _tr("Gas release"),
        _tr("Fire"),
        _tr("Injury / SOS"),
        _tr("Confined-space rescue"),
        _tr("Evacuation"),
    )
    return list(zip(TYPES, names, strict=True))


def severity_names() -> list[tuple[str, str]]:
    names = (_tr("Low"), _tr("Moderate"), _tr("High"), _tr("Critical"))
    return list(zip(SEVERITIES, names, strict=True))


def kind_names() -> list[tuple[str, str]]:
    names = (
        _tr("Alarms"),
        _tr("SOS steps"),
        _tr("Permits"),
        _tr("Broadcasts"),
        _tr("Deliveries"),
        _tr("Interlocks"),
        _tr("Muster"),
        _tr("Shift log"),
        _tr("Incident steps"),
        _tr("Refused"),
    )
    return list(zip(KINDS, names, strict=True))


def guard_panel(gate: RoleGate, panel: IncidentPanel) -> None:
    """The tab's commands greyed by role, on top of the panel's own greying (a closed incident)."""
    for button, command in (
        (panel.transfer_button, "TransferIncidentCommand"),
        (panel.note_button, "AddIncidentNote"),
        (panel.close_button, "CloseIncident"),
        (panel.reopen_button, "ReopenIncident"),
        (panel.suspend_all_button, "SuspendPermits"),
        (panel.objective_button, "AddIncidentObjective"),
    ):
        gate.guard(button, command)
    gate.refreshers.append(panel.update_buttons)


def elapsed_text(seconds: float) -> str:
    """The incident's clock, counting up: "1:05:09"."""
    minutes, s = divmod(max(0, int(seconds)), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{s:02d}"


class IncidentView(QObject):
    def __init__(
        self,
        core: Session,
        window: MainWindow,
        user: SignedIn,
        runner: CommandRunner,
        gate: RoleGate,
        timezone: str = "",
    ) -> None:
        super().__init__(window)
        self.core, self.window, self.user, self.runner = core, window, user, runner
        self.panel = panel = window.incident_panel
        self.incident_id = ""  # the incident the tab shows
        self.dialog: DeclareDialog | TransferDialog | TextDialog | None = (
            None  # open now (tests type into it)
        )
        self._reading: asyncio.Task[None] | None = None
        self._report: asyncio.Future[None] | None = None
        self.timezone = timezone  # the site's, for the report's times
        self._again = False  # asked to read while a read was running
        panel.set_kinds(kind_names())
        panel.kind_changed.connect(self.read_timeline)
        panel.incident_chosen.connect(self.follow)
        panel.transfer_requested.connect(self._ask_transfer)
        panel.note_requested.connect(self._ask_note)
        panel.close_requested.connect(lambda: self._ask_reason(close=True))
        panel.reopen_requested.connect(lambda: self._ask_reason(close=False))
        panel.suspend_all_requested.connect(self._ask_suspend_all)
        panel.objective_requested.connect(self._ask_objective)
        panel.report_requested.connect(self.write_report)
        panel.open_folder_requested.connect(open_folder)
        guard_panel(gate, panel)
        window.alarm_table.incident_requested.connect(self.ask_declare)
        window.incident_requested.connect(lambda zone, x, y: self.ask_declare("", zone, (x, y)))
        self._unsubscribe = [core.subscribe(Topic.INCIDENTS, self._changed)]
        # what lands on a timeline: appended live (read once the burst settles), not only every few seconds
        self._soon = QTimer(self, singleShot=True, interval=LIVE_READ_MS, timeout=self._read_if_in_view)
        for topic in (
            Topic.ALARMS,
            Topic.PERMITS,
            Topic.RESPONSES,
            Topic.MUSTER,
            Topic.BROADCASTS,
            Topic.INTERLOCKS,
        ):
            self._unsubscribe.append(core.subscribe(topic, self._moved))
        self._clock = QTimer(self, interval=CLOCK_EVERY_MS, timeout=self._tick)
        self._clock.start()
        self._timeline = QTimer(self, interval=TIMELINE_EVERY_MS, timeout=self._read_if_in_view)
        self._timeline.start()

    @property
    def service(self) -> IncidentService:
        return self.core.incidents

    def close(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._soon.stop()
        self._clock.stop()
        self._timeline.stop()
        if self._reading is not None:
            self._reading.cancel()

    def incident(self) -> Incident | None:
        return self.service.incidents.get(self.incident_id)

    # -- declaring --------------------------------------------------------------------------------------

    def ask_declare(self, alarm_id: str, area: str, point: tuple[float, float] | None = None) -> None:
        """From a tier-1 alarm (its area preset), or by hand in a zone (`alarm_id` ""), at `point` of the map
        if one was pointed at (a hazard radius around it can then be given)."""
        site = self.core.site
        dialog = DeclareDialog(
            self.tr("From {alarm}").format(alarm=alarm_id) if alarm_id else self.tr("By hand"),
            type_names(),
            [(z.id, z.name) for z in site.zones],
            severity_names(),
            zone=area if area in site.zone_index else "",
            safety_officer=self.user.name,
            point=point if point is not None and all(map(math.isfinite, point)) else None,
            parent=self.window,
        )
        self._open(
            dialog,
            lambda: self._send(
                DeclareIncident(self.user.name, **dialog.values(), **dialog.circle(), from_alarm=alarm_id)
            ),
        )

    # -- the commands on the incident shown -------------------------------------------------------------

    def _ask_transfer(self) -> None:
        dialog = TransferDialog(self.incident_id, self.window)
        self._open(
            dialog,
            lambda: self._send(
                TransferIncidentCommand(self.user.name, self.incident_id, dialog.commander(), dialog.reason())
            ),
        )

    def _ask_note(self) -> None:
        dialog = TextDialog(
            self.tr("Note on {0}").format(self.incident_id),
            self.tr("What to add to the timeline (a correction is a new note: nothing is edited)"),
            self.tr("Add note"),
            required=True,
            max_length=MAX_NOTE,
            parent=self.window,
        )
        self._open(
            dialog, lambda: self._send(AddIncidentNote(self.user.name, self.incident_id, dialog.text()))
        )

    def _ask_objective(self) -> None:
        dialog = TextDialog(
            self.tr("Objective on {0}").format(self.incident_id),
            self.tr("What the response is to achieve (ICS-201 objectives: on the timeline, never edited)"),
            self.tr("Add objective"),
            required=True,
            max_length=MAX_NOTE,
            parent=self.window,
        )
        self._open(
            dialog, lambda: self._send(AddIncidentObjective(self.user.name, self.incident_id, dialog.text()))
        )

    def _ask_suspend_all(self) -> None:
        """Stop the running work in and near the danger area: the confirmation names each permit; one reason
        for all of them, one audited action."""
        permits = self.running_permits()
        if not permits:
            return
        dialog = TextDialog(
            self.tr("Suspend {n} permits").format(n=len(permits)),
            self.tr(
                "The work of {permits} stops now, its people told why (GB 30871). Why? (required, one reason "
                "for all)"
            ).format(permits=", ".join(permits)),
            self.tr("Suspend all"),
            required=True,
            max_length=MAX_COMMENT,
            parent=self.window,
        )
        incident_id = self.incident_id
        self._open(
            dialog,
            lambda: self._send(SuspendPermits(self.user.name, tuple(permits), dialog.text(), incident_id)),
        )

    def write_report(self) -> None:
        """The after-action report of the incident shown, as a PDF in the data folder (on a worker thread)."""
        if self.incident() is not None and (self._report is None or self._report.done()):
            self._report = asyncio.ensure_future(self._write_report(self.incident_id))

    async def _write_report(self, incident_id: str) -> None:
        # reportlab is loaded when a report is written, not with the window
        from console.server.incident_pdf import write_incident_report
        from console.server.pdf_parts import FontMissing

        now = self.core.clock.now()
        stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
        path = data_folder() / "incidents" / f"{incident_id}-{stamp}.pdf"
        try:
            await asyncio.to_thread(
                write_incident_report,
                self.service.store,
                self.core.site,
                incident_id,
                path,
                positions_at=replayed_positions(self.service.store, self.core.site),
                timezone=self.timezone,
                made=now,
            )
        except (StorageError, FontMissing, OSError) as exc:
            self.panel.show_report(str(exc), written=False)
            self.window.statusBar().showMessage(self.tr("After-action report NOT written: {0}").format(exc))
            return
        self.panel.show_report(str(path), written=True)
        self.window.statusBar().showMessage(self.tr("After-action report written: {0}").format(path), 10_000)

    def _ask_reason(self, close: bool) -> None:
        title = self.tr("Close {0}") if close else self.tr("Reopen {0}")
        dialog = TextDialog(
            title.format(self.incident_id),
            self.tr("Why? (required, on the timeline)"),
            self.tr("Close incident") if close else self.tr("Reopen incident"),
            required=True,
            max_length=MAX_COMMENT,
            parent=self.window,
        )
        command = CloseIncident if close else ReopenIncident
        self._open(dialog, lambda: self._send(command(self.user.name, self.incident_id, dialog.text())))

    def _open(
        self, dialog: DeclareDialog | TransferDialog | TextDialog, accepted: Callable[[], None]
    ) -> None:
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(accepted)
        dialog.finished.connect(lambda _result: setattr(self, "dialog", None))
        dialog.open()

    def _send(self, command: IncidentCommand) -> None:
        self.runner.send(command, self._answered)

    def _answered(self, result: CommandResult) -> None:
        """The core's answer in words, in the status bar; a refusal also in the alarm list's status line."""
        self.window.statusBar().showMessage(result.message, 10_000)
        self.window.alarm_table.set_status(result.message, refused=not result.ok)
        self.read_timeline()  # a refusal is on the timeline too

    # -- following --------------------------------------------------------------------------------------

    def _changed(self, ids: list[str]) -> None:
        """A step on an incident: a new one (declared here or elsewhere) comes to the tab, and the map to
        its danger area."""
        if self.incident_id not in ids:
            opened = [i for i in ids if (found := self.service.incidents.get(i)) and found.is_open]
            if opened:
                self.follow(opened[-1])
                self.window.open_incident()
                return
        self._list_incidents()
        self._show_header()
        self.read_timeline()

    def follow(self, incident_id: str) -> None:
        """The tab on `incident_id`: its header, situation and timeline, the map on its danger area."""
        if incident_id not in self.service.incidents:
            return
        if incident_id != self.incident_id:
            self.panel.show_report("", written=False)  # another incident's report is not this one's
        self.incident_id = incident_id
        self.window.plant_map.show_danger_area(self.danger_area().polygon, NEAR_M)
        self._list_incidents()
        self._show_header()
        self._show_situation()
        self.read_timeline()

    def _list_incidents(self) -> None:
        """Open ones first, the newest first; closed ones after."""
        types, site = dict(type_names()), self.core.site
        ordered = sorted(self.service.incidents.values(), key=lambda i: (not i.is_open, -i.declared))
        self.panel.set_incidents(
            [
                (
                    i.id,
                    f"{i.id} · {types.get(i.type, i.type)} · "
                    f"{site.zone_name(i.zone) if i.zone else self._where(i)}"
                    + ("" if i.is_open else self.tr(" (closed)")),
                )
                for i in ordered
            ],
            self.incident_id,
        )

    def _moved(self, _payload: object) -> None:
        if self.incident_id and not self._soon.isActive():
            self._soon.start()

    def _tick(self) -> None:
        if not self.incident_id:  # restored after a restart: the newest open incident
            restored = max(self.service.open_incidents(), key=lambda i: i.declared, default=None)
            if restored is not None:
                self._changed([restored.id])
            return
        self._show_header()
        self._show_situation()

    def danger_area(self) -> DangerArea:
        i = self.incident()
        assert i is not None
        return DangerArea.of(self.core.site, i.zone, i.x, i.y, i.radius_m)

    def running_permits(self) -> list[str]:
        """The active permits in or near the danger area: what "Suspend all" stops."""
        if self.incident() is None:
            return []
        return running(permits_near(self.danger_area(), self.core.site, self.core.permits.statuses()))

    def _show_situation(self) -> None:
        """Who is in and near the danger area, the permits there and the objectives (every second)."""
        incident = self.incident()
        if incident is None:
            return
        site, area, now = self.core.site, self.danger_area(), self.core.clock.now()
        near = people_near(area, self.core.workers, now)
        people = [
            (
                f"{p.name} ({p.worker})",
                self.tr("inside") if p.inside else self.tr("{n} m away").format(n=round(p.distance_m)),
                duration_text(p.fix_age_s),
                self._response_text(p.worker),
            )
            for p in near
        ]
        found = permits_near(area, site, self.core.permits.statuses())
        permits = [
            (
                s.id,
                site.zone_name(s.permit.zone),
                STATE_LOOKS[s.state].text,
                self.tr("in it") if gap == 0 else self.tr("{n} m").format(n=round(gap)),
            )
            for s, gap in found
        ]
        objectives = [(clock_text(o.ts), o.actor, o.text) for o in incident.objectives]
        inside = sum(p.inside for p in near)
        self.panel.show_situation(people, inside, permits, len(running(found)), objectives)

    def _response_text(self, worker: str) -> str:
        """The worker's open SOS or man-down and where its response stands ("" when none)."""
        responses = self.core.responses.open
        alarm = worker_alarm(worker, self.core.alarms.views(), responses)
        if alarm is None:
            return ""
        kind = wearable_alerts([alarm]).get(worker, "")
        return f"{kind}: {response_text(alarm, responses.get(alarm.id))}"

    def _show_header(self) -> None:
        incident = self.incident()
        if incident is None:
            return
        now = self.core.clock.now()
        types, severities = dict(type_names()), dict(severity_names())
        end = incident.closed if incident.closed is not None else now
        self.panel.show_header(
            {
                "id": incident.id,
                "type": types.get(incident.type, incident.type),
                "zone": self._where(incident),
                "severity": severities.get(incident.severity, incident.severity),
                "commander": incident.commander,
                "safety_officer": incident.safety_officer,
                "declared": dated_clock_text(incident.declared, now),
                "elapsed": elapsed_text(end - incident.declared),
                "state": self.tr("open") if incident.is_open else self.tr("closed (read-only)"),
            },
            incident.is_open,
        )

    def _where(self, incident: Incident) -> str:
        """The zone's name, and the hazard circle where one was given."""
        zone = self.core.site.zone_name(incident.zone) if incident.zone else ""
        if incident.x is None or incident.y is None or incident.radius_m is None:
            return zone
        circle = self.tr("{r:.0f} m around ({x:.0f}, {y:.0f})").format(
            r=incident.radius_m, x=incident.x, y=incident.y
        )
        return f"{zone}, {circle}" if zone else circle

    def _read_if_in_view(self) -> None:
        if self.incident_id and self.window.incident_dock.isVisible():
            self.read_timeline()

    def read_timeline(self) -> None:
        """Read the timeline on a worker thread (one read at a time: asked meanwhile, read again after)."""
        incident = self.incident()
        if incident is None:
            return
        if self._reading is not None and not self._reading.done():
            self._again = True
            return
        self._reading = asyncio.ensure_future(self._read(incident))

    async def _read(self, incident: Incident) -> None:
        kind = self.panel.kind()
        entries = await asyncio.to_thread(
            incident_timeline, self.service.store, self.core.site, incident, (kind,) if kind else KINDS
        )
        names = dict(kind_names())
        self.panel.show_timeline([(clock_text(e.ts), e.actor, names[e.kind], e.text) for e in entries])
        if self._again:
            self._again = False
            self.read_timeline()
