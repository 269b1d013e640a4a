"""Maintenance isolation of a zone: ISA-18.2 suppression by design, asked for with a reason and a bounded time.

An isolated zone's alarms are suppressed by design, a tier-1 gas alarm included, so an isolation is never
open-ended: like a shelve (ISA-18.2 §11.7.3) it has a reason and ends by itself when its time is up, never
later than the site's `max_shelve_s`. The book here is plain bookkeeping on the core's loop thread; the alarm
service journals every start and end (what it writes is `start_entry` / `end_entry`) and suppresses or
unsuppresses the zone's alarms once the row is on its way.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from alarms.definitions import Tier
from alarms.records import AlarmView
from alarms.states import State
from integrations.storage import JournalEntry
from plant_maps.site import Site

ISOLATION_JOURNAL = "zone_isolation"
MAX_REASON_CHARS = 200  # one line in the banner and the journal, as for any text an operator types


class Ending(StrEnum):
    """How an isolation ended, as the journal says it."""

    BY_HAND = "ended by hand"
    TIME_UP = "time up"
    WHILE_DOWN = "time ran out while the console was down"


@dataclass(frozen=True, slots=True)
class Isolation:
    """One zone under maintenance isolation: who asked, why, and from when until when (epoch s)."""

    zone: str
    reason: str
    actor: str
    console: str
    since: float
    until: float


def utc_text(ts: float) -> str:
    """The time as the journal and the core's messages write it (the window shows local time)."""
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(ts))


def start_entry(isolation: Isolation) -> JournalEntry:
    return JournalEntry(
        isolation.since,
        ISOLATION_JOURNAL,
        isolation.zone,
        isolation.actor,
        isolation.console,
        {
            "isolated": True,
            "reason": isolation.reason,
            "duration_s": isolation.until - isolation.since,
            "until": isolation.until,
        },
    )


def end_entry(isolation: Isolation, ending: Ending, actor: str, console: str, ts: float) -> JournalEntry:
    return JournalEntry(
        ts,
        ISOLATION_JOURNAL,
        isolation.zone,
        actor,
        console,
        {"isolated": False, "reason": ending.value, "since": isolation.since, "until": isolation.until},
    )


class IsolationBook:
    """The isolations in force, by zone; refuses what ISA-18.2 would call an unauthorised suppression."""

    def __init__(self, names: Mapping[str, str], max_s: float) -> None:
        self._names = dict(names)  # zone id -> its name, what a refusal says
        self.max_s = max_s
        self._by_zone: dict[str, Isolation] = {}

    def refusal(self, zone: str, reason: str, duration_s: float | None) -> str | None:
        """Why isolating `zone` for this reason and time is refused, or None."""
        if zone not in self._names:
            return f"unknown zone {zone!r}"
        if zone in self._by_zone:
            return f"{self._names[zone]} is already isolated until {utc_text(self._by_zone[zone].until)}"
        text = reason.strip()
        if not text:
            return "an isolation needs a reason"
        if len(text) > MAX_REASON_CHARS:
            return f"the reason is {len(text)} characters long, at most {MAX_REASON_CHARS}"
        if not text.isprintable():
            return "the reason must be plain text on one line"
        if duration_s is None or not math.isfinite(duration_s) or not 0 < duration_s <= self.max_s:
            asked = "none" if duration_s is None else f"{duration_s:g} s"
            return f"an isolation lasts more than 0 s and at most {self.max_s:g} s (asked {asked})"
        return None

    def hold(self, isolation: Isolation) -> None:
        """Take in an isolation as journaled (after a restart)."""
        self._by_zone[isolation.zone] = isolation

    def end(self, zone: str) -> Isolation | None:
        return self._by_zone.pop(zone, None)

    def due(self, now: float) -> list[Isolation]:
        """The isolations whose time is up, soonest first (they are still in the book)."""
        return sorted((i for i in self._by_zone.values() if i.until <= now), key=lambda i: i.until)

    def get(self, zone: str) -> Isolation | None:
        return self._by_zone.get(zone)

    def all(self) -> tuple[Isolation, ...]:
        """Every isolation in force, by zone id (a cheap snapshot the window compares between frames)."""
        return tuple(self._by_zone[z] for z in sorted(self._by_zone))

    @property
    def zones(self) -> frozenset[str]:
        return frozenset(self._by_zone)


def journaled(entries: Iterable[JournalEntry], max_s: float) -> list[Isolation]:
    """The isolations in force when the journal ends: each zone's latest entry, if it started one.

    An entry written before isolations had an end (no "until") ends `max_s` after it started, the longest
    any isolation may last now.
    """
    latest = {e.source: e for e in entries if e.kind == ISOLATION_JOURNAL}
    out = []
    for zone, e in sorted(latest.items()):
        p = e.payload
        if p.get("isolated"):
            until = float(p.get("until", e.ts + max_s))
            out.append(Isolation(zone, str(p.get("reason", "")), e.actor, e.console, e.ts, until))
    return out


@dataclass(frozen=True, slots=True)
class Impact:
    """What isolating a zone hides: its detectors' alarms, and how many alarms are active there now."""

    detectors: int
    active: int  # alarms of the zone active now (tier 1 included)
    tier1_active: int
    live: int = 0  # people's alarms active in the zone (an SOS, an entry without a permit): never hidden

    def describe(self) -> str:
        active = (
            f"{self.active} active now, {self.tier1_active} of them tier 1"
            if self.active
            else "none active now"
        )
        live = f"; {self.live} people's alarms there stay live" if self.live else ""
        return f"the alarms of {self.detectors} detectors ({active}{live})"


def impact(site: Site, zone: str, views: Sequence[AlarmView]) -> Impact:
    """What isolating `zone` would suppress, or (while it is isolated) what it suppresses now.

    Counts the active alarms whose own area is the zone (suppression by design acts there), visible or
    suppressed; shelved and out-of-service ones are hidden already and stay so. A person's alarm raised in
    the zone (an SOS, a worker without a permit) belongs to the whole site: an isolation never hides it, so
    it is not counted as hidden.
    """
    shown = (State.SUPPRESSED, State.UNACK, State.ACKED)
    here = [v for v in views if v.active and v.state in shown and zone in (v.area, v.home_area)]
    active = [v for v in here if (v.home_area or v.area) == zone]
    return Impact(
        sum(s.zone == zone for s in site.sensors),
        len(active),
        sum(v.tier is Tier.LIFE for v in active),
        len(here) - len(active),
    )
