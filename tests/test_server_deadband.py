"""The console asks the OPC UA server to filter by each tag's deadband (a DataChangeFilter): moves within
it are not sent at all, and a value that creeps is sent once it moved more than the deadband from the last
value sent, as OPC UA Part 4 §7.22.2 says (the simulator plays such a server). Against the simulator's
real OPC UA server."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.composition import Application
from integrations.simulator import SimulatorThread
from plant_maps.site import Site
from tests.conftest import Broker
from tests.headless import demo_config, run_app
from tests.support import free_port, wait_until_async

TAG, MARKER = "GD-TF-01", "GD-TF-02"  # GD-TF-01's deadband: 0.5 %LEL


@pytest.mark.parametrize("server_deadband", [True, False], ids=["filtered", "unfiltered"])
def test_the_server_sends_a_move_only_beyond_the_deadband_from_the_last_value_sent(
    site: Site, broker: Broker, tmp_path: Path, server_deadband: bool
) -> None:
    url = f"opc.tcp://127.0.0.1:{free_port()}/deadband/"
    sim = SimulatorThread(site, opcua_url=url)
    sim.start()
    row, marker = site.tag_index[TAG], site.tag_index[MARKER]
    assert site.sensors[row].deadband == 0.5

    async def scenario(app: Application) -> None:
        values = app.core.tags.value

        async def step(value: float, mark: float) -> None:
            """Serve `value`, then wait until the console has had every tick up to it (the marker's)."""
            sim.force(TAG, value)
            sim.force(MARKER, mark)
            await wait_until_async(lambda: values[marker] == mark, 10)

        sim.force(TAG, 10.0)
        await wait_until_async(lambda: values[row] == 10.0, 15)
        await step(10.3, 71.0)  # 0.3 from the last value sent: within the deadband
        assert values[row] == (10.0 if server_deadband else 10.3)
        await step(10.6, 72.0)  # 0.3 from the sample before, 0.6 from the last sent: beyond it
        assert values[row] == 10.6

    try:
        config = demo_config(url, broker.url, tmp_path, "deadband", opcua_server_deadband=server_deadband)
        run_app(config, scenario)
    finally:
        sim.stop()
