"""Composition root: one place that builds the site, store, core, sources and simulator from a config."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alarms.clock import Clock
from alarms.records import Transition
from alarms.states import Event
from console.config import AppConfig
from console.server.accounts import Accounts
from console.server.core import Core
from console.server.handover import FLAG_KIND
from console.server.journaled_state import field_journal
from console.server.permissions import Access
from console.server.session import Topic
from console.server.vision_marks import DETECTION_KIND as VISION_DETECTION_JOURNAL
from console.server.vision_marks import MEMORY_S as VISION_MEMORY_S
from console.server.vision_marks import VISION_FALSE_KIND as VISION_FALSE_JOURNAL
from integrations.mqtt_source import MqttSource
from integrations.opcua_source import OpcUaSource
from integrations.pa_contract import PaContract
from integrations.pa_link import PaLink
from integrations.replay_store import ReplayStore
from integrations.simulator import SimulatorThread
from integrations.storage import AuditEntry, JournalEntry, Store, StoreWriter, default_database_url
from integrations.users import UserStore
from plant_maps.site_file import load_site

log = logging.getLogger(__name__)

TICK_S = 0.25


def escalation_payload(t: Transition, console: str) -> bytes:
    """The escalation message of the MQTT contract (README): which alarm, how long it waited, from where."""
    return json.dumps(
        {
            "alarm_id": t.alarm_id,
            "tier": int(t.tier),
            "area": t.area,
            "message": t.message,
            "comment": t.comment,
            "console": console,
            "ts": datetime.fromtimestamp(t.ts, UTC).isoformat(timespec="milliseconds"),
        }
    ).encode()


HEAP_SETTLE_AFTER_S = 3.0  # after start(): the sources have connected and delivered their first values


def settle_heap() -> None:
    """Put everything built at start-up (site, rules, widgets, modules) out of the cyclic collector's reach,
    so that a full collection during an alarm flood scans only what the flood made: it blocked the loop for
    60-110 ms before, and the flood's loop-lag p99 fell from ~100 ms to ~25 ms (benchmarks/alarms.py).
    Frozen objects are never collected: `Application.stop()` hands them back (`gc.unfreeze`)."""
    gc.collect()
    gc.freeze()


class Application:
    """The running console minus its window: used as is by `--headless`, the GUI and the tests.

    `start()` and `stop()` run on the console's asyncio loop.
    """

    def __init__(self, config: AppConfig, clock: Clock | None = None) -> None:
        self.config = config
        self.clock = clock or Clock()
        self.site = load_site(config.site_file, now=datetime.fromtimestamp(self.clock.now(), UTC))
        self.store = Store(config.database_url or default_database_url())
        self.writer = StoreWriter(self.store, self.site)
        access = Access(config.permissions, demo=config.login == "demo")
        self.accounts = Accounts(
            UserStore(self.store, config.console_name), access, self.clock, config.login_policy
        )
        self.core = Core(
            self.site,
            self.clock,
            self.writer,
            config.console_name,
            config.privileged,
            first_connect_s=config.first_connect_s,
            clock_alarms=config.clock_alarm,
            access=access,
            accounts=self.accounts,
            shifts=config.shifts,
        )
        self.simulator: SimulatorThread | None = None
        self.opcua: OpcUaSource | None = None
        self.mqtt: MqttSource | None = None
        self.pa_link: PaLink | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._settle: asyncio.TimerHandle | None = None  # settle_heap() once start() is done
        self._stopping = asyncio.Event()
        self.escalation_topic = f"{config.topic_prefix}/{self.site.id}/alarms/escalation"

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        config = self.config
        await self.core.audit(self._loads())
        restored = await loop.run_in_executor(None, self.store.latest_alarm_transitions)
        self.core.alarms.restore(restored)
        if restored:
            self.core.add_log("info", "alarm", f"restored {len(restored)} alarms from the journal")
        field_entries = await loop.run_in_executor(None, field_journal, self.store)
        self.core.field.restore(field_entries)
        self.core.alarms.restore_isolation(field_entries)
        self.core.vision.restore(await loop.run_in_executor(None, self._vision_journal))
        handovers, flags = await loop.run_in_executor(None, self._handover_journal)
        self.core.handovers.restore(handovers, flags)
        self.core.incidents.restore(await loop.run_in_executor(None, self.store.stored_incidents, True))
        replay = ReplayStore(self.store, self.site)
        self.core.restore_positions(await loop.run_in_executor(None, replay.frame, self.clock.now()))
        self._tasks.append(asyncio.create_task(self._tick(), name="alarm-clock"))
        if config.simulator:
            self.simulator = SimulatorThread(
                self.site,
                opcua_url=config.opcua_url,
                mqtt_url=config.mqtt_url,
                scenario=config.scenario,
                prefix=config.topic_prefix,
            )
            await loop.run_in_executor(None, self.simulator.start)
            self.core.add_log(
                "info", "simulator", f"demo plant '{config.scenario}' serving {config.opcua_url}"
            )
        self.opcua = OpcUaSource(
            self.site,
            config.opcua_url,
            self.core,
            self.clock,
            publishing_interval_ms=config.publishing_interval_ms,
            timeout_s=config.opcua_timeout_s,
            server_deadband=config.opcua_server_deadband,
            security=config.opcua_security,
            max_skew_s=config.max_clock_skew_s,
        )
        self.core.add_source(self.opcua.status)
        self.core.interlocks.plant = self.opcua  # interlock commands go out on the source's connection
        self._tasks.append(asyncio.create_task(self.opcua.run(), name="opcua-source"))
        self.mqtt = MqttSource(
            self.site,
            config.mqtt_url,
            self.core,
            loop,
            self.clock,
            prefix=config.topic_prefix,
            client_id=f"controlroom-{config.console_name}",
            max_skew_s=config.max_clock_skew_s,
            security=config.mqtt_security,
        )
        self.core.add_source(self.mqtt.status)
        self.mqtt.start()
        self._start_pa_link(loop)
        self.core.subscribe(Topic.ALARMS, self._publish_escalations)
        # The full collection takes 0.1-0.4 s: not in the way of the sources' connects and first values.
        self._settle = loop.call_later(HEAP_SETTLE_AFTER_S, settle_heap)

    def _start_pa_link(self, loop: asyncio.AbstractEventLoop) -> None:
        """Broadcasts go out on the MQTT source's broker, with its TLS and login, on a client of their own."""
        config = self.config
        contract = PaContract(self.site, config.topic_prefix)
        broadcasts = self.core.broadcasts
        self.pa_link = PaLink(
            config.mqtt_url,
            contract.subscriptions(),
            broadcasts.on_reply,
            loop,
            f"controlroom-pa-{config.console_name}",
            config.mqtt_security,
        )
        broadcasts.attach(contract, self.pa_link.publish, config.broadcast_timeout_s)
        self.pa_link.start()

    def _loads(self) -> list[AuditEntry]:
        """The audit trail's record of what this console runs on: the config and site files, by SHA-256."""
        config = self.config
        now, console, user = self.clock.now(), config.console_name, config.operator
        entries = []
        for action, path in (("config_load", config.source_file), ("site_load", str(config.site_file))):
            try:
                digest = {"sha256": hashlib.sha256(Path(path).read_bytes()).hexdigest()}
                entries.append(AuditEntry(now, user, console, action, path, new_value=digest))
            except OSError:  # the embedded defaults ("<defaults>"): no file to hash
                entries.append(
                    AuditEntry(now, user, console, action, path, reason="no file: built-in defaults")
                )
        return entries

    def _handover_journal(self) -> tuple[list[dict[str, Any]], list[JournalEntry]]:
        """The handovers not finalised, and the flags' journal (oldest first)."""
        return self.store.stored_handovers(open_only=True), self.store.journal_rows(kind=FLAG_KIND)

    def _vision_journal(self) -> list[JournalEntry]:
        """The video-AI detections and false marks of the last day, oldest first (what can still be marked)."""
        since = self.clock.now() - VISION_MEMORY_S
        kinds = (VISION_DETECTION_JOURNAL, VISION_FALSE_JOURNAL)
        rows = (e for kind in kinds for e in self.store.journal_rows(since=since, kind=kind))
        return sorted(rows, key=lambda e: (e.ts, e.seq or 0))

    async def _tick(self) -> None:
        """Let time act (alarm delays and escalation, permit expiry, worker rules) until stopped."""
        while not self._stopping.is_set():
            self.core.tick()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), TICK_S)

    def _publish_escalations(self, transitions: list[Transition]) -> None:
        """Escalated tier-1 alarms go to the shift lead's console on the escalation topic (QoS 1: paho keeps
        them while the broker is away and sends them on reconnect)."""
        if self.mqtt is None:
            return
        for t in transitions:
            if t.event is Event.ESCALATE:
                self.mqtt.publish(self.escalation_topic, escalation_payload(t, self.config.console_name))

    async def stop(self) -> None:
        """Stop the alarms reacting, then the sources (no new data), the simulator, and flush the store.

        First the heap frozen after `start()` goes back to the collector, even if a step below fails: the console
        and the window hold each other in cycles, and frozen they would outlive the console (every e2e
        test's whole console stayed in memory, 13 GB by the end of the suite)."""
        if self._settle is not None:
            self._settle.cancel()
        gc.unfreeze()
        self.core.alarms.stop()
        self._stopping.set()
        if self.opcua is not None:
            await self.opcua.stop()
        for task in self._tasks:
            await asyncio.wait_for(task, timeout=5.0)
        loop = asyncio.get_running_loop()
        if self.mqtt is not None:
            await loop.run_in_executor(None, self.mqtt.stop)
        if self.pa_link is not None:
            await loop.run_in_executor(None, self.pa_link.stop)
        if self.simulator is not None:
            await loop.run_in_executor(None, self.simulator.stop)
        await loop.run_in_executor(None, self.writer.close)
