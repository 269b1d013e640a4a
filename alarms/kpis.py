"""Alarm-system KPIs (ISA-18.2 §16 table 5, EEMUA 191): the report's types, the targets and the traffic lights.

Qt-free and database-free: `integrations.alarm_kpis` computes the values in SQL and builds the report here;
the window, the handover and `controlroom report shift` show it. Labels are English source texts marked for
translation (context "Kpi"); values carry their unit in `text`.

The traffic-light rule, one for every KPI with a target:
- "at most T" (or "below T"): green within the target, amber up to twice the target, red beyond. For
  alarms per 10 min that is EEMUA's own ladder: ~1 very likely acceptable, ~2 manageable, more overloaded.
  A target of 0 (chattering, fleeting) has no amber: one is red.
- "at least T %": the same rule on the shortfall (green from T, amber down to T - (100 - T), red below).
- No target, or no data in the period: no light (`Light.NONE`, shown grey).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

PERIOD_S = 600.0  # the EEMUA 191 rate period: alarms per 10 minutes
FLOOD_START = 10  # a flood starts at more than 10 alarms in 10 min (per operator position) ...
FLOOD_END = 5  # ... and ends below 5 in 10 min
CHATTER_COUNT = 3  # chattering: at least 3 activations of one alarm ...
CHATTER_WINDOW_S = 60.0  # ... within 60 s
FLEETING_S = 5.0  # fleeting: back to normal less than 5 s after it was raised (no operator could act on it)
STALE_S = 24 * 3600.0  # stale: still active 24 h after it was raised
RESPONSE_S = 90.0  # the seeds' target: alarm to first response within 90 s
TOP_N = 10  # bad actors


def QT_TRANSLATE_NOOP(context: str, source: str) -> str:  # the name pyside6-lupdate looks for
    """Mark `source` for translation in `context` (alarms/ may not import plant_maps.words)."""
    return source


class Light(StrEnum):
    OK = "ok"
    WARN = "warn"
    BAD = "bad"
    NONE = "none"  # no target, or no data in the period


class Bound(StrEnum):
    AT_MOST = "<="
    BELOW = "<"
    AT_LEAST = ">="


@dataclass(frozen=True, slots=True)
class Target:
    """A target and its traffic light (the rule in the module's docstring)."""

    bound: Bound
    limit: float
    unit: str  # as in the value's text: "/ 10 min", "%", "s", ""

    @property
    def text(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        return f"{self.bound.value} {self.limit:g}{unit}"

    def light(self, value: float | None) -> Light:
        if value is None:
            return Light.NONE
        if self.bound is Bound.AT_LEAST:
            shortfall, allowed = self.limit - value, 100.0 - self.limit
            return Light.OK if shortfall <= 0 else Light.WARN if shortfall <= allowed else Light.BAD
        within = value < self.limit if self.bound is Bound.BELOW else value <= self.limit
        if within:
            return Light.OK
        amber = value < 2 * self.limit if self.bound is Bound.BELOW else value <= 2 * self.limit
        return Light.WARN if amber else Light.BAD


# the targets per operator position (ISA-18.2 §16 / EEMUA 191, and the seeds' three)
TARGETS: dict[str, Target] = {
    "alarms_per_10min_avg": Target(Bound.AT_MOST, 1, "/ 10 min"),
    "alarms_per_10min_peak": Target(Bound.AT_MOST, FLOOD_START, "/ 10 min"),
    "alarms_per_hour_avg": Target(Bound.AT_MOST, 6, "/ h"),
    "flood_time_pct": Target(Bound.BELOW, 1, "%"),
    "bad_actors_share_pct": Target(Bound.AT_MOST, 5, "%"),
    "chattering_alarms": Target(Bound.AT_MOST, 0, ""),
    "fleeting_alarms": Target(Bound.AT_MOST, 0, ""),
    "stale_alarms": Target(Bound.BELOW, 5, ""),
    "priority_low_pct": Target(Bound.AT_LEAST, 80, "%"),
    "priority_medium_pct": Target(Bound.AT_MOST, 15, "%"),
    "priority_high_pct": Target(Bound.AT_MOST, 5, "%"),
    "priority_urgent_pct": Target(Bound.BELOW, 1, "%"),
    "ack_median_s": Target(Bound.AT_MOST, RESPONSE_S, "s"),
    "ack_p90_s": Target(Bound.AT_MOST, RESPONSE_S, "s"),
    "ack_within_pct": Target(Bound.AT_LEAST, 90, "%"),
    "response_median_s": Target(Bound.AT_MOST, RESPONSE_S, "s"),
    "response_p90_s": Target(Bound.AT_MOST, RESPONSE_S, "s"),
    "response_within_pct": Target(Bound.AT_LEAST, 90, "%"),
    "permit_timeout_pct": Target(Bound.AT_MOST, 5, "%"),
    "vision_false_pct": Target(Bound.AT_MOST, 3.5, "%"),
}

_C = "Kpi"
LABELS: dict[str, str] = {
    "alarms_raised": QT_TRANSLATE_NOOP(_C, "Alarms raised"),
    "alarms_per_10min_avg": QT_TRANSLATE_NOOP(_C, "Alarms per 10 min (average)"),
    "alarms_per_10min_peak": QT_TRANSLATE_NOOP(_C, "Alarms per 10 min (peak)"),
    "alarms_per_hour_avg": QT_TRANSLATE_NOOP(_C, "Alarms per hour (average)"),
    "alarms_per_hour_peak": QT_TRANSLATE_NOOP(_C, "Alarms per hour (peak)"),
    "flood_time_pct": QT_TRANSLATE_NOOP(_C, "Time in flood"),
    "flood_periods": QT_TRANSLATE_NOOP(_C, "10-min periods in flood"),
    "bad_actors_share_pct": QT_TRANSLATE_NOOP(_C, "Top 10 bad actors' share of the load"),
    "chattering_alarms": QT_TRANSLATE_NOOP(_C, "Chattering alarms"),
    "fleeting_alarms": QT_TRANSLATE_NOOP(_C, "Fleeting alarms"),
    "standing_alarms": QT_TRANSLATE_NOOP(_C, "Standing alarms at the end"),
    "stale_alarms": QT_TRANSLATE_NOOP(_C, "Stale alarms (active > 24 h)"),
    "shelved_alarms": QT_TRANSLATE_NOOP(_C, "Shelved at the end"),
    "suppressed_alarms": QT_TRANSLATE_NOOP(_C, "Suppressed at the end"),
    "out_of_service_alarms": QT_TRANSLATE_NOOP(_C, "Out of service at the end"),
    "priority_low_pct": QT_TRANSLATE_NOOP(_C, "Low priority"),
    "priority_medium_pct": QT_TRANSLATE_NOOP(_C, "Medium priority"),
    "priority_high_pct": QT_TRANSLATE_NOOP(_C, "High priority"),
    "priority_urgent_pct": QT_TRANSLATE_NOOP(_C, "Urgent priority"),
    "ack_median_s": QT_TRANSLATE_NOOP(_C, "Time to acknowledge (median)"),
    "ack_p90_s": QT_TRANSLATE_NOOP(_C, "Time to acknowledge (90th percentile)"),
    "ack_within_pct": QT_TRANSLATE_NOOP(_C, "Acknowledged within 90 s"),
    "response_median_s": QT_TRANSLATE_NOOP(_C, "Time to first response (median)"),
    "response_p90_s": QT_TRANSLATE_NOOP(_C, "Time to first response (90th percentile)"),
    "response_within_pct": QT_TRANSLATE_NOOP(_C, "First response within 90 s"),
    "permits_issued": QT_TRANSLATE_NOOP(_C, "Permits issued"),
    "permits_suspended": QT_TRANSLATE_NOOP(_C, "Permits suspended"),
    "permits_expired": QT_TRANSLATE_NOOP(_C, "Permits expired before closing"),
    "permit_timeout_pct": QT_TRANSLATE_NOOP(_C, "Permit timeout rate"),
    "vision_detections": QT_TRANSLATE_NOOP(_C, "Camera detections"),
    "vision_false_pct": QT_TRANSLATE_NOOP(_C, "Camera detections marked false"),
}


class Group(StrEnum):
    LOAD = "load"
    FLOOD = "flood"
    BAD_ACTORS = "bad actors"
    CHATTER = "chatter"
    STANDING = "standing"
    HIDDEN = "hidden"
    PRIORITY = "priority"
    RESPONSE = "response"
    PERMITS = "permits"
    VISION = "vision"


GROUP_NAMES: dict[str, str] = {  # source texts of the groups' headings, translated where they are shown
    Group.LOAD: QT_TRANSLATE_NOOP(_C, "Alarm load"),
    Group.FLOOD: QT_TRANSLATE_NOOP(_C, "Floods"),
    Group.BAD_ACTORS: QT_TRANSLATE_NOOP(_C, "Bad actors"),
    Group.CHATTER: QT_TRANSLATE_NOOP(_C, "Chattering and fleeting"),
    Group.STANDING: QT_TRANSLATE_NOOP(_C, "Standing"),
    Group.HIDDEN: QT_TRANSLATE_NOOP(_C, "Shelved and hidden"),
    Group.PRIORITY: QT_TRANSLATE_NOOP(_C, "Priority mix"),
    Group.RESPONSE: QT_TRANSLATE_NOOP(_C, "Response"),
    Group.PERMITS: QT_TRANSLATE_NOOP(_C, "Permits"),
    Group.VISION: QT_TRANSLATE_NOOP(_C, "Camera AI"),
}


@dataclass(frozen=True, slots=True)
class Kpi:
    key: str  # stable id, e.g. "alarms_per_10min_avg"
    label: str  # short English label (the window translates, context "Kpi")
    value: float | None  # None: no data in the period
    text: str  # the value as shown, with its unit: "0.8 / 10 min", "12 %", "—"
    target: str  # "<= 1 / 10 min"; "" when the KPI has none
    light: Light
    group: str


@dataclass(frozen=True, slots=True)
class AlarmAtEnd:
    """An alarm standing (active) or hidden (shelved, suppressed, out of service) at the period's end."""

    alarm_id: str
    area: str
    state: str  # alarms.states.State value
    since: float  # raised (standing) or hidden (shelved ...) at
    actor: str  # who hid it ("" for a standing alarm, or a rule's suppression)
    comment: str  # the reason given when it was hidden
    until: float | None  # a shelve's end, None otherwise


@dataclass(frozen=True, slots=True)
class KpiReport:
    since: float
    until: float
    area: str | None  # None: the whole site
    positions: int  # operator positions the load is shared by
    kpis: tuple[Kpi, ...]
    rate: tuple[tuple[float, int], ...]  # (10-min period start, alarms raised in it), every period
    bad_actors: tuple[
        tuple[str, int, float], ...
    ]  # (alarm id, alarms raised, share of the load 0..1), top 10
    heat: tuple[tuple[str, int, int], ...]  # (area, hour of day 0..23, alarms raised)
    standing: tuple[AlarmAtEnd, ...]  # oldest first
    hidden: tuple[AlarmAtEnd, ...]  # by state, then oldest first
    suspensions: tuple[tuple[str, int], ...]  # (reason, permits suspended for it), most first

    def kpi(self, key: str) -> Kpi:
        for k in self.kpis:
            if k.key == key:
                return k
        raise KeyError(key)


def make_kpi(key: str, group: Group, value: float | None, text: str) -> Kpi:
    """A KPI with its label, target and light from the tables above."""
    target = TARGETS.get(key)
    light = Light.NONE if target is None else target.light(value)
    return Kpi(key, LABELS[key], value, text, "" if target is None else target.text, light, group.value)


NO_VALUE = "—"


def number_text(value: float | None, unit: str = "", digits: int = 1) -> str:
    """ "0.8 / 10 min", "12 %", "45 s", "3"; "—" for no data. A value whole at `digits` loses its decimals."""
    if value is None:
        return NO_VALUE
    rounded = round(float(value), digits)
    shown = f"{rounded:.0f}" if rounded.is_integer() else f"{rounded:.{digits}f}"
    return f"{shown} {unit}" if unit else shown
