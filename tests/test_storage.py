"""Store, StoreWriter and the history deadband, on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa

from alarms.samples import Quality, TagBatch
from integrations.history import DeadbandFilter
from integrations.storage import (
    JournalEntry,
    StorageError,
    Store,
    StorePlace,
    StoreWriter,
    WriterHealth,
    database_url,
    default_database_url,
    mask_password,
    store_place,
    tag_history,
)
from plant_maps.site import Site
from plant_maps.trend_tags import history_tags
from tests.support import database_held, free_port, wait_until

T0 = 1_800_000_000.0
G, U, B = int(Quality.GOOD), int(Quality.UNCERTAIN), int(Quality.BAD)


def batch(rows: list[tuple[int, float, int, float]], received_ts: float = T0) -> TagBatch:
    """A TagBatch from (tag row, value, quality, source ts) tuples."""
    index, value, quality, ts = zip(*rows, strict=True) if rows else ((), (), (), ())
    return TagBatch.from_lists(list(index), list(value), list(quality), list(ts), received_ts)


@pytest.fixture()
def writer(store: Store, site: Site) -> Iterator[StoreWriter]:
    w = StoreWriter(store, site)
    yield w
    w.close()


# -- deadband ---------------------------------------------------------------------------------------------


def test_deadband_rules(site: Site) -> None:
    f = DeadbandFilter(site, heartbeat_s=60)
    tag = site.tag_index["GD-TF-01"]  # deadband 0.5
    assert site.sensors[tag].deadband == 0.5

    def stored(value: float, quality: int, ts: float) -> bool:
        return len(f.select(batch([(tag, value, quality, T0 + ts)]))) == 1

    assert stored(1.0, G, 0)  # first sample
    assert not stored(1.4, G, 1)  # within the deadband of the last stored 1.0
    assert not stored(0.6, G, 2)
    assert stored(1.6, G, 3)  # 0.6 away from 1.0
    assert not stored(1.6, G, 50)
    assert stored(1.6, G, 63.5)  # heartbeat: > 60 s since the last stored sample
    assert stored(1.6, U, 64)  # quality change
    assert stored(1.6, G, 65)
    assert stored(math.nan, G, 66)  # a value vanishing is a change
    assert not stored(math.nan, G, 67)
    assert stored(1.6, G, 68)  # and coming back
    assert stored(math.inf, B, 69)
    assert not stored(math.inf, B, 70)


def test_deadband_judges_several_samples_of_one_tag_in_order(site: Site) -> None:
    f = DeadbandFilter(site)
    a, b = site.tag_index["GD-TF-01"], site.tag_index["GD-TF-02"]
    rows = f.select(batch([(a, 0.0, G, T0), (b, 5.0, G, T0), (a, 0.3, G, T0 + 1), (a, 0.7, G, T0 + 2)]))
    # a: 0.0 stored; 0.3 within 0.5 of it; 0.7 is 0.7 away from 0.0 (not from 0.3): stored
    assert rows.index.tolist() == [a, b, a]
    assert rows.value.tolist() == [0.0, 5.0, 0.7]


def test_deadband_uses_receive_time_when_the_source_gave_none(site: Site) -> None:
    rows = DeadbandFilter(site).select(batch([(0, 1.0, G, math.nan)], received_ts=T0 + 5))
    assert rows.ts.tolist() == [T0 + 5]


def simulated_plant(site: Site, seconds: int, rng: np.random.Generator) -> Iterator[tuple[float, np.ndarray]]:
    """Simulator-like values at 1 Hz for every tag: normal + slow cycle + drift + noise, in deadband units.

    Cycle amplitude 5 deadbands over 3-15 min, Ornstein-Uhlenbeck drift of 1 deadband over 5 min, white
    noise of a third of the deadband (a deadband set at 3 sigma of the noise, as it should be).
    """
    n = len(site.sensors)
    deadband = np.array([s.deadband for s in site.sensors])
    normal = np.array([s.normal for s in site.sensors])
    omega = 2 * np.pi / rng.uniform(180, 900, n)
    phase = rng.uniform(0, 2 * np.pi, n)
    decay = math.exp(-1 / 300)
    drift = np.zeros(n)
    for k in range(seconds):
        drift = drift * decay + deadband * math.sqrt(1 - decay**2) * rng.normal(size=n)
        cycle = 5 * deadband * np.sin(omega * k + phase)
        yield T0 + k, normal + cycle + drift + deadband / 3 * rng.normal(size=n)


def test_deadband_compresses_noisy_history_tenfold_and_keeps_a_step(
    store: Store, writer: StoreWriter, site: Site
) -> None:
    n = len(site.sensors)
    index = np.arange(n, dtype=np.int32)
    deadband = np.array([s.deadband for s in site.sensors])
    step_at, samples = T0 + 1800, 0
    for ts, values in simulated_plant(site, 3600, np.random.default_rng(7)):
        if ts >= step_at:
            values = values + 20 * deadband  # a real change on every tag at once
        writer.record_history(TagBatch(index, values, np.zeros(n, np.int8), np.full(n, ts), ts))
        samples += n
    assert writer.flush(timeout=60)
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(sa.func.count()).select_from(tag_history)).scalar_one()
    ratio = samples / rows
    print(f"deadband compression {samples} samples -> {rows} rows = {ratio:.1f}:1")
    assert ratio >= 10
    assert writer.rows_written == rows
    for sensor in site.sensors:
        assert step_at in [ts for ts, _, _ in store.history(sensor.id, since=step_at - 1, until=step_at + 1)]


def test_a_quality_change_is_always_stored(store: Store, writer: StoreWriter, site: Site) -> None:
    tag = site.tag_index["PGD-01"]
    for i, quality in enumerate([G, G, B, B, U, G]):
        writer.record_history(batch([(tag, 5.0, quality, T0 + i)]))
    assert writer.flush(timeout=10)
    assert [q for _, _, q in store.history("PGD-01")] == [
        Quality.GOOD,
        Quality.BAD,
        Quality.UNCERTAIN,
        Quality.GOOD,
    ]


# -- store and writer -------------------------------------------------------------------------------------


def test_history_rows_written_by_the_writer_are_readable(
    store: Store, writer: StoreWriter, site: Site
) -> None:
    a, b = site.tag_index["GD-TF-01"], site.tag_index["PGD-02"]
    writer.record_history(batch([(a, 1.25, G, T0), (b, math.nan, B, T0 + 0.5)]))
    writer.record_history(batch([(a, 9.0, G, T0 + 10)]))
    assert writer.flush(timeout=10)
    assert store.history("GD-TF-01") == [(T0, 1.25, Quality.GOOD), (T0 + 10, 9.0, Quality.GOOD)]
    assert store.history("GD-TF-01", since=T0 + 1) == [(T0 + 10, 9.0, Quality.GOOD)]
    assert store.history("GD-TF-01", until=T0 + 10) == [(T0, 1.25, Quality.GOOD)]
    [(ts, value, quality)] = store.history("PGD-02")
    assert (ts, math.isnan(value), quality) == (T0 + 0.5, True, Quality.BAD)
    assert (writer.rows_written, writer.errors) == (3, 0)
    assert writer.commits >= 1


def test_journal_future_resolves_after_commit(database_url: str, writer: StoreWriter) -> None:
    entries = [
        JournalEntry(T0, "alarm", "engine", payload={"tag": "GD-TF-01", "state": "active_unack"}),
        JournalEntry(T0 + 1, "ack", "console", actor="op1", console="ws-2", payload={"alarm": "GD-TF-01"}),
    ]
    seqs = writer.journal(entries).result(timeout=10)
    assert len(seqs) == 2 and seqs[0] < seqs[1]
    other = Store(database_url)  # a fresh engine: committed means visible to anyone
    try:
        rows = other.journal_rows()
        assert rows == [
            JournalEntry(
                T0, "alarm", "engine", "", "", {"tag": "GD-TF-01", "state": "active_unack"}, seqs[0]
            ),
            JournalEntry(T0 + 1, "ack", "console", "op1", "ws-2", {"alarm": "GD-TF-01"}, seqs[1]),
        ]
        assert [r.seq for r in other.journal_rows(kind="ack")] == [seqs[1]]
        assert [r.seq for r in other.journal_rows(since=T0 + 0.5)] == [seqs[1]]
        assert [r.seq for r in other.journal_rows(until=T0 + 0.5)] == [seqs[0]]
    finally:
        other.close()


def test_writer_refuses_bad_input_at_the_caller(writer: StoreWriter, site: Site) -> None:
    assert writer.journal([]).result(timeout=1) == []
    with pytest.raises(IndexError):
        writer.record_history(batch([(len(history_tags(site)), 1.0, G, T0)]))  # sensors, then vitals
    with pytest.raises(ValueError):
        writer.journal([JournalEntry(T0, "x", "y", payload={"v": math.nan})])
    with pytest.raises(TypeError):
        writer.journal([JournalEntry(T0, "x", "y", payload={"v": object()})])


def test_a_failing_database_is_retried_without_losing_rows(
    store: Store, site: Site, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real_write = store.write
    failures = iter([True, True])

    def flaky(history: list, journal: list) -> list[int]:
        if next(failures, False):
            raise sa.exc.OperationalError("INSERT", {}, Exception("database is locked"))
        return real_write(history, journal)

    monkeypatch.setattr(store, "write", flaky)
    writer = StoreWriter(store, site, retry_max_s=0.3)
    try:
        writer.record_history(batch([(0, 1.0, G, T0)]))
        future = writer.journal([JournalEntry(T0, "note", "test")])
        assert len(future.result(timeout=10)) == 1
        assert writer.flush(timeout=10)
    finally:
        writer.close()
    assert writer.errors == 2 and "database is locked" in writer.last_error
    assert writer.rows_written == 2
    assert len(store.history(site.sensors[0].id)) == 1
    assert sum("write failed" in r.getMessage() for r in caplog.records) == 2


def test_a_commit_landing_after_its_caller_stopped_waiting_does_not_stop_the_writer(
    store: Store, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A command that waited its 10 s for a slow database cancels its future (asyncio.wait_for does): the rows
    are written all the same when the database answers, and the writer goes on with the next ones."""
    real_write = store.write
    answer = threading.Event()

    def slow(*rows: Any, **audit: Any) -> list[int]:
        answer.wait(10)
        return real_write(*rows, **audit)

    monkeypatch.setattr(store, "write", slow)
    writer = StoreWriter(store, site)
    try:
        given_up = writer.journal([JournalEntry(T0, "note", "first")])
        assert given_up.cancel()
        answer.set()
        assert len(writer.journal([JournalEntry(T0 + 1, "note", "second")]).result(timeout=10)) == 1
    finally:
        writer.close()
    assert [e.source for e in store.journal_rows(kind="note")] == ["first", "second"]


