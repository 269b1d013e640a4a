"""Gather what a shift handover freezes: the plant's state now (from the core: alarms, permits, responses,
isolations) and the period's facts from the database (KPIs, notable events, the shift log, who shelved
what, the audit trail's verified head).

`LiveState.of(core)` runs on the loop thread (cheap copies); `gather` blocks on the database, so it runs on
a worker thread (`asyncio.to_thread`), or as is in `controlroom report shift`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from alarms.kpis import KpiReport
from alarms.records import AlarmView, Transition
from alarms.states import Event, State
from console.server.handover_record import Item, KpiLine, Lead, Snapshot
from console.server.handover_words import _, state_words
from console.server.zone_isolation import Isolation
from integrations.alarm_kpis import kpi_report
from integrations.audit_chain import verify
from integrations.storage import JournalEntry, Store
from plant_maps.permit_lifecycle import PermitState
from plant_maps.permits import PermitStatus
from plant_maps.site import Site
from plant_maps.wearables import Response

HIDDEN = (State.SHELVED, State.SUPPRESSED, State.OUT_OF_SERVICE)
OPEN_PERMITS = (PermitState.ACTIVE, PermitState.SUSPENDED)
EVENT_KINDS = ("permit", "interlock", "broadcast", "wearable_response")
NOTE_KIND = "operator_note"
NEW_OCCURRENCE_FROM = (
    State.NORMAL,
    State.RTN_UNACK,
    State.LATCHED,
)  # an activation from these is a new alarm
WEARER_ALARMS = (".SOS", ".FALL", ".NO_MOTION")  # a wearer's SOS and man-down alarms


@dataclass(frozen=True, slots=True)
class LiveState:
    """The core's state at the moment a handover starts."""

    alarms: tuple[AlarmView, ...]
    permits: tuple[PermitStatus, ...]
    responses: tuple[Response, ...]
    isolations: tuple[Isolation, ...]


@dataclass(frozen=True, slots=True)
class Request:
    """What to gather: the handover's id, period, leads, where, and the flags open now."""

    id: str
    since: float
    until: float
    outgoing: Lead
    incoming: Lead
    console: str
    started: float
    flags: tuple[Item, ...] = ()
    positions: int = 1  # operator positions (the KPIs' loads are per position)
    timezone: str = ""  # the plant's (IANA name; "": the machine's): the PDF's times are in it


def gather(store: Store, site: Site, live: LiveState, request: Request) -> Snapshot:
    """The snapshot: blocks on the database (see the module docstring)."""
    since, until = request.since, request.until
    who = _state_rows(store.latest_alarm_transitions())
    journal = store.journal_rows(since, until)
    verdict = verify(store.audit_rows())
    report = kpi_report(
        store, since, until, positions=request.positions, utc_offset_s=utc_offset(since, request.timezone)
    )
    return Snapshot(
        id=request.id,
        site=site.name,
        console=request.console,
        timezone=request.timezone,
        started=request.started,
        since=since,
        until=until,
        outgoing=request.outgoing,
        incoming=request.incoming,
        kpis=kpi_lines(report),
        audit_seq=verdict.last_seq,
        audit_hash=verdict.last_hash,
        standing=_standing(live.alarms),
        hidden=_hidden(live.alarms, who),
        permits=_permits(site, live.permits),
        responses=_responses(site, live.alarms, live.responses),
        isolations=tuple(_isolation(site, i) for i in live.isolations),
        events=_events(site, store.alarm_transitions(since, until, tier=1), journal),
        notes=tuple(
            Item(e.ts, e.actor, str(e.payload.get("text", "")), e.actor)
            for e in journal
            if e.kind == NOTE_KIND
        ),
        flags=request.flags,
    )


def kpi_lines(report: KpiReport) -> tuple[KpiLine, ...]:
    return tuple(KpiLine(k.key, k.label, k.text, k.target, k.light.value, k.group) for k in report.kpis)


def utc_offset(ts: float, timezone: str) -> float:
    """The plant's offset from UTC at `ts` in seconds (`timezone` "": the machine's): the heat map's hours."""
    local = (
        datetime.fromtimestamp(ts, ZoneInfo(timezone))
        if timezone
        else datetime.fromtimestamp(ts).astimezone()
    )
    offset = local.utcoffset()
    return offset.total_seconds() if offset is not None else 0.0


def _state_rows(latest: Iterable[Transition]) -> dict[str, Transition]:
    """Each alarm's latest state change (an escalation keeps the state: not the row that says who)."""
    return {t.alarm_id: t for t in latest if t.event is not Event.ESCALATE}


