"""MQTT contract parsing, and MqttSource against a real Mosquitto with a real asyncio loop in a thread."""

from __future__ import annotations

import asyncio
import json
import logging
import math
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import paho.mqtt.client as mqtt
import pytest

from alarms.clock import ManualClock
from alarms.samples import Quality, TagBatch
from integrations.mqtt_contract import ContractError, Kind, MqttContract
from integrations.mqtt_source import MqttSource, broker_address
from integrations.source import ConnectionState, SourceStatus
from plant_maps.site import Site
from plant_maps.wearables import PositionBatch, VisionDetection, Vitals, WearableEvent
from tests.support import Broker, free_port, start_mosquitto, wait_until

T = TypeVar("T")
TS = "2026-03-01T08:30:00.250Z"
TS_EPOCH = datetime(2026, 3, 1, 8, 30, 0, 250000, tzinfo=UTC).timestamp()
ROOT = "site/demo/"
RECEIVED = TS_EPOCH + 0.5  # the console's clock when the message arrived


def payload(**fields: Any) -> bytes:
    return json.dumps({"ts": TS, **fields}).encode()


# -- contract ---------------------------------------------------------------------------------------------


@pytest.fixture()
def contract(site: Site) -> MqttContract:
    return MqttContract(site)


def test_contract_decodes_every_kind(contract: MqttContract, site: Site) -> None:
    kind, fix = contract.decode(
        ROOT + "workers/W02/position", payload(x=1, y=2.5, floor=1, accuracy_m=0.3), RECEIVED
    )
    assert kind is Kind.POSITION
    assert fix == (site.worker_index["W02"], 1, 2.5, 1, 0.3, RECEIVED, TS_EPOCH)
    _, fix = contract.decode(ROOT + "workers/W02/position", payload(x=1, y=2), RECEIVED)
    assert fix[3] == 0 and math.isnan(fix[4])  # floor and accuracy are optional

    kind, vitals = contract.decode(
        ROOT + "workers/W02/vitals", payload(heart_rate=88, skin_temp_c=36.4, battery_pct=9), RECEIVED
    )
    assert (kind, vitals) == (Kind.VITALS, Vitals("W02", 88.0, 36.4, 9.0, RECEIVED, TS_EPOCH))

    kind, event = contract.decode(ROOT + "workers/W02/event", payload(id="e1", type="sos"), RECEIVED)
    assert (kind, event) == (Kind.EVENT, WearableEvent("e1", "W02", "sos", RECEIVED, TS_EPOCH))

    kind, value = contract.decode(ROOT + "sensors/PGD-01", payload(value=12, quality="uncertain"), RECEIVED)
    assert (kind, value) == (Kind.SENSOR, (site.tag_index["PGD-01"], 12.0, int(Quality.UNCERTAIN), TS_EPOCH))

    kind, detection = contract.decode(
        ROOT + "vision/CAM-7/detection",
        payload(id="d1", confidence=0.9, zone="tank_farm", **{"class": "no_harness"}),
        RECEIVED,
    )
    assert (kind, detection) == (
        Kind.DETECTION,
        VisionDetection("d1", "CAM-7", "no_harness", 0.9, "tank_farm", RECEIVED, TS_EPOCH),
    )


def test_contract_accepts_utc_offsets(contract: MqttContract) -> None:
    _, fix = contract.decode(
        ROOT + "workers/W01/position", payload(x=0, y=0, ts="2026-03-01T16:30:00.25+08:00"), RECEIVED
    )
    assert fix[6] == TS_EPOCH


POSITION = ROOT + "workers/W01/position"
GOOD_POSITION = {"x": 1.0, "y": 2.0, "ts": TS}


def _with(**changes: Any) -> bytes:
    return json.dumps({**GOOD_POSITION, **changes}).encode()


