"""The journal watch: when a store that does not commit counts as not saving, and what it then says."""

from __future__ import annotations

import asyncio

from alarms.clock import ManualClock
from alarms.definitions import EventKind, Priority, Tier
from alarms.states import Event
from console.server.core import Core
from console.server.journal_watch import STORE_GRACE_S, JournalStatus, journal_status
from integrations.storage import Store, StorePlace, StoreWriter, WriterHealth
from plant_maps.alarm_rules import STORE_ALARM
from plant_maps.site import Site

PLACE = StorePlace("sqlite", "/data/controlroom.db", "sqlite:////data/controlroom.db")
T0 = 1_800_000_000.0  # 2027-01-15 08:00:00 UTC


def test_a_slow_commit_is_not_an_outage_one_past_the_grace_is_with_its_start_kept() -> None:
    slow = WriterHealth(waiting_s=STORE_GRACE_S - 0.1, rows=12)
    assert journal_status(PLACE, slow, T0) == JournalStatus(PLACE)
    down = WriterHealth(STORE_GRACE_S, 12, failures=2, error="database is locked")
    status = journal_status(PLACE, down, T0)
    assert (status.saving, status.since, status.rows, status.why) == (False, T0 - 5, 12, "database is locked")
    later = journal_status(PLACE, WriterHealth(60.3, 140, failures=9, error="x"), T0 + 55, status)
    assert later.since == T0 - 5  # "since" never moves while the outage goes on
    assert later.outage() == "Journal not saving since 2027-01-15 07:59 UTC: 140 rows waiting (x)"
    assert journal_status(PLACE, WriterHealth(), T0 + 56, later).saving


def test_a_database_that_does_not_answer_says_so_in_words() -> None:
    status = journal_status(PLACE, WriterHealth(7.4, 3), T0)
    assert status.outage().endswith(": 3 rows waiting (no answer from the database for 7 s)")


def test_every_site_has_the_tier_2_store_alarm(site: Site) -> None:
    [rule] = [r for r in site.alarms.definitions.events if r.kind is EventKind.STORE]
    spec = rule.alarm
    assert (spec.id, spec.tier, spec.priority, spec.area) == (STORE_ALARM, Tier.HIGH, Priority.MEDIUM, "site")


def test_an_outage_alarm_left_standing_by_a_restart_clears_at_the_first_look_at_a_saving_store(
    site: Site, database_url: str
) -> None:
    """The console stopped (or crashed) while the journal was not saving; what waited was written later, but
    STORE.COMM's clear never was. Restored at start, it clears as soon as the core sees the store saving."""

    async def run() -> None:
        first = Core(site, ManualClock(T0), StoreWriter(Store(database_url), site), "desk-1")
        first.alarms.on_journal(False, "Journal not saving since 2027-01-15 07:59 UTC: 3 rows waiting (x)")
        await asyncio.to_thread(first.writer.close)
        store = Store(database_url)
        core = Core(site, ManualClock(T0 + 60), StoreWriter(store, site), "desk-1")
        core.alarms.restore(await asyncio.to_thread(store.latest_alarm_transitions))
        assert core.alarms.engine.view(STORE_ALARM).active
        core.tick()
        assert not core.alarms.engine.view(STORE_ALARM).active and core.journal.saving
        await asyncio.to_thread(core.writer.close)
        events = [t.event for t in Store(database_url).alarm_transitions(alarm_ids=[STORE_ALARM])]
        assert events == [Event.ACTIVATE, Event.CLEAR]

    asyncio.run(run())
