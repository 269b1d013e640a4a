"""End-to-end harness: the real console (core, sources, store, window) against the simulator's OPC UA
server, the private broker and a real database, driven on a qasync loop inside the test."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from dataclasses import replace
from typing import Any

import pytest
import qasync
from PySide6.QtWidgets import QApplication

from alarms.clock import Clock
from console.config import AppConfig
from console.window.gui import WindowedConsole
from integrations.simulator import SimulatorThread
from integrations.storage import Store
from integrations.users import UserStore
from plant_maps.site import Site
from tests.conftest import DEMO_SITE, Broker, free_port

PASSWORD = "correct horse 42"  # li.wei's; zhao.min's ends with "!"


async def until(condition: Callable[[], object], timeout: float = 10.0, what: str = "") -> Any:
    """Wait on the running loop until `condition()` is truthy; fail saying what did not happen."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        result = condition()
        if result:
            return result
        await asyncio.sleep(0.02)
    raise AssertionError(f"not within {timeout} s: {what or getattr(condition, '__name__', condition)}")


def status_text(console: WindowedConsole, name: str) -> str:
    """What the status bar says about connection `name` ("" until the bar shows it at all)."""
    try:
        return console.window.status_bar.connection_text(name)
    except KeyError:
        return ""


def mosquitto_pub(broker: Broker, topic: str, payload: dict[str, object]) -> None:
    """Publish as a band or a tag does, from outside the console (QoS 1, the mosquitto_pub client)."""
    exe = shutil.which("mosquitto_pub")
    assert exe, "mosquitto_pub is part of the mosquitto-clients package"
    subprocess.run(
        [exe, "-h", broker.host, "-p", str(broker.port), "-q", "1", "-t", topic, "-m", json.dumps(payload)],
        check=True,
        timeout=10,
    )


@pytest.fixture()
def people(database_url: str) -> str:
    """An operator and an engineer in the store, before the console starts."""
    store = Store(database_url)
    users = UserStore(store, "setup")
    users.add("li.wei", "Li Wei", PASSWORD, ["operator"], "setup", time.time())
    users.add("zhao.min", "Zhao Min", PASSWORD + "!", ["engineer", "shift_lead"], "setup", time.time())
    store.close()
    return database_url


@pytest.fixture()
def opcua_url() -> str:
    return f"opc.tcp://127.0.0.1:{free_port()}/controlroom/"


@pytest.fixture()
def simulator(site: Site, opcua_url: str) -> Iterator[SimulatorThread]:
    """The demo plant's OPC UA server only: tests publish MQTT themselves to control every message."""
    sim = SimulatorThread(site, opcua_url=opcua_url, mqtt_url=None, scenario="normal")
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture()
def plant(site: Site, opcua_url: str, broker: Broker) -> Iterator[SimulatorThread]:
    """The demo plant on OPC UA and MQTT (workers walking), its scenarios eight times faster."""
    sim = SimulatorThread(site, opcua_url=opcua_url, mqtt_url=broker.url, update_hz=5.0, time_scale=8.0)
    sim.start()
    yield sim
    sim.stop()


def pa_plant(site: Site, opcua_url: str, broker: Broker) -> SimulatorThread:
    """The demo plant with its PA gateways listening, PA-NORTH's silent and PA-COMP's failing; speech and
    scenarios 8x faster. Started: the caller stops it."""
    sim = SimulatorThread(
        site,
        opcua_url=opcua_url,
        mqtt_url=broker.url,
        time_scale=8.0,
        pa_faults={"PA-NORTH": "silent", "PA-COMP": "failed"},
    )
    sim.start()
    assert sim.simulator.pa is not None and sim.simulator.pa.subscribed.wait(10)
    return sim


@pytest.fixture()
def config(opcua_url: str, broker: Broker, database_url: str) -> AppConfig:
    return AppConfig(
        site_file=DEMO_SITE,
        opcua_url=opcua_url,
        mqtt_url=broker.url,
        database_url=database_url,
        simulator=False,
        console_name=f"e2e-{free_port()}",  # a fresh MQTT session per test
        operator="tester",
        publishing_interval_ms=50,
    )


@pytest.fixture(scope="session")
def qasync_loop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    """One qasync loop for the whole session, like the one `controlroom` runs for its whole life. As there,
    the last window closing does not quit Qt (a widget test's window would stop this loop mid-scenario)."""
    qapp.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(qapp)
    yield loop
    loop.close()


@pytest.fixture()
def run_console(qasync_loop: qasync.QEventLoop, config: AppConfig) -> Callable[..., None]:
    """Run `scenario(console)` on a qasync loop with a started console (on `clock`, the wall clock by default);
    always stops it afterwards."""

    def run(
        scenario: Callable[[WindowedConsole], Awaitable[None]],
        clock: Clock | None = None,
        timeout_s: float = 90,
        **overrides: Any,
    ) -> None:
        async def main() -> None:
            console = WindowedConsole(replace(config, **overrides), clock)
            await console.app.start()
            try:
                await scenario(console)
            finally:
                await console.close()

        asyncio.set_event_loop(qasync_loop)
        try:
            qasync_loop.run_until_complete(_with_timeout(main(), timeout_s))
        finally:
            asyncio.set_event_loop(None)

    return run


async def _with_timeout(coro: Coroutine[Any, Any, None], seconds: float) -> None:
    await asyncio.wait_for(coro, seconds)
