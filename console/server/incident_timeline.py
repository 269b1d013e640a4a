"""One incident's timeline (issue 17): what happened and who did it, from the alarm journal, the event
journal and the audit trail, in time order. Read-only: nothing on it is edited (a correction is a new note).

Each source is one SQL query over the incident's period (from its alarm, or its declaration, until it was
closed) narrowed to its zone where the rows say one: the zone's alarms, the permits in or near its danger area
(`plant_maps.danger_area`), the SOS steps of the zone's alarms; plant-wide acts of the period (broadcasts,
interlocks, the muster, operator notes) and the incident's own steps; and from the audit trail the commands
refused on the incident, its zone or those permits (what was tried and why it was not done: the journal holds
only what was done).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from alarms.records import SYSTEM
from console.server.handover_words import _, state_words
from console.server.incident_words import response_words, severity_words, type_words
from console.server.incidents import JOURNAL_KIND, Incident
from integrations.storage import Store, alarm_journal, audit_trail, event_journal
from plant_maps.danger_area import DangerArea, permit_ids_near
from plant_maps.site import Site

# timeline kind -> the event journal kind it reads ("alarm" and "refused" come from their own tables)
JOURNAL_KINDS = {
    "sos": "wearable_response",
    "permit": "permit",
    "broadcast": "broadcast",
    "delivery": "broadcast_delivery",
    "interlock": "interlock",
    "muster": "muster",
    "note": "operator_note",
    "incident": JOURNAL_KIND,
}
KINDS = ("alarm", *JOURNAL_KINDS, "refused")


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    ts: float
    actor: str
    kind: str  # one of KINDS
    text: str


def incident_timeline(
    store: Store, site: Site, incident: Incident, kinds: Collection[str] = KINDS
) -> tuple[TimelineEntry, ...]:
    """The incident's timeline in time order, only the entries of `kinds`."""
    until = incident.closed
    entries: list[TimelineEntry] = []
    with store.engine.connect() as conn:
        if "alarm" in kinds:
            entries += _alarms(conn, incident, until)
        wanted = [JOURNAL_KINDS[k] for k in kinds if k in JOURNAL_KINDS]
        if wanted:
            entries += _journal(conn, site, incident, until, wanted)
        if "refused" in kinds:
            entries += _refused(conn, site, incident, until)
    return tuple(sorted(entries, key=lambda e: e.ts))


def _period(query: sa.Select[Any], column: Any, incident: Incident, until: float | None) -> sa.Select[Any]:
    query = query.where(column >= incident.since)
    return query if until is None else query.where(column <= until)


def _alarms(conn: sa.Connection, incident: Incident, until: float | None) -> list[TimelineEntry]:
    """The zone's alarms raised, escalated or acted on by someone (what the event log shows of them)."""
    c = alarm_journal.c
    query = sa.select(c.ts, c.actor, c.tier, c.alarm_id, c.event, c.message, c.comment).where(
        c.annunciate | (c.actor != SYSTEM) | (c.event == "escalate")
    )
    if incident.zone:
        query = query.where(c.area == incident.zone)
    rows = conn.execute(_period(query, c.ts, incident, until).order_by(c.id))
    return [
        TimelineEntry(
            r.ts,
            "" if r.actor == SYSTEM else r.actor,
            "alarm",
            f"T{r.tier} {r.alarm_id} {r.event.replace('_', ' ')}: {r.message}"
            + (f" ({r.comment})" if r.comment else ""),
        )
        for r in rows
    ]


def _journal(
    conn: sa.Connection, site: Site, incident: Incident, until: float | None, wanted: list[str]
) -> list[TimelineEntry]:
    c = event_journal.c
    of_zone = [
        c.kind.notin_(["permit", "wearable_response", JOURNAL_KIND]),
        (c.kind == JOURNAL_KIND) & (c.source == incident.id),
    ]
    of_zone.append((c.kind == "permit") & c.source.in_(_permits_of(site, incident)))
    if incident.zone:
        a = alarm_journal.c
        zone_alarms = _period(sa.select(a.alarm_id).where(a.area == incident.zone), a.ts, incident, until)
        of_zone.append(
            (c.kind == "wearable_response") & c.source.in_(zone_alarms.distinct().scalar_subquery())
        )
    else:
        of_zone.append(c.kind == "wearable_response")
    query = sa.select(c.ts, c.kind, c.source, c.actor, c.payload).where(c.kind.in_(wanted), sa.or_(*of_zone))
    rows = conn.execute(_period(query, c.ts, incident, until).order_by(c.seq))
    kind_of = {v: k for k, v in JOURNAL_KINDS.items()}
    return [
        TimelineEntry(r.ts, r.actor, kind_of[r.kind], _journal_text(site, r.kind, r.source, r.payload))
        for r in rows
    ]


