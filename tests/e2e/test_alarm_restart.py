"""ISA-18.2 journal discipline: after `kill -9` the active, acknowledged and shelved alarms come back as
they were, and nothing the operator was told was done is lost."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from dataclasses import replace

from alarms.states import Event, State
from console.composition import TICK_S, Application
from console.config import AppConfig
from integrations.simulator import SimulatorThread
from integrations.storage import Store
from tests.conftest import REPO
from tests.e2e.alarm_child import ACKED, SHELVED, UNACKED
from tests.support import wait_until_async


def test_alarm_states_survive_kill_9(
    simulator: SimulatorThread, config: AppConfig, database_url: str
) -> None:
    for tag in ("GD-CH-01", "GD-CH-02", "GD-CH-03"):
        simulator.force(tag, 40.0)  # above hh = 25 %LEL, and kept there
    settings = {
        "site": str(config.site_file),
        "opcua_url": config.opcua_url,
        "mqtt_url": config.mqtt_url,
        "database_url": database_url,
    }
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.e2e.alarm_child", json.dumps(settings)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    try:
        line = child.stdout.readline() if child.stdout else ""
        assert line.strip() == "READY", f"child console said {line!r}"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    store = Store(database_url)
    before = {t.alarm_id: t for t in store.latest_alarm_transitions()}
    assert before[ACKED].actor == "night-operator" and before[ACKED].to_state is State.ACKED
    assert (
        before[SHELVED].to_state is State.SHELVED and before[SHELVED].comment == "detector under calibration"
    )

    async def restart() -> dict[str, State]:
        app = Application(replace(config, database_url=database_url, console_name="after-crash"))
        await app.start()
        try:
            engine = app.core.alarms.engine
            # the plant still reads 40 %LEL: the restored alarms stay as they were, nothing re-activates
            rows = [app.site.tag_index[a.removesuffix(".HH")] for a in (ACKED, SHELVED, UNACKED)]
            await wait_until_async(lambda: (app.core.tags.value[rows] >= 25).all(), 10)
            await asyncio.sleep(3 * TICK_S)  # let the delays and the clock act on what was read
            return {a: engine.view(a).state for a in (ACKED, SHELVED, UNACKED)}
        finally:
            await app.stop()

    states = asyncio.run(restart())
    assert states == {ACKED: State.ACKED, SHELVED: State.SHELVED, UNACKED: State.UNACK}
    after = [
        t
        for t in store.alarm_transitions()
        if t.console == "after-crash" or t.seq > max(b.seq for b in before.values())
    ]
    assert not [t for t in after if t.alarm_id in (ACKED, SHELVED, UNACKED) and t.event is Event.ACTIVATE], (
        after
    )


def test_a_clean_shutdown_raises_no_communication_alarms(
    simulator: SimulatorThread, config: AppConfig, database_url: str
) -> None:
    """The console closing its own connections is not the plant going silent: nothing to restore later."""

    async def run_and_stop() -> float:
        app = Application(replace(config, database_url=database_url))
        await app.start()
        await wait_until_async(lambda: app.opcua is not None and app.opcua.status.messages > 0, 10)
        await wait_until_async(lambda: "MQTT" in app.core.statuses, 10)
        stopping_at = app.clock.now()
        await app.stop()
        return stopping_at

    stopping_at = asyncio.run(run_and_stop())
    after = [t for t in Store(database_url).alarm_transitions(since=stopping_at) if t.event is Event.ACTIVATE]
    assert after == []
