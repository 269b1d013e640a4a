"""Alarm definitions: what a site file is turned into before the engine starts, frozen and validated once.

Rules name tags by id; `Definitions.tags` is the tag table, so a tag's position there is its row in every
`TagBatch`. Alarm ids are stable strings (`GD-CH-01.HH`) because the journal, acknowledgements from other
consoles and `AlarmEngine.restore` refer to alarms by id.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from enum import IntEnum, StrEnum


class Tier(IntEnum):
    """Tiered response: 1 life-threatening (sound, speech, on-site), 2 high (push to guardian), 3 low (list)."""

    LIFE = 1
    HIGH = 2
    LOW = 3


class Priority(IntEnum):
    """ISA-18.2 priority; the mix aimed at is ~80 % low, 15 % medium, 5 % high and < 1 % urgent."""

    LOW = 1
    MEDIUM = 2
    HIGH = 3
    URGENT = 4


@dataclass(frozen=True, slots=True)
class AlarmSpec:
    """One alarm as the operator sees it; `message` is a template over id, source, value and setpoint."""

    id: str
    source: str  # tag, source or worker id
    tier: Tier
    priority: Priority
    area: str  # operator area / zone id
    message: str
    latched: bool = False  # ISA-18.2 latched: stays until acknowledged and reset
    cause: str | None = None  # consequential alarm: grouped under this alarm while that one is active
    setpoint: float = math.nan
    unit: str = ""  # of the value it carries ("%LEL", "%LEL/min", SECONDS); "" when its value has none

    def render(self, value: float) -> str:
        return self.message.format(
            id=self.id, source=self.source, value=value, setpoint=self.setpoint, eta=eta_text(value)
        )


SECONDS = "s"  # the unit of a time: a time to threshold, how long an interlock's feedback has not followed


PER_MINUTE = "/min"  # rates of change are per minute


def rate_unit(unit: str) -> str:
    """The unit of a rate of change of a value in `unit` ("%LEL" -> "%LEL/min")."""
    return unit + PER_MINUTE


def eta_text(seconds: float) -> str:
    """A time-to-threshold in words (`{eta}` in a message): "reached in 42 s at the current rate", in
    minutes past two of them; "reached now" once the value is there (never a negative time), and "not
    approaching any more" when it is not heading there (NaN)."""
    if math.isnan(seconds) or seconds == math.inf:
        return "not approaching any more at the current rate"
    if seconds <= 0:
        return "reached now"
    if seconds < 1:
        return "reached in under 1 s at the current rate"
    if seconds < 120:
        return f"reached in {seconds:.0f} s at the current rate"
    return f"reached in {seconds / 60:.0f} min at the current rate"


class LimitKind(IntEnum):
    """The four limits of a tag; the value is the column in the engine's limit arrays."""

    HH = 0
    H = 1
    L = 2
    LL = 3


_KIND_NAMES = tuple(kind.name for kind in LimitKind)  # enum .name is slow, and ids are made in floods
_KINDS_BY_NAME = {kind.name: kind for kind in LimitKind}


@dataclass(frozen=True, slots=True)
class Limit:
    setpoint: float
    tier: Tier
    priority: Priority
    latched: bool = False
    cause: str | None = None


@dataclass(frozen=True, slots=True)
class LimitRule:
    """hh/h/l/ll limits of one tag with ISA-18.2 deadband and on/off delays shared by its limits.

    A limit activates when the value reaches it and clears only once the value is beyond it by the
    deadband, and only after the condition held for the on-delay (off-delay) seconds.
    """

    tag: str
    area: str
    hh: Limit | None = None
    h: Limit | None = None
    low: Limit | None = None
    ll: Limit | None = None
    deadband: float = 0.0
    on_delay_s: float = 0.0
    off_delay_s: float = 0.0
    message: str = "{id} {value:.4g} (limit {setpoint:g})"
    unit: str = ""  # the tag's

    def limit(self, kind: LimitKind) -> Limit | None:
        return (self.hh, self.h, self.low, self.ll)[kind]

    def alarm_id(self, kind: LimitKind) -> str:
        return f"{self.tag}.{_KIND_NAMES[kind]}"

    def spec(self, kind: LimitKind) -> AlarmSpec | None:
        limit = self.limit(kind)
        if limit is None:
            return None
        return AlarmSpec(
            id=self.alarm_id(kind),
            source=self.tag,
            tier=limit.tier,
            priority=limit.priority,
            area=self.area,
            message=self.message,
            latched=limit.latched,
            cause=limit.cause,
            setpoint=limit.setpoint,
            unit=self.unit,
        )


