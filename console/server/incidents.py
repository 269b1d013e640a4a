"""Incidents (issue 17, after NIMS ICS-201 and Resgrid): declared from an SOS, a tier-1 alarm or by hand, with
their type, where the hazard is (a zone, or a point and a radius), severity, incident commander and safety
officer; command is transferred, objectives and notes appended, and the incident closed (and reopened) with
a reason. A closed incident is read-only.

Runs on the core's asyncio loop. Every step is a journal entry (kind "incident", the step in its payload)
committed with the incident's row and the command's audit entry in one transaction, and taken (and shown)
only once committed.
"""

from __future__ import annotations

import asyncio
import math
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, replace
from typing import Any, Protocol

from alarms.clock import Clock
from alarms.definitions import Tier
from console.server.alarm_service import AlarmService
from console.server.incident_words import severity_words, type_words
from integrations.storage import JournalEntry, Store, StoreWriter
from plant_maps.site import Site

JOURNAL_KIND = "incident"
OPEN, CLOSED = "open", "closed"
TYPES = ("gas_release", "fire", "injury_sos", "confined_space_rescue", "evacuation")
SEVERITIES = ("low", "moderate", "high", "critical")
TEXT_MAX_CHARS = 500
RADIUS_MAX_M = 5000.0
COMMIT_TIMEOUT_S = 10.0
# what the journal's declaration step says of the incident
_DECLARED = ("type", "severity", "zone", "x", "y", "radius_m", "commander", "safety_officer", "origin")

Outcome = tuple[
    bool, str
]  # done or not, and what the coordinator is told (the core makes it a CommandResult)


