"""The after-action report of one incident (issue 17, item 5; after ICS-201 and Resgrid's after-action
report): what `incident_pdf` draws, gathered from the store and the site. Qt-free; `gather` blocks on the
database, so it runs on a worker thread (or as is in `controlroom report incident`).

The incident's row says what it is; its journaled steps who declared, transferred and closed it; the alarm
journal when its alarm was raised and first answered (the seeds' target: alarm to first response <= 90 s);
the incident's timeline (`incident_timeline`) the rest. Worker positions are
an input (`PositionsAt`): the map replay's position history gives them at any moment (`replayed_positions`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa

from alarms.states import Event
from console.server.handover_gather import NEW_OCCURRENCE_FROM, WEARER_ALARMS
from console.server.handover_words import _
from console.server.incident_timeline import TimelineEntry, incident_timeline
from console.server.incident_words import (
    broadcast_action,
    interlock_action,
    muster_action,
    permit_action,
    response_action,
)
from console.server.incidents import JOURNAL_KIND, Incident, incident_of
from integrations.replay_store import ReplayStore
from integrations.storage import JournalEntry, StorageError, Store, event_journal
from plant_maps.alarm_rules import wearable_worker
from plant_maps.danger_area import NEAR_M, DangerArea, permit_ids_near
from plant_maps.replay_frame import WORKER_CUT_S
from plant_maps.site import Permit, Site

FIRST_RESPONSE_TARGET_S = 90.0  # DOMAIN, the seeds' target: alarm to first response <= 90 s
WORKING = ("active", "suspended")  # a permit's states while its people are at (or stopped at) the work
INTERLOCK_ACTS = ("request", "write", "feedback")

Position = tuple[float, float]
Positions = Mapping[str, Position]  # worker id -> (x, y) in site metres
PositionsAt = Callable[[float], Positions]  # where each worker was at a moment (those known)


def replayed_positions(store: Store, site: Site, cut_s: float = WORKER_CUT_S) -> PositionsAt:
    """Where the position history (the map replay's) had each worker at a moment: their last stored fix
    before it, if no older than `cut_s`."""
    replay = ReplayStore(store, site)
    ids = [w.id for w in site.workers]

    def at(ts: float) -> Positions:
        x, y = replay.frame(ts).worker_positions(cut_s)
        return {ids[i]: (float(x[i]), float(y[i])) for i in np.flatnonzero(np.isfinite(x))}

    return at


@dataclass(frozen=True, slots=True)
class FirstResponse:
    """The triggering alarm's raise and its first answer: an acknowledgement or an SOS response step."""

    alarm: str  # "": declared by hand, no alarm to answer
    raised: float | None
    answered: float | None
    by: str
    how: str  # "acknowledge", or the response step ("assigned", ...)
    until: float  # the incident's end (or the report's time): an unanswered alarm's wait so far
    target_s: float = FIRST_RESPONSE_TARGET_S

    @property
    def seconds(self) -> float | None:
        if self.raised is None:
            return None
        return (self.answered if self.answered is not None else self.until) - self.raised

    @property
    def met(self) -> bool | None:
        """Met, missed, or None: nothing to judge (no alarm), or not answered yet and still within it."""
        seconds = self.seconds
        if seconds is None:
            return None
        if self.answered is None:
            return False if seconds > self.target_s else None
        return seconds <= self.target_s


@dataclass(frozen=True, slots=True)
class Transfer:
    ts: float
    actor: str
    before: str
    after: str
    reason: str


@dataclass(frozen=True, slots=True)
class Person:
    worker: str
    name: str
    how: tuple[str, ...]  # how they were involved, in words


@dataclass(frozen=True, slots=True)
class PermitChange:
    ts: float
    actor: str
    before: str
    after: str
    reason: str


@dataclass(frozen=True, slots=True)
class PermitInvolved:
    permit: Permit
    zone: str  # its name
    state_before: str  # at the incident's start
    changes: tuple[PermitChange, ...]


@dataclass(frozen=True, slots=True)
class Action:
    ts: float
    actor: str
    text: str


@dataclass(frozen=True, slots=True)
class MapFrame:
    ts: float
    title: str
    positions: Positions


@dataclass(frozen=True, slots=True)
class IncidentReport:
    incident: Incident
    site: Site
    area: DangerArea
    made: float
    timezone: str  # the plant's (IANA name; "": the machine's)
    declared_by: str
    closed_by: str
    close_reason: str
    transfers: tuple[Transfer, ...]
    first_response: FirstResponse
    timeline: tuple[TimelineEntry, ...]
    people: tuple[Person, ...]
    permits: tuple[PermitInvolved, ...]
    actions: tuple[Action, ...]
    maps: tuple[MapFrame, MapFrame]  # at its declaration, and at its close (or the report, while open)

    @property
    def end(self) -> float:
        return self.incident.closed if self.incident.closed is not None else self.made


def gather(
    store: Store,
    site: Site,
    incident_id: str,
    made: float,
    positions_at: PositionsAt | None = None,
    timezone: str = "",
) -> IncidentReport:
    """The report of `incident_id` as of `made` (raises StorageError when there is no such incident)."""
    positions_at = positions_at or replayed_positions(store, site)  # the map replay's, by default
    rows = store.stored_incidents(incident_id=incident_id)
    if not rows:
        raise StorageError(f"no incident {incident_id} in {store.place.where}")
    incident = incident_of(rows[0])
    end = incident.closed if incident.closed is not None else made
    journal = store.journal_rows(incident.since, math.nextafter(end, math.inf))
    steps = [e for e in journal if e.kind == JOURNAL_KIND and e.source == incident.id]
    area = danger_area(site, incident)
    zones = hazard_zones(site, incident, area)
    near = set(permit_ids_near(area, site))  # those "suspend all" acts on
    permits = [p for p in site.permits if p.zone in zones or p.id in near]
    wearer_alarms = _wearer_alarms(store, incident, zones, end)
    first = _first_response(store, journal, incident, end)
    at_start, at_end = positions_at(incident.declared), positions_at(end)
    end_title = _("At close") if incident.closed is not None else _("At the report (still open)")
    involved = _permits_involved(store, site, incident, permits, journal)
    closing = _last_close(steps) if incident.closed is not None else None
    return IncidentReport(
        incident=incident,
        site=site,
        area=area,
        made=made,
        timezone=timezone,
        declared_by=next((e.actor for e in steps if e.payload.get("step") == "declare"), ""),
        closed_by=closing.actor if closing is not None else "",
        close_reason=str(closing.payload.get("reason", "")) if closing is not None else "",
        transfers=tuple(
            Transfer(e.ts, e.actor, e.payload["from"], e.payload["to"], e.payload.get("reason", ""))
            for e in steps
            if e.payload.get("step") == "transfer"
        ),
        first_response=first,
        timeline=incident_timeline(store, site, incident),
        people=_people(site, area, wearer_alarms, involved, journal, (at_start, at_end)),
        permits=tuple(involved),
        actions=_actions(journal, {p.id for p in permits}, set(wearer_alarms)),
        maps=(
            MapFrame(incident.declared, _("At declaration"), at_start),
            MapFrame(end, end_title, at_end),
        ),
    )


def hazard_circle(incident: Incident) -> tuple[float, float, float] | None:
    """The hazard's centre and radius (site metres), when it was declared with a point."""
    if incident.x is None or incident.y is None or incident.radius_m is None:
        return None
    return incident.x, incident.y, incident.radius_m


def danger_area(site: Site, incident: Incident) -> DangerArea:
    """The incident's danger area as the coordinator's layout has it: its circle, else its zone."""
    return DangerArea.of(site, incident.zone, incident.x, incident.y, incident.radius_m)


def hazard_zones(site: Site, incident: Incident, area: DangerArea) -> set[str]:
    """The incident's zone, and every zone its hazard circle reaches into."""
    zones = {incident.zone} if incident.zone else set()
    if hazard_circle(incident) is not None:
        zones |= {z.id for z in site.zones if area.zone_gap_m(z.polygon) == 0.0}
    return zones


def distances_m(area: DangerArea, positions: Positions) -> dict[str, float]:
    """Each placed worker's distance to the area in metres (0: inside)."""
    ids = list(positions)
    xy = np.array([positions[w] for w in ids], dtype=np.float64).reshape(-1, 2)
    return dict(zip(ids, area.distance_m(xy[:, 0], xy[:, 1]).tolist(), strict=True))


def _last_close(steps: list[JournalEntry]) -> JournalEntry:
    """The step that closed the incident (a reopened one was closed more than once)."""
    return [e for e in steps if e.payload.get("step") == "close"][-1]


def _wearer_alarms(store: Store, incident: Incident, zones: set[str], end: float) -> list[str]:
    """The SOS and man-down alarms raised in the hazard's zones during the incident, and its own alarm."""
    raised = store.alarm_transitions(incident.since, math.nextafter(end, math.inf))
    found = [
        t.alarm_id
        for t in raised
        if t.event is Event.ACTIVATE and t.alarm_id.endswith(WEARER_ALARMS) and t.area in zones
    ]
    if incident.origin.endswith(WEARER_ALARMS):
        found.insert(0, incident.origin)
    return list(dict.fromkeys(found))


def _first_response(
    store: Store, journal: list[JournalEntry], incident: Incident, end: float
) -> FirstResponse:
    """From the incident's alarm's raise (its latest occurrence raised by the declaration) to the first
    acknowledgement or SOS response step after it."""
    if not incident.origin:
        return FirstResponse("", None, None, "", "", end)
    rows = store.alarm_transitions(until=math.nextafter(end, math.inf), alarm_ids=[incident.origin])
    raises = [
        t.ts
        for t in rows
        if t.event is Event.ACTIVATE and t.from_state in NEW_OCCURRENCE_FROM and t.ts <= incident.declared
    ]
    if not raises:
        return FirstResponse(incident.origin, None, None, "", "", end)
    raised = raises[-1]
    answers = [
        (t.ts, t.actor, "acknowledge") for t in rows if t.event is Event.ACKNOWLEDGE and t.ts >= raised
    ]
    answers += [
        (e.ts, e.actor, str(e.payload.get("step", "")))
        for e in journal
        if e.kind == "wearable_response" and e.source == incident.origin and e.ts >= raised
    ]
    if not answers:
        return FirstResponse(incident.origin, raised, None, "", "", end)
    ts, actor, how = min(answers, key=lambda a: a[0])
    return FirstResponse(incident.origin, raised, ts, actor, how, end)


def _permits_involved(
    store: Store, site: Site, incident: Incident, permits: list[Permit], journal: list[JournalEntry]
) -> list[PermitInvolved]:
    """The hazard zones' permits at work when the incident began or changed during it, with their changes."""
    before = _states_before(store, [p.id for p in permits], incident.since)
    out = []
    for p in permits:
        changes = tuple(
            PermitChange(
                e.ts, e.actor, e.payload.get("from", ""), e.payload.get("to", ""), e.payload.get("reason", "")
            )
            for e in journal
            if e.kind == "permit" and e.source == p.id
        )
        state = before.get(p.id, p.state)
        if state in WORKING or changes:
            out.append(PermitInvolved(p, site.zone_name(p.zone), state, changes))
    return out


def _states_before(store: Store, permit_ids: list[str], ts: float) -> dict[str, str]:
    """Each permit's state as the journal last recorded it before `ts` (absent: as the site file says)."""
    c = event_journal.c
    query = (
        sa.select(c.source, c.payload)
        .where(c.kind == "permit", c.source.in_(permit_ids), c.ts < ts)
        .order_by(c.seq)
    )
    with store.engine.connect() as conn:
        return {row.source: str(row.payload.get("to", "")) for row in conn.execute(query)}


def _people(
    site: Site,
    area: DangerArea,
    wearer_alarms: list[str],
    permits: list[PermitInvolved],
    journal: list[JournalEntry],
    frames: tuple[Positions, Positions],
) -> tuple[Person, ...]:
    """Everyone the incident touched and how: in the danger area or near it (NEAR_M, as the coordinator's
    layout lists them) at its declaration or end, SOS wearers,
    responders, the people of the permits involved, those the broadcasts reached, the muster's missing
    and accounted."""
    how: dict[str, list[str]] = {}

    def add(worker: str, words: str) -> None:
        how.setdefault(worker, [])
        if words not in how[worker]:
            how[worker].append(words)

    for alarm in wearer_alarms:
        add(wearable_worker(alarm) or alarm, f"{_('SOS / man-down wearer')} ({alarm})")
    moments = (_("at declaration"), _("at the end"))
    for frame, moment in zip(frames, moments, strict=True):
        for worker, metres in distances_m(area, frame).items():
            if metres == 0.0:
                add(worker, f"{_('in the hazard area')} {moment}")
            elif metres <= NEAR_M:
                add(worker, f"{_('within')} {NEAR_M:g} m {_('of the hazard area')} {moment}")
    for involved in permits:
        p = involved.permit
        add(p.guardian, f"{_('guardian of permit')} {p.id}")
        for worker in p.workers:
            add(worker, f"{_('worker on permit')} {p.id}")
    for e in journal:
        for worker, words in _journal_people(e, set(wearer_alarms)):
            add(worker, words)
    return tuple(
        Person(worker, _worker_name(site, worker), tuple(words))
        for worker, words in sorted(how.items(), key=lambda item: item[0])
    )


def _journal_people(e: JournalEntry, wearer_alarms: set[str]) -> Iterable[tuple[str, str]]:
    p = e.payload
    if e.kind == "wearable_response" and e.source in wearer_alarms and p.get("responder"):
        yield str(p["responder"]), f"{_('responder to')} {e.source}"
    elif e.kind == "broadcast":
        for worker in p.get("wearables", ()):
            yield worker, f"{_('reached by broadcast')} {e.source}"
    elif e.kind == "muster" and p.get("event") == "stop":
        for worker in p.get("missing", ()):
            yield worker, _("missing when the muster ended")
    elif e.kind == "muster" and p.get("event") == "account":
        yield e.source, f"{_('accounted for by head count, by')} {e.actor}"


def _actions(journal: list[JournalEntry], permits: set[str], wearer_alarms: set[str]) -> tuple[Action, ...]:
    """What was done during the incident: permit changes in and near its danger area, broadcasts, interlock requests,
    writes and their feedback, the muster and its head counts, the SOS response steps."""
    out = []
    for e in journal:
        p = e.payload
        if e.kind == "permit" and e.source in permits:
            out.append(Action(e.ts, e.actor, permit_action(p, e.source)))
        elif e.kind == "broadcast":
            out.append(Action(e.ts, e.actor, broadcast_action(p, e.source)))
        elif e.kind == "interlock" and p.get("step") in INTERLOCK_ACTS:
            out.append(Action(e.ts, e.actor, interlock_action(p, e.source)))
        elif e.kind == "muster":
            out.append(Action(e.ts, e.actor, muster_action(p, e.source)))
        elif e.kind == "wearable_response" and e.source in wearer_alarms:
            out.append(Action(e.ts, e.actor, response_action(p, e.source)))
    return tuple(out)


def _worker_name(site: Site, worker: str) -> str:
    index = site.worker_index.get(worker)
    return site.workers[index].name if index is not None else worker
