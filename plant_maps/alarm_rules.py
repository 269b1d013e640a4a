"""The `[alarms]` section of a site file, turned into the alarm engine's Definitions.

What a site declares: per measure, the tier of each limit and the ISA-18.2 alarm deadband and on/off
delays (the limits themselves sit on each sensor); rate-of-change, composite and time-to-threshold rules;
consequential groups. What every site gets without declaring it: a communication alarm per tag grouped
under one per source (a dropped server is one annunciation, not one per tag), each sensor's lower limit
grouped under its higher one (H under HH, L under LL), latched tier-1 SOS / fall / no-motion alarms per
worker, a momentary video-AI alarm per zone and detection class, and per interlock a tier-1 feedback-mismatch
alarm (`<interlock id>.MISMATCH`, in the interlock's zone, not latched), a tier-2 one for a command or
feedback node the server refuses (`<interlock id>.COMM`), and per permit that requires gas analysis a tier-1
alarm for a failed test while its work runs (`<permit id>.GAS_TEST`, in the permit's zone); and, whatever
the site, the tier-2 `STORE.COMM` while the journal's database does not commit.

Every alarm carries the unit of the value it shows, set here once: a limit's and a communication alarm's is
its sensor's, a rate's that per minute, a composite's that of its first condition's quantity, a time to
threshold's, an interlock mismatch's and a wearable clock's seconds, a video-AI detection's its confidence;
the other discrete alarms (SOS, man-down, worker rules, PA, gas test, store) carry no value and no unit.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

from alarms.definitions import (
    SECONDS,
    AlarmSpec,
    CommRule,
    CompositeRule,
    Condition,
    Definitions,
    Direction,
    EventKind,
    EventRule,
    Limit,
    LimitKind,
    LimitRule,
    Op,
    Priority,
    RateRule,
    Tier,
    TimeToThresholdRule,
    rate_unit,
)
from alarms.interlocks import MismatchEdge
from plant_maps.alarm_settings import AlarmSettings
from plant_maps.gas_tests import gas_limits
from plant_maps.site import Interlock, Permit, Sensor, Worker, Zone
from plant_maps.toml_reader import ConfigError, Reader
from plant_maps.worker_rule_kinds import WorkerRule, worker_alarm

PRIORITY_OF_TIER = {Tier.LIFE: Priority.HIGH, Tier.HIGH: Priority.MEDIUM, Tier.LOW: Priority.LOW}
_KIND_KEYS = {"hh": LimitKind.HH, "h": LimitKind.H, "l": LimitKind.L, "ll": LimitKind.LL}
_SOURCE_NAMES = {"opcua": "OPC UA", "mqtt": "MQTT", "sim": "simulator"}
VISION_CONFIDENCE = "confidence"  # the unit of a video-AI alarm's value: the detection's confidence, 0..1
WEARABLE_EVENTS = {
    EventKind.SOS: ("SOS", "SOS pressed by {name}"),
    EventKind.FALL: ("FALL", "Fall detected: {name} (man-down)"),
    EventKind.NO_MOTION: ("NO_MOTION", "No motion: {name} (man-down)"),
}

# DOMAIN.md tiered response: a person inside a life-threatening gas zone is tier 1; a safety-rule breach
# (entering a permit zone off the permit, an expired certificate in a permit zone) tier 2, as are a lost
# wearable and a heart rate out of range (the person may need help); a low battery is advisory.
WORKER_RULE_ALARMS = {
    WorkerRule.NO_PERMIT_ENTRY: (Tier.HIGH, "{name} entered a permit zone without being on its permit"),
    WorkerRule.GAS_ALARM_ZONE: (Tier.LIFE, "{name} is inside a zone with a tier-1 gas alarm"),
    WorkerRule.EXPIRED_CERTIFICATE: (Tier.HIGH, "{name} is in a permit zone with an expired certificate"),
    WorkerRule.LOST_SIGNAL: (Tier.HIGH, "{name}: no position from the wearable (lost signal)"),
    WorkerRule.LOW_BATTERY: (Tier.LOW, "{name}: wearable battery low"),
    WorkerRule.HEART_RATE: (Tier.HIGH, "{name}: heart rate out of range"),
}


@dataclass(frozen=True, slots=True)
class MeasureAlarms:
    """How the limits of every sensor of one measure alarm (ISA-18.2 deadband and delays)."""

    tiers: dict[LimitKind, Tier]
    deadband: float = 0.0
    on_delay_s: float = 0.0
    off_delay_s: float = 0.0


# Gas: life first. Process: the high-high of a process value is a high alarm, the rest low.
_GAS = MeasureAlarms(
    {LimitKind.HH: Tier.LIFE, LimitKind.H: Tier.HIGH, LimitKind.L: Tier.HIGH, LimitKind.LL: Tier.LIFE}
)
_PROCESS = MeasureAlarms(
    {LimitKind.HH: Tier.HIGH, LimitKind.H: Tier.LOW, LimitKind.L: Tier.LOW, LimitKind.LL: Tier.HIGH}
)


_WEARABLE_SUFFIXES = tuple(f".{suffix}" for suffix, _ in WEARABLE_EVENTS.values())


def wearable_alarm(worker: str, kind: EventKind) -> str:
    return f"{worker}.{WEARABLE_EVENTS[kind][0]}"


def wearable_worker(alarm_id: str) -> str | None:
    """The wearer of an SOS or man-down alarm (`W01.SOS` -> `W01`); None for any other alarm."""
    return alarm_id.rsplit(".", 1)[0] if alarm_id.endswith(_WEARABLE_SUFFIXES) else None


def source_comm_alarm(scheme: str) -> str:
    return f"{_SOURCE_NAMES[scheme].replace(' ', '')}.COMM"


STORE_ALARM = "STORE.COMM"  # the console's own store, beside the sources' OPCUA.COMM and MQTT.COMM


def clock_alarm(worker: str) -> str:
    """The tier-3 "wearable clock wrong" alarm of a worker (DESIGN: a device clock is information)."""
    return f"{worker}.CLOCK"


def tag_comm_alarm(tag: str) -> str:
    return f"{tag}.COMM"


def interlock_alarm(interlock_id: str) -> str:
    return f"{interlock_id}.MISMATCH"


def pa_alarm(pa_zone: str) -> str:
    """The tier-2 alarm of a PA zone an emergency or evacuation broadcast did not reach."""
    return f"{pa_zone}.NOT_REACHED"


def gas_test_alarm(permit_id: str) -> str:
    """The tier-1 alarm of a permit whose gas test failed while its work ran (GB 30871: the work stops)."""
    return f"{permit_id}.GAS_TEST"


def interlock_comm_alarm(interlock_id: str) -> str:
    """The alarm of an interlock whose command or feedback node the server refuses."""
    return f"{interlock_id}.COMM"


def mismatch_message(interlock: Interlock, edge: MismatchEdge) -> str:
    """The text of a feedback-mismatch transition: which way the feedback failed to follow, and for how long."""

    def on(value: bool) -> str:
        return "ON" if value else "OFF"

    head = f"{interlock.id} {interlock.name}: feedback {on(edge.feedback)}"
    if edge.active:
        return f"{head} does not follow command {on(edge.command)} for {edge.seconds:.0f} s"
    after = f" after {edge.seconds:.0f} s" if math.isfinite(edge.seconds) else ""  # NaN: not known
    return f"{head} follows command {on(edge.command)} again{after}"


def parse_alarms(
    root: Reader,
    sensors_: Sequence[Sensor],
    zones_: Sequence[Zone],
    workers: Sequence[Worker],
    permits: Sequence[Permit] = (),
) -> AlarmSettings:
    """Read `[alarms]` (optional: every key has a default) against the site's sensors, zones, workers and
    permits."""
    section = root.section("alarms", required=False)
    section.reject_unknown(
        {
            "escalate_after_s",
            "max_shelve_s",
            "measures",
            "rate",
            "composite",
            "time_to_threshold",
            "group",
            "vision_classes",
            "ack_comment_required",
        }
    )
    sensors = {s.id: s for s in sensors_}
    zones = {z.id for z in zones_}
    measures = _measures(section.section("measures", required=False))
    limits = tuple(_limit_rule(s, measures.get(s.measure) or _default(s)) for s in sensors_)
    vision = _vision_classes(section.section("vision_classes", required=False))
    rules = [
        *(_rate(r, sensors) for r in section.tables("rate")),
        *(_composite(r, sensors, zones) for r in section.tables("composite")),
        *(_time_to_threshold(r, sensors) for r in section.tables("time_to_threshold")),
    ]
    comms = tuple(_comm_rules(sensors_))
    events = (
        *_event_rules(workers, sorted(zones_, key=lambda z: z.id), vision),
        *_interlock_rules(root.tables("interlocks")),
        *_broadcast_rules(root.tables("pa_zones")),
        *_gas_test_rules(permits),
        *_link_rules(sensors_, workers),
        _store_rule(),
    )
    groups = _groups(section.tables("group"))
    try:
        definitions = _grouped(
            Definitions(
                tags=tuple(sensors),
                limits=limits,
                rates=tuple(r for r in rules if isinstance(r, RateRule)),
                composites=tuple(r for r in rules if isinstance(r, CompositeRule)),
                time_to_threshold=tuple(r for r in rules if isinstance(r, TimeToThresholdRule)),
                comms=comms,
                events=events,
            ),
            groups,
        )
    except ConfigError:
        raise
    except ValueError as exc:  # Definitions validate themselves: say it in the site file's terms
        raise section.error("", str(exc)) from None
    return AlarmSettings(
        definitions=definitions,
        escalate_after_s=section.positive("escalate_after_s", 60.0),
        max_shelve_s=section.positive("max_shelve_s", 8 * 3600.0),
        vision_tiers=vision,
        ack_comment_tiers=frozenset(_tiers(section, "ack_comment_required")),
    )


def _default(sensor: Sensor) -> MeasureAlarms:
    return _GAS if sensor.is_gas else _PROCESS


def _tier(r: Reader, key: str, default: Tier | None = None) -> Tier:
    value = r.int(key, default, minimum=1) if default is not None else r.int(key, minimum=1)
    if value > 3:
        raise r.error(key, f"tier must be 1 (life-threatening), 2 (high) or 3 (low), got {value}")
    return Tier(value)


def _tiers(r: Reader, key: str) -> list[Tier]:
    """A list of tiers, e.g. `ack_comment_required = [1]` (optional: none)."""
    values = r.data.get(key, [])
    if not isinstance(values, list) or any(type(v) is not int or v not in (1, 2, 3) for v in values):
        raise r.error(key, f"expected a list of tiers (1, 2, 3), got {values!r}")
    return [Tier(v) for v in values]


def _priority(r: Reader, tier: Tier) -> Priority:
    if not r.has("priority"):
        return PRIORITY_OF_TIER[tier]
    name = r.choice("priority", [p.name.lower() for p in Priority])
    return Priority[name.upper()]


def _measures(section: Reader) -> dict[str, MeasureAlarms]:
    out = {}
    for measure in section.data:
        r = section.section(measure)
        r.reject_unknown({"tiers", "deadband", "on_delay_s", "off_delay_s"})
        tiers_r = r.section("tiers")
        tiers_r.reject_unknown(set(_KIND_KEYS))
        out[measure] = MeasureAlarms(
            tiers={kind: _tier(tiers_r, key) for key, kind in _KIND_KEYS.items() if tiers_r.has(key)},
            deadband=_non_negative(r, "deadband"),
            on_delay_s=_non_negative(r, "on_delay_s"),
            off_delay_s=_non_negative(r, "off_delay_s"),
        )
    return out


def _non_negative(r: Reader, key: str) -> float:
    value = r.float(key, 0.0)
    if value < 0:
        raise r.error(key, f"expected a number >= 0, got {value!r}")
    return value


def _limit_rule(sensor: Sensor, measure: MeasureAlarms) -> LimitRule:
    """The sensor's limits with their tiers; the lower limit of a pair is grouped under the higher one."""
    setpoints = {
        LimitKind.HH: sensor.limits.hh,
        LimitKind.H: sensor.limits.h,
        LimitKind.L: sensor.limits.low,
        LimitKind.LL: sensor.limits.ll,
    }
    outer = {LimitKind.H: LimitKind.HH, LimitKind.L: LimitKind.LL}

    def limit(kind: LimitKind) -> Limit | None:
        setpoint = setpoints[kind]
        if setpoint is None:
            return None
        tier = measure.tiers.get(kind, _default(sensor).tiers[kind])
        cause_kind = outer.get(kind)
        cause = (
            f"{sensor.id}.{cause_kind.name}"
            if cause_kind is not None and setpoints[cause_kind] is not None
            else None
        )
        return Limit(setpoint, tier, PRIORITY_OF_TIER[tier], cause=cause)

    return LimitRule(
        tag=sensor.id,
        area=sensor.zone,
        hh=limit(LimitKind.HH),
        h=limit(LimitKind.H),
        low=limit(LimitKind.L),
        ll=limit(LimitKind.LL),
        deadband=measure.deadband,
        on_delay_s=measure.on_delay_s,
        off_delay_s=measure.off_delay_s,
        message=f"{sensor.name} {{value:.4g}} {sensor.unit} (limit {{setpoint:g}})",
        unit=sensor.unit,
    )


