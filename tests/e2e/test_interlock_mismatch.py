"""An interlock whose feedback does not follow its command raises the tier-1 mismatch alarm, journaled; one
whose feedback follows raises nothing. The real console against the simulator's PLC over OPC UA."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from asyncua import Client, ua

from alarms.definitions import Tier
from alarms.states import Event
from console.composition import Application
from console.config import AppConfig
from integrations.simulator import SimulatorThread
from integrations.storage import Store
from tests.conftest import DEMO_SITE
from tests.support import wait_until_async

IL = "IL-CH-TRIP"
ALARM = f"{IL}.MISMATCH"
TIMEOUT_S = 3.0  # the demo's 5 s, shortened; the simulated PLC confirms after 1 s


def _site_with_timeout(folder: Path) -> Path:
    block = f'feedback_tag = "opcua://ns=2;s={IL}.FB"\ntimeout_s = 5\n'
    text = DEMO_SITE.read_text()
    assert block in text
    path = folder / "site.toml"
    path.write_text(text.replace(block, block.replace("timeout_s = 5", f"timeout_s = {TIMEOUT_S:g}"), 1))
    return path


def _count_ticks(app: Application) -> list[float]:
    """The clock time of every alarm tick from now on: waiting on these is waiting on the engine's clock."""
    service = app.core.alarms
    ticks: list[float] = []
    tick = service.tick

    def counted_tick() -> None:
        tick()
        ticks.append(app.clock.now())

    service.tick = counted_tick  # type: ignore[method-assign]
    return ticks


def _ticked_past(ticks: list[float], when: float) -> bool:
    return bool(ticks) and ticks[-1] > when


async def _command(url: str, on: bool) -> None:
    """Write the interlock's command tag as an outside client (a PLC panel, another console) would."""
    async with Client(url) as client:
        node = client.get_node(f"ns=2;s={IL}.CMD")
        await node.write_value(ua.DataValue(ua.Variant(on, ua.VariantType.Boolean)))


def test_a_feedback_that_does_not_follow_raises_the_tier_1_mismatch_alarm(
    simulator: SimulatorThread, config: AppConfig, database_url: str, tmp_path: Path
) -> None:
    app_config = replace(config, site_file=_site_with_timeout(tmp_path))
    store = Store(database_url)

    def journaled(event: Event) -> bool:
        return any(t.event is event for t in store.alarm_transitions(alarm_ids=[ALARM]))

    async def trip_a_stuck_interlock() -> list[str]:
        app = Application(app_config)
        await app.start()
        try:
            watch = app.core.alarms.interlocks
            await wait_until_async(lambda: watch.latest(IL) and watch.latest(IL).feedback is False, 15)
            simulator.set_interlock_fault(IL, True)
            await _command(app_config.opcua_url, True)
            await wait_until_async(lambda: app.core.alarms.engine.view(ALARM).active, TIMEOUT_S + 5)
            await wait_until_async(lambda: journaled(Event.ACTIVATE), 5)
            simulator.set_interlock_fault(IL, False)  # the PLC output frees itself: the feedback follows
            await wait_until_async(lambda: journaled(Event.CLEAR), 5)
            return [e.text for e in app.core.log]
        finally:
            await app.stop()

    logged = asyncio.run(trip_a_stuck_interlock())
    raised, cleared = (t for t in store.alarm_transitions(alarm_ids=[ALARM]) if t.event is not Event.ESCALATE)
    assert (raised.event, raised.tier, raised.area, raised.annunciate) == (
        Event.ACTIVATE,
        Tier.LIFE,
        "compressor_house",
        True,
    )
    assert raised.message == (
        f"{IL} Compressor house trip K-301/K-302: feedback OFF does not follow command ON for {TIMEOUT_S:.0f} s"
    )
    assert TIMEOUT_S < raised.value < TIMEOUT_S + 1.0
    assert cleared.event is Event.CLEAR and not cleared.active and not cleared.acked  # waits for an ack
    assert cleared.message.startswith(
        f"{IL} Compressor house trip K-301/K-302: feedback ON follows command ON"
    )
    assert f"{IL} commanded ON" in logged
    assert any(ALARM in text and "does not follow" in text for text in logged)


def test_a_feedback_that_follows_raises_no_mismatch(
    simulator: SimulatorThread, config: AppConfig, database_url: str, tmp_path: Path
) -> None:
    app_config = replace(config, site_file=_site_with_timeout(tmp_path))

    async def trip_a_healthy_interlock() -> tuple[bool, list[str]]:
        app = Application(app_config)
        service = app.core.alarms
        ticks = _count_ticks(app)
        await app.start()
        try:
            watch = service.interlocks
            await wait_until_async(lambda: watch.latest(IL) and watch.latest(IL).feedback is False, 15)
            commanded_at = app.clock.now()
            await _command(app_config.opcua_url, True)
            await wait_until_async(lambda: watch.latest(IL).feedback is True, TIMEOUT_S + 5)
            # the alarm clock has ticked well past the timeout since the command: a mismatch would be up
            await wait_until_async(lambda: _ticked_past(ticks, commanded_at + TIMEOUT_S + 1.0), TIMEOUT_S + 5)
            return service.engine.view(ALARM).active, [e.text for e in app.core.log]
        finally:
            await app.stop()

    active, logged = asyncio.run(trip_a_healthy_interlock())
    assert not active
    assert Store(database_url).alarm_transitions(alarm_ids=[ALARM]) == []
    assert f"{IL} commanded ON" in logged


def test_an_interlock_whose_source_dropped_is_unknown_not_mismatched(
    simulator: SimulatorThread, config: AppConfig, tmp_path: Path
) -> None:
    app_config = replace(config, site_file=DEMO_SITE)  # its 5 s: ample time to drop the server within it

    async def drop_the_server_mid_command() -> bool:
        loop = asyncio.get_running_loop()
        app = Application(app_config)
        ticks = _count_ticks(app)
        timeout_s = next(il.timeout_s for il in app.site.interlocks if il.id == IL)
        await app.start()
        try:
            watch = app.core.alarms.interlocks
            await wait_until_async(lambda: watch.latest(IL) and watch.latest(IL).feedback is False, 15)
            simulator.set_interlock_fault(IL, True)
            await _command(app_config.opcua_url, True)
            await wait_until_async(lambda: watch.latest(IL).command is True, 5)
            await loop.run_in_executor(None, simulator.stop)  # before the timeout runs out
            await wait_until_async(lambda: watch.latest(IL).command is None, 10)
            assert watch.latest(IL).feedback is None
            stale_since = app.clock.now()
            await wait_until_async(lambda: _ticked_past(ticks, stale_since + timeout_s + 1.0), timeout_s + 5)
            mismatched = app.core.alarms.engine.view(ALARM).active
            await loop.run_in_executor(None, simulator.start)  # a fresh PLC: command and feedback OFF
            await wait_until_async(lambda: watch.latest(IL).feedback is False, 30)
            return mismatched
        finally:
            await app.stop()

    assert asyncio.run(drop_the_server_mid_command()) is False
