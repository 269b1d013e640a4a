"""The MQTT topic contract: topic -> kind and id, payload bytes -> domain values, or a typed rejection.

Pure parsing (no paho, no Qt, no I/O) so that it is unit-tested alone and runs on the paho network thread
without touching shared state. Topics (`{prefix}/{site}/...`):

- `workers/{worker_id}/position`  `{"x": m, "y": m, "floor": 0, "accuracy_m": 0.5, "ts": ISO-8601}`
- `workers/{worker_id}/vitals`    `{"heart_rate": bpm, "skin_temp_c": °C, "battery_pct": %, "ts": ...}`
- `workers/{worker_id}/event`     `{"id": unique, "type": "sos"|"fall"|"no_motion"|"sos_cancel", "ts": ...}`
- `sensors/{sensor_id}`           `{"value": number, "quality": "good"|"bad"|"uncertain", "ts": ...}`
- `vision/{camera_id}/detection`  `{"id": unique, "class": str, "confidence": 0..1, "zone": id, "ts": ...}`

`floor` (default 0), `accuracy_m` (default NaN: unknown) and `quality` (default good) may be left out;
every other field is required. Timestamps must carry a UTC offset (`Z` or `+08:00`): a naive time is
ambiguous across a control room's time zones, so it is rejected rather than guessed. A timestamp is the
device's time, kept as information beside the console's receive time (`received`), which is what every
value carries as its `ts` (DESIGN: Time): no device clock can delay or hasten an alarm.

The position path is the hot one (thousands of fixes a second): routes are cached per topic and a
position decodes to a plain tuple that the source packs into a numpy batch.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
from typing import Any

from alarms.samples import Quality
from plant_maps.site import Site
from plant_maps.wearables import WEARABLE_EVENT_TYPES, VisionDetection, Vitals, WearableEvent

QOS_EVENTS = 1  # events and detections must not be lost: QoS 1 with a persistent session
QOS_STREAM = 0  # positions, vitals and sensor values are superseded by the next sample

_NUMBER = (int, float)  # exact types: `type(x) in _NUMBER` refuses bool, which JSON decodes as int
_QUALITIES = {"good": int(Quality.GOOD), "uncertain": int(Quality.UNCERTAIN), "bad": int(Quality.BAD)}
_NAN = math.nan
# json.loads minus its argument checks, fed str: measurably faster than json.loads(bytes) per message.
_json_decode = json.JSONDecoder().decode
_FLOOR_MIN, _FLOOR_MAX = -32768, 32767  # PositionBatch.floor is int16
_ROUTE_CACHE_MAX = 4096  # camera ids are open-ended: bound the cache rather than trust the publisher


class Kind(IntEnum):
    """What a topic carries; also the index of the source's pending list for that kind."""

    POSITION = 0
    VITALS = 1
    EVENT = 2
    SENSOR = 3
    DETECTION = 4


class ContractError(ValueError):
    """A rejected message: `kind` is a short stable name (counted per kind), the text names topic and field.

    Kinds: bad_json, bad_type, missing_field, not_finite, out_of_range, bad_choice, bad_timestamp,
    unknown_topic, unknown_worker, unknown_sensor, unknown_zone.
    """

    def __init__(self, kind: str, topic: str, field: str, problem: str) -> None:
        where = f"{_clip(topic)}: {field}: " if field else f"{_clip(topic)}: "
        super().__init__(where + problem)
        self.kind = kind
        self.topic = topic
        self.field = field


# A position as the source accumulates it: (worker row, x, y, floor, accuracy_m, received ts, device ts).
PositionFix = tuple[int, float, float, int, float, float, float]
# A sensor value: (tag row, value, quality, device ts).
SensorValue = tuple[int, float, int, float]


@dataclass(frozen=True, slots=True)
class Route:
    """A resolved topic: its kind, the id in the topic, and the worker or tag row (-1 for cameras)."""

    topic: str
    kind: Kind
    key: str
    row: int
    parse: Callable[[Route, dict[str, Any], float], Any]