def test_a_database_held_by_another_client_shows_in_the_writers_health_and_nothing_is_lost(
    store: Store, site: Site, database_url: str
) -> None:
    """What the journal watch reads while the database does not commit: how long the transaction in hand has
    waited, how many rows wait and why; released, every row is written in order and the health is clear."""
    writer = StoreWriter(store, site)
    try:
        assert writer.journal([JournalEntry(T0, "note", "before")]).result(timeout=10)
        assert writer.health() == WriterHealth()
        with database_held(database_url):
            futures = [writer.journal([JournalEntry(T0 + i, "note", f"during {i}")]) for i in range(3)]
            if store.url.get_backend_name() == "sqlite":  # fails after waiting 5 s for the lock
                health = wait_until(lambda: (h := writer.health()).failures and h, 15)
                assert health.error == "database is locked"
            else:  # waits without an answer
                health = wait_until(lambda: (h := writer.health()).waiting_s > 1 and h, 15)
                assert (health.failures, health.error) == (0, "")
            assert health.waiting_s > 1 and health.rows == 3
            assert not any(f.done() for f in futures)
        for future in futures:
            assert len(future.result(timeout=20)) == 1
        assert writer.health() == WriterHealth()
    finally:
        writer.close()
    assert [e.source for e in store.journal_rows(kind="note")] == [
        "before",
        "during 0",
        "during 1",
        "during 2",
    ]