def _spec(r: Reader, area: str, source: str, default_message: str, unit: str) -> AlarmSpec:
    """A rule's alarm; `unit` is the unit of the value it carries (the rule's quantity, not the message's)."""
    tier = _tier(r, "tier")
    message = r.str("message", default_message)
    spec = AlarmSpec(
        id=r.str("id"),
        source=source,
        tier=tier,
        priority=_priority(r, tier),
        area=area,
        message=message,
        latched=r.bool("latched", False),
        unit=unit,
    )
    try:
        spec.render(1.0)
    except (KeyError, IndexError, ValueError) as exc:
        raise r.error(
            "message", f"bad template {message!r} ({exc}); use {{value}}, {{setpoint}} and {{eta}}"
        ) from None
    return spec


_RULE_KEYS = {"id", "tier", "priority", "message", "latched"}


def _rate(r: Reader, sensors: dict[str, Sensor]) -> RateRule:
    r.reject_unknown(_RULE_KEYS | {"tag", "per_minute", "window_s", "direction"})
    sensor = sensors[r.ref("tag", set(sensors))]
    per_minute = r.positive("per_minute")
    direction = Direction(r.choice("direction", [d.value for d in Direction], Direction.RISING.value))
    default = f"{sensor.name} {direction.value} faster than {per_minute:g} {sensor.unit}/min ({{value:.3g}})"
    return RateRule(
        alarm=_spec(r, sensor.zone, sensor.id, default, rate_unit(sensor.unit)),
        tag=sensor.id,
        per_minute=per_minute,
        window_s=r.positive("window_s", 60.0),
        direction=direction,
    )