class Op(StrEnum):
    ABOVE = ">"
    BELOW = "<"
    BEYOND = "|>|"  # magnitude above the threshold, either sign (a rate rising or falling)


class Direction(StrEnum):
    RISING = "rising"
    FALLING = "falling"
    EITHER = "either"


@dataclass(frozen=True, slots=True)
class Condition:
    """One term of a composite rule: a tag's value, or its rate per minute over a window, against a threshold."""

    tag: str
    op: Op
    threshold: float
    rate_window_s: float | None = None  # None: the value itself


@dataclass(frozen=True, slots=True)
class RateRule:
    """Rate of change: the least-squares slope over `window_s`, in units per minute, beyond `per_minute`."""

    alarm: AlarmSpec
    tag: str
    per_minute: float
    window_s: float = 60.0
    direction: Direction = Direction.RISING

    @property
    def condition(self) -> Condition:
        op, threshold = {
            Direction.RISING: (Op.ABOVE, self.per_minute),
            Direction.FALLING: (Op.BELOW, -self.per_minute),
            Direction.EITHER: (Op.BEYOND, self.per_minute),
        }[self.direction]
        return Condition(self.tag, op, threshold, self.window_s)


@dataclass(frozen=True, slots=True)
class CompositeRule:
    """All of its conditions at once, e.g. temperature > 60 °C and CO rising faster than 5 ppm/min (seeds)."""

    alarm: AlarmSpec
    all_of: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class TimeToThresholdRule:
    """Early warning: at the slope over `window_s`, the tag reaches `threshold` within `horizon_s`.

    `rising`: the tag comes up to the threshold (gas, temperature); False: down to it (oxygen). Its value
    is the time left: 0 once the tag is at or past the threshold (reached now, never a negative time), NaN
    while the tag is not heading there.
    """

    alarm: AlarmSpec
    tag: str
    threshold: float
    horizon_s: float
    window_s: float = 300.0
    rising: bool = True


@dataclass(frozen=True, slots=True)
class CommRule:
    """Communication alarm: none of `tags` delivers a usable value (bad, stale or NaN) — one tag or a source.

    A tag's rule names its `source`'s rule: while the whole source is lost, that one alarm says so and a stale
    tag's own neither raises nor clears (a plant of 20,000 tags would otherwise journal 20,000 per drop).
    """

    alarm: AlarmSpec
    tags: tuple[str, ...]
    source: str = ""  # the source's own rule (alarm id), for a tag's rule


class EventKind(StrEnum):
    SOS = "sos"
    FALL = "fall"
    NO_MOTION = "no_motion"
    VISION = "vision"
    INTERLOCK_MISMATCH = "interlock_mismatch"
    INTERLOCK_COMM = "interlock_comm"  # the server refuses an interlock's command or feedback node
    WORKER_RULE = "worker_rule"  # no-permit entry, lost signal, ... (plant_maps.worker_rules)
    LINK = "link"  # a source without tags of its own is down (the wearables' MQTT link)
    BROADCAST = "broadcast"  # an emergency or evacuation broadcast did not reach a PA zone
    GAS_TEST = "gas_test"  # a permit's gas test failed while its work ran
    STORE = "store"  # the journal's database does not commit (the console's own store)


@dataclass(frozen=True, slots=True)
class EventRule:
    """A discrete alarm raised and cleared by id from outside (wearables, video AI, interlock feedback)."""

    alarm: AlarmSpec
    kind: EventKind


Rule = RateRule | CompositeRule | TimeToThresholdRule | CommRule | EventRule


@dataclass(frozen=True, slots=True)
class Definitions:
    """Every alarm of a site; construction fails with the alarm id and the problem."""

    tags: tuple[str, ...]
    limits: tuple[LimitRule, ...] = ()
    rates: tuple[RateRule, ...] = ()
    composites: tuple[CompositeRule, ...] = ()
    time_to_threshold: tuple[TimeToThresholdRule, ...] = ()
    comms: tuple[CommRule, ...] = ()
    events: tuple[EventRule, ...] = ()

    def __post_init__(self) -> None:
        _validate(self)

    def rules(self) -> Iterator[Rule]:
        """Every rule but the limit rules (whose alarms are made from the tag and the limit)."""
        yield from self.rates
        yield from self.composites
        yield from self.time_to_threshold
        yield from self.comms
        yield from self.events


