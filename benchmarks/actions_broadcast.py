"""Broadcast press -> every PA zone "playing", over MQTT with the simulated gateways (target p99 < 1 s).

    .venv/bin/python -m benchmarks.actions_broadcast [--samples 30] [--pings 100] [--nodelay]

A private Mosquitto; the demo plant simulator with OPC UA, its MQTT publisher (the workers walking, the
wireless detectors) and a PA gateway per PA zone, speech 50 times faster so that each call is done before
the next; the real windowed console (fresh SQLite) on a qasync loop. Each sample opens the Broadcast dialog
on every PA zone with a preset and clicks Send; the latency is from the click to the moment the core has
heard "playing" from every zone (journal commit, audit, five announcements and wearable messages out, the
gateways' replies in). The ratio base is the raw MQTT round trip on the same broker: a paho client
publishes at QoS 1, a second one answers at QoS 1, and the first hears the answer. Mosquitto's default
leaves Nagle's algorithm on for its clients (`set_tcp_nodelay false`), which adds tens of milliseconds to
both; `--nodelay` runs the broker with it off.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import threading
import time
import uuid
from pathlib import Path

import paho.mqtt.client as mqtt
import qasync
from PySide6.QtWidgets import QApplication

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.demo_rig import DEMO, demo_rig
from benchmarks.measure import percentile, until
from console.config import AppConfig
from console.server.broadcasts import BroadcastCall, ZoneState
from console.server.session import Topic
from console.window.gui import WindowedConsole
from plant_maps.site_file import load_site
from tests.support import Broker
from widgets.common.theme import apply_theme

TARGET_S = 1.0


def raw_round_trips(broker: Broker, pings: int) -> list[float]:
    """Seconds from a QoS 1 publish to hearing the QoS 1 answer of a second client, `pings` times."""
    answered = threading.Event()
    topic = f"bench/{uuid.uuid4().hex[:8]}"

    def client(name: str) -> mqtt.Client:
        c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"{name}-{uuid.uuid4().hex[:6]}")
        c.connect(broker.host, broker.port)
        c.loop_start()
        return c

    asker, answerer = client("asker"), client("answerer")
    asker.on_message = lambda *_: answered.set()
    answerer.on_message = lambda c, _u, m: c.publish(f"{topic}/pong", m.payload, qos=1)
    asker.subscribe(f"{topic}/pong", qos=1)
    answerer.subscribe(f"{topic}/ping", qos=1)
    time.sleep(0.5)  # both subscriptions in place
    times = []
    try:
        for i in range(pings):
            answered.clear()
            started = time.perf_counter()
            asker.publish(f"{topic}/ping", str(i), qos=1)
            if not answered.wait(5):
                raise TimeoutError("no answer within 5 s")
            times.append(time.perf_counter() - started)
    finally:
        for c in (asker, answerer):
            c.loop_stop()
            c.disconnect()
    return times


async def press_to_playing(console: WindowedConsole, samples: int) -> list[float]:
    """Seconds from the Send click to every zone playing, `samples` times."""
    core, view = console.app.core, console.broadcast
    playing_at: dict[str, float] = {}

    def moved(calls: list[BroadcastCall]) -> None:
        for call in calls:
            if call.id not in playing_at and all(
                d.state in (ZoneState.PLAYING, ZoneState.DONE) for d in call.zones.values()
            ):
                playing_at[call.id] = time.perf_counter()

    core.subscribe(Topic.BROADCASTS, moved)
    assert console.app.pa_link is not None and await console.app.pa_link.ready(10)
    all_zones = tuple(p.id for p in core.site.pa_zones)
    times = []
    for _ in range(samples):
        view.open_dialog(all_zones, "STOP-WORK")
        dialog = view.dialog
        assert dialog is not None
        before = set(core.broadcasts.calls)
        pressed = time.perf_counter()
        dialog.send_button.click()
        await until(lambda before=before: set(core.broadcasts.calls) - before, 10, "the call sent")
        [call_id] = set(core.broadcasts.calls) - before
        await until(lambda call_id=call_id: call_id in playing_at, 10, "every zone playing")
        times.append(playing_at[call_id] - pressed)
        call = core.broadcasts.calls[call_id]
        await until(lambda call=call: call.closed, 30, "the call done everywhere")
        dialog.reject()
        await until(lambda: view.dialog is None, 5, "the dialog closed")
    return times


def run(samples: int, pings: int, nodelay: bool) -> None:
    nagle = "set_tcp_nodelay true\n" if nodelay else ""
    with demo_rig(plant_mqtt=True, broker_config=nagle, time_scale=50.0) as rig:
        raw = raw_round_trips(rig.broker, pings)
        pressed = _on_window(rig.config, samples)
    raw_p50, raw_p99 = percentile(raw, 50), percentile(raw, 99)
    p50, p99 = percentile(pressed, 50), percentile(pressed, 99)
    zones = len(load_site(DEMO).pa_zones)
    print(
        f"raw MQTT QoS 1 publish -> reply ({pings}):  p50 {raw_p50 * 1000:.1f} ms  p99 {raw_p99 * 1000:.1f} ms"
    )
    print(
        f"broadcast press -> all {zones} zones playing ({samples}):  p50 {p50 * 1000:.1f} ms  "
        f"p99 {p99 * 1000:.1f} ms  max {max(pressed) * 1000:.1f} ms  (target p99 < {TARGET_S * 1000:.0f} ms: "
        f"{'met' if p99 < TARGET_S else 'NOT met'})"
    )
    print(f"ratio to the raw round trip:  p50 {p50 / raw_p50:.1f}x  p99 {p99 / raw_p99:.1f}x")


def _on_window(config: AppConfig, samples: int) -> list[float]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(qapp, QApplication)
    apply_theme(qapp)
    qapp.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)

    async def main() -> list[float]:
        console = WindowedConsole(config)
        await console.app.start()
        try:
            return await press_to_playing(console, samples)
        finally:
            await console.close()

    try:
        return loop.run_until_complete(main())
    finally:
        loop.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=30, help="broadcasts to every PA zone")
    parser.add_argument("--pings", type=int, default=100, help="raw MQTT round trips")
    parser.add_argument("--nodelay", action="store_true", help="the broker with Nagle's algorithm off")
    ns = parser.parse_args(argv)
    run(ns.samples, ns.pings, ns.nodelay)


if __name__ == "__main__":
    main()
