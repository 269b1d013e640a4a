"""The foundation end to end: real OPC UA, real MQTT, real database, the real window."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import numpy as np
import paho.mqtt.client as mqtt
import pytest
from PySide6.QtCore import QPointF

from alarms.samples import Quality
from console.window.gui import WindowedConsole
from integrations.simulator import SimulatorThread
from integrations.storage import Store
from tests.conftest import Broker
from tests.e2e.conftest import status_text, until


def _publisher(broker: Broker) -> mqtt.Client:
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="e2e-outside-publisher")
    client.connect(broker.host, broker.port)
    client.loop_start()
    return client


def _iso_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _position(x: float, y: float) -> bytes:
    return json.dumps({"x": x, "y": y, "floor": 0, "accuracy_m": 0.5, "ts": _iso_now()}).encode()


def _close(point: QPointF | None, x: float, y: float) -> bool:
    return point is not None and abs(point.x() - x) < 0.01 and abs(point.y() - y) < 0.01


def test_a_position_from_an_outside_mqtt_client_moves_the_worker_on_the_map(
    run_console, simulator: SimulatorThread, broker: Broker
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        await until(lambda: status_text(console, "MQTT").startswith("MQTT: connected"))
        publisher = _publisher(broker)
        try:
            publisher.publish("site/demo/workers/W05/position", _position(101.5, 62.0)).wait_for_publish(5)
            await until(lambda: _close(console.window.plant_map.worker_scene_pos("W05"), 101.5, 62.0), 5)
            publisher.publish("site/demo/workers/W05/position", _position(230.0, 190.0)).wait_for_publish(5)
            await until(lambda: _close(console.window.plant_map.worker_scene_pos("W05"), 230.0, 190.0), 5)
        finally:
            publisher.loop_stop()
            publisher.disconnect()
        core = console.app.core
        assert core.site.zones[core.workers.zone[core.site.worker_index["W05"]]].id == "reactor_unit"

    run_console(scenario)


def test_an_opcua_value_change_reaches_the_map_and_the_history(
    run_console, simulator: SimulatorThread, database_url: str
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        plant_map = console.window.plant_map
        await until(lambda: plant_map.detector_style("GD-CH-01") == "normal", what="first values drawn")
        simulator.force("GD-CH-01", 31.5)  # above hh = 25 %LEL
        await until(
            lambda: plant_map.detector_style("GD-CH-01") == "tier1", 5, "detector drawn as HH (tier 1)"
        )
        console.app.writer.flush(5)
        rows = Store(database_url).history("GD-CH-01")
        assert any(value == pytest.approx(31.5) for _, value, _ in rows), rows[-3:]

    run_console(scenario)


def test_stopping_the_opcua_server_marks_tags_stale_and_restarting_brings_them_back(
    run_console, simulator: SimulatorThread
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        core, window = console.app.core, console.window
        opcua_rows = console.app.opcua.rows
        await until(
            lambda: (core.tags.quality[opcua_rows] == Quality.GOOD).all(), what="all OPC UA tags good"
        )
        await until(lambda: "OPC UA: connected" in status_text(console, "OPC UA"))
        simulator.stop()
        await until(lambda: (core.tags.quality[opcua_rows] == Quality.STALE).all(), 10, "tags stale")
        await until(lambda: "OPC UA: reconnecting" in status_text(console, "OPC UA"), 5)
        assert window.plant_map.detector_style("GD-CH-01") == "stale"
        mqtt_rows = [core.site.tag_index["PGD-01"]]
        assert not np.isin(mqtt_rows, opcua_rows).any(), "only the dropped source's tags go stale"
        simulator.start()
        await until(lambda: (core.tags.quality[opcua_rows] == Quality.GOOD).all(), 30, "tags good again")
        await until(lambda: "OPC UA: connected" in status_text(console, "OPC UA"), 5)
        assert window.plant_map.detector_style("GD-CH-01") == "normal"
        assert console.app.opcua.status.reconnects >= 1

    run_console(scenario)


def test_a_thousand_malformed_messages_are_counted_and_the_next_good_one_is_processed(
    run_console, simulator: SimulatorThread, broker: Broker
) -> None:
    bad_payloads = [
        b"{not json",
        json.dumps({"x": "NaN", "y": 1, "ts": _iso_now()}).encode(),
        b'{"x": NaN, "y": 1.0, "floor": 0, "accuracy_m": 0.5, "ts": "2026-11-24T08:00:00Z"}',
        json.dumps({"y": 1, "ts": _iso_now()}).encode(),
        json.dumps({"x": 1, "y": 1, "ts": "yesterday"}).encode(),
    ]

    async def scenario(console: WindowedConsole) -> None:
        status = await until(lambda: console.app.core.statuses.get("MQTT"))
        await until(lambda: status.state.value == "connected")
        publisher = _publisher(broker)
        try:
            for i in range(1000):
                topic = "site/demo/workers/W99/position" if i % 6 == 5 else "site/demo/workers/W02/position"
                publisher.publish(topic, bad_payloads[i % 5] if i % 6 != 5 else _position(1, 1), qos=1)
            publisher.publish(
                "site/demo/workers/W02/position", _position(77.0, 44.0), qos=1
            ).wait_for_publish(10)
            await until(lambda: _close(console.window.plant_map.worker_scene_pos("W02"), 77.0, 44.0), 10)
        finally:
            publisher.loop_stop()
            publisher.disconnect()
        assert status.errors == 1000
        await until(lambda: "1000 errors" in status_text(console, "MQTT"), 2)
        logged = [e.text for e in console.app.core.log if e.source == "MQTT"]
        assert any("unknown worker" in text for text in logged), logged[-5:]

    run_console(scenario)
