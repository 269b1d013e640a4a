"""After a restart the core has each worker where their last stored fix put them, while that fix is younger
than the lost-signal time: the map and an incident's people are there at once, and an older fix does not
raise "lost signal" for everyone before their bands are heard again."""

from __future__ import annotations

import asyncio
import math
from datetime import UTC, datetime

from alarms.clock import ManualClock
from console.server.core import Core
from integrations.replay_store import ReplayStore
from integrations.storage import Store, StoreWriter
from plant_maps.site_file import load_site
from tests.conftest import DEMO_SITE
from tests.test_field_operations import _fix

START = datetime(2026, 11, 24, 8, 0, tzinfo=UTC).timestamp()


def test_a_restart_puts_back_the_fixes_younger_than_the_lost_signal_time(database_url: str) -> None:
    site = load_site(DEMO_SITE, now=datetime.fromtimestamp(START, UTC))
    w01, w02 = site.worker_index["W01"], site.worker_index["W02"]

    async def before() -> None:
        clock = ManualClock(START)
        writer = StoreWriter(Store(database_url), site)
        core = Core(site, clock, writer, "desk-1")
        core.on_positions(_fix(w02, 150.0, 60.0, START - 100))  # W02's band went quiet 100 s ago
        core.on_positions(_fix(w01, 330.0, 190.0, START - 20))
        await asyncio.to_thread(writer.close)

    async def after() -> Core:
        clock = ManualClock(START + 10)  # the console back 10 s later
        writer = StoreWriter(Store(database_url), site)
        core = Core(site, clock, writer, "desk-1")
        core.restore_positions(ReplayStore(writer.store, site).frame(clock.now()))
        await asyncio.to_thread(writer.close)
        return core

    asyncio.run(before())
    core = asyncio.run(after())
    workers = core.workers
    assert (workers.x[w01], workers.y[w01], workers.fix_ts[w01]) == (330.0, 190.0, START - 20)
    assert core.site.zones[workers.zone[w01]].id == "compressor_house"
    assert math.isnan(workers.x[w02]) and workers.fix_ts[w02] == 0  # 110 s old: not put back
