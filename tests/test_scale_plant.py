"""A generated plant served by the simulator reaches the console whole: every tag valued, every value the
server sent received, every worker placed, no alarm raised. The real OPC UA server and MQTT publisher of
`controlroom simulate --scale`, a real Mosquitto, the console's real sources and core (headless)."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
from asyncua.sync import Client

from alarms.samples import Quality
from console.composition import Application
from console.config import AppConfig
from integrations.simulator import SimulatorThread
from integrations.simulator.plant_generator import generate_site
from plant_maps.site_file import load_site
from tests.conftest import REPO, Broker
from tests.headless import run_app
from tests.support import free_port, wait_until, wait_until_async

TAGS, WORKERS, SHARE = 500, 20, 0.05


def test_a_scale_plant_gets_every_value_to_the_console(tmp_path: Path, broker: Broker) -> None:
    site_file = tmp_path / "scale.toml"
    site_file.write_text(generate_site(TAGS, WORKERS), encoding="utf-8")
    url = f"opc.tcp://127.0.0.1:{free_port()}/scale/"
    sim = SimulatorThread(load_site(site_file), opcua_url=url, mqtt_url=broker.url, change_share=SHARE)
    sim.start()
    simulator = sim.simulator
    config = AppConfig(
        site_file=site_file,
        opcua_url=url,
        mqtt_url=broker.url,
        database_url=f"sqlite:///{tmp_path / 'console.db'}",
        simulator=False,
        console_name=f"scale-{free_port()}",
        operator="tester",
    )

    async def scenario(app: Application) -> None:
        tags, workers = app.core.tags, app.core.workers
        await wait_until_async(lambda: (tags.updates > 0).all(), 20)
        assert (tags.quality == Quality.GOOD).all()
        await wait_until_async(lambda: not np.isnan(workers.x).any(), 10)
        server = simulator.server

        async def held_still() -> tuple[int, int]:
            """Stop the plant; once the console shows every value last written, nothing is in flight."""
            simulator.sending = False
            await wait_until_async(lambda: np.array_equal(tags.value[server.rows], server.values), 10)
            return int(tags.updates.sum()), simulator.samples_sent

        received, sent = await held_still()
        simulator.sending = True
        await wait_until_async(lambda: simulator.samples_sent >= sent + 3 * TAGS * SHARE, 10)
        received_now, sent_now = await held_still()
        sent = sent_now - sent
        assert sent >= 3 * TAGS * SHARE and sent % (TAGS * SHARE) == 0  # 5 % of the tags each second
        assert received_now - received == sent  # none lost, none twice
        assert app.core.alarms.engine.active() == []
        assert app.opcua is not None and app.opcua.status.reconnects == 0

    try:
        run_app(config, scenario)
    finally:
        sim.stop()


def test_controlroom_simulate_scale_writes_the_site_and_serves_it(tmp_path: Path, broker: Broker) -> None:
    site_file = tmp_path / "plant.toml"
    url = f"opc.tcp://127.0.0.1:{free_port()}/scale/"
    command = [sys.executable, "-m", "console", "simulate", "--scale", "300", "--workers", "10"]
    command += ["--write-site", str(site_file), "--opcua-url", url, "--mqtt-url", broker.url]
    proc = subprocess.Popen(command, cwd=REPO, stderr=subprocess.PIPE, text=True)
    try:
        wait_until(site_file.exists, 30)
        site = load_site(site_file)
        assert len(site.sensors) == 300 and len(site.workers) == 10
        last = site.sensors[-1]  # read at the address the console's source reads
        value = wait_until(lambda: _read(url, last.path), 60)
        assert isinstance(value, float) and last.range[0] <= value <= last.range[1]
    finally:
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 0, stderr
    assert f"console: controlroom --site {site_file} --no-simulator" in stderr


def _read(url: str, path: str) -> float | None:
    """The node's value, or None while the server is not up yet."""
    try:
        with Client(url, timeout=5) as client:
            return client.get_node(path).read_value()
    except OSError:
        return None
