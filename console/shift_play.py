"""`controlroom simulate --scenario shift`: play a 12-hour shift of the demo plant into the journal, compressed.

Design: the shift is played in-process and deterministically, not over OPC UA and MQTT. The real core (alarm
engine, permit and worker rules, wearable responses, the store writer to SQLite or PostgreSQL, the audit
trail) runs on a `ManualClock` that the player moves one STEP_S at a time through the shift; at each step the
shift's plant (`integrations.simulator.shift`) hands its values, fixes, vitals, wearable events and camera
detections to the core exactly as the sources would, time acts (`core.tick`), and the scripted operator
(`console.shift_operator`) gives its commands through `core.command`. So the journal carries the shift's
own timestamps across its 12 h, as fast as the machine allows; `speed` paces it at N x real time instead,
for watching its event log go by. The protocol path (`controlroom simulate --scenario gas-leak` and the
others) is unchanged: a wall-clock plant behind real servers.

The shift played is the last one of the site's shift pattern (`[shifts]` in the config): it ends at the
start of the current shift, so the console's "last shift" shows it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from alarms.clock import ManualClock
from alarms.samples import Quality, TagBatch
from console.server.core import Core
from console.server.session import LogEntry, Topic
from console.shift_operator import ScriptedOperator
from integrations.simulator.shift import SHIFT_S, ShiftPlant
from integrations.storage import Store, StoreWriter
from plant_maps.site_file import load_site

STEP_S = 2.0  # the plant is sampled, and time acts, every 2 s of shift time (a 1 Hz source, a little coarser)
TICK_EVERY = 2  # time acts (delays, escalation, permit and worker rules) every 4 s of shift time
YIELD_EVERY = 25  # steps between turns of the loop for the commits landing meanwhile


@dataclass(frozen=True, slots=True)
class ShiftPlayed:
    """What the play did: the shift's period, the commands the operator gave, how long it took."""

    since: float
    until: float
    commands: int
    wall_s: float


async def play_shift(
    site_file: Path,
    database_url: str,
    since: float,
    *,
    console: str = "shift-sim",
    speed: float | None = None,
    seed: int = 0,
    echo: Callable[[LogEntry], None] | None = None,
    duration_s: float = SHIFT_S,
) -> ShiftPlayed:
    """Play the shift starting at `since` (epoch seconds) into the database; returns once all is committed.

    `speed`: shift seconds per wall second (None: as fast as possible). `echo` hears every event-log line.
    `duration_s`: how much of the shift to play (all of it by default). Raises `ShiftRefused` if the core
    refuses one of the script's commands.
    """
    started = time.monotonic()
    clock = ManualClock(since)
    site = load_site(site_file, now=datetime.fromtimestamp(since, UTC))
    writer = StoreWriter(Store(database_url), site)
    try:
        core = Core(site, clock, writer, console)
        if echo is not None:
            core.subscribe(Topic.LOG, lambda entries: [echo(e) for e in entries])
        plant = ShiftPlant(site, since, seed)
        operator = ScriptedOperator(core, plant, seed)
        rows = np.arange(len(site.sensors), dtype=np.int32)
        good = np.full(rows.size, int(Quality.GOOD), dtype=np.int8)
        steps = int(duration_s / STEP_S)
        for n in range(steps + 1):
            t = since + n * STEP_S
            clock.set(t)
            step = plant.step(t)
            core.on_tags(TagBatch(rows, step.values.copy(), good, np.full(rows.size, t), t))
            if step.positions is not None:
                core.on_positions(step.positions)
            if step.vitals:
                core.on_vitals(step.vitals)
            if step.events:
                core.on_wearable_events(step.events)
            if step.detections:
                core.on_detections(step.detections)
            if n % TICK_EVERY == 0:
                core.tick()
            await operator.act(t)
            if speed is not None:
                await asyncio.sleep(max(0.0, started + n * STEP_S / speed - time.monotonic()))
            elif n % YIELD_EVERY == 0:
                await asyncio.sleep(0)
        await asyncio.to_thread(writer.flush)
        await asyncio.sleep(0)  # the last commits' callbacks (event log lines) run
        return ShiftPlayed(since, since + steps * STEP_S, operator.commands, time.monotonic() - started)
    finally:
        await asyncio.to_thread(writer.close)
        writer.store.close()
