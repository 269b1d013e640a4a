"""Time you can trust: a wearable's clock can neither delay nor hasten an escalation, and no timestamp in a
message can make `controlroom journal` fail. The console runs headless on a controllable clock against
the real Mosquitto; the journal is printed by the real command in several time zones."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest

from alarms.clock import ManualClock
from alarms.states import Event, State
from console.composition import Application
from console.config import AppConfig
from console.server.session import Topic
from integrations.alarm_journal import row_of
from integrations.simulator import SimulatorThread
from integrations.storage import Store
from plant_maps.site_file import load_site
from tests.conftest import DEMO_SITE, Broker
from tests.headless import alarm, run_app
from tests.support import free_port, wait_until_async
from tests.test_journal_cli import journal, tr


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat().replace("+00:00", "Z")


def _send(broker: Broker, topic: str, body: dict[str, object]) -> None:
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"band-{free_port()}")
    client.connect(broker.host, broker.port)
    client.loop_start()
    try:
        client.publish(topic, json.dumps(body).encode(), qos=1).wait_for_publish(5)
    finally:
        client.loop_stop()
        client.disconnect()


def test_sos_from_wrong_clocks_escalates_after_60_s_of_console_time_and_the_journal_prints_in_any_zone(
    broker: Broker, tmp_path: Path
) -> None:
    database_url = f"sqlite:///{tmp_path / 'journal.db'}"
    clock = ManualClock(load_site(DEMO_SITE).permits[0].valid_from.timestamp() + 60)
    config = AppConfig(
        site_file=DEMO_SITE,
        opcua_url=f"opc.tcp://127.0.0.1:{free_port()}/none/",  # not needed here
        mqtt_url=broker.url,
        database_url=database_url,
        simulator=False,
        console_name=f"time-{free_port()}",
        operator="tester",
    )
    escalated: list[str] = []

    async def scenario(app: Application) -> None:
        app.core.subscribe(
            Topic.ALARMS, lambda ts: escalated.extend(t.alarm_id for t in ts if t.event is Event.ESCALATE)
        )
        await wait_until_async(lambda: app.mqtt.status.connected_once, 10)
        now = clock.now()
        _send(broker, "site/demo/workers/W01/event", {"id": "fast-1", "type": "sos", "ts": _iso(now + 3600)})
        _send(
            broker,
            "site/demo/workers/W02/event",
            {"id": "far-1", "type": "sos", "ts": "9999-12-31T23:59:59Z"},
        )
        _send(
            broker,
            "site/demo/workers/W03/event",
            {"id": "old-1", "type": "sos", "ts": "1970-01-01T00:00:00Z"},
        )
        await wait_until_async(lambda: all(alarm(app, f"W0{i}.SOS") for i in (1, 2, 3)), 10)
        for i in (1, 2, 3):
            assert alarm(app, f"W0{i}.SOS").ts == now  # timed by the console, whatever the band said
        clock.advance(59)
        ticks = app.core.ticks
        await wait_until_async(lambda: app.core.ticks > ticks + 1, 5)
        assert escalated == []  # the 1970 band did not escalate at once
        clock.advance(2)
        await wait_until_async(lambda: len(escalated) == 3, 5)  # the fast band was not left unescalated
        skew = app.mqtt.status.clock_skew
        assert set(skew) == {"W01", "W02", "W03"} and skew["W01"] == pytest.approx(3600, abs=1)
        assert (
            alarm(app, "W01.CLOCK") is not None and "wearable clock wrong" in alarm(app, "W01.CLOCK").message
        )

    run_app(config, scenario, clock)
    store = Store(database_url)
    try:  # a journal written before device times were distrusted may hold such rows: they print too
        store.write([], [], [row_of(tr(10_000, "W04.SOS", Event.ACTIVATE, State.UNACK, 253402300799.0))])
        rows = len(store.alarm_transitions(None, None, None, None, None))
    finally:
        store.close()
    for zone in ("CST-8", "EST+5", "UTC0", "NZST-12"):
        result = journal("--database-url", database_url, env={"TZ": zone})
        assert result.returncode == 0, result.stderr
        lines = result.stdout.splitlines()
        assert len(lines) == rows + 1, (zone, result.stdout[-500:])
        assert lines[-1].startswith("10000,9999-12-31T")  # local where it fits, else UTC


def test_a_steady_tags_old_source_time_on_subscribing_is_not_a_wrong_clock(
    broker: Broker, database_url: str
) -> None:
    """OPC UA sends each item's current value on subscribing, stamped with its last change: minutes old for
    a steady tag. The console's clock here runs 10 min ahead of the simulator's, so every change is 600 s
    "slow" and flagged; a tag that has only sent that first value is not."""
    site = load_site(DEMO_SITE)
    url = f"opc.tcp://127.0.0.1:{free_port()}/controlroom/"
    sim = SimulatorThread(site, opcua_url=url)
    sim.start()
    config = AppConfig(
        site_file=DEMO_SITE,
        opcua_url=url,
        mqtt_url=broker.url,
        database_url=database_url,
        simulator=False,
        console_name=f"skew-{free_port()}",
        publishing_interval_ms=50,
    )

    async def scenario(app: Application) -> None:
        updates, ids = app.core.tags.updates, [s.id for s in app.site.sensors]
        skew = app.core.statuses["OPC UA"].clock_skew
        rows = list(app.opcua.rows)
        await wait_until_async(lambda: all(updates[r] > 0 for r in rows) and (updates[rows] > 1).any(), 10)
        await wait_until_async(lambda: skew, 5)  # the changes are 600 s behind the console's clock
        steady = [ids[r] for r in rows if updates[r] == 1]
        assert steady, "the demo plant has tags that hold their value (switches, setpoints)"
        assert not set(steady) & set(skew), "a steady tag's first sample flagged as a wrong clock"
        assert all(updates[app.site.tag_index[tag]] > 1 for tag in skew)

    try:
        run_app(config, scenario, ManualClock(datetime.now(UTC).timestamp() + 600))
    finally:
        sim.stop()
