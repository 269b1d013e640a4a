"""The demo plant for a benchmark that drives the real windowed console: a private Mosquitto, the
simulator's OPC UA server (no MQTT publisher: the benchmark publishes what it measures) and the console's
config pointing at both and at a scratch SQLite journal."""

from __future__ import annotations

import contextlib
import logging
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from console.config import AppConfig
from integrations.simulator import SimulatorThread
from plant_maps.site_file import load_site
from tests.support import Broker, free_port, start_mosquitto

DEMO = Path(__file__).resolve().parent.parent / "resources" / "plants" / "demo" / "site.toml"


@dataclass(frozen=True)
class DemoRig:
    config: AppConfig
    simulator: SimulatorThread
    broker: Broker


@contextlib.contextmanager
def demo_rig(
    publishing_interval_ms: float = 100.0,
    update_hz: float = 1.0,
    plant_mqtt: bool = False,
    broker_config: str = "",
    **options: Any,
) -> Iterator[DemoRig]:
    """Everything started on entry and stopped on exit, even when the benchmark fails; with `plant_mqtt`
    the simulator publishes the demo's MQTT too (workers, wearables, MQTT sensors: the full demo ingest);
    `broker_config` is added to Mosquitto's; `options` go to the simulator (e.g. `interlock_delay_s`)."""
    # Tier-1 alarms come faster than speech can say them: the speaker drops the oldest and warns each
    # time, by design. Only its errors are shown during a benchmark.
    logging.getLogger("integrations.speech").setLevel(logging.ERROR)
    opcua_url = f"opc.tcp://127.0.0.1:{free_port()}/bench/"
    with tempfile.TemporaryDirectory() as tmp:
        broker = start_mosquitto(Path(tmp), extra_config=broker_config)
        try:
            config = AppConfig(
                site_file=DEMO,
                opcua_url=opcua_url,
                mqtt_url=broker.url,
                database_url=f"sqlite:///{tmp}/console.db",
                simulator=False,
                console_name=f"bench-{free_port()}",
                operator="bench",
                publishing_interval_ms=publishing_interval_ms,
            )
            simulator = SimulatorThread(
                load_site(DEMO),
                opcua_url=opcua_url,
                mqtt_url=broker.url if plant_mqtt else None,
                update_hz=update_hz,
                **options,
            )
            simulator.start()
            try:
                yield DemoRig(config, simulator, broker)
            finally:
                simulator.stop()
        finally:
            broker.stop()
