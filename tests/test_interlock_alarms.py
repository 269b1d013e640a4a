"""The interlock feedback-mismatch alarm of every site, and the alarm service timing it on an injected clock."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import Future

from alarms.clock import ManualClock
from alarms.definitions import EventKind, Priority, Tier
from alarms.interlocks import MismatchEdge
from alarms.records import Transition
from alarms.samples import InterlockSample
from alarms.states import Event, State
from console.server.alarm_service import AlarmService
from plant_maps.alarm_rules import interlock_alarm, mismatch_message
from plant_maps.site import Site

IL = "IL-CH-TRIP"
ALARM = "IL-CH-TRIP.MISMATCH"


class _Journal:
    """A store writer whose commits land at once (the service only needs `journal_alarms`)."""

    def __init__(self) -> None:
        self.rows: list[Transition] = []

    def journal_alarms(self, transitions: Sequence[Transition]) -> Future[None]:
        self.rows += transitions
        future: Future[None] = Future()
        future.set_result(None)
        return future


def test_every_interlock_gets_a_tier_1_mismatch_alarm_in_its_zone(site: Site) -> None:
    events = {rule.alarm.id: rule for rule in site.alarms.definitions.events}
    for interlock in site.interlocks:
        rule = events[interlock_alarm(interlock.id)]
        assert rule.kind is EventKind.INTERLOCK_MISMATCH
        assert (rule.alarm.tier, rule.alarm.priority, rule.alarm.area) == (
            Tier.LIFE,
            Priority.URGENT,
            interlock.zone,
        )
        assert not rule.alarm.latched and rule.alarm.source == interlock.id
    trip = next(il for il in site.interlocks if il.id == IL)
    raised = MismatchEdge(IL, True, 5.2, True, False, 0.0)
    assert mismatch_message(trip, raised) == (
        "IL-CH-TRIP Compressor house trip K-301/K-302: feedback OFF does not follow command ON for 5 s"
    )
    cleared = MismatchEdge(IL, False, 7.4, True, True, 0.0)
    assert mismatch_message(trip, cleared).endswith("feedback ON follows command ON again after 7 s")


def test_the_service_raises_on_its_tick_and_clears_when_the_feedback_follows(site: Site) -> None:
    clock = ManualClock()
    journal = _Journal()
    shown: list[Transition] = []

    async def drive() -> list[list[InterlockSample]]:
        service = AlarmService(site, clock, journal, shown.extend)  # type: ignore[arg-type]
        commanded = [service.on_interlocks([InterlockSample(IL, False, False, clock.now())])]
        clock.advance(1.0)
        commanded.append(service.on_interlocks([InterlockSample(IL, True, False, clock.now())]))
        for _ in range(20):  # 5 s of ticks every 0.25 s: not yet
            clock.advance(0.25)
            service.tick()
        assert not service.engine.view(ALARM).active
        clock.advance(0.25)
        service.tick()
        view = service.engine.view(ALARM)
        assert (view.active, view.state, view.value, view.area) == (
            True,
            State.UNACK,
            5.25,
            "compressor_house",
        )
        assert view.message.endswith("feedback OFF does not follow command ON for 5 s")
        clock.advance(2.0)
        service.tick()
        commanded.append(service.on_interlocks([InterlockSample(IL, True, True, clock.now())]))
        view = service.engine.view(ALARM)
        assert (view.active, view.state) == (False, State.RTN_UNACK)  # waits for acknowledgement
        commanded.append(service.on_interlocks([InterlockSample(IL, None, None, clock.now())]))
        commanded.append(service.on_interlocks([InterlockSample(IL, False, True, clock.now())]))
        await asyncio.sleep(0)  # the commits' callbacks run on the loop
        return commanded

    commanded = asyncio.run(drive())
    assert [[s.command for s in c] for c in commanded] == [[], [True], [], [], [False]]
    mine = [t for t in journal.rows if t.alarm_id == ALARM]
    assert [(t.event, t.tier, t.annunciate) for t in mine] == [
        (Event.ACTIVATE, Tier.LIFE, True),
        (Event.CLEAR, Tier.LIFE, False),
    ]
    assert mine[1].message.endswith("feedback ON follows command ON again after 7 s")
    assert [t.alarm_id for t in shown] == [ALARM, ALARM]  # shown once journaled


def test_a_restored_mismatch_clears_when_the_feedback_is_seen_to_follow(site: Site) -> None:
    clock = ManualClock()
    before_restart = _Journal()

    async def drive() -> tuple[bool, bool]:
        first = AlarmService(site, clock, before_restart, lambda _: None)  # type: ignore[arg-type]
        first.on_interlocks([InterlockSample(IL, True, False, clock.now())])
        clock.advance(6.0)
        first.tick()
        again = AlarmService(site, clock, _Journal(), lambda _: None)  # type: ignore[arg-type]
        again.restore(before_restart.rows)
        restored = again.engine.view(ALARM).active
        again.on_interlocks([InterlockSample(IL, True, True, clock.now())])
        return restored, again.engine.view(ALARM).active

    assert asyncio.run(drive()) == (True, False)
