"""What asking the server to filter saves: OPC UA samples the console receives from the demo plant with each
tag's deadband as a DataChangeFilter, against every change, on the same simulator server in one run.

    .venv/bin/python benchmarks/deadband.py [--seconds 30] [--runs 3]

Prints, per run and as the median: samples/s received unfiltered and filtered, their ratio (what the server
no longer sends), and history rows stored in either case (the history deadband keeps the same samples,
so these should be about equal: the filter drops only what history would drop).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alarms.clock import Clock
from console.server.core import Core
from integrations.opcua_source import OpcUaSource
from integrations.simulator import SimulatorThread
from integrations.storage import Store, StoreWriter
from plant_maps.site_file import load_site
from tests.support import free_port

DEMO = Path(__file__).resolve().parent.parent / "resources" / "plants" / "demo" / "site.toml"


async def received(url: str, seconds: float, server_deadband: bool, db: str) -> tuple[float, int]:
    """Samples/s the console receives over `seconds` after its initial values, and history rows stored."""
    site = load_site(DEMO)
    writer = StoreWriter(Store(db), site)
    core = Core(site, Clock(), writer, "bench")
    source = OpcUaSource(site, url, core, core.clock, server_deadband=server_deadband)
    task = asyncio.create_task(source.run())
    while source.status.state.value != "connected":
        await asyncio.sleep(0.05)
    await asyncio.sleep(2.0)  # the initial values
    first, start = source.status.messages, time.perf_counter()
    await asyncio.sleep(seconds)
    rate = (source.status.messages - first) / (time.perf_counter() - start)
    await source.stop()
    await task
    writer.close()
    rows = sum(len(Store(db).history(s.id)) for s in site.sensors if s.scheme == "opcua")
    return rate, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    site = load_site(DEMO)
    ratios = []
    for run in range(args.runs):
        url = f"opc.tcp://127.0.0.1:{free_port()}/deadband/"
        sim = SimulatorThread(site, opcua_url=url, update_hz=10.0)
        sim.start()
        try:
            with tempfile.TemporaryDirectory() as tmp:
                every, every_rows = asyncio.run(received(url, args.seconds, False, f"sqlite:///{tmp}/a.db"))
                some, some_rows = asyncio.run(received(url, args.seconds, True, f"sqlite:///{tmp}/b.db"))
        finally:
            sim.stop()
        ratios.append(some / every)
        print(
            f"run {run + 1}: unfiltered {every:7.1f} samples/s ({every_rows} history rows), "
            f"filtered {some:7.1f} samples/s ({some_rows} history rows), ratio {some / every:.3f}"
        )
    print(f"median filtered / unfiltered: {statistics.median(ratios):.3f} (the server sends this share)")


if __name__ == "__main__":
    main()