def _standing(views: Iterable[AlarmView]) -> tuple[Item, ...]:
    out = []
    for v in sorted(views, key=lambda v: (int(v.tier), v.active_ts or v.ts)):
        if v.state in HIDDEN or v.state is State.NORMAL:
            continue
        text = f"T{int(v.tier)} {v.message} — {state_words(v.state.value)}"
        if v.ack_by:
            text += f" ({_('acknowledged by')} {v.ack_by})"
        out.append(Item(v.active_ts or v.ts, v.id, text, v.ack_by))
    return tuple(out)


def _hidden(views: Iterable[AlarmView], who: Mapping[str, Transition]) -> tuple[Item, ...]:
    out = []
    for v in sorted(views, key=lambda v: v.ts):
        if v.state not in HIDDEN:
            continue
        row = who.get(v.id)
        actor = row.actor if row is not None else ""
        reason = row.comment if row is not None else ""
        text = f"T{int(v.tier)} {v.message} — {state_words(v.state.value)}"
        if reason:
            text += f": {reason}"
        until = v.shelve.until if v.shelve is not None and math.isfinite(v.shelve.until) else None
        out.append(Item(row.ts if row is not None else v.ts, v.id, text, actor, until))
    return tuple(out)


def _permits(site: Site, statuses: Iterable[PermitStatus]) -> tuple[Item, ...]:
    out = []
    for s in sorted(statuses, key=lambda s: s.id):
        if s.state not in OPEN_PERMITS:
            continue
        p = s.permit
        text = f"{p.title} ({p.category.replace('_', ' ')}, {site.zone_name(p.zone)}) — {state_words(s.state.value)}"
        if s.state is PermitState.SUSPENDED and s.reason:
            text += f": {s.reason}"
        out.append(Item(s.since, p.id, text, _worker_name(site, p.guardian), s.end))
    return tuple(out)


def _responses(site: Site, views: Iterable[AlarmView], open_: Iterable[Response]) -> tuple[Item, ...]:
    """Every wearer's SOS or man-down still latched, with where its response stands."""
    by_alarm = {r.alarm_id: r for r in open_}
    out = []
    for v in sorted(views, key=lambda v: v.active_ts or v.ts):
        if not v.id.endswith(WEARER_ALARMS) or v.state is State.NORMAL:
            continue
        r = by_alarm.get(v.id)
        if r is None or not r.responder:
            step = _("no responder yet")
        elif r.on_scene_at is None:
            step = f"{_('responder assigned')}: {r.responder_name}"
        else:
            step = f"{_('responder on scene')}: {r.responder_name}"
        out.append(Item(v.active_ts or v.ts, v.id, f"{v.message} — {step}", v.ack_by))
    return tuple(out)


def _isolation(site: Site, i: Isolation) -> Item:
    return Item(i.since, site.zone_name(i.zone), i.reason, i.actor, i.until)


def _events(site: Site, tier1: Iterable[Transition], journal: Iterable[JournalEntry]) -> tuple[Item, ...]:
    """Tier-1 alarms raised, permit suspensions, interlock writes and requests, broadcasts and SOS
    resolutions of the period, in time order."""
    out = [
        Item(t.ts, t.alarm_id, f"T1 {t.message}", "")
        for t in tier1
        if t.event is Event.ACTIVATE and t.from_state in NEW_OCCURRENCE_FROM
    ]
    for e in journal:
        item = _event(site, e) if e.kind in EVENT_KINDS else None
        if item is not None:
            out.append(item)
    return tuple(sorted(out, key=lambda i: i.ts or 0.0))


def _event(site: Site, e: JournalEntry) -> Item | None:
    p = e.payload
    if e.kind == "permit" and p.get("to") == PermitState.SUSPENDED.value:
        return Item(e.ts, e.source, f"{_('permit suspended')}: {p.get('reason', '')}", e.actor)
    if e.kind == "interlock" and p.get("step") in ("write", "request"):
        if p["step"] == "request":
            return Item(e.ts, e.source, f"{_('interlock requested')}: {p.get('reason', '')}", e.actor)
        return Item(e.ts, e.source, f"{_('interlock written')} {p.get('value')} ({p.get('status')})", e.actor)
    if e.kind == "broadcast":
        zones = ", ".join(p.get("zones", ())) or _("all PA zones")
        return Item(
            e.ts, e.source, f"{_('broadcast')} ({p.get('priority')}, {zones}): {p.get('text')}", e.actor
        )
    if e.kind == "wearable_response" and p.get("step") == "resolved":
        found = str(p.get("resolution", "")).replace("_", " ")  # as plant_maps.wearables.Resolution.words
        notes = f": {p['notes']}" if p.get("notes") else ""
        return Item(e.ts, e.source, f"{_('resolved as')} {found}{notes}", e.actor)
    return None


def _worker_name(site: Site, worker_id: str) -> str:
    index = site.worker_index.get(worker_id)
    return site.workers[index].name if index is not None else worker_id
