"""Time acting on permits through the core and the journal, driven by a manual clock (never waiting hours)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from alarms.clock import ManualClock
from console.core import Core
from console.session import ResumePermit, SuspendPermit
from integrations.storage import Store, StoreWriter
from plant_maps.permit_lifecycle import PermitState
from plant_maps.site import load_site
from tests.conftest import DEMO_SITE
from tests.support import wait_until_async


def _core(database_url: str) -> tuple[Core, ManualClock, StoreWriter]:
    clock = ManualClock(datetime(2026, 11, 24, 8, 0, tzinfo=UTC).timestamp())
    site = load_site(DEMO_SITE, now=datetime.fromtimestamp(clock.now(), UTC))
    writer = StoreWriter(Store(database_url), site)
    return Core(site, clock, writer, "desk-1"), clock, writer


def test_a_permit_past_its_validity_expires_on_its_own_and_the_journal_says_when(database_url: str) -> None:
    async def run() -> None:
        core, clock, writer = _core(database_url)
        book = core.permits.book
        end = book.status("PTW-HW-001").end  # hot work: 8 h from 1.5 h ago
        clock.set(end - 1.0)
        core.tick()
        assert book.status("PTW-HW-001").state is PermitState.ACTIVE
        clock.set(end)
        core.tick()
        await wait_until_async(lambda: any("PTW-HW-001" in e.text for e in core.log), 5)
        assert book.status("PTW-HW-001").state is PermitState.EXPIRED
        await asyncio.to_thread(writer.close)
        [entry] = [e for e in Store(database_url).journal_rows(kind="permit") if e.source == "PTW-HW-001"]
        assert (entry.actor, entry.payload["from"], entry.payload["to"]) == ("system", "active", "expired")
        assert entry.payload["reason"].startswith("validity ended at 2026-11-24 14:30")

    asyncio.run(run())


def test_an_operator_suspends_with_a_reason_and_resuming_needs_a_new_gas_test(database_url: str) -> None:
    async def run() -> None:
        core, _, writer = _core(database_url)
        refused = await core.command(SuspendPermit("op", "PTW-HW-001", "  "))
        assert not refused.ok and "reason" in refused.message
        done = await core.command(SuspendPermit("op", "PTW-HW-001", "welding screen blown down"))
        assert done.ok and core.permits.book.status("PTW-HW-001").state is PermitState.SUSPENDED
        again = await core.command(ResumePermit("op", "PTW-HW-001"))
        assert not again.ok and "no gas test taken since the suspension" in again.message
        await asyncio.to_thread(writer.close)
        [entry] = Store(database_url).journal_rows(kind="permit")
        assert (entry.actor, entry.console, entry.payload["reason"]) == (
            "op",
            "desk-1",
            "welding screen blown down",
        )

    asyncio.run(run())
