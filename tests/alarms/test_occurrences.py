"""Every transition carries when its occurrence was raised: the journal's link between an occurrence's
transitions (Ignition's event id), from which the KPIs pair an acknowledgement with its raise."""

from __future__ import annotations

from alarms.definitions import Definitions, Tier
from alarms.records import Refusal, Transition
from alarms.states import Event
from tests.alarms.builders import event, make


def _one(result: Transition | Refusal | list[Transition]) -> Transition:
    assert not isinstance(result, Refusal), result
    [t] = result if isinstance(result, list) else [result]
    return t


def test_an_occurrence_runs_from_its_raise_until_the_alarm_is_normal_again() -> None:
    engine, clock = make(Definitions(tags=(), events=(event("SOS-W01", Tier.HIGH),)))
    links: list[tuple[Event, float | None]] = []

    def do(result: Transition | Refusal | list[Transition]) -> None:
        t = _one(result)
        links.append((t.event, t.raised_ts))
        clock.advance(10)

    first = clock.now()
    do(engine.raise_event("SOS-W01"))
    do(engine.shelve("SOS-W01", "op", "c1", "wearable being swapped", 600))
    do(engine.clear_event("SOS-W01"))
    do(engine.unshelve("SOS-W01", "op", "c1"))  # back to normal: the occurrence ends with it
    do(engine.shelve("SOS-W01", "op", "c1", "wearable being swapped", 600))  # of a normal alarm: none
    do(engine.raise_event("SOS-W01"))  # while shelved: not raised, shown to nobody
    do(engine.unshelve("SOS-W01", "op", "c1"))
    do(engine.clear_event("SOS-W01"))
    second = clock.now()
    do(engine.raise_event("SOS-W01"))
    do(engine.clear_event("SOS-W01"))
    third = clock.now()
    do(engine.raise_event("SOS-W01"))  # returned unacknowledged, active again: raised anew
    do(engine.acknowledge("SOS-W01", engine.view("SOS-W01").seq, "op", "c1"))
    do(engine.remove_from_service("SOS-W01", "lead", "c1", "wearable lost", privileged=True))
    assert links == [
        (Event.ACTIVATE, first),
        (Event.SHELVE, first),
        (Event.CLEAR, first),
        (Event.UNSHELVE_MANUAL, first),
        (Event.SHELVE, None),
        (Event.ACTIVATE, None),
        (Event.UNSHELVE_MANUAL, None),
        (Event.CLEAR, None),
        (Event.ACTIVATE, second),
        (Event.CLEAR, second),
        (Event.ACTIVATE, third),
        (Event.ACKNOWLEDGE, third),
        (Event.REMOVE_FROM_SERVICE, third),
    ]


def test_a_latched_alarm_keeps_its_occurrence_until_reset_and_an_escalation_names_it() -> None:
    engine, clock = make(Definitions(tags=(), events=(event("SOS-W02", Tier.LIFE, latched=True),)))
    raised = _one(engine.raise_event("SOS-W02")).ts
    clock.advance(120)
    [escalation] = engine.tick()
    ack = _one(engine.acknowledge("SOS-W02", engine.view("SOS-W02").seq, "op", "c1"))
    clear = _one(engine.clear_event("SOS-W02"))
    again = _one(engine.raise_event("SOS-W02"))  # from latched: a new occurrence
    assert escalation.event is Event.ESCALATE
    assert [t.raised_ts for t in (escalation, ack, clear)] == [raised] * 3
    assert again.raised_ts == again.ts != raised
