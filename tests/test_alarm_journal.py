"""The alarm journal: row mapping, group-committed writes, filtered reads and restore after a restart.

Runs on SQLite and (when configured) PostgreSQL; a second Store stands for another process that reads
what the writer committed.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import threading
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from alarms.definitions import Definitions, Priority, Tier
from alarms.records import AlarmView, Refusal, Shelve, Transition
from alarms.samples import Quality, TagBatch
from alarms.states import Event, State
from integrations.alarm_journal import row_of, transition_of
from integrations.storage import JournalEntry, StorageError, Store, StoreWriter, alarm_journal
from plant_maps.site import Site
from tests.alarms.builders import event, make
from tests.support import wait_until

T0 = 1_800_000_000.0


def tr(
    seq: int,
    alarm_id: str,
    event: Event,
    from_state: State,
    to_state: State,
    *,
    ts: float | None = None,
    area: str = "CH",
    tier: Tier = Tier.HIGH,
    **fields: object,
) -> Transition:
    """A transition with plain defaults; `active`/`acked` follow the target state unless given."""
    defaults: dict[str, object] = {
        "active": to_state in (State.UNACK, State.ACKED),
        "acked": to_state not in (State.UNACK, State.RTN_UNACK),
        "value": 12.5,
        "actor": "system",
        "console": "",
        "comment": "",
    }
    defaults.update(fields)
    return Transition(
        seq=seq,
        alarm_id=alarm_id,
        source=alarm_id.split(".")[0],
        tier=tier,
        priority=Priority.MEDIUM,
        area=area,
        message=f"{alarm_id} at {defaults['value']}",
        event=event,
        from_state=from_state,
        to_state=to_state,
        ts=T0 + seq if ts is None else ts,
        **defaults,  # type: ignore[arg-type]
    )


def same(a: Transition, b: Transition) -> bool:
    """Equal, NaN values included."""
    if math.isnan(a.value) or math.isnan(b.value):
        return math.isnan(a.value) and math.isnan(b.value) and a._replace(value=0.0) == b._replace(value=0.0)
    return a == b


SHELVED = tr(
    7,
    "GD-CH-01.HH",
    Event.SHELVE,
    State.UNACK,
    State.SHELVED,
    active=True,
    acked=False,
    value=math.nan,
    actor="op1",
    console="ws-2",
    comment="detector being recalibrated",
    annunciate=True,
    first_out=True,
    chattering=True,
    flood=True,
    group="GD-CH-00.HH",
    shelve=Shelve(T0 + 3600.25, one_shot=True),
    response_s=12.75,
    ts=T0 + 0.001,
    raised_ts=T0 - 12.75,
)


@pytest.fixture()
def other(database_url: str) -> Iterator[Store]:
    """A second connection to the same database, as another process would have."""
    s = Store(database_url)
    yield s
    s.close()


@pytest.fixture()
def writer(store: Store, site: Site) -> Iterator[StoreWriter]:
    w = StoreWriter(store, site)
    yield w
    w.close()


# -- mapping ----------------------------------------------------------------------------------------------


def test_row_round_trip_is_exact_with_nan_and_a_shelve() -> None:
    row = row_of(SHELVED)
    assert row["value"] is None and row["shelve_until"] == T0 + 3600.25 and row["shelve_one_shot"] is True
    assert row["event"] == "shelve" and row["tier"] == 2 and row["group_id"] == "GD-CH-00.HH"
    assert row["raised_ts"] == T0 - 12.75
    back = transition_of(row)
    assert same(back, SHELVED)
    assert type(back.tier) is Tier and type(back.event) is Event and type(back.to_state) is State
    plain = tr(1, "PT-01.H", Event.ACTIVATE, State.NORMAL, State.UNACK, value=-0.0)
    assert transition_of(row_of(plain)) == plain
    assert row_of(plain)["shelve_until"] is None and transition_of(row_of(plain)).shelve is None


def test_round_trip_through_the_database(writer: StoreWriter, other: Store) -> None:
    plain = tr(8, "PT-01.H", Event.ACTIVATE, State.NORMAL, State.UNACK, value=1e-300, ts=T0 + 1 / 3)
    assert writer.journal_alarms([SHELVED, plain]).result(timeout=10) is None
    [a, b] = other.alarm_transitions()
    assert same(a, SHELVED) and b == plain


# -- writing ----------------------------------------------------------------------------------------------


def test_journal_alarms_resolves_only_once_committed_with_history_and_journal(
    store: Store, other: Store, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = store.write
    first_commit_may_go = threading.Event()
    calls: list[tuple[int, int, int]] = []

    def gated(history: list, journal: list, alarms: list | None = None) -> list[int]:
        calls.append((len(history), len(journal), len(alarms or ())))
        if len(calls) == 1:
            assert first_commit_may_go.wait(10)
        return real_write(history, journal, alarms)

    monkeypatch.setattr(store, "write", gated)
    writer = StoreWriter(store, site)
    try:
        blocker = writer.journal([JournalEntry(T0, "note", "test")])
        wait_until(lambda: calls)  # the writer holds the first commit; what follows queues up behind it
        writer.record_history(TagBatch.from_lists([0], [1.0], [int(Quality.GOOD)], [T0], T0))
        writer.journal([JournalEntry(T0, "ack", "console", actor="op1")])
        transitions = [tr(i, f"GD-{i}.HH", Event.ACTIVATE, State.NORMAL, State.UNACK) for i in range(1, 4)]
        future = writer.journal_alarms(transitions)
        seen_when_resolved: list[int] = []
        future.add_done_callback(lambda f: seen_when_resolved.append(len(other.alarm_transitions())))
        time.sleep(0.1)
        assert not future.done() and other.alarm_transitions() == []
        first_commit_may_go.set()
        assert future.result(timeout=10) is None
        assert len(blocker.result(timeout=10)) == 1
    finally:
        writer.close()
    assert seen_when_resolved == [3]  # resolved callbacks run once the rows are visible to anyone
    assert calls == [(0, 1, 0), (1, 1, 3)]  # history, journal and alarm rows in one transaction
    assert other.alarm_transitions() == transitions


def test_a_flood_of_10000_commits_in_well_under_a_second(
    writer: StoreWriter, other: Store, database_url: str
) -> None:
    flood = [
        tr(i, f"GD-{i % 500:03d}.HH", Event.ACTIVATE, State.NORMAL, State.UNACK, flood=True)
        for i in range(1, 10_001)
    ]
    writer.journal_alarms(flood[:1]).result(timeout=10)  # connection and table warm
    start = time.perf_counter()
    future = writer.journal_alarms(flood[1:])
    queued = time.perf_counter() - start
    future.result(timeout=30)
    committed = time.perf_counter() - start
    print(
        f"{database_url.split(':')[0]}: 9,999 alarm transitions queued in {queued * 1000:.2f} ms, "
        f"committed in {committed * 1000:.0f} ms"
    )
    assert queued < 0.01  # the caller (the asyncio loop) never waits
    if database_url.startswith("sqlite"):
        assert committed < 1.0
    assert len(other.alarm_transitions()) == 10_000


def test_a_malformed_transition_fails_its_own_future_only(writer: StoreWriter, other: Store) -> None:
    bad = tr(1, "GD-1.HH", Event.ACTIVATE, State.NORMAL, State.UNACK, value="twelve")
    good = tr(2, "GD-2.HH", Event.ACTIVATE, State.NORMAL, State.UNACK)
    failed, ok = writer.journal_alarms([bad]), writer.journal_alarms([good])
    with pytest.raises(ValueError, match="twelve"):
        failed.result(timeout=10)
    assert ok.result(timeout=10) is None
    assert other.alarm_transitions() == [good]
    assert writer.journal_alarms([]).result(timeout=1) is None


def test_a_failing_database_is_retried_for_alarm_rows(
    store: Store, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = store.write
    failures = iter([True, True])

    def flaky(history: list, journal: list, alarms: list | None = None) -> list[int]:
        if next(failures, False):
            raise sa.exc.OperationalError("INSERT", {}, Exception("database is locked"))
        return real_write(history, journal, alarms)

    monkeypatch.setattr(store, "write", flaky)
    writer = StoreWriter(store, site, retry_max_s=0.3)
    try:
        transitions = [tr(1, "GD-1.HH", Event.ACTIVATE, State.NORMAL, State.UNACK)]
        assert writer.journal_alarms(transitions).result(timeout=10) is None
    finally:
        writer.close()
    assert writer.errors == 2 and writer.rows_written == 1
    assert store.alarm_transitions() == transitions


def test_close_without_the_database_fails_waiting_alarm_futures(
    store: Store, site: Site, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def down(history: list, journal: list, alarms: list | None = None) -> list[int]:
        raise sa.exc.OperationalError("INSERT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(store, "write", down)
    writer = StoreWriter(store, site, retry_max_s=0.1)
    future = writer.journal_alarms([tr(1, "GD-1.HH", Event.ACTIVATE, State.NORMAL, State.UNACK)])
    with caplog.at_level(logging.ERROR):
        writer.close(timeout=0.5)
    with pytest.raises(StorageError, match="server closed the connection"):
        future.result(timeout=1)
    with pytest.raises(StorageError, match="closed"):
        writer.journal_alarms([])


# -- reading ----------------------------------------------------------------------------------------------


def test_filters_by_window_area_tier_and_alarm(writer: StoreWriter, other: Store) -> None:
    a = tr(1, "GD-CH-01.HH", Event.ACTIVATE, State.NORMAL, State.UNACK, area="CH", tier=Tier.LIFE)
    b = tr(2, "GD-TF-01.H", Event.ACTIVATE, State.NORMAL, State.UNACK, area="TF", tier=Tier.HIGH)
    c = tr(3, "GD-CH-01.HH", Event.ACKNOWLEDGE, State.UNACK, State.ACKED, area="CH", tier=Tier.LIFE)
    d = tr(4, "PT-CH-02.L", Event.ACTIVATE, State.NORMAL, State.UNACK, area="CH", tier=Tier.LOW)
    writer.journal_alarms([a, b, c, d]).result(timeout=10)
    assert other.alarm_transitions() == [a, b, c, d]
    assert other.alarm_transitions(since=T0 + 2) == [b, c, d]
    assert other.alarm_transitions(until=T0 + 3) == [a, b]
    assert other.alarm_transitions(since=T0 + 2, until=T0 + 4) == [b, c]
    assert other.alarm_transitions(area="CH") == [a, c, d]
    assert other.alarm_transitions(tier=Tier.LIFE) == [a, c]
    assert other.alarm_transitions(area="CH", tier=3) == [d]
    assert other.alarm_transitions(alarm_ids=["GD-CH-01.HH", "PT-CH-02.L"]) == [a, c, d]
    assert other.alarm_transitions(alarm_ids=[]) == []
    assert other.alarm_transitions(area="nowhere") == []


def test_latest_alarm_transitions_are_the_non_normal_alarms_latest_rows(
    writer: StoreWriter, other: Store
) -> None:
    S, E = State, Event
    rows = [
        # back to normal: not restored
        tr(1, "A", E.ACTIVATE, S.NORMAL, S.UNACK),
        tr(2, "A", E.ACKNOWLEDGE, S.UNACK, S.ACKED),
        tr(3, "A", E.CLEAR, S.ACKED, S.NORMAL),
        # active, acknowledged
        tr(4, "B", E.ACTIVATE, S.NORMAL, S.UNACK),
        tr(5, "B", E.ACKNOWLEDGE, S.UNACK, S.ACKED, actor="op1"),
        # returned, unacknowledged
        tr(6, "C", E.ACTIVATE, S.NORMAL, S.UNACK),
        tr(7, "C", E.CLEAR, S.UNACK, S.RTN_UNACK),
        # latched, waiting for reset
        tr(8, "D", E.ACTIVATE, S.NORMAL, S.UNACK),
        tr(9, "D", E.ACKNOWLEDGE, S.UNACK, S.ACKED),
        tr(10, "D", E.CLEAR, S.ACKED, S.LATCHED),
        # shelved while active, with its expiry
        tr(11, "E", E.ACTIVATE, S.NORMAL, S.UNACK),
        tr(12, "E", E.SHELVE, S.UNACK, S.SHELVED, active=True, acked=False, shelve=Shelve(T0 + 900)),
        # suppressed by design, out of service
        tr(13, "F", E.SUPPRESS, S.NORMAL, S.SUPPRESSED, active=False, acked=True),
        tr(14, "G", E.REMOVE_FROM_SERVICE, S.NORMAL, S.OUT_OF_SERVICE, active=False, acked=True),
        # unacknowledged and escalated: the escalation notice and the state change it escalates
        tr(15, "H", E.ACTIVATE, S.NORMAL, S.UNACK, tier=Tier.LIFE),
        tr(16, "H", E.ESCALATE, S.UNACK, S.UNACK, tier=Tier.LIFE),
        # returned to normal after an earlier escalation: not restored
        tr(17, "K", E.ACTIVATE, S.NORMAL, S.UNACK, tier=Tier.LIFE),
        tr(18, "K", E.ESCALATE, S.UNACK, S.UNACK, tier=Tier.LIFE),
        tr(19, "K", E.ACKNOWLEDGE, S.UNACK, S.ACKED, tier=Tier.LIFE),
        tr(20, "K", E.CLEAR, S.ACKED, S.NORMAL, tier=Tier.LIFE),
        # normal at a high seq, then active again after an engine numbered from 1 again: latest is by commit
        tr(90, "M", E.ACTIVATE, S.NORMAL, S.UNACK),
        tr(91, "M", E.CLEAR, S.UNACK, S.RTN_UNACK),
        tr(92, "M", E.ACKNOWLEDGE, S.RTN_UNACK, S.NORMAL),
        tr(1, "M", E.ACTIVATE, S.NORMAL, S.UNACK, ts=T0 + 100),
    ]
    writer.journal_alarms(rows[:10]).result(timeout=10)  # over several commits, as in real life
    writer.journal_alarms(rows[10:]).result(timeout=10)
    latest = other.latest_alarm_transitions()
    # each standing alarm's latest row, the state change an escalation names, and the latest activation,
    # acknowledgement and clear (for the times the alarm list shows)
    assert latest == [rows[i] for i in (3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 23)]
    assert [t.alarm_id for t in latest] == [*"BBCCDDDEEFGHHM"]
    assert latest[8].shelve == Shelve(T0 + 900)


def test_latest_alarm_transitions_of_an_empty_journal(other: Store) -> None:
    assert other.latest_alarm_transitions() == []


def test_the_schema_indexes_what_the_reads_filter_on(store: Store) -> None:
    indexes = {tuple(i["column_names"]) for i in sa.inspect(store.engine).get_indexes(alarm_journal.name)}
    assert {("seq",), ("ts",), ("alarm_id", "id")} <= indexes


# -- restart ----------------------------------------------------------------------------------------------


def _comparable(views: list[AlarmView]) -> list[AlarmView]:
    return [dataclasses.replace(v, value=0.0) if math.isnan(v.value) else v for v in views]


def test_an_engine_restored_from_the_journal_shows_what_the_old_one_showed(
    writer: StoreWriter, other: Store
) -> None:
    """ISA-18.2: after a restart the active, unacknowledged, shelved, latched, hidden alarms come back."""
    definitions = Definitions(
        tags=(),
        events=(
            event("SOS-W01", Tier.LIFE),  # unacknowledged, then escalated
            event("SOS-W02", Tier.HIGH),  # acknowledged
            event("SOS-W03", Tier.HIGH),  # returned, unacknowledged
            event("SOS-W04", Tier.HIGH),  # came and went: normal
            event("SOS-W05", Tier.HIGH, latched=True),  # latched, waiting for reset
            event("SOS-W06", Tier.HIGH),  # shelved
            event("SOS-W07", Tier.HIGH, area="maintenance"),  # suppressed by design
            event("SOS-W08", Tier.HIGH),  # out of service
        ),
    )
    old, clock = make(definitions)
    out: list[Transition] = []

    def do(result: Transition | Refusal | list[Transition]) -> None:
        assert not isinstance(result, Refusal), result
        out.extend(result if isinstance(result, list) else [result])

    for n in range(1, 9):
        do(old.raise_event(f"SOS-W0{n}"))
    clock.advance(5)
    do(old.acknowledge("SOS-W02", old.view("SOS-W02").seq, "op1", "ws-1", "crew on the way"))
    do(old.clear_event("SOS-W03"))
    do(old.acknowledge("SOS-W04", old.view("SOS-W04").seq, "op1", "ws-1"))
    do(old.clear_event("SOS-W04"))
    do(old.acknowledge("SOS-W05", old.view("SOS-W05").seq, "op1", "ws-1"))
    do(old.clear_event("SOS-W05"))
    do(old.shelve("SOS-W06", "op1", "ws-1", "false trigger, wearable being swapped", 1800))
    do(old.suppress_area("maintenance", True))
    do(old.remove_from_service("SOS-W08", "lead", "ws-1", "wearable lost", privileged=True))
    clock.advance(60)
    escalations = old.tick()
    assert [(t.alarm_id, t.event) for t in escalations] == [("SOS-W01", Event.ESCALATE)]
    do(escalations)
    writer.journal_alarms(out).result(timeout=10)

    new, new_clock = make(definitions)
    new_clock.set(clock.now())
    assert new.restore(other.latest_alarm_transitions()) == []  # every shelve was recovered
    shown_before = _comparable(old.active())
    # the occurrence's activation, acknowledgement and clear come back with it: their times, and the
    # response time of an acknowledgement followed by a clear
    [w05] = [v for v in shown_before if v.id == "SOS-W05"]
    assert w05.response_s == 5.0 and w05.active_ts is not None and w05.ack_ts is not None
    assert _comparable(new.active()) == shown_before
    assert {v.id: v.state for v in new.active()} == {
        "SOS-W01": State.UNACK,
        "SOS-W02": State.ACKED,
        "SOS-W03": State.RTN_UNACK,
        "SOS-W05": State.LATCHED,
        "SOS-W06": State.SHELVED,
        "SOS-W07": State.SUPPRESSED,
        "SOS-W08": State.OUT_OF_SERVICE,
    }
    assert new.tick() == []  # already escalated: not announced again
    ack = new.acknowledge("SOS-W01", old.view("SOS-W01").seq, "op2", "ws-2")
    assert isinstance(ack, Transition) and ack.to_state is State.ACKED
    assert ack.seq > max(t.seq for t in out)
    # what the restored engine journals next belongs to the occurrences raised before the restart
    raised = {t.alarm_id: t.ts for t in out if t.event is Event.ACTIVATE}
    reset = new.reset("SOS-W05", "op2", "ws-2")
    shelve = new.shelve("SOS-W04", "op2", "ws-2", "wearable being swapped", 600)  # normal: no occurrence
    assert isinstance(reset, Transition) and isinstance(shelve, Transition)
    assert (ack.raised_ts, reset.raised_ts, shelve.raised_ts) == (raised["SOS-W01"], raised["SOS-W05"], None)
