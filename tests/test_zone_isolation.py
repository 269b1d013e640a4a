"""Maintenance isolation through the core on a manual clock: asked with a reason and a bounded time, journaled,
ending by itself when its time is up (or by hand, or at start after the console was down), and never leaving
an alarm hidden behind it."""

from __future__ import annotations

import asyncio
import math

import pytest

from alarms.states import Event, State
from console.server.core import Core
from console.server.session import Acknowledge, IsolateZone, Topic
from console.server.zone_isolation import MAX_REASON_CHARS
from integrations.storage import Store
from tests.support import wait_until_async
from tests.test_field_operations import _core, _lel

ZONE = "compressor_house"
HOUR = 3600.0


def _rows(database_url: str) -> list[tuple[str, bool, str]]:
    return [
        (e.actor, e.payload["isolated"], e.payload["reason"])
        for e in Store(database_url).journal_rows(kind="zone_isolation")
    ]


async def _raised(core: Core, alarm_id: str) -> None:
    await wait_until_async(lambda: core.alarms.engine.view(alarm_id).seq, 5)


def test_an_isolation_suppresses_the_zone_until_its_time_is_up_then_returns_it_by_itself(
    database_url: str,
) -> None:
    async def run() -> None:
        core, clock, writer = _core(database_url)
        heard: list[str] = []
        core.subscribe(Topic.ALARMS, lambda ts: heard.extend(t.alarm_id for t in ts if t.annunciate))
        done = await core.command(IsolateZone("li.wei", ZONE, True, "hot-work maintenance", 2 * HOUR))
        assert done.ok and "Compressor house isolated until 2026-11-24 10:00 UTC" in done.message
        [isolation] = core.alarms.isolations.all()
        assert (isolation.zone, isolation.actor, isolation.until) == (ZONE, "li.wei", clock.now() + 2 * HOUR)
        core.on_tags(_lel(core, "GD-CH-01", 30.0, clock.now()))  # past hh = 25 %LEL: tier 1, while isolated
        await _raised(core, "GD-CH-01.HH")
        assert core.alarms.engine.view("GD-CH-01.HH").state is State.SUPPRESSED and heard == []
        clock.advance(2 * HOUR - 1)
        core.tick()
        assert core.alarms.isolations.zones == {ZONE}  # a second to go
        clock.advance(1)
        core.tick()
        core.tick()  # a tick while the end is being journaled ends it only once
        await wait_until_async(lambda: not core.alarms.isolations.zones, 5)
        await wait_until_async(lambda: "GD-CH-01.HH" in heard, 5)  # announced again: nobody saw it come
        view = core.alarms.engine.view("GD-CH-01.HH")
        assert view.state is State.UNACK
        assert any("Compressor house back in service (time up)" in e.text for e in core.log)
        await asyncio.to_thread(writer.close)
        assert _rows(database_url) == [
            ("li.wei", True, "hot-work maintenance"),
            ("system", False, "time up"),
        ]
        [start, _] = Store(database_url).journal_rows(kind="zone_isolation")
        assert start.payload["duration_s"] == 2 * HOUR and start.payload["until"] == isolation.until
        [unsuppressed] = Store(database_url).alarm_transitions(alarm_ids=["GD-CH-01.HH"])[-1:]
        assert (unsuppressed.event, unsuppressed.actor) == (Event.UNSUPPRESS, "system")
        assert unsuppressed.comment == "Compressor house no longer suppressed"  # the zone's name, not its id

    asyncio.run(run())


@pytest.mark.parametrize(
    ("reason", "duration_s", "why"),
    [
        ("  ", HOUR, "needs a reason"),
        ("x" * (MAX_REASON_CHARS + 1), HOUR, f"at most {MAX_REASON_CHARS}"),
        ("line one\nline two", HOUR, "plain text on one line"),
        ("overhaul", None, "asked none"),
        ("overhaul", 0.0, "more than 0 s"),
        ("overhaul", math.nan, "at most 28800 s"),
        ("overhaul", 8 * HOUR + 1, "at most 28800 s (asked 28801 s)"),
    ],
)
def test_an_isolation_without_a_reason_or_a_bounded_time_is_refused_and_nothing_is_journaled(
    database_url: str, reason: str, duration_s: float | None, why: str
) -> None:
    async def run() -> None:
        core, _, writer = _core(database_url)
        refused = await core.command(IsolateZone("op", ZONE, True, reason, duration_s))
        assert not refused.ok and refused.message.startswith("isolation refused: ") and why in refused.message
        assert not core.alarms.isolations.zones
        await asyncio.to_thread(writer.close)
        assert _rows(database_url) == []

    asyncio.run(run())