def _composite(r: Reader, sensors: dict[str, Sensor], zones: set[str]) -> CompositeRule:
    r.reject_unknown(_RULE_KEYS | {"area", "all_of"})
    area = r.ref("area", zones)
    conditions = []
    for c in r.tables("all_of", required=True):
        c.reject_unknown({"tag", "above", "below", "rate_above", "rate_below", "window_s"})
        tag = c.ref("tag", set(sensors))
        given = [k for k in ("above", "below", "rate_above", "rate_below") if c.has(k)]
        if len(given) != 1:
            raise c.error("", "give exactly one of above, below, rate_above (per minute), rate_below")
        key = given[0]
        rate = key.startswith("rate_")
        op = Op.ABOVE if key.endswith("above") else Op.BELOW
        window = c.positive("window_s", 60.0) if rate else None
        conditions.append(Condition(tag, op, c.float(key), window))
    first = conditions[0]  # the composite's value is its first condition's quantity (alarms.derived)
    unit = sensors[first.tag].unit if first.rate_window_s is None else rate_unit(sensors[first.tag].unit)
    alarm = _spec(r, area, first.tag, "Composite condition in " + area, unit)
    return CompositeRule(alarm=alarm, all_of=tuple(conditions))


def _time_to_threshold(r: Reader, sensors: dict[str, Sensor]) -> TimeToThresholdRule:
    r.reject_unknown(_RULE_KEYS | {"tag", "threshold", "horizon_s", "window_s"})
    sensor = sensors[r.ref("tag", set(sensors))]
    threshold = r.float("threshold")
    horizon = r.positive("horizon_s")
    default = f"{sensor.name}: {threshold:g} {sensor.unit} {{eta}}"
    return TimeToThresholdRule(
        alarm=_spec(r, sensor.zone, sensor.id, default, SECONDS),  # its value is the time left
        tag=sensor.id,
        threshold=threshold,
        horizon_s=horizon,
        window_s=r.positive("window_s", 300.0),
        rising=threshold >= sensor.normal,  # a threshold above normal is approached from below
    )


