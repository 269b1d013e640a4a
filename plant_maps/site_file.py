"""Reading a site file: TOML in, a validated `Site` out.

Validated up front so that a wrong file fails with the file, the key and the problem, never later in the
middle of a shift. The `[alarms]` section is read last, by `plant_maps.alarm_rules`, against the sensors,
zones and workers read here.
"""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from plant_maps.alarm_rules import parse_alarms
from plant_maps.broadcast_presets import parse_presets
from plant_maps.interlock_site import INTERLOCK_KEYS, parse_interlock_rules, with_settings
from plant_maps.opcua_address import AddressError, parse_opcua_address
from plant_maps.site import (
    ADDRESS_SCHEMES,
    GAS_MEASURES,
    MEASURES,
    PERMIT_CATEGORIES,
    PERMIT_STATES,
    Certificate,
    Equipment,
    GasTestRequirement,
    Interlock,
    Limits,
    MusterPoint,
    PAZone,
    Permit,
    Sensor,
    Site,
    Worker,
    Zone,
)
from plant_maps.toml_reader import ConfigError, Reader
from plant_maps.trend_sets import parse_trend_sets


def load_site(path: str | Path, now: datetime | None = None) -> Site:
    """Read and validate a site file.

    `now` anchors the relative times a demo site may use (`start_offset_h`, `expires_in_days`) so that the
    demo plant always has current permits and certificates; tests pass their own clock's time.
    """
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(path, "", "site file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, "", f"not valid TOML: {exc}") from None
    return parse_site(raw, path, now or datetime.now(UTC))


def parse_site(raw: dict[str, Any], path: Path, now: datetime) -> Site:
    root = Reader(raw, path, "")
    head = root.section("site")
    site_id = head.str("id")
    width = head.positive("width_m")
    height = head.positive("height_m")
    zones = tuple(_zone(r) for r in root.tables("zones", required=True))
    zone_ids = _unique(root, "zones", [z.id for z in zones])
    equipment = tuple(_equipment(r, zone_ids) for r in root.tables("equipment"))
    sensors = tuple(_sensor(r, zone_ids) for r in root.tables("sensors", required=True))
    workers = tuple(_worker(r, now) for r in root.tables("workers"))
    worker_ids = _unique(root, "workers", [w.id for w in workers])
    permits = tuple(_permit(r, zone_ids, worker_ids, now) for r in root.tables("permits"))
    musters = tuple(_muster(r) for r in root.tables("muster_points"))
    interlocks = tuple(_interlock(r, zone_ids) for r in root.tables("interlocks"))
    pa_zones = tuple(_pa_zone(r, zone_ids) for r in root.tables("pa_zones"))
    presets = parse_presets(root.tables("broadcast_presets"))
    for name, ids in (
        ("equipment", [e.id for e in equipment]),
        ("sensors", [s.id for s in sensors]),
        ("permits", [p.id for p in permits]),
        ("muster_points", [m.id for m in musters]),
        ("interlocks", [i.id for i in interlocks]),
        ("pa_zones", [p.id for p in pa_zones]),
        ("broadcast_presets", [p.id for p in presets]),
    ):
        _unique(root, name, ids)
    alarm_settings = parse_alarms(root, sensors, zones, workers, permits)
    trend_sets = parse_trend_sets(root, sensors, workers)
    interlock_rules = parse_interlock_rules(root.tables("interlock_rules"), interlocks, zone_ids)
    root.reject_unknown({"site", *_SECTIONS})
    head.reject_unknown({"id", "name", "width_m", "height_m", "opcua_namespace"})
    return Site(
        id=site_id,
        name=head.str("name", site_id),
        source_file=path,
        width=width,
        height=height,
        opcua_namespace=head.str("opcua_namespace", f"urn:controlroom:{site_id}"),
        zones=zones,
        equipment=equipment,
        sensors=sensors,
        workers=workers,
        permits=permits,
        muster_points=musters,
        interlocks=interlocks,
        pa_zones=pa_zones,
        alarms=alarm_settings,
        broadcast_presets=presets,
        trend_sets=trend_sets,
        interlock_rules=interlock_rules,
    )


_SECTIONS = (
    "zones",
    "equipment",
    "sensors",
    "workers",
    "permits",
    "muster_points",
    "interlocks",
    "pa_zones",
    "broadcast_presets",
    "alarms",
    "trend_sets",
    "interlock_rules",
)


def _unique(root: Reader, section: str, ids: list[str]) -> set[str]:
    seen: set[str] = set()
    for i, item_id in enumerate(ids):
        if item_id in seen:
            raise root.error(f"{section}[{i}].id", f"duplicate id {item_id!r}")
        seen.add(item_id)
    return seen


def _zone(r: Reader) -> Zone:
    points = r.points("polygon")
    if len(points) < 3:
        raise r.error("polygon", "a zone polygon needs at least 3 points")
    r.reject_unknown({"id", "name", "polygon"})
    return Zone(id=r.str("id"), name=r.str("name", r.str("id")), polygon=points)


def _equipment(r: Reader, zone_ids: set[str]) -> Equipment:
    r.reject_unknown({"id", "name", "zone", "kind", "x", "y", "width_m", "height_m", "round"})
    return Equipment(
        id=r.str("id"),
        name=r.str("name", r.str("id")),
        zone=r.ref("zone", zone_ids),
        kind=r.str("kind", "equipment"),
        x=r.float("x"),
        y=r.float("y"),
        width=r.positive("width_m"),
        height=r.positive("height_m"),
        round=r.bool("round", False),
    )


def _sensor(r: Reader, zone_ids: set[str]) -> Sensor:
    r.reject_unknown(
        {
            "id",
            "name",
            "measure",
            "unit",
            "zone",
            "x",
            "y",
            "address",
            "normal",
            "range",
            "deadband",
            "limits",
        }
    )
    sensor_id = r.str("id")
    measure = r.str("measure")
    unit = _unit(r, measure)
    low, high = r.pair("range")
    if not low < high:
        raise r.error("range", f"range must be [low, high] with low < high, got [{low}, {high}]")
    address = _address(r, "address", f"opcua://ns=2;s={sensor_id}")
    limits_reader = r.section("limits", required=False)
    limits_reader.reject_unknown({"hh", "h", "l", "ll"})
    limits = Limits(
        hh=limits_reader.opt_float("hh"),
        h=limits_reader.opt_float("h"),
        low=limits_reader.opt_float("l"),
        ll=limits_reader.opt_float("ll"),
    )
    ordered = [v for v in (limits.ll, limits.low, limits.h, limits.hh) if v is not None]
    if ordered != sorted(ordered):
        raise limits_reader.error("", "limits must be ordered ll <= l <= h <= hh")
    normal = r.float("normal", low)
    if not low <= normal <= high:
        raise r.error("normal", f"normal value {normal} lies outside range [{low}, {high}]")
    return Sensor(
        id=sensor_id,
        name=r.str("name", sensor_id),
        measure=measure,
        unit=unit,
        zone=r.ref("zone", zone_ids),
        x=r.float("x"),
        y=r.float("y"),
        address=address,
        normal=normal,
        range=(low, high),
        deadband=r.float("deadband", (high - low) * 0.005),
        limits=limits,
    )


def _unit(r: Reader, measure: str) -> str:
    """The gas measures the permit and worker rules judge (GB 30871 gas analysis) have fixed units; any other
    measure (flow, vibration, a gas in ppm…) says its own unit, or takes the usual one of a known measure."""
    if measure in GAS_MEASURES:
        unit = r.str("unit", MEASURES[measure])
        if unit != MEASURES[measure]:
            raise r.error(
                "unit", f"{measure} is read in {MEASURES[measure]} (the gas rules use it), not {unit!r}"
            )
        return unit
    if measure in MEASURES:
        return r.str("unit", MEASURES[measure])
    if not r.has("unit"):
        raise r.error("unit", f"measure {measure!r} is not one of {', '.join(MEASURES)}: say its unit")
    return r.str("unit")


def _address(
    r: Reader, key: str, default: str | None = None, schemes: tuple[str, ...] = ADDRESS_SCHEMES
) -> str:
    """A tag address `scheme://path`; an OPC UA one is parsed as the client will use it, so that a typo
    is refused here, naming the key, instead of breaking the OPC UA source at run time."""
    address = r.str(key) if default is None else r.str(key, default)
    scheme = address.split("://", 1)[0] if "://" in address else ""
    if scheme not in schemes or not address.split("://", 1)[1]:
        raise r.error(key, f"address {address!r} must be scheme://path with scheme one of {schemes}")
    if scheme == "opcua":
        try:
            parse_opcua_address(address)
        except AddressError as exc:
            raise r.error(key, str(exc)) from None
    return address


def _worker(r: Reader, now: datetime) -> Worker:
    r.reject_unknown({"id", "name", "role", "company", "wearable", "certificates", "home"})
    certs = []
    for c in r.tables("certificates"):
        c.reject_unknown({"type", "number", "expires", "expires_in_days"})
        certs.append(Certificate(type=c.str("type"), number=c.str("number", ""), expires=_day(c, now)))
    home = r.pair("home")
    return Worker(
        id=r.str("id"),
        name=r.str("name"),
        role=r.str("role", "worker"),
        company=r.str("company", ""),
        wearable=r.str("wearable", ""),
        certificates=tuple(certs),
        home=home,
    )


def _day(r: Reader, now: datetime) -> date:
    if r.has("expires_in_days"):
        return (now + timedelta(days=r.float("expires_in_days"))).date()
    text = r.str("expires")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise r.error("expires", f"{text!r} is not an ISO date (YYYY-MM-DD)") from None


def _permit(r: Reader, zone_ids: set[str], worker_ids: set[str], now: datetime) -> Permit:
    r.reject_unknown(
        {
            "id",
            "category",
            "grade",
            "zone",
            "title",
            "applicant",
            "guardian",
            "workers",
            "valid_from",
            "valid_to",
            "start_offset_h",
            "duration_h",
            "state",
            "gas_tests",
            "attachments",
        }
    )
    if r.has("start_offset_h"):
        start = now + timedelta(hours=r.float("start_offset_h"))
        end = start + timedelta(hours=r.positive("duration_h"))
    else:
        start, end = r.datetime("valid_from"), r.datetime("valid_to")
    if end <= start:
        raise r.error("valid_to", "a permit must end after it starts")
    tests = []
    for t in r.tables("gas_tests"):
        t.reject_unknown({"measure", "max", "min"})
        tests.append(
            GasTestRequirement(
                measure=t.choice("measure", tuple(GAS_MEASURES)),
                max=t.opt_float("max"),
                min=t.opt_float("min"),
            )
        )
    people = r.str_list("workers")
    for i, worker in enumerate(people):
        if worker not in worker_ids:
            raise r.error(f"workers[{i}]", f"unknown worker {worker!r}")
    return Permit(
        id=r.str("id"),
        category=r.choice("category", PERMIT_CATEGORIES),
        grade=r.str("grade"),
        zone=r.ref("zone", zone_ids),
        title=r.str("title", ""),
        applicant=r.ref("applicant", worker_ids),
        guardian=r.ref("guardian", worker_ids),
        workers=tuple(people),
        valid_from=start,
        valid_to=end,
        state=r.choice("state", PERMIT_STATES, "approved"),
        gas_tests=tuple(tests),
        attachments=tuple(r.str_list("attachments")),
    )


def _muster(r: Reader) -> MusterPoint:
    r.reject_unknown({"id", "name", "x", "y", "radius_m"})
    return MusterPoint(
        id=r.str("id"),
        name=r.str("name"),
        x=r.float("x"),
        y=r.float("y"),
        radius=r.positive("radius_m", 10.0),
    )


def _interlock(r: Reader, zone_ids: set[str]) -> Interlock:
    r.reject_unknown({"id", "name", "zone", "command_tag", "feedback_tag", "timeout_s", *INTERLOCK_KEYS})
    interlock = Interlock(
        id=r.str("id"),
        name=r.str("name"),
        zone=r.ref("zone", zone_ids),
        command_tag=_address(r, "command_tag", schemes=("opcua",)),
        feedback_tag=_address(r, "feedback_tag", schemes=("opcua",)),
        timeout_s=r.positive("timeout_s", 5.0),
    )
    return with_settings(r, interlock)


def _pa_zone(r: Reader, zone_ids: set[str]) -> PAZone:
    r.reject_unknown({"id", "name", "zones"})
    zones = r.str_list("zones")
    for i, z in enumerate(zones):
        if z not in zone_ids:
            raise r.error(f"zones[{i}]", f"unknown zone {z!r}")
    return PAZone(id=r.str("id"), name=r.str("name"), zones=tuple(zones))