def test_the_store_says_where_it_is_without_the_password() -> None:
    sqlite = database_url("sqlite:////var/lib/controlroom/controlroom.db")
    postgres = database_url("postgresql://ops:secret@db.plant:5433/controlroom")
    assert store_place(sqlite) == StorePlace(
        "sqlite", "/var/lib/controlroom/controlroom.db", "sqlite:////var/lib/controlroom/controlroom.db"
    )
    assert store_place(postgres) == StorePlace(
        "postgresql", "db.plant:5433/controlroom", "postgresql+psycopg://ops:***@db.plant:5433/controlroom"
    )


def test_close_gives_up_on_a_database_that_stays_away(
    store: Store, site: Site, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def down(history: list, journal: list) -> list[int]:
        raise sa.exc.OperationalError("INSERT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(store, "write", down)
    writer = StoreWriter(store, site, retry_max_s=0.1)
    future = writer.journal([JournalEntry(T0, "note", "test")])
    with caplog.at_level(logging.ERROR):
        writer.close(timeout=0.5)
    with pytest.raises(StorageError, match="server closed the connection"):
        future.result(timeout=1)
    assert any("were not written" in r.getMessage() for r in caplog.records)
    with pytest.raises(StorageError, match="closed"):
        writer.record_history(batch([(0, 1.0, G, T0)]))


# -- connection -------------------------------------------------------------------------------------------


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'wal.db'}")
    try:
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    finally:
        store.close()


def test_default_url_is_in_the_xdg_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_database_url() == f"sqlite:///{tmp_path / 'data' / 'controlroom' / 'controlroom.db'}"
    assert (tmp_path / "data" / "controlroom").is_dir()
    monkeypatch.setenv("XDG_DATA_HOME", "relative/ignored")  # the XDG spec says: ignore a relative path
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_database_url() == f"sqlite:///{tmp_path / 'home/.local/share/controlroom/controlroom.db'}"


def test_postgres_urls_use_psycopg() -> None:
    for url in ("postgresql://u:p@db/plant", "postgres://u:p@db/plant", "postgresql+psycopg://u:p@db/plant"):
        assert database_url(url).drivername == "postgresql+psycopg"
    assert database_url("sqlite:///x.db").drivername == "sqlite"


def test_unreachable_postgres_names_the_host_not_the_password() -> None:
    port = free_port()
    with pytest.raises(StorageError) as caught:
        Store(f"postgresql://scada:s3cret@127.0.0.1:{port}/plant", connect_timeout_s=5)
    message = str(caught.value)
    assert "127.0.0.1" in message and str(port) in message and "plant" in message
    assert "s3cret" not in message and "***" in message


def test_a_bad_url_is_masked_too() -> None:
    with pytest.raises(StorageError) as caught:
        Store("no url at all, password hunter2")
    assert "not a database URL" in str(caught.value)
    assert mask_password("weird://user:hunter2@host:port:x/db") == "weird://user:***@host:port:x/db"