@pytest.mark.parametrize(
    ("topic", "body", "kind", "field"),
    [
        (POSITION, b"{not json", "bad_json", ""),
        (POSITION, b"\xff\xfe", "bad_json", ""),
        (POSITION, b"[" * 100_000, "bad_json", ""),
        (POSITION, b"[1, 2]", "bad_type", ""),
        (POSITION, b'{"y": 2, "ts": "2026-03-01T08:30:00Z"}', "missing_field", "x"),
        (POSITION, json.dumps({"x": 1, "y": 2}).encode(), "missing_field", "ts"),
        (POSITION, b'{"x": NaN, "y": 2, "ts": "2026-03-01T08:30:00Z"}', "not_finite", "x"),
        (POSITION, b'{"x": 1, "y": -Infinity, "ts": "2026-03-01T08:30:00Z"}', "not_finite", "y"),
        (POSITION, _with(y=10**400), "not_finite", "y"),
        (POSITION, _with(x="1.0"), "bad_type", "x"),
        (POSITION, _with(x=True), "bad_type", "x"),
        (POSITION, _with(x=None), "bad_type", "x"),
        (POSITION, _with(floor=1.5), "bad_type", "floor"),
        (POSITION, _with(floor=40_000), "out_of_range", "floor"),
        (POSITION, _with(accuracy_m=-1), "out_of_range", "accuracy_m"),
        (POSITION, _with(ts="yesterday"), "bad_timestamp", "ts"),
        (POSITION, _with(ts=1772353800), "bad_timestamp", "ts"),
        (POSITION, _with(ts="2026-03-01T08:30:00"), "bad_timestamp", "ts"),
        (ROOT + "workers/NOBODY/position", _with(), "unknown_worker", ""),
        (ROOT + "workers/W01/heartbeat", _with(), "unknown_topic", ""),
        ("other/demo/workers/W01/position", _with(), "unknown_topic", ""),
        (ROOT + "sensors/GD-TF-01", payload(value=1), "unknown_sensor", ""),  # an OPC UA sensor
        (ROOT + "sensors/PGD-01", payload(value=1, quality="stale"), "bad_choice", "quality"),
        (ROOT + "workers/W01/vitals", payload(heart_rate=80, skin_temp_c=36), "missing_field", "battery_pct"),
        (
            ROOT + "workers/W01/vitals",
            payload(heart_rate=80, skin_temp_c=36, battery_pct=130),
            "out_of_range",
            "battery_pct",
        ),
        (ROOT + "workers/W01/event", payload(id="e", type="panic"), "bad_choice", "type"),
        (ROOT + "workers/W01/event", payload(id="", type="sos"), "bad_type", "id"),
        (
            ROOT + "vision/CAM-1/detection",
            payload(id="d", confidence=1.5, zone="tank_farm", **{"class": "x"}),
            "out_of_range",
            "confidence",
        ),
        (
            ROOT + "vision/CAM-1/detection",
            payload(id="d", confidence=0.5, zone="moon", **{"class": "x"}),
            "unknown_zone",
            "zone",
        ),
    ],
)
def test_contract_rejections_are_typed(
    contract: MqttContract, topic: str, body: bytes, kind: str, field: str
) -> None:
    with pytest.raises(ContractError) as caught:
        contract.decode(topic, body, RECEIVED)
    err = caught.value
    assert (err.kind, err.field, err.topic) == (kind, field, topic)
    assert topic[:40] in str(err) and field in str(err)
    assert len(str(err)) < 300  # outside input is clipped before it reaches a log line


def test_contract_subscriptions_use_qos1_for_events(contract: MqttContract) -> None:
    assert dict(contract.subscriptions()) == {
        ROOT + "workers/+/position": 0,
        ROOT + "workers/+/vitals": 0,
        ROOT + "workers/+/event": 1,
        ROOT + "sensors/+": 0,
        ROOT + "vision/+/detection": 1,
    }


def test_broker_address() -> None:
    assert broker_address("mqtt://10.0.0.5") == ("10.0.0.5", 1883)
    assert broker_address("mqtt://broker:1884") == ("broker", 1884)
    assert broker_address("mqtts://broker") == ("broker", 8883)
    for bad in ("http://broker", "mqtt://", "mqtt://broker:port", "mqtt://op:s3cret@broker"):
        with pytest.raises(ValueError, match=r"mqtt://host\[:port\] or mqtts://host\[:port\]") as caught:
            broker_address(bad)
        assert "s3cret" not in str(caught.value)


# -- source against a real broker -------------------------------------------------------------------------


