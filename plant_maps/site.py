"""The site model: zones, equipment, sensors (tags), workers, permits, muster points, interlocks, PA zones
and broadcast presets.

Plain data; `plant_maps.site_file` reads and validates it from a TOML site file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path

from plant_maps.alarm_settings import AlarmSettings

MEASURES: dict[str, str] = {
    "lel": "%LEL",
    "h2s": "ppm",
    "co": "ppm",
    "o2": "%vol",
    "temperature": "°C",
    "pressure": "bar",
    "level": "%",
    "vibration": "mm/s",
}
GAS_MEASURES = frozenset({"lel", "h2s", "co", "o2"})

# GB 30871 special-work categories.
PERMIT_CATEGORIES = (
    "hot_work",
    "confined_space",
    "line_blinding",
    "work_at_height",
    "lifting",
    "temporary_electricity",
    "excavation",
    "road_closure",
)
PERMIT_STATES = (
    "draft",
    "pending_approval",
    "approved",
    "active",
    "suspended",
    "closed",
    "expired",
    "cancelled",
)
ADDRESS_SCHEMES = ("opcua", "mqtt", "sim")


@dataclass(frozen=True, slots=True)
class Zone:
    id: str
    name: str
    polygon: tuple[tuple[float, float], ...]  # metres, site coordinates


@dataclass(frozen=True, slots=True)
class Equipment:
    id: str
    name: str
    zone: str
    kind: str
    x: float
    y: float
    width: float
    height: float
    round: bool  # drawn as an ellipse (tanks, vessels) rather than a rectangle


@dataclass(frozen=True, slots=True)
class Limits:
    """Alarm limits of one tag (any may be absent); the alarm engine turns them into rules."""

    hh: float | None = None
    h: float | None = None
    low: float | None = None
    ll: float | None = None


@dataclass(frozen=True, slots=True)
class Sensor:
    """A measured tag. `address` is a URL whose scheme picks the source (`opcua://`, `mqtt://`, `sim://`)."""

    id: str
    name: str
    measure: str
    unit: str
    zone: str
    x: float
    y: float
    address: str
    normal: float  # typical value in normal operation (simulator base, map reference)
    range: tuple[float, float]
    deadband: float  # history deadband in engineering units
    limits: Limits

    @property
    def scheme(self) -> str:
        return self.address.split("://", 1)[0]

    @property
    def path(self) -> str:
        """The address without its scheme: an OPC UA NodeId or an MQTT sensor id."""
        return self.address.split("://", 1)[1]

    @property
    def is_gas(self) -> bool:
        return self.measure in GAS_MEASURES


@dataclass(frozen=True, slots=True)
class Certificate:
    type: str
    number: str
    expires: date


@dataclass(frozen=True, slots=True)
class Worker:
    id: str
    name: str
    role: str
    company: str
    wearable: str
    certificates: tuple[Certificate, ...]
    home: tuple[float, float]  # where the simulator starts the worker


@dataclass(frozen=True, slots=True)
class GasTestRequirement:
    measure: str
    max: float | None = None
    min: float | None = None


@dataclass(frozen=True, slots=True)
class Permit:
    id: str
    category: str
    grade: str
    zone: str
    title: str
    applicant: str
    guardian: str
    workers: tuple[str, ...]
    valid_from: datetime
    valid_to: datetime
    state: str
    gas_tests: tuple[GasTestRequirement, ...]
    attachments: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MusterPoint:
    id: str
    name: str
    x: float
    y: float
    radius: float


# Who may arm and execute an interlock unless its site file says: the people on the alarm screens. The board
# operator is the one watching when a trip is needed (DOMAIN: the operator triggers an interlock), the shift
# lead and the emergency coordinator act in an incident; an engineer maintains the plant, not the watch.
INTERLOCK_ROLES = frozenset({"operator", "shift_lead", "emergency_coordinator"})


@dataclass(frozen=True, slots=True)
class Interlock:
    id: str
    name: str
    zone: str
    command_tag: str  # OPC UA address written by the console
    feedback_tag: str  # independent OPC UA address read back to verify
    timeout_s: float
    does: str = ""  # what a trip does, as the confirmation says it ("trips compressors K-301/K-302; …")
    roles: frozenset[str] = INTERLOCK_ROLES  # who may arm, execute, cancel and confirm it
    two_person: bool = False  # perform-and-verify: a second person confirms with their password
    select_timeout_s: float = 30.0  # an armed selection not executed by then lapses


class RuleCondition(StrEnum):
    """What requests an interlock (`[[interlock_rules]] when`)."""

    WORKER_ALARM = "worker_alarm"  # a worker rule's alarm in the zone (e.g. no-permit entry)
    VISION = "vision"  # a video-AI detection of a class in the zone, at a minimum confidence
    GAS_TIER1 = "gas_tier1"  # a tier-1 gas alarm in the zone


@dataclass(frozen=True, slots=True)
class InterlockRule:
    """A condition that requests an interlock: confirmed by an operator, or with `auto` executed at once."""

    interlock: str
    when: RuleCondition
    zone: str
    worker_rule: str = ""  # WORKER_ALARM: the rule's name (`no_permit_entry`)
    vision_class: str = ""  # VISION: the detection class
    min_confidence: float = 0.0  # VISION
    auto: bool = False


@dataclass(frozen=True, slots=True)
class PAZone:
    id: str
    name: str
    zones: tuple[str, ...]


BROADCAST_PRIORITIES = ("emergency", "evacuation", "warning", "information")  # highest first
BROADCAST_LANGUAGES = ("zh", "en")


@dataclass(frozen=True, slots=True)
class BroadcastPreset:
    """A stored PA message in Chinese and English (`plant_maps.broadcast_presets` reads them)."""

    id: str
    priority: str  # one of BROADCAST_PRIORITIES
    text_zh: str
    text_en: str
    on_suspend: bool = False  # offered when a permit is suspended (of `categories`, or any when empty)
    categories: tuple[str, ...] = ()

    def text(self, lang: str) -> str:
        return self.text_zh if lang == "zh" else self.text_en


@dataclass(frozen=True, slots=True)
class TrendSet:
    """A named group of pens with a live span (site file `[[trend_sets]]`), e.g. "Compressor house gases"."""

    name: str
    pens: tuple[str, ...]  # sensor ids and worker vitals (`W01.heart_rate`)
    span_s: float


@dataclass(frozen=True)
class Site:
    id: str
    name: str
    source_file: Path
    width: float
    height: float
    opcua_namespace: str
    zones: tuple[Zone, ...]
    equipment: tuple[Equipment, ...]
    sensors: tuple[Sensor, ...]
    workers: tuple[Worker, ...]
    permits: tuple[Permit, ...]
    muster_points: tuple[MusterPoint, ...]
    interlocks: tuple[Interlock, ...]
    pa_zones: tuple[PAZone, ...]
    alarms: AlarmSettings
    broadcast_presets: tuple[BroadcastPreset, ...] = ()
    trend_sets: tuple[TrendSet, ...] = ()
    interlock_rules: tuple[InterlockRule, ...] = ()
    tag_index: dict[str, int] = field(init=False)
    worker_index: dict[str, int] = field(init=False)
    zone_index: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tag_index", {s.id: i for i, s in enumerate(self.sensors)})
        object.__setattr__(self, "worker_index", {w.id: i for i, w in enumerate(self.workers)})
        object.__setattr__(self, "zone_index", {z.id: i for i, z in enumerate(self.zones)})

    def sensor(self, sensor_id: str) -> Sensor:
        return self.sensors[self.tag_index[sensor_id]]

    def zone(self, zone_id: str) -> Zone:
        return self.zones[self.zone_index[zone_id]]

    def zone_name(self, zone_id: str) -> str:
        """What a person reads for a zone: its name ("Compressor house"); an area that is no zone of the
        site ("site", an id a journal kept from an older site file) as it is."""
        return self.zones[self.zone_index[zone_id]].name if zone_id in self.zone_index else zone_id

    def pa_zones_covering(self, zone_id: str) -> tuple[str, ...]:
        """The PA zones whose loudspeakers cover a site zone (every PA zone for "site", a site-wide area)."""
        return tuple(p.id for p in self.pa_zones if zone_id == "site" or zone_id in p.zones)
