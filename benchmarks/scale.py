"""A whole plant on one console (issue 18): a headless console on a generated plant, nothing lost.

    .venv/bin/python benchmarks/scale.py [--tags 20000] [--workers 2000] [--minutes 5] [--runs 3] [--share F]

The plant (`controlroom simulate --scale`: integrations/simulator/plant_generator.py) is served by the
simulator in a process of its own, publishing to a private Mosquitto; the console (the real Application,
headless, on SQLite in a temporary folder) runs in another, so that its CPU and memory are its own. Two cases:
every tag changing every second, and 5 % of them (`--share` picks). Per case, the median of `--runs`:
- OPC UA samples/s sent by the server and received by the console, and samples lost (sent - received); the
  same for MQTT messages (positions and vitals). Counted over the measuring window: the plant is held still
  at both ends until the console shows every value last written and MQTT is quiet, so nothing is in flight;
- reconnects of both sources in the window (and before it), the writer's backlog (queued batches) at the window's start, middle and end;
- journal rows written (alarm and event journal), and how many are a tag's own COMM alarm (must be 0);
- the console's CPU % over the window and its peak RSS (VmHWM), read from /proc (two --tags give RSS per tag);
- start to every tag valued: from building the console (site file read included) to a value for every tag;
- the longest loop stall of the server and of the console over the window.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from multiprocessing.queues import Queue
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
import sqlalchemy as sa

from benchmarks.measure import until
from integrations.simulator.plant_generator import generate_site
from tests.support import free_port, start_mosquitto

CASES = {1.0: "all tags every second", 0.05: "5 % of the tags every second"}
SETTLE_S = 60.0  # how long a held plant may take to show its last values at the console
QUIET_S = 2.0  # MQTT is drained once no message came for this long
BACKLOG_EVERY_S = 5.0
_TICKS = os.sysconf("SC_CLK_TCK")


# -- the simulator's process ---------------------------------------------------------------------------


def _serve(site_file: str, url: str, mqtt_url: str, share: float, conn: Connection) -> None:
    """The plant, answering `hold` (its counters and the values last written), `go` and `stop` on `conn`."""
    from integrations.simulator import Simulator
    from integrations.simulator.loop_stall import LoopStall
    from integrations.simulator.runner import settle_server_heap
    from plant_maps.site_file import load_site

    async def main() -> None:
        sim = Simulator(load_site(site_file), url, mqtt_url, change_share=share)
        await sim.start()
        settle_server_heap()
        stall = LoopStall()
        watch = asyncio.create_task(stall.run())
        conn.send("ready")
        while (command := await asyncio.to_thread(conn.recv)) != "stop":
            if command == "hold":
                await sim.hold()
                conn.send(
                    {
                        "samples": sim.samples_sent,
                        "messages": sim.messages_sent,
                        "values": sim.server.values,
                        "stall_s": stall.take(),
                        "rss_mb": _proc_status("VmRSS"),
                    }
                )
            elif command == "go":
                stall.take()
                sim.sending = True
        watch.cancel()
        await sim.stop()

    asyncio.run(main())


# -- the console's process -----------------------------------------------------------------------------


def _console(site_file: str, url: str, mqtt_url: str, folder: str, minutes: float, plant: Connection) -> dict:
    """One run: start the console, wait for every tag and worker, measure a window, stop; the figures."""
    from console.composition import Application
    from console.config import AppConfig
    from integrations.simulator.loop_stall import LoopStall
    from plant_maps.alarm_rules import tag_comm_alarm

    def ask(command: str) -> Any:
        plant.send(command)
        return plant.recv() if command == "hold" else None

    async def main() -> dict:
        started = time.monotonic()
        database = f"sqlite:///{folder}/console.db"
        config = AppConfig(
            site_file=Path(site_file),
            opcua_url=url,
            mqtt_url=mqtt_url,
            database_url=database,
            simulator=False,
            console_name="scale-bench",
            operator="bench",
        )
        app = Application(config)
        await app.start()
        core, opcua, mqtt = app.core, app.opcua, app.mqtt
        assert opcua is not None and mqtt is not None
        rows = np.array(opcua.rows)
        await until(lambda: (core.tags.updates[rows] > 0).all(), 600, "a value for every tag")
        valued_s = time.monotonic() - started
        await until(lambda: not np.isnan(core.workers.x).any(), 60, "a position for every worker")

        async def held() -> tuple[dict, int, int]:
            """Hold the plant; once the console shows every value last written and MQTT was quiet for
            QUIET_S, nothing is in flight. Values that never come count as lost."""
            plant_now = await asyncio.to_thread(ask, "hold")
            with contextlib.suppress(TimeoutError):
                await until(
                    lambda: np.array_equal(core.tags.value[rows], plant_now["values"]),
                    SETTLE_S,
                    "the last values at the console",
                )
            heard = -1
            while heard != mqtt.status.messages:
                heard = mqtt.status.messages
                await asyncio.sleep(QUIET_S)
            return plant_now, int(core.tags.updates[rows].sum()), mqtt.status.messages

        before, received0, heard0 = await held()
        reconnects0 = opcua.status.reconnects + mqtt.status.reconnects
        stall = LoopStall()
        watch = asyncio.create_task(stall.run())
        cpu0, wall0 = _cpu_s(), time.monotonic()
        await asyncio.to_thread(ask, "go")
        backlog = [app.writer.queued]
        window = minutes * 60
        while (elapsed := time.monotonic() - wall0) < window:
            await asyncio.sleep(min(BACKLOG_EVERY_S, window - elapsed))
            backlog.append(app.writer.queued)
        cpu1, wall1 = _cpu_s(), time.monotonic()
        after, received1, heard1 = await held()
        watch.cancel()
        seconds = wall1 - wall0  # what arrives while held was sent in the window
        sent, received = after["samples"] - before["samples"], received1 - received0
        published, heard = after["messages"] - before["messages"], heard1 - heard0
        reconnects = opcua.status.reconnects + mqtt.status.reconnects
        tag_comm = {tag_comm_alarm(s.id) for s in app.site.sensors}
        await app.stop()
        events, alarms, tag_alarms = _journal_rows(database, tag_comm)
        return {
            "sent/s": sent / seconds,
            "received/s": received / seconds,
            "lost": sent - received,
            "mqtt sent/s": published / seconds,
            "mqtt received/s": heard / seconds,
            "mqtt lost": published - heard,
            "reconnects at start": reconnects0,
            "reconnects": reconnects - reconnects0,
            "backlog": (backlog[0], backlog[len(backlog) // 2], backlog[-1]),
            "event rows": events,
            "alarm rows": alarms,
            "tag COMM rows": tag_alarms,
            "cpu %": 100 * (cpu1 - cpu0) / seconds,
            "peak RSS MB": _proc_status("VmHWM"),
            "start to all valued s": valued_s,
            "server stall ms": after["stall_s"] * 1000,
            "console stall ms": stall.take() * 1000,
            "server RSS MB": after["rss_mb"],
        }

    return asyncio.run(main())


def _journal_rows(url: str, tag_comm: set[str]) -> tuple[int, int, int]:
    """Event journal rows, alarm journal rows, and alarm rows of a tag's own COMM alarm."""
    engine = sa.create_engine(url)
    with engine.connect() as c:
        events = c.execute(sa.text("SELECT count(*) FROM event_journal")).scalar_one()
        alarms = c.execute(sa.text("SELECT count(*) FROM alarm_journal")).scalar_one()
        comm = c.execute(sa.text("SELECT alarm_id FROM alarm_journal WHERE alarm_id LIKE '%.COMM'")).scalars()
        tag_alarms = sum(1 for alarm_id in comm if alarm_id in tag_comm)
    engine.dispose()
    return events, alarms, tag_alarms