class RecordingSink:
    """Records every delivery in order, and the threads it was called on (must be the loop thread only)."""

    def __init__(self) -> None:
        self.log: list[tuple[str, Any]] = []
        self.threads: set[int] = set()

    def _record(self, what: str, item: Any) -> None:
        self.threads.add(threading.get_ident())
        self.log.append((what, item))

    def of(self, what: str) -> list[Any]:
        return [item for kind, item in list(self.log) if kind == what]

    def states(self) -> list[ConnectionState]:
        return [state for state, _ in self.of("status")]

    def on_tags(self, batch: TagBatch) -> None:
        self._record("tags", batch)

    def on_positions(self, batch: PositionBatch) -> None:
        self._record("positions", batch)

    def on_vitals(self, vitals: list[Vitals]) -> None:
        self._record("vitals", vitals)

    def on_wearable_events(self, events: list[WearableEvent]) -> None:
        self._record("events", events)

    def on_detections(self, detections: list[VisionDetection]) -> None:
        self._record("detections", detections)

    def on_stale(self, tag_index: list[int], reason: str = "") -> None:
        self._record("stale", list(tag_index))

    def on_tag_errors(self, errors: dict[int, str]) -> None:
        self._record("tag_errors", errors)

    def on_device_clock(self, worker: str, offset_s: float | None) -> None:
        self._record("device_clock", (worker, offset_s))

    def on_status(self, status: SourceStatus, message: str) -> None:
        self._record("status", (status.state, message))