class MqttContract:
    """Parser for one site's topics. `decode` runs on the paho network thread; it keeps only a route cache."""

    def __init__(self, site: Site, prefix: str = "site") -> None:
        self.site = site
        self.root = f"{prefix}/{site.id}/"
        self._workers = site.worker_index
        # Only sensors addressed `mqtt://<sensor_id>` arrive here; map the address path to the tag row.
        self._sensors = {s.path: site.tag_index[s.id] for s in site.sensors if s.scheme == "mqtt"}
        self._zones = site.zone_index
        self._routes: dict[str, Route] = {}

    @property
    def sensor_rows(self) -> list[int]:
        """Tag rows fed by MQTT: these go stale when the broker connection drops."""
        return sorted(self._sensors.values())

    def subscriptions(self) -> list[tuple[str, int]]:
        """Topic filters with their QoS, for `Client.subscribe`."""
        r = self.root
        return [
            (f"{r}workers/+/position", QOS_STREAM),
            (f"{r}workers/+/vitals", QOS_STREAM),
            (f"{r}workers/+/event", QOS_EVENTS),
            (f"{r}sensors/+", QOS_STREAM),
            (f"{r}vision/+/detection", QOS_EVENTS),
        ]

    def decode(self, topic: str, payload: bytes, received: float) -> tuple[Kind, Any]:
        """(kind, value) of one message received at `received` (console clock): PositionFix, Vitals,
        WearableEvent, SensorValue or VisionDetection.

        Raises ContractError for anything that breaks the contract.
        """
        route = self._routes.get(topic) or self.route(topic)
        try:
            data = _json_decode(payload.decode())
        except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
            raise ContractError("bad_json", topic, "", f"not JSON: {exc}") from None
        if type(data) is not dict:
            raise ContractError(
                "bad_type", topic, "", f"payload must be a JSON object, got {_json_type(data)}"
            )
        return route.kind, route.parse(route, data, received)

    def route(self, topic: str) -> Route:
        """Resolve a topic to its kind and row (cached); ContractError if it is not part of the contract."""
        route = self._routes.get(topic)
        if route is not None:
            return route
        route = self._resolve(topic)
        if len(self._routes) >= _ROUTE_CACHE_MAX:
            self._routes.clear()
        self._routes[topic] = route
        return route

    def _resolve(self, topic: str) -> Route:
        parts = topic[len(self.root) :].split("/") if topic.startswith(self.root) else []
        match parts:
            case ["workers", worker, leaf] if leaf in _WORKER_TOPICS:
                row = self._workers.get(worker)
                if row is None:
                    raise ContractError(
                        "unknown_worker", topic, "", f"worker {_show(worker)} is not on this site"
                    )
                kind, parse = _WORKER_TOPICS[leaf]
                return Route(topic, kind, worker, row, parse)
            case ["sensors", sensor]:
                row = self._sensors.get(sensor)
                if row is None:
                    raise ContractError(
                        "unknown_sensor", topic, "", f"no sensor with address mqtt://{_clip(sensor)}"
                    )
                return Route(topic, Kind.SENSOR, sensor, row, _sensor)
            case ["vision", camera, "detection"] if camera:
                return Route(topic, Kind.DETECTION, camera, -1, self._detection)
        raise ContractError(
            "unknown_topic", topic, "", f"not a topic of this contract (expected {self.root}...)"
        )

    def _detection(self, route: Route, d: dict[str, Any], received: float) -> VisionDetection:
        zone = _text(route, d, "zone")
        if zone not in self._zones:
            raise ContractError(
                "unknown_zone", route.topic, "zone", f"zone {_show(zone)} is not on this site"
            )
        confidence = _number(route, d, "confidence")
        if not 0.0 <= confidence <= 1.0:
            raise ContractError("out_of_range", route.topic, "confidence", f"{confidence} is outside 0..1")
        return VisionDetection(
            id=_text(route, d, "id"),
            camera=route.key,
            cls=_text(route, d, "class"),
            confidence=float(confidence),
            zone=zone,
            ts=received,
            device_ts=_timestamp(route, d),
        )


def _position(route: Route, d: dict[str, Any], received: float) -> PositionFix:
    # Inlined lookups: this runs for every fix, so it stays a handful of dict gets and type tests.
    x = d.get("x")
    y = d.get("y")
    try:
        valid = type(x) in _NUMBER and type(y) in _NUMBER and math.isfinite(x) and math.isfinite(y)
    except OverflowError:  # an integer too large for a float
        valid = False
    if not valid:  # the slow path names the field and the problem
        _number(route, d, "x")
        _number(route, d, "y")
    floor = d.get("floor", 0)
    if type(floor) is not int:
        raise ContractError("bad_type", route.topic, "floor", f"must be an integer, got {_json_type(floor)}")
    if not _FLOOR_MIN <= floor <= _FLOOR_MAX:
        raise ContractError(
            "out_of_range", route.topic, "floor", f"{floor} is outside {_FLOOR_MIN}..{_FLOOR_MAX}"
        )
    accuracy = d.get("accuracy_m", _NAN)
    if accuracy is not _NAN:
        accuracy = _number(route, d, "accuracy_m")
        if accuracy < 0:
            raise ContractError("out_of_range", route.topic, "accuracy_m", f"{accuracy} is negative")
    return (route.row, x, y, floor, accuracy, received, _timestamp(route, d))