def test_unknown_zones_double_isolations_and_ending_what_is_not_isolated_are_refused(
    database_url: str,
) -> None:
    async def run() -> None:
        core, _, writer = _core(database_url)
        unknown = await core.command(IsolateZone("op", "boiler_house", True, "overhaul", HOUR))
        assert not unknown.ok and "unknown zone 'boiler_house'" in unknown.message
        not_isolated = await core.command(IsolateZone("op", ZONE, False))
        assert not not_isolated.ok  # a person reads the zone's name, never its id
        assert not_isolated.message == "isolation refused: Compressor house is not isolated"
        assert (await core.command(IsolateZone("op", ZONE, True, "overhaul", HOUR))).ok
        twice = await core.command(IsolateZone("op", ZONE, True, "another job", HOUR))
        assert not twice.ok
        assert (
            twice.message
            == "isolation refused: Compressor house is already isolated until 2026-11-24 09:00 UTC"
        )
        await asyncio.to_thread(writer.close)
        assert _rows(database_url) == [("op", True, "overhaul")]

    asyncio.run(run())


def test_ended_by_hand_an_alarm_acknowledged_before_comes_back_unacknowledged(database_url: str) -> None:
    async def run() -> None:
        core, clock, writer = _core(database_url)
        core.on_tags(_lel(core, "GD-CH-02", 30.0, clock.now()))
        await _raised(core, "GD-CH-02.HH")
        seq = core.alarms.engine.view("GD-CH-02.HH").seq
        assert (await core.command(Acknowledge("op", (("GD-CH-02.HH", seq),)))).ok
        assert (await core.command(IsolateZone("op", ZONE, True, "detector swap", HOUR))).ok
        clock.advance(600)
        ended = await core.command(IsolateZone("lead", ZONE, False))
        assert ended.ok and ended.message == "Compressor house back in service: its alarms are live again"
        assert core.alarms.engine.view("GD-CH-02.HH").state is State.UNACK  # hidden 10 min: shown anew
        core.tick()
        await asyncio.to_thread(writer.close)
        assert _rows(database_url) == [("op", True, "detector swap"), ("lead", False, "ended by hand")]

    asyncio.run(run())


def test_an_isolation_survives_a_restart_and_one_whose_time_ran_out_meanwhile_ends_at_start(
    database_url: str,
) -> None:
    async def run() -> None:
        core, clock, writer = _core(database_url)
        assert (await core.command(IsolateZone("op", ZONE, True, "K-301 overhaul", 4 * HOUR))).ok
        assert (await core.command(IsolateZone("op", "tank_farm", True, "tank cleaning", HOUR))).ok
        core.on_tags(_lel(core, "GD-TF-02", 30.0, clock.now()))
        await _raised(core, "GD-TF-02.HH")
        await asyncio.to_thread(writer.close)

        again, again_clock, again_writer = _core(database_url)  # back two hours later
        again_clock.set(clock.now() + 2 * HOUR)
        store = Store(database_url)
        again.alarms.restore(store.latest_alarm_transitions())
        again.alarms.restore_isolation(store.journal_rows(kind="zone_isolation"))
        await wait_until_async(lambda: again.alarms.isolations.zones == {ZONE}, 5)
        [kept] = again.alarms.isolations.all()
        assert (kept.reason, kept.until) == ("K-301 overhaul", clock.now() + 4 * HOUR)
        await wait_until_async(lambda: again.alarms.engine.view("GD-TF-02.HH").state is State.UNACK, 5)
        await asyncio.to_thread(again_writer.close)
        assert _rows(database_url)[-1] == ("system", False, "time ran out while the console was down")

    asyncio.run(run())


def test_alarms_left_suppressed_without_an_isolation_in_force_come_back_at_start(database_url: str) -> None:
    """The console stopped between journaling an isolation's end and its alarms' return."""

    async def run() -> None:
        core, clock, writer = _core(database_url)
        assert (await core.command(IsolateZone("op", ZONE, True, "overhaul", HOUR))).ok
        core.on_tags(_lel(core, "GD-CH-01", 30.0, clock.now()))
        await _raised(core, "GD-CH-01.HH")
        await asyncio.to_thread(writer.close)

        again, again_clock, again_writer = _core(database_url)
        again_clock.set(clock.now())
        store = Store(database_url)
        again.alarms.restore(store.latest_alarm_transitions())
        assert again.alarms.engine.view("GD-CH-01.HH").state is State.SUPPRESSED
        again.alarms.restore_isolation([])  # the journal holds no isolation in force
        await wait_until_async(lambda: again.alarms.engine.view("GD-CH-01.HH").state is State.UNACK, 5)
        await asyncio.to_thread(again_writer.close)

    asyncio.run(run())
