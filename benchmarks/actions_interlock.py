"""Interlock execute → feedback verified, against a raw asyncua write + feedback round trip (target <= 1.5).

    .venv/bin/python -m benchmarks.actions_interlock [--runs 30] [--delay 0.2] [--publishing-ms 100]

One demo plant: the simulator's OPC UA server (its PLC confirms a command after `--delay` s) and its MQTT
publisher (workers walking, wearables, MQTT sensors) on a private Mosquitto. First the baseline: a bare
asyncua client writes IL-CH-TRIP's command node and waits for its feedback node's data change, trip and
reset alternately, subscribed at the console's publishing interval. Then the console under the full demo
ingest (the core with its OPC UA and MQTT sources, alarms, journal and audit trail): `ExecuteInterlock` of
an armed selection until its supervision says the feedback followed (arming is not timed: a person reads
the confirmation in between). Both times are printed minus the PLC's simulated delay, p50 and p99, and
their ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import time

from asyncua import Client, ua

from benchmarks.demo_rig import demo_rig
from benchmarks.measure import percentile
from console.composition import Application
from console.config import AppConfig
from console.server.session import ArmInterlock, ExecuteInterlock, ResetInterlock

IL = "IL-CH-TRIP"
TARGET = 1.5


class _Feedback:
    """asyncua data-change handler: the latest feedback value and an event per change."""

    def __init__(self) -> None:
        self.value: bool | None = None
        self.changed = asyncio.Event()

    def datachange_notification(self, node: object, val: bool, data: object) -> None:
        self.value = val
        self.changed.set()


async def raw_round_trips(url: str, runs: int, publishing_ms: float) -> list[float]:
    """Seconds from a bare write of the command to the feedback's data change, trip and reset in turn."""
    async with Client(url, timeout=4.0) as client:
        command = client.get_node(f"ns=2;s={IL}.CMD")
        handler = _Feedback()
        sub = await client.create_subscription(publishing_ms, handler)
        await sub.subscribe_data_change(client.get_node(f"ns=2;s={IL}.FB"), sampling_interval=0.0)
        while handler.value is None:
            await asyncio.wait_for(handler.changed.wait(), 10)
            handler.changed.clear()
        times = []
        for i in range(runs):
            target = i % 2 == 0
            handler.changed.clear()
            started = time.perf_counter()
            await command.write_value(ua.DataValue(ua.Variant(target, ua.VariantType.Boolean)))
            while handler.value is not target:
                await asyncio.wait_for(handler.changed.wait(), 10)
                handler.changed.clear()
            times.append(time.perf_counter() - started)
        await sub.delete()
        return times


async def console_executions(config: AppConfig, runs: int) -> list[float]:
    """Seconds from ExecuteInterlock to the console's verified feedback, trip and reset in turn."""
    app = Application(config)
    await app.start()
    try:
        core = app.core
        deadline = time.monotonic() + 20
        while not (core.alarms.interlocks.latest(IL) and core.alarms.interlocks.latest(IL).feedback is False):
            if time.monotonic() > deadline:
                raise TimeoutError("the console never read the interlock")
            await asyncio.sleep(0.05)
        times = []
        for i in range(runs):
            arm = ArmInterlock if i % 2 == 0 else ResetInterlock
            armed = await core.command(arm("bench", IL))
            assert armed.ok, armed.message
            started = time.perf_counter()
            executed = await core.command(ExecuteInterlock("bench", IL))
            assert executed.ok, executed.message
            supervision = core.interlocks.supervision(IL)
            if supervision is not None:
                assert await asyncio.wait_for(supervision, 15), "the feedback did not follow"
            times.append(time.perf_counter() - started)
            await asyncio.sleep(0.1)  # the rest of the plant catches up, as between two people's clicks
        return times
    finally:
        await app.stop()


def _ms(values: list[float], delay: float, q: float) -> float:
    return (percentile(values, q) - delay) * 1000


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30, help="trips and resets in turn: an even number")
    parser.add_argument("--delay", type=float, default=0.2, help="the simulated PLC's confirmation delay, s")
    parser.add_argument("--publishing-ms", type=float, default=100.0)
    args = parser.parse_args(argv)
    if args.runs < 2 or args.runs % 2:
        parser.error(
            "--runs must be even (at least 2): each trip is followed by its reset, so that the PLC ends where it began"
        )
    with demo_rig(args.publishing_ms, plant_mqtt=True, interlock_delay_s=args.delay) as demo:
        raw = asyncio.run(raw_round_trips(demo.config.opcua_url, args.runs, args.publishing_ms))
        console = asyncio.run(console_executions(demo.config, args.runs))
    print(
        f"interlock execute -> feedback verified, minus the PLC's {args.delay * 1000:.0f} ms, {args.runs} runs"
    )
    print(
        f"  raw asyncua write + feedback: p50 {_ms(raw, args.delay, 50):6.1f} ms  p99 {_ms(raw, args.delay, 99):6.1f} ms"
    )
    print(
        f"  console (full demo ingest):   p50 {_ms(console, args.delay, 50):6.1f} ms"
        f"  p99 {_ms(console, args.delay, 99):6.1f} ms"
    )
    for q in (50, 99):
        ratio = _ms(console, args.delay, q) / _ms(raw, args.delay, q)
        verdict = "ok" if ratio <= TARGET else "OVER TARGET"
        print(f"  ratio p{q}: {ratio:.2f} (target <= {TARGET}) {verdict}")


if __name__ == "__main__":
    main()
