"""A slow server is not a dead one: the OPC UA source keeps a server whose loop stalls for 3 s (as one
writing 20,000 values does), and declares one that stops answering lost within 2 x its timeout, with one
alarm (the source's) while every tag goes stale without an alarm of its own. Against the simulator's real
OPC UA server, whose whole loop is hung on purpose."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from alarms.samples import Quality
from console.composition import Application
from integrations.simulator import SimulatorThread
from integrations.source import ConnectionState
from plant_maps.alarm_rules import tag_comm_alarm
from plant_maps.site import Site
from tests.conftest import DEMO_SITE, Broker
from tests.headless import alarm, demo_config, run_app
from tests.support import free_port, hung_server, wait_until_async

TIMEOUT_S = 4.0  # the source's default: a probe every 4 s, answered within 4 s


@pytest.fixture(scope="module")
def served(site: Site) -> Iterator[tuple[SimulatorThread, str]]:
    url = f"opc.tcp://127.0.0.1:{free_port()}/liveness/"
    sim = SimulatorThread(site, opcua_url=url)
    sim.start()
    yield sim, url
    sim.stop()


@pytest.fixture(scope="module")
def site() -> Site:
    from plant_maps.site_file import load_site

    return load_site(DEMO_SITE)


async def _connected_with_values(app: Application) -> None:
    status, rows = app.core.statuses["OPC UA"], np.asarray(app.opcua.rows)
    await wait_until_async(lambda: status.state is ConnectionState.CONNECTED, 15)
    await wait_until_async(lambda: bool((app.core.tags.quality[rows] == Quality.GOOD).all()), 15)


def _tag_comm_alarms(app: Application) -> list[str]:
    return [
        alarm_id
        for row in app.opcua.rows
        if alarm(app, alarm_id := tag_comm_alarm(app.site.sensors[row].id)) is not None
    ]


def test_a_server_that_stalls_3_s_is_not_declared_lost(
    served: tuple[SimulatorThread, str], broker: Broker, tmp_path: Path
) -> None:
    sim, url = served

    async def scenario(app: Application) -> None:
        await _connected_with_values(app)
        status = app.core.statuses["OPC UA"]
        stall = await hung_server(sim, 3.0)
        before = status.messages
        await stall
        await wait_until_async(lambda: status.messages > before, 5)  # values flow again
        assert status.state is ConnectionState.CONNECTED and status.reconnects == 0
        assert alarm(app, "OPCUA.COMM") is None
        assert not any("connection lost" in e.text for e in app.core.log)

    run_app(demo_config(url, broker.url, tmp_path, "liveness"), scenario)


def test_a_server_that_stops_answering_is_one_alarm_in_time_and_its_tags_go_stale(
    served: tuple[SimulatorThread, str], broker: Broker, tmp_path: Path
) -> None:
    sim, url = served

    async def scenario(app: Application) -> None:
        await _connected_with_values(app)
        rows = np.asarray(app.opcua.rows)
        started = time.monotonic()
        hung = await hung_server(sim, 3 * TIMEOUT_S)
        lost = await wait_until_async(lambda: alarm(app, "OPCUA.COMM"), 2 * TIMEOUT_S + 1.5)
        took = time.monotonic() - started
        assert took <= 2 * TIMEOUT_S + 1.0, f"declared lost after {took:.1f} s"
        assert "stopped answering" in lost.message
        assert bool((app.core.tags.quality[rows] == Quality.STALE).all())  # every tag shown stale ...
        assert _tag_comm_alarms(app) == []  # ... with no alarm each
        await hung
        await wait_until_async(lambda: alarm(app, "OPCUA.COMM") is None, 30)  # back: the alarm clears
        await wait_until_async(lambda: bool((app.core.tags.quality[rows] == Quality.GOOD).all()), 15)
        assert _tag_comm_alarms(app) == []

    run_app(demo_config(url, broker.url, tmp_path, "liveness"), scenario)
