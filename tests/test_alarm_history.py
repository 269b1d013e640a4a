"""The alarm history pairs a hand-built journal into exactly the occurrences a shift lead expects, and its
filters and pages pick exactly those asked for, on SQLite and PostgreSQL."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from alarms.definitions import Priority, Tier
from alarms.history import Action, Hidden, HistoryFilter, HistoryState, Occurrence
from alarms.states import Event, State
from integrations.alarm_history import history_actors, history_page
from integrations.storage import Store
from tests.journal_play import Alarm, Journal

T0 = 1_800_000_000.0
PERIOD = HistoryFilter(since=T0, until=T0 + 2000)

LEL = Alarm("GD-CH-01.HH", "GD-CH-01", "CH", Tier.LIFE, Priority.URGENT, "Compressor house LEL high", "%LEL")
TEMP = Alarm("TT-PU-02.H", "TT-PU-02", "PU", Tier.HIGH, Priority.MEDIUM, "Pump bearing hot", "°C")
GAS = Alarm("GD-PU-03.H", "GD-PU-03", "PU", Tier.HIGH, Priority.HIGH, "Pump room gas", "%LEL")
PRESSURE = Alarm("PT-CH-05.H", "PT-CH-05", "CH", Tier.LOW, Priority.LOW, "Header pressure high", "bar")
FLOW = Alarm("FT-PU-04.L", "FT-PU-04", "PU", Tier.LOW, Priority.LOW, "Cooling flow low", "m3/h")


def _journal() -> Journal:
    j = Journal()
    # raised before the period: not one of its occurrences, though acknowledged and cleared in it
    j.play(T0 - 50, LEL, Event.ACTIVATE, value=40.5)
    j.play(T0 + 50, LEL, Event.ACKNOWLEDGE, actor="li.wei", comment="old one", response_s=100)
    j.play(T0 + 60, LEL, Event.CLEAR, value=10)
    # 1: acknowledged after 30 s with a comment, cleared
    j.play(T0 + 100, LEL, Event.ACTIVATE, value=41.5)
    j.play(T0 + 130, LEL, Event.ACKNOWLEDGE, actor="li.wei", comment="checking", response_s=28)
    j.play(T0 + 400, LEL, Event.CLEAR, value=12)
    # 2: returned unacknowledged, and raised again from there (3), which anna acknowledges
    j.play(T0 + 1000, LEL, Event.ACTIVATE, value=45)
    j.play(T0 + 1010, LEL, Event.CLEAR, value=30)
    j.play(T0 + 1020, LEL, Event.ACTIVATE, value=46)
    j.play(T0 + 1050, LEL, Event.ACKNOWLEDGE, actor="anna", response_s=30)
    j.play(T0 + 1100, LEL, Event.CLEAR, value=20)
    # 4: shelved by anna for an hour, cleared while shelved, unshelved by hand (which acknowledges)
    j.play(T0 + 200, TEMP, Event.ACTIVATE, value=92)
    j.play(T0 + 260, TEMP, Event.SHELVE, actor="anna", comment="Sensor fault, WO-17", shelve_until=T0 + 3860)
    j.play(T0 + 300, TEMP, Event.CLEAR, value=70)
    j.play(T0 + 500, TEMP, Event.UNSHELVE_MANUAL, actor="anna")
    # 5: suppressed by design a while, still active and unacknowledged after; an escalation changes nothing
    j.play(T0 + 600, GAS, Event.ACTIVATE, value=22)
    j.play(T0 + 610, GAS, Event.SUPPRESS, comment="zone isolated")
    j.play(T0 + 900, GAS, Event.UNSUPPRESS)
    j.play(T0 + 960, GAS, Event.ESCALATE)
    # 6: taken out of service and still out
    j.play(T0 + 700, FLOW, Event.ACTIVATE, value=3.5)
    j.play(T0 + 720, FLOW, Event.REMOVE_FROM_SERVICE, actor="boss", comment="Meter replaced")
    # shelved before it came: raised while shelved is no occurrence (the condition shows once unshelved)
    j.play(T0 + 800, PRESSURE, Event.SHELVE, actor="anna", comment="Commissioning", shelve_until=T0 + 9000)
    j.play(T0 + 810, PRESSURE, Event.ACTIVATE, value=9)
    # raised after the period
    j.play(T0 + 2500, TEMP, Event.ACTIVATE, value=95)
    j.rows.sort(key=lambda row: row["ts"])  # the journal is in commit order
    return j


def _occurrence(alarm: Alarm, key: int, raised: float, value: float, **facts: object) -> Occurrence:
    base = Occurrence(
        key=key,
        alarm_id=alarm.alarm_id,
        source=alarm.source,
        area=alarm.area,
        tier=alarm.tier,
        priority=alarm.priority,
        message=alarm.message,
        value=value,
        unit=alarm.unit,
        raised=raised,
        acknowledged=None,
        acked_by_unshelve=False,
        cleared=None,
        shelved=None,
        suppressed=None,
        out_of_service=None,
        first_response_s=None,
        state=State.NORMAL,
        active=False,
        acked=True,
    )
    return replace(base, **facts)  # type: ignore[arg-type]


@pytest.fixture()
def journal(store: Store) -> dict[str, Occurrence]:
    """The hand-built journal stored; its occurrences by name, with the journal ids the store gave them."""
    j = _journal()
    store.write([], [], j.rows)
    with store.engine.connect() as conn:
        ids = dict(conn.exec_driver_sql("SELECT ts, id FROM alarm_journal").all())
    key = {offset: ids[T0 + offset] for offset in (100, 1000, 1020, 200, 600, 700)}
    return {
        "acked": _occurrence(
            LEL,
            key[100],
            T0 + 100,
            41.5,
            acknowledged=Action(T0 + 130, "li.wei", "checking"),
            cleared=T0 + 400,
            first_response_s=28.0,
        ),
        "returned": _occurrence(
            LEL, key[1000], T0 + 1000, 45, cleared=T0 + 1010, state=State.RTN_UNACK, acked=False
        ),
        "again": _occurrence(
            LEL,
            key[1020],
            T0 + 1020,
            46,
            acknowledged=Action(T0 + 1050, "anna", ""),
            cleared=T0 + 1100,
            first_response_s=30.0,
        ),
        "shelved": _occurrence(
            TEMP,
            key[200],
            T0 + 200,
            92,
            acknowledged=Action(T0 + 500, "anna", ""),
            acked_by_unshelve=True,
            cleared=T0 + 300,
            shelved=Hidden(T0 + 260, "anna", "Sensor fault, WO-17", T0 + 3860, T0 + 500, "anna"),
            first_response_s=60.0,
        ),
        "suppressed": _occurrence(
            GAS,
            key[600],
            T0 + 600,
            22,
            suppressed=Hidden(T0 + 610, "", "zone isolated", None, T0 + 900, ""),
            state=State.UNACK,
            active=True,
            acked=False,
        ),
        "out": _occurrence(
            FLOW,
            key[700],
            T0 + 700,
            3.5,
            out_of_service=Hidden(T0 + 720, "boss", "Meter replaced", None, None, ""),
            first_response_s=20.0,
            state=State.OUT_OF_SERVICE,
            active=True,
            acked=False,
        ),
    }


def test_each_occurrence_of_the_period_is_one_row_with_what_happened_to_it(
    store: Store, journal: dict[str, Occurrence]
) -> None:
    page = history_page(store.engine, PERIOD)
    newest_first = ["again", "returned", "out", "suppressed", "shelved", "acked"]
    assert page.rows == tuple(journal[name] for name in newest_first)
    assert (page.total, page.pages) == (6, 1)
    assert journal["acked"].ack_after_s == 30.0
    assert not math.isnan(page.rows[0].value)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (replace(PERIOD, area="PU"), ["out", "suppressed", "shelved"]),
        (replace(PERIOD, tier=Tier.LIFE), ["again", "returned", "acked"]),
        (replace(PERIOD, tag="tt-pu"), ["shelved"]),
        (replace(PERIOD, tag="GD-"), ["again", "returned", "suppressed", "acked"]),
        (replace(PERIOD, state=HistoryState.ACTIVE), ["out", "suppressed"]),
        (replace(PERIOD, state=HistoryState.UNACKNOWLEDGED), ["returned", "out", "suppressed"]),
        (replace(PERIOD, state=HistoryState.CLEARED), ["again", "returned", "shelved", "acked"]),
        (replace(PERIOD, state=HistoryState.SHELVED), ["shelved"]),
        (replace(PERIOD, state=HistoryState.SUPPRESSED), ["suppressed"]),
        (replace(PERIOD, state=HistoryState.OUT_OF_SERVICE), ["out"]),
        (replace(PERIOD, actor="anna"), ["again", "shelved"]),
        (replace(PERIOD, actor="li.wei"), ["acked"]),
        (replace(PERIOD, text="wo-17"), ["shelved"]),
        (replace(PERIOD, text="compressor"), ["again", "returned", "acked"]),
        (replace(PERIOD, text="100%"), []),
        (replace(PERIOD, area="PU", actor="anna", state=HistoryState.CLEARED), ["shelved"]),
        (HistoryFilter(T0 + 150, T0 + 1010), ["returned", "out", "suppressed", "shelved"]),
    ],
)
def test_filters_pick_the_occurrences_asked_for(
    store: Store, journal: dict[str, Occurrence], query: HistoryFilter, expected: list[str]
) -> None:
    page = history_page(store.engine, query)
    by_key = {o.key: name for name, o in journal.items()}
    assert [by_key[o.key] for o in page.rows] == expected
    assert page.total == len(expected)
    assert all(o == journal[by_key[o.key]] for o in page.rows)


@pytest.mark.parametrize("query", [PERIOD, replace(PERIOD, text="e")], ids=["by start", "by witness"])
def test_pages_go_newest_first_with_the_total_on_each(
    store: Store, journal: dict[str, Occurrence], query: HistoryFilter
) -> None:
    pages = [history_page(store.engine, query, page=n, page_size=4) for n in range(3)]
    assert [len(p.rows) for p in pages] == [4, 2, 0]
    assert [p.total for p in pages] == [6, 6, 6] and pages[0].pages == 2
    assert [o.raised for p in pages for o in p.rows] == sorted(
        (o.raised for o in journal.values()), reverse=True
    )


def test_the_who_acted_filter_offers_everyone_who_acted_in_the_period(
    store: Store, journal: dict[str, Occurrence]
) -> None:
    assert history_actors(store.engine, PERIOD.since, PERIOD.until) == ["anna", "boss", "li.wei"]
    assert history_actors(store.engine, T0 + 140, T0 + 2000) == ["anna", "boss"]