def _validate(d: Definitions) -> None:
    tags = set(d.tags)
    if len(tags) != len(d.tags):
        raise ValueError("tag table lists a tag twice")
    limit_rules: dict[str, LimitRule] = {}
    templates: dict[str, AlarmSpec] = {}
    for rule in d.limits:
        if rule.tag in limit_rules:
            raise ValueError(f"tag {rule.tag!r} has two limit rules")
        if rule.tag not in tags:
            raise ValueError(f"limit rule names unknown tag {rule.tag!r}")
        if min(rule.deadband, rule.on_delay_s, rule.off_delay_s) < 0:
            raise ValueError(f"limit rule of {rule.tag!r}: deadband and delays must be >= 0")
        limit_rules[rule.tag] = rule
        if rule.message not in templates and (spec := next(_limit_specs(rule), None)):
            templates[rule.message] = spec
    ids: set[str] = set()
    for rule in d.rules():
        if rule.alarm.id in ids or _limit_alarm_exists(rule.alarm.id, limit_rules):
            raise ValueError(f"alarm {rule.alarm.id!r} is defined twice")
        ids.add(rule.alarm.id)
        for tag in _tags_of(rule):
            if tag not in tags:
                raise ValueError(f"alarm {rule.alarm.id!r} names unknown tag {tag!r}")
        if not all(window > 0 for window in _windows_of(rule)):
            raise ValueError(f"alarm {rule.alarm.id!r}: windows and horizons must be > 0")
    for spec in [*templates.values(), *(rule.alarm for rule in d.rules())]:
        _check_template(spec)
    sources = {rule.alarm.id for rule in d.comms if not rule.source}
    for rule in d.comms:
        if rule.source and rule.source not in sources:
            raise ValueError(
                f"alarm {rule.alarm.id!r} names {rule.source!r} as its source: no source's alarm"
            )
    causes = [(rule.alarm.id, rule.alarm.cause) for rule in d.rules() if rule.alarm.cause]
    causes += [
        (r.alarm_id(k), lim.cause) for r in d.limits for k in LimitKind if (lim := r.limit(k)) and lim.cause
    ]
    for alarm_id, cause in causes:
        if cause not in ids and not _limit_alarm_exists(cause, limit_rules):
            raise ValueError(f"alarm {alarm_id!r} names unknown cause {cause!r}")


def split_limit_id(alarm_id: str) -> tuple[str, LimitKind] | None:
    """`GD-CH-01.HH` -> ("GD-CH-01", HH); None when the id does not end in a limit kind."""
    tag, _, name = alarm_id.rpartition(".")
    kind = _KINDS_BY_NAME.get(name)
    return (tag, kind) if tag and kind is not None else None


def _limit_specs(rule: LimitRule) -> Iterator[AlarmSpec]:
    return (spec for kind in LimitKind if (spec := rule.spec(kind)))


def _limit_alarm_exists(alarm_id: str, limit_rules: dict[str, LimitRule]) -> bool:
    split = split_limit_id(alarm_id)
    return split is not None and split[0] in limit_rules and limit_rules[split[0]].limit(split[1]) is not None


def _tags_of(rule: Rule) -> tuple[str, ...]:
    match rule:
        case RateRule() | TimeToThresholdRule():
            return (rule.tag,)
        case CompositeRule():
            if not rule.all_of:
                raise ValueError(f"composite alarm {rule.alarm.id!r} has no condition")
            return tuple(c.tag for c in rule.all_of)
        case CommRule():
            if not rule.tags:
                raise ValueError(f"communication alarm {rule.alarm.id!r} names no tag")
            return rule.tags
    return ()


def _windows_of(rule: Rule) -> tuple[float, ...]:
    match rule:
        case RateRule():
            return (rule.window_s,)
        case CompositeRule():
            return tuple(c.rate_window_s for c in rule.all_of if c.rate_window_s is not None)
        case TimeToThresholdRule():
            return (rule.window_s, rule.horizon_s)
    return ()


def _check_template(spec: AlarmSpec) -> None:
    try:
        spec.render(1.0)
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(f"alarm {spec.id!r}: bad message template {spec.message!r} ({exc})") from None
