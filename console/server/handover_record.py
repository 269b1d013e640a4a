"""What a shift handover freezes (Hexagon j5's "start handover"): the period, both leads, the KPIs with their
lights, the plant's standing state, the period's notable events and notes, the flagged items and the audit
trail's verified head; then the signatures and the lock.

Plain frozen data with a JSON form (`record` / `from_record`): the snapshot is stored as written and its
SHA-256 over the canonical JSON is what both signatures vouch for (21 CFR 11.70: a signature is linked to
its record). The PDF and the window read the same objects; neither recomputes anything.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

from console.server.signatures import SignedBy
from integrations.audit_chain import canonical

OUTGOING, INCOMING = "outgoing", "incoming"
SIDES = (OUTGOING, INCOMING)

# The sections of a snapshot's state and events, in the order the PDF and the window show them.
SECTIONS = ("standing", "hidden", "permits", "responses", "isolations", "events", "notes", "flags")


@dataclass(frozen=True, slots=True)
class KpiLine:
    """One KPI as frozen: the shape of `alarms.kpis.Kpi` with its light as text ("ok", "warn", "bad", "none")."""

    key: str
    label: str
    text: str
    target: str
    light: str
    group: str


@dataclass(frozen=True, slots=True)
class Item:
    """One line of a section: since (or at) when, what it is about, who acted, what is said of it and, for
    what ends by itself (a shelve, an isolation, a permit's validity), until when."""

    ts: float | None
    subject: str
    text: str
    who: str = ""
    until: float | None = None


@dataclass(frozen=True, slots=True)
class Lead:
    name: str  # the user name (login)
    full_name: str


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The frozen content of one handover; `sha256` is its fingerprint."""

    id: str
    site: str
    console: str
    timezone: str  # the plant's, as the shift pattern names it ("": the machine's): times are shown in it
    started: float
    since: float
    until: float
    outgoing: Lead
    incoming: Lead
    kpis: tuple[KpiLine, ...]
    audit_seq: int  # the audit trail verified up to this entry, whose hash is `audit_hash`
    audit_hash: str
    standing: tuple[Item, ...] = ()  # active alarms, not hidden
    hidden: tuple[Item, ...] = ()  # shelved, suppressed, out of service
    permits: tuple[Item, ...] = ()  # active and suspended
    responses: tuple[Item, ...] = ()  # SOS and man-down not yet resolved
    isolations: tuple[Item, ...] = ()  # zones in maintenance isolation
    events: tuple[Item, ...] = ()  # tier-1 alarms, SOS, suspensions, interlocks, broadcasts of the period
    notes: tuple[Item, ...] = ()  # the shift log
    flags: tuple[Item, ...] = ()  # items that come back at every handover until cleared (subject: flag id)

    def section(self, name: str) -> tuple[Item, ...]:
        items: tuple[Item, ...] = getattr(self, name)
        return items

    def record(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(canonical(self.record()).encode()).hexdigest()

    @classmethod
    def from_record(cls, r: dict[str, Any]) -> Snapshot:
        sections = {name: tuple(Item(**i) for i in r.get(name, ())) for name in SECTIONS}
        return cls(
            id=r["id"],
            site=r["site"],
            console=r["console"],
            timezone=r["timezone"],
            started=r["started"],
            since=r["since"],
            until=r["until"],
            outgoing=Lead(**r["outgoing"]),
            incoming=Lead(**r["incoming"]),
            kpis=tuple(KpiLine(**k) for k in r["kpis"]),
            audit_seq=r["audit_seq"],
            audit_hash=r["audit_hash"],
            **sections,
        )


@dataclass(frozen=True, slots=True)
class Handover:
    """A handover as it stands: its snapshot, the signatures given (by side) and, once finalised, when and
    where its PDF was written. Finalised, it never changes again: a correction is a new handover."""

    snapshot: Snapshot
    signatures: dict[str, SignedBy] = field(default_factory=dict)
    finalised: float | None = None
    pdf: str = ""

    @property
    def id(self) -> str:
        return self.snapshot.id

    @property
    def locked(self) -> bool:
        return self.finalised is not None

    def lead(self, side: str) -> Lead:
        return self.snapshot.outgoing if side == OUTGOING else self.snapshot.incoming

    def missing_signatures(self) -> tuple[str, ...]:
        return tuple(side for side in SIDES if side not in self.signatures)


def signed_by(record: dict[str, Any]) -> SignedBy:
    return SignedBy(record["name"], record["full_name"], record["meaning"], record["ts"])