def _vitals(route: Route, d: dict[str, Any], received: float) -> Vitals:
    battery = _number(route, d, "battery_pct")
    if not 0.0 <= battery <= 100.0:
        raise ContractError("out_of_range", route.topic, "battery_pct", f"{battery} is outside 0..100")
    return Vitals(
        worker=route.key,
        heart_rate=float(_number(route, d, "heart_rate")),
        skin_temp_c=float(_number(route, d, "skin_temp_c")),
        battery_pct=float(battery),
        ts=received,
        device_ts=_timestamp(route, d),
    )


def _event(route: Route, d: dict[str, Any], received: float) -> WearableEvent:
    event_type = _text(route, d, "type")
    if event_type not in WEARABLE_EVENT_TYPES:
        raise ContractError(
            "bad_choice",
            route.topic,
            "type",
            f"{_show(event_type)} is not one of {', '.join(WEARABLE_EVENT_TYPES)}",
        )
    return WearableEvent(
        id=_text(route, d, "id"),
        worker=route.key,
        type=event_type,
        ts=received,
        device_ts=_timestamp(route, d),
    )


def _sensor(route: Route, d: dict[str, Any], received: float) -> SensorValue:
    value = _number(route, d, "value")
    quality = d.get("quality", "good")
    code = _QUALITIES.get(quality) if type(quality) is str else None
    if code is None:
        raise ContractError(
            "bad_choice", route.topic, "quality", f"{_show(quality)} is not good, uncertain or bad"
        )
    return (route.row, float(value), code, _timestamp(route, d))


_WORKER_TOPICS: dict[str, tuple[Kind, Callable[[Route, dict[str, Any], float], Any]]] = {
    "position": (Kind.POSITION, _position),
    "vitals": (Kind.VITALS, _vitals),
    "event": (Kind.EVENT, _event),
}


def _number(route: Route, d: dict[str, Any], field: str) -> float:
    value = d.get(field)
    if value is None and field not in d:
        raise ContractError("missing_field", route.topic, field, "required")
    if type(value) not in _NUMBER:
        raise ContractError("bad_type", route.topic, field, f"must be a number, got {_json_type(value)}")
    try:
        finite = math.isfinite(value)
    except OverflowError:  # an integer too large for a float
        finite = False
    if not finite:
        raise ContractError("not_finite", route.topic, field, f"{_show(value)} is not a finite number")
    return value


def _text(route: Route, d: dict[str, Any], field: str) -> str:
    value = d.get(field)
    if value is None and field not in d:
        raise ContractError("missing_field", route.topic, field, "required")
    if type(value) is not str or not value:
        raise ContractError(
            "bad_type", route.topic, field, f"must be a non-empty string, got {_json_type(value)}"
        )
    return value


def _timestamp(route: Route, d: dict[str, Any]) -> float:
    """Epoch seconds from an ISO-8601 `ts` with a UTC offset: the device's time, any year it likes
    (`0001-01-01T00:00:00+08:00` and `9999-12-31T23:59:59-12:00` included; only the console times things).

    `datetime.fromisoformat` costs about a tenth of the `json.loads` before it, so there is no cache.
    """
    text = d.get("ts")
    if text is None and "ts" not in d:
        raise ContractError("missing_field", route.topic, "ts", "required")
    try:
        when = datetime.fromisoformat(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ContractError(
            "bad_timestamp", route.topic, "ts", f"{_show(text)} is not an ISO-8601 time"
        ) from None
    if when.tzinfo is None:
        raise ContractError("bad_timestamp", route.topic, "ts", f"{_show(text)} has no UTC offset (add Z)")
    return when.timestamp()  # of an aware time: exact microseconds since the epoch, in any year


def _json_type(value: object) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}.get(
        type(value), "number"
    )


def _show(value: object) -> str:
    return _clip(repr(value))


def _clip(text: str, limit: int = 80) -> str:
    """Bound what goes into a log line or the status bar: topics and values come from outside."""
    return text if len(text) <= limit else text[: limit - 3] + "..."
