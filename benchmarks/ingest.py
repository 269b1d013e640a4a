"""Ingest throughput of the whole pipeline against the raw library limits, measured in one run.

    .venv/bin/python benchmarks/ingest.py [--seconds 8] [--messages 150000]

Prints:
- OPC UA samples/s through client → core → history, and the ratio to a raw asyncua client's notification
  rate on the same simulator server (the server runs in its own process, writing every tag every tick),
  unsecured and again with Basic256Sha256 SignAndEncrypt and a user on both clients;
- MQTT positions/s through paho → contract → core → map state, and the ratio to a raw paho subscriber doing
  only json.loads; both drain the same queue of messages the broker holds for their persistent session, so
  the publisher does not compete for the CPU while they are measured;
- time from process start to the first painted window, and the console's peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import paho.mqtt.client as mqtt
from asyncua import Client

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alarms.clock import Clock
from console.server.core import Core
from integrations.mqtt_source import MqttSource
from integrations.opcua_security import OpcUaSecurity, application_uri, own_certificate
from integrations.opcua_source import OpcUaSource
from integrations.simulator import Simulator
from integrations.simulator.opcua_server import ServerSecurity
from integrations.storage import Store, StoreWriter
from plant_maps.site import Site
from plant_maps.site_file import load_site
from plant_maps.wearables import PositionBatch
from tests.certificates import opcua_server_certificate
from tests.support import Broker, free_port, start_mosquitto

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "resources" / "plants" / "demo" / "site.toml"
POSITION_TOPIC = "site/demo/workers/+/position"


# -- OPC UA -------------------------------------------------------------------------------------------


USER, PASSWORD = "bench", "bench-password"


def _serve_opcua(
    url: str, ready: multiprocessing.Event, stop: multiprocessing.Event, security: ServerSecurity | None
) -> None:
    """Simulator server in its own process: every tag written every tick, as fast as it can."""

    async def main() -> None:
        sim = Simulator(
            load_site(DEMO), opcua_url=url, mqtt_url=None, update_hz=500.0, write_all=True, security=security
        )
        await sim.start()
        ready.set()
        while not stop.is_set():
            await asyncio.sleep(0.1)
        await sim.stop()

    asyncio.run(main())


async def _raw_opcua_rate(site: Site, url: str, seconds: float, security: OpcUaSecurity) -> float:
    count = 0

    class Handler:
        def datachange_notification(self, node: object, val: object, data: object) -> None:
            nonlocal count
            count += 1

    client = Client(url)
    if security.secured:  # the same policy, certificate and user, set the way asyncua's examples do it
        assert security.pki_dir is not None
        cert, key = own_certificate(security.pki_dir)
        client.application_uri = application_uri()
        await client.set_security_string(f"{security.policy},{security.mode},{cert},{key}")
        client.set_user(security.username)
        client.set_password(security.password)
    await client.connect()
    sub = await client.create_subscription(100, Handler())
    await sub.subscribe_data_change([client.get_node(s.path) for s in site.sensors if s.scheme == "opcua"])
    await asyncio.sleep(1.0)  # initial values and warm-up
    start_count, start = count, time.perf_counter()
    await asyncio.sleep(seconds)
    rate = (count - start_count) / (time.perf_counter() - start)
    await client.disconnect()
    return rate


async def _pipeline_opcua_rate(
    site: Site, url: str, seconds: float, db: str, security: OpcUaSecurity
) -> tuple[float, int]:
    writer = StoreWriter(Store(db), site)
    core = Core(site, Clock(), writer, "bench")
    source = OpcUaSource(  # every change, as the raw client gets them: the same work on both sides
        site, url, core, core.clock, publishing_interval_ms=100, security=security, server_deadband=False
    )
    task = asyncio.create_task(source.run())
    while source.status.state.value != "connected":
        await asyncio.sleep(0.05)
    await asyncio.sleep(1.0)
    start_count, start = int(core.tags.updates.sum()), time.perf_counter()
    await asyncio.sleep(seconds)
    rate = (int(core.tags.updates.sum()) - start_count) / (time.perf_counter() - start)
    await source.stop()
    await task
    writer.close()
    rows = len(Store(db).history(site.sensors[0].id))
    return rate, rows


def bench_opcua(seconds: float, secured: bool) -> None:
    site = load_site(DEMO)
    url = f"opc.tcp://127.0.0.1:{free_port()}/bench/"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        server_security, security = None, OpcUaSecurity()
        if secured:
            cert, key = opcua_server_certificate(folder)
            server_security = ServerSecurity(("Basic256Sha256_SignAndEncrypt",), cert, key, {USER: PASSWORD})
            pki = folder / "pki"
            (pki / "trusted").mkdir(parents=True)
            shutil.copy(cert, pki / "trusted")
            security = OpcUaSecurity(
                "Basic256Sha256", "SignAndEncrypt", pki, username=USER, password=PASSWORD
            )
        ctx = multiprocessing.get_context("spawn")
        ready, stop = ctx.Event(), ctx.Event()
        server = ctx.Process(target=_serve_opcua, args=(url, ready, stop, server_security), daemon=True)
        server.start()
        if not ready.wait(30):
            raise SystemExit("OPC UA simulator did not start")
        try:
            raw = asyncio.run(_raw_opcua_rate(site, url, seconds, security))
            ours, rows = asyncio.run(
                _pipeline_opcua_rate(site, url, seconds, f"sqlite:///{tmp}/bench.db", security)
            )
        finally:
            stop.set()
            server.join(10)
    link = "SignAndEncrypt" if secured else "unsecured"
    print(f"opcua raw asyncua client ({link}) {raw:10,.0f} notifications/s")
    print(
        f"opcua client→core→history ({link}) {ours:10,.0f} samples/s   ratio {ours / raw:.2f} (target >= 0.8)"
    )
    print(f"      history rows of {site.sensors[0].id} kept by the deadband: {rows}")


# -- MQTT ---------------------------------------------------------------------------------------------


def _fill_queue(broker: Broker, site: Site, messages: int) -> None:
    """Publish `messages` positions, then one QoS 1 marker: once it is acknowledged, all are queued."""
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="bench-publisher")
    client.max_queued_messages_set(0)
    client.connect(broker.host, broker.port)
    client.loop_start()
    ts = datetime.now(UTC).isoformat(timespec="milliseconds")
    workers = [w.id for w in site.workers]
    for i in range(messages):
        payload = json.dumps(
            {"x": i % 400 * 1.0, "y": i % 260 * 1.0, "floor": 0, "accuracy_m": 0.5, "ts": ts}
        )
        client.publish(f"site/demo/workers/{workers[i % len(workers)]}/position", payload)
    client.publish("bench/done", b"1", qos=1).wait_for_publish(120)
    client.loop_stop()
    client.disconnect()


def _raw_paho_rate(broker: Broker, site: Site, messages: int) -> float:
    received = 0
    first = last = 0.0
    done = threading.Event()

    def on_message(client: mqtt.Client, userdata: object, msg: mqtt.MQTTMessage) -> None:
        nonlocal received, first, last
        json.loads(msg.payload)
        received += 1
        if received == 1:
            first = time.perf_counter()
        if received == messages:
            last = time.perf_counter()
            done.set()

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="bench-raw", clean_session=False)
    client.on_message = on_message
    subscribed = threading.Event()
    client.on_subscribe = lambda *a: subscribed.set()
    client.connect(broker.host, broker.port)
    client.loop_start()
    client.subscribe(POSITION_TOPIC, qos=0)
    subscribed.wait(10)
    client.disconnect()
    client.loop_stop()
    _fill_queue(broker, site, messages)
    client.reconnect()
    client.loop_start()
    if not done.wait(300):
        raise SystemExit(f"raw subscriber got only {received} of {messages}")
    client.disconnect()
    client.loop_stop()
    return (messages - 1) / (last - first)


class _TimedCore(Core):
    """The real core, noting when the first and the latest positions reached it and how many."""

    received = 0
    first = last = 0.0

    def on_positions(self, batch: PositionBatch) -> None:
        self.last = time.perf_counter()
        if self.received == 0:
            self.first = self.last
        self.received += len(batch)
        super().on_positions(batch)


def _pipeline_mqtt_rate(broker: Broker, site: Site, messages: int) -> float:
    async def main() -> float:
        loop = asyncio.get_running_loop()
        with tempfile.TemporaryDirectory() as tmp:
            writer = StoreWriter(Store(f"sqlite:///{tmp}/bench.db"), site)
            core = _TimedCore(site, Clock(), writer, "bench")
            source = MqttSource(site, broker.url, core, loop, core.clock, client_id="bench-pipeline")
            source.start()
            while source.status.state.value != "connected":
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.3)  # subscription acknowledged
            await loop.run_in_executor(None, source.stop)
            await loop.run_in_executor(None, _fill_queue, broker, site, messages)
            source.start()
            deadline = time.perf_counter() + 300
            while core.received < messages and time.perf_counter() < deadline:
                await asyncio.sleep(0.05)
            await loop.run_in_executor(None, source.stop)
            writer.close()
            if core.received < messages:
                raise SystemExit(f"pipeline got only {core.received} of {messages}")
            return (messages - 1) / (core.last - core.first)

    return asyncio.run(main())


def bench_mqtt(messages: int, rounds: int) -> None:
    """Best of `rounds` alternating runs each: the two share the machine with the broker, and a stray
    scheduling hiccup should not decide the ratio."""
    site = load_site(DEMO)
    raw = ours = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        broker = start_mosquitto(
            Path(tmp), extra_config="queue_qos0_messages true\nmax_queued_messages 0\nmax_queued_bytes 0\n"
        )
        try:
            for _ in range(rounds):
                raw = max(raw, _raw_paho_rate(broker, site, messages))
                ours = max(ours, _pipeline_mqtt_rate(broker, site, messages))
        finally:
            broker.stop()
    print(f"mqtt raw paho + json.loads    {raw:10,.0f} positions/s (best of {rounds})")
    print(
        f"mqtt paho→contract→core       {ours:10,.0f} positions/s   ratio {ours / raw:.2f} (target >= 0.8, >= 20,000/s)"
    )


# -- start-up and memory ---------------------------------------------------------------------------------


def bench_startup() -> None:
    """Run the real console (with its in-process simulator) until its first screenshot, in a child."""
    with tempfile.TemporaryDirectory() as tmp:
        broker = start_mosquitto(Path(tmp))
        try:
            started = time.perf_counter()
            proc = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "console",
                    "--mqtt-url",
                    broker.url,
                    "--opcua-url",
                    f"opc.tcp://127.0.0.1:{free_port()}/bench/",
                    "--database-url",
                    f"sqlite:///{tmp}/console.db",
                    "--screenshot",
                    f"{tmp}/shot.png",
                ],
                cwd=REPO,
                capture_output=True,
                text=True,
                timeout=120,
                env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
            )
            total = time.perf_counter() - started
        finally:
            broker.stop()
    painted = re.search(r"first paint ([\d.]+) s after process start", proc.stderr)
    data = re.search(r"first data on screen ([\d.]+) s after process start", proc.stderr)
    if proc.returncode != 0 or painted is None or data is None:
        raise SystemExit(f"console failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"start to first painted window {float(painted.group(1)):10.2f} s")
    print(f"start to data on screen       {float(data.group(1)):10.2f} s (target < 5)")
    print(f"start to screenshot and exit  {total:10.2f} s (0.5 s more for the screenshot, and the shutdown)")
    print(f"console peak RSS              {peak_mb:10.0f} MB (with the in-process simulator)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="OPC UA measuring window per client")
    parser.add_argument("--messages", type=int, default=150_000, help="MQTT positions per subscriber")
    parser.add_argument("--rounds", type=int, default=3, help="MQTT runs per subscriber (best counts)")
    parser.add_argument("--opcua-only", action="store_true", help="only the two OPC UA measurements")
    args = parser.parse_args()
    bench_opcua(args.seconds, secured=False)
    bench_opcua(args.seconds, secured=True)
    if args.opcua_only:
        return
    bench_mqtt(args.messages, args.rounds)
    bench_startup()


if __name__ == "__main__":
    main()