def _comm_rules(sensors: Iterable[Sensor]) -> Iterator[CommRule]:
    """One alarm per source when none of its tags delivers, and one per tag grouped under it."""
    by_scheme: dict[str, list[Sensor]] = {}
    for sensor in sensors:
        by_scheme.setdefault(sensor.scheme, []).append(sensor)
    for scheme, members in by_scheme.items():
        source = source_comm_alarm(scheme)
        name = _SOURCE_NAMES[scheme]
        # a communication alarm's value is its first tag's (alarms.comm): NaN while active, the tag's again after
        yield CommRule(
            AlarmSpec(
                source,
                name,
                Tier.HIGH,
                Priority.MEDIUM,
                "site",
                f"{name}: no usable value from any tag",
                unit=members[0].unit,
            ),
            tuple(s.id for s in members),
        )
        for s in members:
            spec = AlarmSpec(
                tag_comm_alarm(s.id),
                s.id,
                Tier.LOW,
                Priority.LOW,
                s.zone,
                f"{s.name}: bad or stale value",
                cause=source,
                unit=s.unit,
            )
            yield CommRule(spec, (s.id,), source)


def _link_rules(sensors: Sequence[Sensor], workers: Sequence[Worker]) -> Iterator[EventRule]:
    """The wearables speak MQTT: a site with workers but no MQTT sensors still has an MQTT alarm, raised
    while the link is down (an SOS could not be heard), since no tag of its own would ever go stale."""
    if workers and not any(s.scheme == "mqtt" for s in sensors):
        name = _SOURCE_NAMES["mqtt"]
        yield EventRule(
            AlarmSpec(
                source_comm_alarm("mqtt"),
                name,
                Tier.HIGH,
                Priority.MEDIUM,
                "site",
                f"{name}: wearables not heard",
            ),
            EventKind.LINK,
        )