def _cpu_s() -> float:
    """User + system CPU seconds of this process, from /proc/self/stat."""
    fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def _proc_status(key: str) -> float:
    """A memory line of /proc/self/status (VmRSS, VmHWM) in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(key)


def _console_entry(
    site_file: str, url: str, mqtt_url: str, folder: str, minutes: float, plant: Connection, out: Queue
) -> None:
    try:
        out.put(_console(site_file, url, mqtt_url, folder, minutes, plant))
    except BaseException as exc:
        out.put(RuntimeError(repr(exc)))
        raise


# -- the runs ------------------------------------------------------------------------------------------


def run_once(site_file: Path, broker_url: str, folder: Path, share: float, minutes: float) -> dict:
    """A fresh simulator and a fresh console for one measured window."""
    ctx = multiprocessing.get_context("spawn")
    url = f"opc.tcp://127.0.0.1:{free_port()}/scale/"
    ours, theirs = ctx.Pipe()
    server = ctx.Process(target=_serve, args=(str(site_file), url, broker_url, share, theirs), daemon=True)
    server.start()
    if not ours.poll(600) or ours.recv() != "ready":
        raise SystemExit("the simulator did not start")
    results: Queue = ctx.Queue()
    args = (str(site_file), url, broker_url, str(folder), minutes, ours, results)
    console = ctx.Process(target=_console_entry, args=args)
    console.start()
    try:
        result = results.get(timeout=minutes * 60 + 1800)
    finally:
        console.join(120)
        ours.send("stop")
        server.join(60)
    if isinstance(result, BaseException):
        raise SystemExit(f"the console failed: {result}")
    return result


def _median(runs: list[dict], key: str) -> Any:
    values = [r[key] for r in runs]
    if isinstance(values[0], tuple):
        return tuple(statistics.median(v) for v in zip(*values, strict=True))
    return statistics.median(values)


def _print(tags: int, workers: int, name: str, minutes: float, runs: list[dict]) -> None:
    m = {key: _median(runs, key) for key in runs[0]}
    print(f"\n{tags:,} tags, {workers:,} workers, {name} (median of {len(runs)} x {minutes:g} min)")
    for label, sent, received, lost in (
        ("OPC UA", "sent/s", "received/s", "lost"),
        ("MQTT  ", "mqtt sent/s", "mqtt received/s", "mqtt lost"),
    ):
        print(
            f"  {label} sent {m[sent]:9,.0f}/s  received {m[received]:9,.0f}/s  "
            f"ratio {m[received] / max(m[sent], 1e-9):.3f}  lost {m[lost]:,.0f}"
        )
    start, middle, end = m["backlog"]
    print(
        f"  reconnects {m['reconnects']:.0f} (before the window: {m['reconnects at start']:.0f}); "
        f"writer backlog start/middle/end {start:.0f}/{middle:.0f}/{end:.0f}"
    )
    print(
        f"  journal rows: {m['alarm rows']:.0f} alarm, {m['event rows']:.0f} event; "
        f"a tag's own COMM alarm: {m['tag COMM rows']:.0f} rows"
    )
    print(
        f"  console CPU {m['cpu %']:.0f} %, peak RSS {m['peak RSS MB']:.0f} MB "
        f"; simulator RSS {m['server RSS MB']:.0f} MB"
    )
    print(f"  start to every tag valued {m['start to all valued s']:.1f} s")
    print(
        f"  longest loop stall: server {m['server stall ms']:.0f} ms, console {m['console stall ms']:.0f} ms"
    )
    if len(runs) > 1:
        print(
            "  lost per run (OPC UA / MQTT): " + ", ".join(f"{r['lost']:,}/{r['mqtt lost']:,}" for r in runs)
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tags", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2_000)
    parser.add_argument("--minutes", type=float, default=5.0, help="measuring window per run")
    parser.add_argument("--runs", type=int, default=3, help="runs per case (the median is printed)")
    parser.add_argument("--share", type=float, action="append", help="only this change rate (repeatable)")
    args = parser.parse_args()
    shares = args.share or list(CASES)
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        site_file = folder / "plant.toml"
        site_file.write_text(generate_site(args.tags, args.workers), encoding="utf-8")
        broker = start_mosquitto(folder)
        try:
            for share in shares:
                runs = []
                for k in range(args.runs):
                    run_folder = folder / f"{share}-{k}"
                    run_folder.mkdir()
                    runs.append(run_once(site_file, broker.url, run_folder, share, args.minutes))
                name = CASES.get(share, f"{share:.0%} of the tags every second")
                _print(args.tags, args.workers, name, args.minutes, runs)
        finally:
            broker.stop()
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