class Harness:
    """An asyncio loop running in a thread, a recording sink, and sources built and driven on that loop."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.sink = RecordingSink()
        self.clock = ManualClock(RECEIVED)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="test-loop", daemon=True)
        self.thread.start()
        self.sources: list[MqttSource] = []

    def call(self, fn: Callable[[], T]) -> T:
        """Run `fn` on the loop thread and return its result."""

        async def run() -> T:
            return fn()

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(timeout=30)

    def source(self, url: str, client_id: str | None = None) -> MqttSource:
        client_id = client_id or f"test-{uuid.uuid4().hex[:12]}"
        src = self.call(
            lambda: MqttSource(self.site, url, self.sink, self.loop, self.clock, client_id=client_id)
        )
        self.sources.append(src)
        self.call(src.start)
        return src

    def wait_state(self, src: MqttSource, state: ConnectionState, timeout: float = 10.0) -> None:
        wait_until(lambda: src.status.state is state, timeout)

    def close(self) -> None:
        for src in self.sources:
            self.call(src.stop)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()
        assert self.sink.threads <= {self.thread.ident}, "the sink was called off the loop thread"


@pytest.fixture()
def harness(site: Site) -> Iterator[Harness]:
    h = Harness(site)
    yield h
    h.close()


class Publisher:
    """An outside device: a plain paho client that publishes and waits until each message left."""

    def __init__(self, broker: Broker) -> None:
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        self.client.connect(broker.host, broker.port)
        self.client.loop_start()

    def send(self, topic: str, body: bytes, qos: int = 0) -> None:
        self.client.publish(topic, body, qos=qos).wait_for_publish(timeout=10)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture()
def publisher(broker: Broker) -> Iterator[Publisher]:
    p = Publisher(broker)
    yield p
    p.close()


def test_position_arrives_as_a_position_batch(harness: Harness, broker: Broker, publisher: Publisher) -> None:
    src = harness.source(broker.url)
    harness.wait_state(src, ConnectionState.CONNECTED)
    publisher.send(ROOT + "workers/W03/position", payload(x=12.5, y=40.25, floor=1, accuracy_m=0.4))
    batch = wait_until(lambda: harness.sink.of("positions"))[0]
    assert batch.worker.tolist() == [harness.site.worker_index["W03"]]
    assert (batch.x[0], batch.y[0], batch.floor[0]) == (12.5, 40.25, 1)
    assert (batch.ts[0], batch.device_ts[0]) == (harness.clock.now(), TS_EPOCH)  # console time rules
    assert batch.accuracy[0] == pytest.approx(0.4)
    assert harness.sink.states() == [ConnectionState.CONNECTING, ConnectionState.CONNECTED]


def test_malformed_messages_are_counted_and_the_next_good_one_processed(
    harness: Harness, broker: Broker, publisher: Publisher, caplog: pytest.LogCaptureFixture
) -> None:
    src = harness.source(broker.url)
    harness.wait_state(src, ConnectionState.CONNECTED)
    bad = [
        (POSITION, b'{"x": 1, "y": '),
        (POSITION, b'{"x": NaN, "y": 2, "ts": "2026-03-01T08:30:00Z"}'),
        (ROOT + "workers/W99/position", _with()),
        (POSITION, b'{"x": 1, "y": 2}'),
        (POSITION, _with(ts="08:30 yesterday")),
    ]
    with caplog.at_level(logging.WARNING, logger="integrations.mqtt_source"):
        for i in range(1000):
            publisher.send(*bad[i % len(bad)])
        publisher.send(ROOT + "workers/W05/position", payload(x=7, y=8))
        batch = wait_until(lambda: harness.sink.of("positions"))[0]
        assert batch.worker.tolist() == [harness.site.worker_index["W05"]]
        wait_until(lambda: src.status.messages == 1001)
    assert src.status.errors == 1000
    assert src.status.error_kinds == {
        "bad_json": 200,
        "not_finite": 200,
        "unknown_worker": 200,
        "missing_field": 200,
        "bad_timestamp": 200,
    }
    assert "08:30 yesterday" in src.status.last_error
    dropped = [r for r in caplog.records if "malformed" in r.getMessage()]
    assert len(dropped) == 5  # logged once per kind, counted always
    reported = [message for _, message in harness.sink.of("status") if "malformed" in message]
    assert len(reported) == 5 and any("(unknown worker)" in message for message in reported)


def test_a_parser_bug_is_counted_and_never_stops_the_source(
    harness: Harness,
    broker: Broker,
    publisher: Publisher,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    decode = MqttContract.decode

    def buggy(self: MqttContract, topic: str, body: bytes, received: float) -> tuple[Kind, Any]:
        if body == b"boom":
            raise KeyError("a bug")
        return decode(self, topic, body, received)

    monkeypatch.setattr(MqttContract, "decode", buggy)
    src = harness.source(broker.url)
    harness.wait_state(src, ConnectionState.CONNECTED)
    with caplog.at_level(logging.ERROR, logger="integrations.mqtt_source"):
        publisher.send(POSITION, b"boom")
        publisher.send(POSITION, _with(x=3.0))
        wait_until(lambda: harness.sink.of("positions"))
    assert src.status.error_kinds == {"internal": 1}
    assert any(r.exc_info for r in caplog.records)  # the traceback is logged


def test_vitals_events_detections_and_sensor_values_arrive(
    harness: Harness, broker: Broker, publisher: Publisher
) -> None:
    src = harness.source(broker.url)
    harness.wait_state(src, ConnectionState.CONNECTED)
    now = RECEIVED + 1.0
    harness.clock.set(now)
    publisher.send(ROOT + "workers/W01/vitals", payload(heart_rate=131, skin_temp_c=38.2, battery_pct=55))
    publisher.send(ROOT + "workers/W01/event", payload(id="sos-1", type="sos"), qos=1)
    publisher.send(
        ROOT + "vision/CAM-2/detection",
        payload(id="det-1", confidence=0.93, zone="reactor_unit", **{"class": "person_under_load"}),
        qos=1,
    )
    publisher.send(ROOT + "sensors/PGD-02", payload(value=14.5, quality="good"))
    publisher.send(ROOT + "sensors/PGD-03", payload(value=3, quality="bad"))
    sink = harness.sink
    wait_until(lambda: sum(len(b) for b in sink.of("tags")) == 2)
    wait_until(lambda: sink.of("vitals") and sink.of("events") and sink.of("detections"))
    assert sink.of("vitals")[0] == [Vitals("W01", 131.0, 38.2, 55.0, now, TS_EPOCH)]
    assert sink.of("events")[0] == [WearableEvent("sos-1", "W01", "sos", now, TS_EPOCH)]
    assert sink.of("detections")[0][0].cls == "person_under_load"
    rows = [
        (int(i), float(v), Quality(q), b.received_ts)
        for b in sink.of("tags")
        for i, v, q in zip(b.index, b.value, b.quality, strict=True)
    ]
    tags = harness.site.tag_index
    assert rows == [
        (tags["PGD-02"], 14.5, Quality.GOOD, now),
        (tags["PGD-03"], 3.0, Quality.BAD, now),
    ]


def test_a_burst_is_coalesced_into_few_batches(
    harness: Harness, broker: Broker, publisher: Publisher
) -> None:
    src = harness.source(broker.url)
    harness.wait_state(src, ConnectionState.CONNECTED)
    n = 20_000
    bodies = [payload(x=float(i), y=1.0) for i in range(n)]
    for body in bodies:
        publisher.client.publish(POSITION, body)
    publisher.send(POSITION, payload(x=-1.0, y=1.0))
    wait_until(lambda: sum(len(b) for b in harness.sink.of("positions")) == n + 1, timeout=60)
    batches = harness.sink.of("positions")
    xs = [x for b in batches for x in b.x.tolist()]
    assert xs == [*range(n), -1.0]  # nothing lost, order kept
    assert len(batches) < n / 10


def test_persistent_session_delivers_an_event_sent_while_away(
    harness: Harness, broker: Broker, publisher: Publisher
) -> None:
    src = harness.source(broker.url)
    harness.wait_state(src, ConnectionState.CONNECTED)
    harness.call(src.stop)
    assert src.status.state is ConnectionState.DISCONNECTED
    publisher.send(ROOT + "workers/W04/event", payload(id="fall-1", type="fall"), qos=1)
    harness.call(src.start)
    events = wait_until(lambda: harness.sink.of("events"))[0]
    assert events == [WearableEvent("fall-1", "W04", "fall", RECEIVED, TS_EPOCH)]
    harness.wait_state(src, ConnectionState.CONNECTED)  # the queued event may come before the SUBACK
    assert harness.sink.states() == [
        ConnectionState.CONNECTING,
        ConnectionState.CONNECTED,
        ConnectionState.DISCONNECTED,
        ConnectionState.CONNECTING,
        ConnectionState.CONNECTED,
    ]


def stop_broker(broker: Broker) -> None:
    broker.stop()
    if broker.process.stderr:  # tests.support keeps mosquitto's stderr pipe open
        broker.process.stderr.close()


def test_broker_restart_marks_sensors_stale_and_recovers(harness: Harness, tmp_path: Path) -> None:
    own = start_mosquitto(tmp_path)
    try:
        src = harness.source(own.url)
        harness.wait_state(src, ConnectionState.CONNECTED)
        first = Publisher(own)
        first.send(ROOT + "sensors/PGD-01", payload(value=1.0))
        wait_until(lambda: harness.sink.of("tags"))
        first.close()

        stop_broker(own)
        harness.wait_state(src, ConnectionState.RECONNECTING)
        mqtt_rows = sorted(harness.site.tag_index[s.id] for s in harness.site.sensors if s.scheme == "mqtt")
        assert harness.sink.of("stale") == [mqtt_rows]

        own = start_mosquitto(tmp_path, port=own.port)
        harness.wait_state(src, ConnectionState.CONNECTED, timeout=30)
        second = Publisher(own)
        second.send(ROOT + "sensors/PGD-01", payload(value=2.0))
        wait_until(lambda: len(harness.sink.of("tags")) == 2)
        second.close()
        harness.call(src.stop)
    finally:
        stop_broker(own)
    kinds = [kind if kind != "status" else item[0] for kind, item in harness.sink.log]
    assert kinds == [
        ConnectionState.CONNECTING,
        ConnectionState.CONNECTED,
        "tags",
        "stale",
        ConnectionState.RECONNECTING,
        ConnectionState.CONNECTED,
        "tags",
        "stale",
        ConnectionState.DISCONNECTED,
    ]
    assert src.status.reconnects == 1


def test_stop_from_another_thread_delivers_on_the_loop(harness: Harness, broker: Broker) -> None:
    src = harness.source(broker.url)
    harness.wait_state(src, ConnectionState.CONNECTED)
    src.stop()  # from the test thread, as an executor would; the sink still hears it on the loop thread
    harness.wait_state(src, ConnectionState.DISCONNECTED)
    assert harness.sink.states()[-1] is ConnectionState.DISCONNECTED


def test_stop_while_the_broker_is_unreachable(harness: Harness) -> None:
    src = harness.source(f"mqtt://127.0.0.1:{free_port()}")
    wait_until(lambda: src.status.state is ConnectionState.CONNECTING)
    harness.call(src.stop)
    assert src.status.state is ConnectionState.DISCONNECTED
    assert harness.sink.of("stale") == []  # never connected: nothing was fresh