def _store_rule() -> EventRule:
    """The journal's database does not commit: nothing is journaled or audited meanwhile (the rows wait in
    memory, lost if the console stops). Tier 2 like a dropped source: no one is in danger from it, but the
    operator must act (call for the database, keep a paper log) and know that a crash now loses the record."""
    return EventRule(
        AlarmSpec(STORE_ALARM, "store", Tier.HIGH, Priority.MEDIUM, "site", "Journal not saving"),
        EventKind.STORE,
    )


def _event_rules(
    workers: Iterable[Worker], zones: list[Zone], vision: dict[str, Tier]
) -> Iterator[EventRule]:
    for worker in workers:
        for kind, (_, text) in WEARABLE_EVENTS.items():
            spec = AlarmSpec(
                wearable_alarm(worker.id, kind),
                worker.id,
                Tier.LIFE,
                Priority.URGENT,
                "site",
                text.format(name=f"{worker.name} ({worker.id})"),
                latched=True,
            )
            yield EventRule(spec, kind)
        for rule, (tier, text) in WORKER_RULE_ALARMS.items():
            spec = AlarmSpec(
                worker_alarm(worker.id, rule),
                worker.id,
                tier,
                PRIORITY_OF_TIER[tier],
                "site",
                text.format(name=f"{worker.name} ({worker.id})"),
            )
            yield EventRule(spec, EventKind.WORKER_RULE)
        yield EventRule(
            AlarmSpec(
                clock_alarm(worker.id),
                worker.id,
                Tier.LOW,
                Priority.LOW,
                "site",
                f"{worker.name} ({worker.id}): wearable clock wrong",
                unit=SECONDS,  # its value is the clock's offset
            ),
            EventKind.WORKER_RULE,
        )
    for zone in zones:
        for cls, tier in [*vision.items(), ("OTHER", Tier.LOW)]:
            label = cls.replace("_", " ")
            spec = AlarmSpec(
                f"VISION.{zone.id}.{cls}",
                zone.id,
                tier,
                PRIORITY_OF_TIER[tier],
                zone.id,
                f"Video AI in {zone.name}: {label}",
                unit=VISION_CONFIDENCE,
            )
            yield EventRule(spec, EventKind.VISION)


def _interlock_rules(tables: list[Reader]) -> Iterator[EventRule]:
    """DOMAIN `PLC interlock`: a feedback that does not follow its command in time is tier 1 (a safety
    function that did not act). Not latched: it clears when the feedback follows, and waits for an
    acknowledgement as usual. `plant_maps.site` has read and checked `[[interlocks]]` already; only the
    keys the alarm needs are read here."""
    for r in tables:
        interlock_id, name = r.str("id"), r.str("name")
        yield EventRule(
            AlarmSpec(
                interlock_alarm(interlock_id),
                interlock_id,
                Tier.LIFE,
                Priority.URGENT,
                r.str("zone"),
                f"{interlock_id} {name}: feedback does not follow command for {{value:.0f}} s",
                unit=SECONDS,
            ),
            EventKind.INTERLOCK_MISMATCH,
        )
        # Tier 2 like a dropped source: the trip cannot be verified (or sent) until the node is fixed.
        yield EventRule(
            AlarmSpec(
                interlock_comm_alarm(interlock_id),
                interlock_id,
                Tier.HIGH,
                Priority.MEDIUM,
                r.str("zone"),
                f"{interlock_id} {name}: command or feedback node refused by the server",
            ),
            EventKind.INTERLOCK_COMM,
        )