class Declaration(Protocol):
    """What a declaration asks (console.server.session.DeclareIncident)."""

    @property
    def type(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def commander(self) -> str: ...
    @property
    def safety_officer(self) -> str: ...
    @property
    def zone(self) -> str: ...
    @property
    def x(self) -> float | None: ...
    @property
    def y(self) -> float | None: ...
    @property
    def radius_m(self) -> float | None: ...
    @property
    def from_alarm(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Objective:
    ts: float
    actor: str
    text: str


@dataclass(frozen=True, slots=True)
class Incident:
    """An incident as it stands; `since` is where its timeline starts (its alarm's raise, or the declaration)."""

    id: str
    type: str
    severity: str
    zone: str  # "": a point only
    x: float | None
    y: float | None
    radius_m: float | None
    commander: str
    safety_officer: str
    origin: str  # the alarm it was declared from ("": by hand)
    since: float
    declared: float
    console: str
    state: str = OPEN
    closed: float | None = None
    objectives: tuple[Objective, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.state == OPEN


class IncidentService:
    """The incidents of the site (the open ones, and those closed since the start); see the module docstring."""

    def __init__(
        self,
        site: Site,
        clock: Clock,
        writer: StoreWriter,
        console: str,
        alarms: AlarmService,
        on_changed: Callable[[list[str]], None],
    ) -> None:
        self.site, self.clock, self.writer, self.console = site, clock, writer, console
        self._alarms, self._changed = alarms, on_changed
        self.incidents: dict[str, Incident] = {}

    @property
    def store(self) -> Store:
        return self.writer.store

    def restore(self, rows: Iterable[dict[str, Any]]) -> None:
        """After a restart: the incidents from their rows (the open ones)."""
        for row in rows:
            self.incidents[row["id"]] = incident_of(row)

    def open_incidents(self) -> list[Incident]:
        return [i for i in self.incidents.values() if i.is_open]

    async def declare(self, actor: str, asked: Declaration) -> Outcome:
        now = self.clock.now()
        where = self._where(asked, now)
        if isinstance(where, str):
            return False, where
        zone, since = where
        refusal = _declaration_refusal(asked)
        if refusal:
            return False, refusal
        incident = Incident(
            f"INC-{uuid.uuid4().hex[:8].upper()}",
            asked.type,
            asked.severity,
            zone,
            asked.x,
            asked.y,
            asked.radius_m,
            asked.commander.strip(),
            asked.safety_officer.strip(),
            asked.from_alarm,
            since,
            now,
            self.console,
        )
        payload = {"step": "declare"} | {k: getattr(incident, k) for k in _DECLARED}
        await self._save(incident, actor, payload, now)
        where_text = self.site.zone_name(zone) if zone else f"({asked.x:.0f}, {asked.y:.0f})"
        kind, severity = type_words(incident.type), severity_words(incident.severity)
        return True, f"incident {incident.id} declared: {kind} in {where_text}, severity {severity}"

    def _where(self, command: Declaration, now: float) -> tuple[str, float] | str:
        """The incident's zone and when its timeline starts (at the latest its declaration, `now`: the
        declaring step is on it), or why it cannot be declared there."""
        zone, since = command.zone, now
        if command.from_alarm:
            try:
                view = self._alarms.engine.view(command.from_alarm)
            except KeyError:
                return f"no alarm {command.from_alarm}"
            if not view.active:
                return f"no active alarm {command.from_alarm} to declare an incident from"
            if view.tier is not Tier.LIFE:
                return f"{command.from_alarm} is not a tier-1 alarm: declare the incident by hand"
            zone = zone or (view.area if view.area in self.site.zone_index else "")  # "site": not located
            since = min(since, view.active_ts or since)
        point = (command.x, command.y, command.radius_m)
        if any(v is not None for v in point):
            if any(v is None or not math.isfinite(v) for v in point):
                return "a point needs x, y and a hazard radius"
            if not 0 < (command.radius_m or 0) <= RADIUS_MAX_M:
                return f"the hazard radius is more than 0 and at most {RADIUS_MAX_M:.0f} m"
        if zone and zone not in self.site.zone_index:
            return f"no zone {zone!r} on this site"
        if not zone and command.x is None:
            return "an incident needs its zone or a point with a hazard radius"
        return zone, since

    async def transfer(self, actor: str, incident_id: str, commander: str, reason: str) -> Outcome:
        found = self._open(incident_id)
        if isinstance(found, str):
            return False, found
        commander, reason = commander.strip(), _text(reason)
        if not commander:
            return False, "command is transferred to someone: name the new incident commander"
        if commander == found.commander:
            return False, f"{commander} is already the incident commander of {found.id}"
        if commander == found.safety_officer:
            return False, f"{commander} is the safety officer of {found.id}: the commander is someone else"
        if not reason:
            return False, "a transfer of command needs a reason"
        payload = {"step": "transfer", "from": found.commander, "to": commander, "reason": reason}
        await self._save(replace(found, commander=commander), actor, payload)
        return True, f"command of {found.id} transferred from {found.commander} to {commander}"

    async def objective(self, actor: str, incident_id: str, typed: str) -> Outcome:
        found = self._open(incident_id)
        if isinstance(found, str):
            return False, found
        text = _text(typed)
        refusal = _text_refusal(text, "an objective")
        if refusal:
            return False, refusal
        objectives = (*found.objectives, Objective(self.clock.now(), actor, text))
        await self._save(replace(found, objectives=objectives), actor, {"step": "objective", "text": text})
        return True, f"objective added to {found.id}"

    async def note(self, actor: str, incident_id: str, typed: str) -> Outcome:
        found = self._open(incident_id)
        if isinstance(found, str):
            return False, found
        text = _text(typed)
        refusal = _text_refusal(text, "a note")
        if refusal:
            return False, refusal
        await self._save(found, actor, {"step": "note", "text": text})
        return True, f"note added to {found.id}"

    async def close(self, actor: str, incident_id: str, reason: str) -> Outcome:
        found = self._open(incident_id)
        if isinstance(found, str):
            return False, found
        reason = _text(reason)
        if not reason:
            return False, "closing an incident needs a reason"
        now = self.clock.now()
        closed = replace(found, state=CLOSED, closed=now)
        await self._save(closed, actor, {"step": "close", "reason": reason}, now)
        return True, f"incident {found.id} closed: it is read-only now"

    async def reopen(self, actor: str, incident_id: str, reason: str) -> Outcome:
        found = self.incidents.get(incident_id)
        if found is None:  # closed before the last start: only in the store
            rows = await asyncio.to_thread(self.store.stored_incidents, incident_id=incident_id)
            found = incident_of(rows[0]) if rows else None
        if found is None:
            return False, f"no incident {incident_id}"
        if found.is_open:
            return False, f"incident {found.id} is open already"
        reason = _text(reason)
        if not reason:
            return False, "reopening an incident needs a reason"
        await self._save(replace(found, state=OPEN, closed=None), actor, {"step": "reopen", "reason": reason})
        return True, f"incident {found.id} reopened"

    def _open(self, incident_id: str) -> Incident | str:
        """The open incident, or why a command on it is refused."""
        found = self.incidents.get(incident_id)
        if found is None:
            return f"no open incident {incident_id}"
        if not found.is_open:
            return f"incident {found.id} is closed and read-only: reopen it (with a reason) first"
        return found

    async def _save(
        self, incident: Incident, actor: str, payload: dict[str, Any], ts: float | None = None
    ) -> None:
        """Journal the step (at `ts`, by default now: a closing step at the time it closes, so that the
        timeline up to then holds it) with the incident's row and the command's audit entry, then take it."""
        now = self.clock.now() if ts is None else ts
        entry = JournalEntry(now, JOURNAL_KIND, incident.id, actor, self.console, payload)
        future = self.writer.journal([entry], incident_rows=[row_of(incident)])
        await asyncio.wait_for(asyncio.wrap_future(future), COMMIT_TIMEOUT_S)
        self.incidents[incident.id] = incident
        self._changed([incident.id])


def _declaration_refusal(command: Declaration) -> str:
    if command.type not in TYPES:
        return f"an incident's type is one of {', '.join(TYPES)}, not {command.type!r}"
    if command.severity not in SEVERITIES:
        return f"an incident's severity is one of {', '.join(SEVERITIES)}, not {command.severity!r}"
    commander, officer = command.commander.strip(), command.safety_officer.strip()
    if not commander or not officer:
        return "an incident is declared with its incident commander and safety officer named"
    if commander == officer:
        return "the safety officer must be someone else than the incident commander"
    return ""


def _text(typed: str) -> str:
    return " ".join(typed.split())


def _text_refusal(text: str, what: str) -> str:
    if not text:
        return f"{what} needs some text"
    if len(text) > TEXT_MAX_CHARS:
        return f"{what} is at most {TEXT_MAX_CHARS} characters"
    return ""


def row_of(incident: Incident) -> dict[str, Any]:
    row = asdict(incident)
    row["objectives"] = [asdict(o) for o in incident.objectives]
    return row


def incident_of(row: dict[str, Any]) -> Incident:
    fields = {k: row[k] for k in Incident.__dataclass_fields__ if k != "objectives"}
    return Incident(**fields, objectives=tuple(Objective(**o) for o in row["objectives"]))