def _permits_of(site: Site, incident: Incident) -> list[str]:
    """The permits in or near its danger area (those "suspend all" acts on)."""
    return permit_ids_near(
        DangerArea.of(site, incident.zone, incident.x, incident.y, incident.radius_m), site
    )


def _refused(conn: sa.Connection, site: Site, incident: Incident, until: float | None) -> list[TimelineEntry]:
    c = audit_trail.c
    targets = [incident.id, *([incident.zone] if incident.zone else []), *_permits_of(site, incident)]
    query = sa.select(c.ts, c.username, c.action, c.target, c.reason).where(
        c.outcome == "refused", c.target.in_(targets)
    )
    rows = conn.execute(_period(query, c.ts, incident, until).order_by(c.seq))
    return [
        TimelineEntry(
            r.ts, r.username, "refused", f"{r.action.replace('_', ' ')} {r.target} refused: {r.reason}"
        )
        for r in rows
    ]


def _journal_text(site: Site, kind: str, source: str, p: dict[str, Any]) -> str:
    """One line for a journaled act, from its payload as each service writes it; zones by name, the words
    through gettext (`handover_words._`)."""
    match kind:
        case "wearable_response":
            who = p.get("responder_name") or p.get("responder") or ""
            step = _("{alarm}: {step}").format(alarm=source, step=response_words(p.get("step", "")))
            return step + (f" ({who})" if who else "")
        case "permit":
            moved = _("{permit} {from_state} → {to_state}").format(
                permit=source,
                from_state=state_words(p.get("from", "")),
                to_state=state_words(p.get("to", "")),
            )
            return f"{moved}: {p['reason']}" if p.get("reason") else moved
        case "broadcast":
            zones = ", ".join(p.get("zones", ())) or _("all PA zones")
            return _("broadcast {id} ({priority}) to {zones}: {text}").format(
                id=source, priority=p.get("priority", ""), zones=zones, text=p.get("text", "")
            )
        case "broadcast_delivery":
            states = p.get("zones", {})
            told = ", ".join(f"{z} {s.get('state', '')}" for z, s in states.items())
            return _("broadcast {id} delivered: {zones}").format(id=source, zones=told)
        case "interlock":
            return _("interlock {id}: {step}").format(id=source, step=p.get("step", ""))
        case "muster":
            return _muster_text(site, source, p)
        case "operator_note":
            return _("note: {text}").format(text=p.get("text", ""))
    return _incident_text(site, p)


def _muster_text(site: Site, source: str, p: dict[str, Any]) -> str:
    match p.get("event"):
        case "start":
            return _("mustering started")
        case "stop":
            return _("mustering ended, {n} still missing").format(n=len(p.get("missing", ())))
        case _event:
            name = site.workers[site.worker_index[source]].name if source in site.worker_index else source
            return _("{name} ({id}) accounted for by head count: {reason}").format(
                name=name, id=source, reason=p.get("reason", "")
            )


def _incident_text(site: Site, p: dict[str, Any]) -> str:
    match p.get("step"):
        case "declare":
            zone = p.get("zone") or ""
            where = (
                site.zone_name(zone)
                if zone
                else _("({x}, {y}) r {r} m").format(x=p.get("x"), y=p.get("y"), r=p.get("radius_m"))
            )
            return _(
                "incident declared: {type} in {where}, severity {severity}; commander {commander}, safety "
                "officer {officer}"
            ).format(
                type=type_words(p.get("type", "")),
                where=where,
                severity=severity_words(p.get("severity", "")),
                commander=p.get("commander"),
                officer=p.get("safety_officer"),
            )
        case "transfer":
            return _("command transferred from {old} to {new}: {reason}").format(
                old=p.get("from"), new=p.get("to"), reason=p.get("reason")
            )
        case "objective":
            return _("objective: {text}").format(text=p.get("text"))
        case "note":
            return _("note: {text}").format(text=p.get("text"))
        case "close":
            return _("incident closed: {reason}").format(reason=p.get("reason", ""))
        case "reopen":
            return _("incident reopened: {reason}").format(reason=p.get("reason", ""))
        case step:
            return f"incident {step}: {p.get('reason', '')}"