def _broadcast_rules(tables: list[Reader]) -> Iterator[EventRule]:
    """An emergency or evacuation call that did not reach a PA zone: people there did not hear it, and the
    operator must know (tier 2, site-wide: a PA zone spans zones). Active until a later call reaches the zone.
    `plant_maps.site` has read and checked `[[pa_zones]]` already."""
    for r in tables:
        pa_zone = r.str("id")
        yield EventRule(
            AlarmSpec(
                pa_alarm(pa_zone),
                pa_zone,
                Tier.HIGH,
                PRIORITY_OF_TIER[Tier.HIGH],
                "site",
                f"{pa_zone} {r.str('name')}: an emergency broadcast did not reach it",
            ),
            EventKind.BROADCAST,
        )


def _gas_test_rules(permits: Sequence[Permit]) -> Iterator[EventRule]:
    """GB 30871 gas analysis: a test that fails while people work under the permit means they are in an
    atmosphere the standard forbids to work in, often inside a confined space where getting out is slow:
    tier 1, like gas at its high-high limit in an occupied zone (DOMAIN `Tiered response`), so it is heard,
    spoken and escalated. Not latched: a later passing test returns it (the work stays suspended until it is
    resumed). The occurrence's message names the readings and the limits they broke."""
    for permit in permits:
        if gas_limits(permit):
            yield EventRule(
                AlarmSpec(
                    gas_test_alarm(permit.id),
                    permit.id,
                    Tier.LIFE,
                    PRIORITY_OF_TIER[Tier.LIFE],
                    permit.zone,
                    f"{permit.id} gas test failed",
                ),
                EventKind.GAS_TEST,
            )


def _vision_classes(section: Reader) -> dict[str, Tier]:
    return {cls: _tier(section, cls) for cls in section.data}


def _groups(tables: list[Reader]) -> list[tuple[Reader, str, list[str]]]:
    out = []
    for r in tables:
        r.reject_unknown({"cause", "alarms"})
        members = r.str_list("alarms")
        if not members:
            raise r.error("alarms", "list at least one consequential alarm")
        out.append((r, r.str("cause"), members))
    return out


def _grouped(d: Definitions, groups: list[tuple[Reader, str, list[str]]]) -> Definitions:
    """Apply `[[alarms.group]]`: each listed alarm is consequential to the cause (DOMAIN: grouped under it)."""
    if not groups:
        return d
    cause_of = {member: cause for _, cause, members in groups for member in members}
    known = _alarm_ids(d)
    for r, cause, members in groups:
        for key, ids in (("cause", [cause]), ("alarms", members)):
            for alarm_id in ids:
                if alarm_id not in known:
                    raise r.error(key, f"unknown alarm {alarm_id!r}")
    limits = tuple(_limit_with_causes(rule, cause_of) for rule in d.limits)
    with_cause = {
        name: tuple(
            replace(rule, alarm=replace(rule.alarm, cause=cause_of.get(rule.alarm.id, rule.alarm.cause)))
            for rule in getattr(d, name)
        )
        for name in ("rates", "composites", "time_to_threshold", "comms", "events")
    }
    return replace(d, limits=limits, **with_cause)


def _limit_with_causes(rule: LimitRule, cause_of: dict[str, str]) -> LimitRule:
    changes = {}
    for kind, field in zip(LimitKind, ("hh", "h", "low", "ll"), strict=True):
        limit = rule.limit(kind)
        cause = cause_of.get(rule.alarm_id(kind))
        if limit is not None and cause is not None:
            changes[field] = replace(limit, cause=cause)
    return replace(rule, **changes) if changes else rule


def _alarm_ids(d: Definitions) -> set[str]:
    ids = {rule.alarm.id for rule in d.rules()}
    ids.update(r.alarm_id(k) for r in d.limits for k in LimitKind if r.limit(k) is not None)
    return ids
