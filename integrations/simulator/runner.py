"""The demo plant as one object: dynamics and a scenario feeding a real OPC UA server and an MQTT publisher.

`Simulator` runs on an asyncio loop (the `controlroom simulate` command: `run_simulator`);
`SimulatorThread` gives it a loop of its own in a daemon thread, which is how the console runs the demo
plant in-process and how tests drive it. Both can be stopped and started again: the plant keeps its state
(and its running scenario) across a restart, as a real plant does while its server is down.

Two tasks step the plant: one writes OPC UA at `update_hz`, one publishes MQTT at 1 Hz (vitals every
VITALS_EVERY ticks). A tick that comes late is not caught up: the next one is simply due a period later.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import gc
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import numpy as np

from alarms.clock import Clock
from integrations.mqtt_source import broker_address
from integrations.simulator.change_share import ChangeShare
from integrations.simulator.dynamics import PlantDynamics
from integrations.simulator.loop_stall import LoopStall
from integrations.simulator.mqtt_publisher import MqttPublisher
from integrations.simulator.opcua_server import PlantServer, ServerSecurity
from integrations.simulator.pa_gateways import PaGateways, check_fault
from integrations.simulator.scenarios import Scenario, check_scenario, make_scenario
from plant_maps.site import Site
from plant_maps.wearables import WearableEvent

log = logging.getLogger(__name__)

MQTT_PERIOD_S = 1.0  # positions and wireless detectors at 1 Hz
VITALS_EVERY = 5  # vitals every 5th MQTT tick: every 5 s
REPORT_S = 60.0  # `controlroom simulate` logs what it sent this often
# A stand-alone simulator's full collection comes after 100,000 of the middle one (Python: 10): about once
# an hour at 20,000 values a second.
FULL_GC_EVERY = 100_000
T = TypeVar("T")


class Simulator:
    """The demo plant on one asyncio loop. Every method runs on that loop's thread.

    `write_all` writes every tag every tick (benchmarks); otherwise only tags whose value changed.
    `change_share` (0..1) lets only that share of the tags change per OPC UA tick (a large plant's ~5 %);
    None: every tag moves as the dynamics say. While `sending` is False the server stays up but nothing is
    written or published; `samples_sent` and `messages_sent` count what was (benchmarks compare them with
    what arrived).
    `time_scale` runs scenarios faster than real time (tests). `interlock_delay_s` is how long the
    simulated PLC takes to confirm an interlock command. `security` serves secured endpoints and users.
    """

    def __init__(
        self,
        site: Site,
        opcua_url: str,
        mqtt_url: str | None = None,
        scenario: str = "normal",
        prefix: str = "site",
        update_hz: float = 1.0,
        seed: int = 0,
        *,
        write_all: bool = False,
        time_scale: float = 1.0,
        interlock_delay_s: float = 1.0,
        clock: Clock | None = None,
        security: ServerSecurity | None = None,
        pa_faults: dict[str, str] | None = None,
        change_share: float | None = None,
    ) -> None:
        check_scenario(scenario)  # wrong settings fail here, before any socket is opened
        if mqtt_url is not None:
            broker_address(mqtt_url)
        if update_hz <= 0 or time_scale <= 0 or interlock_delay_s < 0:
            raise ValueError("update_hz and time_scale must be > 0, interlock_delay_s >= 0")
        self.site = site
        self.opcua_url = opcua_url
        self.mqtt_url = mqtt_url
        self.prefix = prefix
        self.update_hz = update_hz
        self.write_all = write_all
        self.time_scale = time_scale
        self.clock = clock or Clock()
        self.plant = PlantDynamics(site, seed, t0=self.clock.now())
        self.server = PlantServer(site, opcua_url, interlock_delay_s, security)
        deadband = np.array([s.deadband for s in site.sensors])
        self._share = (
            None if change_share is None else ChangeShare(len(deadband), change_share, seed, deadband)
        )
        self.sending = True
        self.samples_sent = 0  # OPC UA values written by the update task
        self._writing = asyncio.Lock()  # held while a tick's values are written; one per start (per loop)
        self.scenario: Scenario | None = None  # begins at the first start() unless set before
        self.ticks = 0  # OPC UA update ticks done, for benchmarks
        self._first_scenario = scenario
        self._publisher: MqttPublisher | None = None
        self.pa: PaGateways | None = None  # the PA gateways and wearable acknowledgements, with MQTT
        self._pa_faults: dict[str, str] = {}
        for pa_zone, fault in (pa_faults or {}).items():
            self.set_pa_fault(pa_zone, fault)
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def serving(self) -> bool:
        return self.server.serving

    @property
    def messages_sent(self) -> int:
        """MQTT messages handed to the broker connection by the current publisher."""
        return self._publisher.sent if self._publisher is not None else 0

    async def start(self) -> None:
        """Serve OPC UA (and publish MQTT if a broker is given); returns once clients can connect.

        Raises whatever stopped the server from starting (e.g. OSError: the port is taken).
        """
        if self._tasks:
            raise RuntimeError("the simulator is already running")
        if self.scenario is None:
            self.set_scenario(self._first_scenario)
        self._writing = asyncio.Lock()
        now = self.clock.now()
        await self.server.start(self._step(now), _utc(now))
        if self.mqtt_url is not None:
            self._publisher = MqttPublisher(self.site, self.mqtt_url, self.prefix)
            self._publisher.start()
            loop = asyncio.get_running_loop()
            self.pa = PaGateways(self.site, self.mqtt_url, self.prefix, loop, self.clock.now, self.time_scale)
            self.pa.faults.update(self._pa_faults)
            self.pa.start()
        self._tasks = [
            asyncio.create_task(
                self._every(1.0 / self.update_hz, self._update_opcua), name="simulator-opcua"
            ),
        ]
        if self._publisher is not None:
            publish = functools.partial(self._publish, self._publisher)
            self._tasks.append(
                asyncio.create_task(self._every(MQTT_PERIOD_S, publish), name="simulator-mqtt")
            )
        for task in self._tasks:
            task.add_done_callback(_log_crash)
        mqtt = f"MQTT {self.mqtt_url} under {self._publisher.root}/" if self._publisher else "no MQTT"
        log.info(
            "demo plant simulator '%s': OPC UA %s (%s = ns=2, %d tags, %d interlocks, %g Hz); %s; scenario %s",
            self.site.id,
            self.opcua_url,
            self.site.opcua_namespace,
            len(self.server.rows),
            len(self.site.interlocks),
            self.update_hz,
            mqtt,
            self.scenario.name if self.scenario else "",
        )

    async def stop(self) -> None:
        """Stop updating, close the server (the port is free when this returns), disconnect MQTT."""
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.server.stop()
        publisher, self._publisher = self._publisher, None
        if publisher is not None:
            await asyncio.to_thread(publisher.stop)
        pa, self.pa = self.pa, None
        if pa is not None:
            await asyncio.to_thread(pa.stop)

    def set_scenario(self, name: str) -> Scenario:
        """Switch to scenario `name`, starting now; ValueError listing the valid names for an unknown one."""
        scenario = make_scenario(name, self.site, self.clock.now(), self.time_scale)
        self.plant.reset_overrides()
        scenario.begin(self.plant)
        self.scenario = scenario
        log.info("simulator scenario: %s", name)
        return scenario

    def set_interlock_fault(self, interlock_id: str, fault: bool) -> None:
        """With `fault`, the interlock's feedback no longer follows its command (a stuck PLC output)."""
        self.server.set_interlock_fault(interlock_id, fault)

    def set_pa_fault(self, pa_zone: str, fault: str | None) -> None:
        """A PA zone's gateway "silent" (never answers) or "failed" (answers failed), or None: healthy."""
        check_fault({p.id for p in self.site.pa_zones}, pa_zone, fault)
        if fault is None:
            self._pa_faults.pop(pa_zone, None)
        else:
            self._pa_faults[pa_zone] = fault
        if self.pa is not None:
            self.pa.set_fault(pa_zone, fault)

    def force(self, sensor_id: str, value: float | None) -> None:
        """Pin a sensor to `value` (None releases it), like a PLC force; served from the next tick on."""
        if sensor_id not in self.site.tag_index:
            raise ValueError(f"unknown sensor {sensor_id!r}")
        self.plant.force(self.site.tag_index[sensor_id], value)

    def _step(self, t: float) -> np.ndarray:
        """Advance the plant and the scenario to `t`; send the wearable events now due; the tag values."""
        self.plant.advance(t)
        if self.scenario is not None:
            for event in self.scenario.step(self.plant, t):
                self._send_event(event)
        return self.plant.values

    def _send_event(self, event: WearableEvent) -> None:
        if self._publisher is not None:
            self._publisher.event(event)
        else:
            log.info("wearable %s of %s not sent: the simulator has no MQTT broker", event.type, event.worker)

    async def hold(self) -> None:
        """Stop sending (`sending` = False) and return once a write in progress has ended: `samples_sent`
        then counts everything the server will notify."""
        self.sending = False
        async with self._writing:
            pass

    async def _update_opcua(self, n: int) -> None:
        if not self.sending:
            return
        async with self._writing:  # the server writes in chunks, yielding to the loop between them
            now = self.clock.now()
            values = self._step(now)
            if self._share is not None:
                values = self._share.apply(values)
            self.samples_sent += await self.server.write(values, _utc(now), self.write_all)
            self.ticks += 1

    async def _publish(self, publisher: MqttPublisher, n: int) -> None:
        if not self.sending:
            return
        now = self.clock.now()
        values = self._step(now)
        plant = self.plant
        publisher.positions(plant.position[:, 0], plant.position[:, 1], now)
        publisher.sensors(values, now)
        if n % VITALS_EVERY == 0:
            publisher.vitals(plant.heart_rate, plant.skin_temp_c, plant.battery_pct, now)

    @staticmethod
    async def _every(period: float, action: Callable[[int], Awaitable[None]]) -> None:
        """Call `action(n)` every `period` seconds of loop time; late ticks are dropped, never bunched."""
        loop = asyncio.get_running_loop()
        due = loop.time()
        n = 0
        while True:
            await action(n)
            n += 1
            due = max(due + period, loop.time())
            await asyncio.sleep(due - loop.time())


class SimulatorThread:
    """A Simulator on its own asyncio loop in a daemon thread. Methods are called from any other thread."""

    def __init__(
        self,
        site: Site,
        opcua_url: str,
        mqtt_url: str | None = None,
        scenario: str = "normal",
        prefix: str = "site",
        update_hz: float = 1.0,
        seed: int = 0,
        **options: Any,
    ) -> None:
        self.simulator = Simulator(site, opcua_url, mqtt_url, scenario, prefix, update_hz, seed, **options)
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None

    @property
    def scenario(self) -> Scenario | None:
        return self.simulator.scenario

    def start(self, timeout: float = 30.0) -> None:
        """Start the thread; return once the OPC UA server is serving, or raise why it could not start."""
        if self._thread is not None:
            raise RuntimeError("the simulator thread is already running")
        started: concurrent.futures.Future[None] = concurrent.futures.Future()
        name = f"simulator {self.simulator.opcua_url}"
        self._thread = threading.Thread(target=self._run, args=(started,), name=name, daemon=True)
        self._thread.start()
        try:
            started.result(timeout)
        except BaseException:
            self.stop()
            raise

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the simulator and join the thread; the OPC UA port is free when this returns."""
        thread, loop, stop = self._thread, self._loop, self._stop
        if thread is None:
            return
        if loop is not None and stop is not None:
            with contextlib.suppress(RuntimeError):  # the loop already ended (startup failed)
                loop.call_soon_threadsafe(stop.set)
        thread.join(timeout)
        if thread.is_alive():
            raise TimeoutError(f"the simulator thread did not stop within {timeout} s")
        self._thread = self._loop = self._stop = None

    def set_scenario(self, name: str) -> Scenario:
        """Switch scenario on the simulator's loop and wait until it has; ValueError for an unknown name."""
        return self._call(self.simulator.set_scenario, name)

    def set_interlock_fault(self, interlock_id: str, fault: bool) -> None:
        """See `Simulator.set_interlock_fault`; applied on the simulator's loop before this returns."""
        self._call(self.simulator.set_interlock_fault, interlock_id, fault)

    def set_pa_fault(self, pa_zone: str, fault: str | None) -> None:
        """See `Simulator.set_pa_fault`; applied on the simulator's loop before this returns."""
        self._call(self.simulator.set_pa_fault, pa_zone, fault)

    def stall(self, seconds: float, begun: threading.Event | None = None) -> None:
        """A hung PLC: the simulator's loop answers nothing (OPC UA requests included) for `seconds`;
        returns when it answers again. Blocks the caller as long; `begun` is set once the loop is hung."""
        loop = self._loop
        if loop is None:
            raise RuntimeError("the simulator is not running")

        async def hang() -> None:
            if begun is not None:
                begun.set()
            time.sleep(seconds)  # on purpose: the whole server stops, as a hung PLC would

        asyncio.run_coroutine_threadsafe(hang(), loop).result(seconds + 10)

    def set_command_writable(self, interlock_id: str, writable: bool) -> None:
        """Without `writable`, the PLC refuses writes to the interlock's command tag (BadUserAccessDenied)."""
        loop = self._loop
        if loop is None:
            raise RuntimeError("the simulator is not running")
        coroutine = self.simulator.server.set_command_writable(interlock_id, writable)
        asyncio.run_coroutine_threadsafe(coroutine, loop).result(10)

    def force(self, sensor_id: str, value: float | None) -> None:
        """See `Simulator.force`; applied on the simulator's loop before this returns."""
        self._call(self.simulator.force, sensor_id, value)

    def _call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn(*args)` on the simulator's loop (directly when it is not running) and return its result."""
        loop = self._loop
        if loop is None:
            return fn(*args)

        async def call() -> T:
            return fn(*args)

        return asyncio.run_coroutine_threadsafe(call(), loop).result(10)

    def _run(self, started: concurrent.futures.Future[None]) -> None:
        try:
            asyncio.run(self._main(started))
        except Exception:
            log.exception("the simulator thread failed")

    async def _main(self, started: concurrent.futures.Future[None]) -> None:
        self._stop = asyncio.Event()
        try:
            await self.simulator.start()
        except BaseException as exc:
            await self.simulator.stop()
            started.set_exception(exc)
            return
        self._loop = asyncio.get_running_loop()
        started.set_result(None)
        try:
            await self._stop.wait()
        finally:
            await self.simulator.stop()


async def run_simulator(
    site: Site,
    opcua_url: str,
    mqtt_url: str | None,
    scenario: str,
    prefix: str,
    stop: asyncio.Event,
    pa_faults: dict[str, str] | None = None,
    change_share: float | None = None,
) -> None:
    """`controlroom simulate`: serve the plant until `stop` is set, then shut down cleanly. Every REPORT_S
    it logs what it sent and its loop's longest stall (how late it could have answered a client)."""
    simulator = Simulator(
        site, opcua_url, mqtt_url, scenario, prefix, pa_faults=pa_faults, change_share=change_share
    )
    await simulator.start()
    settle_server_heap()
    stall = LoopStall()
    watch = asyncio.create_task(stall.run(), name="simulator-loop-stall")
    report = asyncio.create_task(_report(simulator, stall), name="simulator-report")
    try:
        await stop.wait()
    finally:
        for task in (watch, report):
            task.cancel()
        await simulator.stop()


def settle_server_heap() -> None:
    """In a process of the simulator's own, once the address space is built: keep the cyclic collector off it
    and make full collections rare. A 20,000-tag server replaces ~100,000 small objects a second; they live a
    second, reach the oldest generation, and set off full collections that walked the whole address space for
    0.3-1.3 s each, long enough for clients' watchdog reads to time out. What the server drops is freed by
    reference counting; only cycles wait for the rarer full collection."""
    gc.collect()
    gc.freeze()
    gen0, gen1, _ = gc.get_threshold()
    gc.set_threshold(gen0, gen1, FULL_GC_EVERY)


async def _report(simulator: Simulator, stall: LoopStall) -> None:
    samples, messages = simulator.samples_sent, simulator.messages_sent
    while True:
        await asyncio.sleep(REPORT_S)
        log.info(
            "simulator: %d OPC UA values and %d MQTT messages sent in %g s; loop's longest stall %.0f ms",
            simulator.samples_sent - samples,
            simulator.messages_sent - messages,
            REPORT_S,
            stall.take() * 1000,
        )
        samples, messages = simulator.samples_sent, simulator.messages_sent


def _utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def _log_crash(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("simulator task %s stopped", task.get_name(), exc_info=task.exception())
