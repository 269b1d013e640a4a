"""Schema migrations: a database from before them keeps every row, `controlroom db` reports and upgrades,
and the tables the code queries are exactly what the revisions build. SQLite and (when configured)
PostgreSQL."""

from __future__ import annotations

import logging
import random
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.dialects import postgresql

from alarms.definitions import Definitions, Priority, Tier
from alarms.records import Refusal, Transition
from alarms.states import Event, State
from integrations import schema
from integrations.alarm_journal import row_of
from integrations.storage import StorageError, Store, metadata
from tests.alarms.builders import event, make
from tests.conftest import REPO

T0 = 1_800_000_000.0

# The tables as `Store` made them with create_all before migrations existed (copied from the code of that
# time, not imported: the test must keep building the old schema when the code's tables change).
_OLD = sa.MetaData()
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
sa.Table(
    "tag_history",
    _OLD,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("tag", sa.Text(), nullable=False),
    sa.Column("ts", sa.Double(), nullable=False),
    sa.Column("value", sa.Double(), nullable=True),
    sa.Column("quality", sa.SmallInteger(), nullable=False),
    sa.Index("ix_tag_history_tag_ts", "tag", "ts"),
)
sa.Table(
    "event_journal",
    _OLD,
    sa.Column("seq", _ID, primary_key=True, autoincrement=True),
    sa.Column("ts", sa.Double(), nullable=False),
    sa.Column("kind", sa.Text(), nullable=False),
    sa.Column("source", sa.Text(), nullable=False),
    sa.Column("actor", sa.Text(), nullable=False),
    sa.Column("console", sa.Text(), nullable=False),
    sa.Column("payload", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
    sa.Index("ix_event_journal_ts", "ts"),
    sqlite_autoincrement=True,
)
sa.Table(
    "alarm_journal",
    _OLD,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("seq", sa.BigInteger(), nullable=False, index=True),
    sa.Column("ts", sa.Double(), nullable=False),
    sa.Column("alarm_id", sa.Text(), nullable=False),
    sa.Column("source", sa.Text(), nullable=False),
    sa.Column("tier", sa.SmallInteger(), nullable=False),
    sa.Column("priority", sa.SmallInteger(), nullable=False),
    sa.Column("area", sa.Text(), nullable=False),
    sa.Column("message", sa.Text(), nullable=False),
    sa.Column("event", sa.Text(), nullable=False),
    sa.Column("from_state", sa.Text(), nullable=False),
    sa.Column("to_state", sa.Text(), nullable=False),
    sa.Column("active", sa.Boolean(), nullable=False),
    sa.Column("acked", sa.Boolean(), nullable=False),
    sa.Column("value", sa.Double(), nullable=True),
    sa.Column("actor", sa.Text(), nullable=False),
    sa.Column("console", sa.Text(), nullable=False),
    sa.Column("comment", sa.Text(), nullable=False),
    sa.Column("annunciate", sa.Boolean(), nullable=False),
    sa.Column("first_out", sa.Boolean(), nullable=False),
    sa.Column("chattering", sa.Boolean(), nullable=False),
    sa.Column("flood", sa.Boolean(), nullable=False),
    sa.Column("group_id", sa.Text(), nullable=True),
    sa.Column("shelve_until", sa.Double(), nullable=True),
    sa.Column("shelve_one_shot", sa.Boolean(), nullable=False),
    sa.Column("response_s", sa.Double(), nullable=True),
    sa.Index("ix_alarm_journal_ts", "ts"),
    sa.Index("ix_alarm_journal_alarm_id_id", "alarm_id", "id"),
    sqlite_autoincrement=True,
)


def _transition(seq: int, to_state: State) -> Transition:
    return Transition(
        seq=seq,
        alarm_id="GD-CH-01.HH",
        source="GD-CH-01",
        tier=Tier.LIFE,
        priority=Priority.HIGH,
        area="CH",
        message="Combustible gas 26 %LEL",
        event=Event.ACTIVATE if to_state is State.UNACK else Event.ACKNOWLEDGE,
        from_state=State.NORMAL if to_state is State.UNACK else State.UNACK,
        to_state=to_state,
        active=True,
        acked=to_state is State.ACKED,
        value=26.0,
        ts=T0 + seq,
        actor="system" if to_state is State.UNACK else "li.wei",
        console="console-1",
        comment="",
    )


def _old_database(url: str) -> None:
    """A database as the console before migrations left it: the old tables, with rows in each."""
    engine = sa.create_engine(url)
    _OLD.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            _OLD.tables["tag_history"].insert(),
            [{"tag": "GD-CH-01", "ts": T0 + i, "value": float(i), "quality": 0} for i in range(5)],
        )
        conn.execute(
            _OLD.tables["event_journal"].insert(),
            [
                {"ts": T0, "kind": "permit", "source": "PTW-HW-001", "actor": "li.wei", "console": "c1",
                 "payload": {"state": "suspended", "reason": "gas"}},
                {"ts": T0 + 1, "kind": "note", "source": "console", "actor": "li.wei", "console": "c1",
                 "payload": {"text": "shift handed over"}},
            ],
        )  # fmt: skip
        conn.execute(
            _OLD.tables["alarm_journal"].insert(),
            [row_of(_transition(1, State.UNACK)), row_of(_transition(2, State.ACKED))],
        )
    engine.dispose()


def _db(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "console", "db", *args], capture_output=True, text=True, cwd=REPO, timeout=60
    )


def test_a_database_from_before_migrations_keeps_every_row_and_reaches_the_head(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    _old_database(database_url)
    before = _db("current", "--database-url", database_url)
    assert before.returncode == 1, before.stderr
    assert "made before schema migrations" in before.stdout

    with caplog.at_level(logging.INFO, logger="integrations.schema"):
        store = Store(database_url)
    try:
        assert "upgraded in place" in caplog.text and schema.head() in caplog.text
        assert [v for _, v, _ in store.history("GD-CH-01")] == [0.0, 1.0, 2.0, 3.0, 4.0]
        journal = store.journal_rows()
        assert [(e.seq, e.kind, dict(e.payload)) for e in journal] == [
            (1, "permit", {"state": "suspended", "reason": "gas"}),
            (2, "note", {"text": "shift handed over"}),
        ]
        assert [(t.seq, t.to_state, t.actor) for t in store.alarm_transitions()] == [
            (1, State.UNACK, "system"),
            (2, State.ACKED, "li.wei"),
        ]
        # what a restart restores: the occurrence's activation and its latest state
        assert [t.to_state for t in store.latest_alarm_transitions()] == [State.UNACK, State.ACKED]
        # the upgraded database goes on numbering where the old one stopped
        assert store.write([], [{"ts": T0 + 2, "kind": "note", "source": "console", "actor": "x",
                                 "console": "c1", "payload": {}}]) == [3]  # fmt: skip
    finally:
        store.close()

    after = _db("current", "--database-url", database_url)
    assert after.returncode == 0, after.stderr
    assert after.stdout.strip() == f"{schema.head()} (head): up to date"


def _engine_journal() -> list[Transition]:
    """What a real engine journals over a thousand random commands and events on three alarms (one
    latched, one in an area suppressed now and then): occurrences raised anew from normal, returned or
    latched, acknowledged, escalated, reset, shelved while active and while normal, out of service."""
    definitions = Definitions(
        tags=(),
        events=(
            event("SOS-W01", Tier.HIGH),
            event("SOS-W02", Tier.LIFE, latched=True),
            event("SOS-W03", Tier.HIGH, area="maintenance"),
        ),
    )
    engine, clock = make(definitions)
    rng = random.Random(7)
    out: list[Transition] = []
    for _ in range(1000):
        clock.advance(rng.choice((1.0, 20.0, 90.0)))
        a = rng.choice(("SOS-W01", "SOS-W02", "SOS-W03"))
        match rng.choice(
            ("raise", "clear", "ack", "reset", "shelve", "unshelve", "out", "in", "area", "tick")
        ):
            case "raise":
                result: Transition | Refusal | list[Transition] = engine.raise_event(a)
            case "clear":
                result = engine.clear_event(a)
            case "ack":
                result = engine.acknowledge(a, engine.view(a).seq, "op", "c1")
            case "reset":
                result = engine.reset(a, "op", "c1")
            case "shelve":
                result = engine.shelve(a, "op", "c1", "wearable being swapped", 60)
            case "unshelve":
                result = engine.unshelve(a, "op", "c1")
            case "out":
                result = engine.remove_from_service(a, "lead", "c1", "wearable lost", privileged=True)
            case "in":
                result = engine.return_to_service(a, "lead", "c1", privileged=True)
            case "area":
                result = engine.suppress_area("maintenance", rng.random() < 0.5)
            case _:
                result = engine.tick()
        if not isinstance(result, Refusal):
            out += result if isinstance(result, list) else [result]
    return out


def test_the_occurrence_link_is_filled_in_on_a_journal_from_before_it(database_url: str) -> None:
    """0007_occurrence_link links each row journaled before it to its occurrence exactly as the engine
    links new ones (`alarms.states.occurrence_raised`), in SQL."""
    journal = _engine_journal()
    outside = {(t.event, t.from_state) for t in journal if t.raised_ts is None}
    assert (Event.SHELVE, State.NORMAL) in outside and (Event.ACTIVATE, State.SHELVED) in outside
    assert any(t.event is Event.ACTIVATE and t.from_state is State.RTN_UNACK for t in journal)
    rows = [row_of(t) for t in journal]
    for row in rows:
        del row["raised_ts"]
    engine = sa.create_engine(database_url)
    with engine.begin() as conn:
        command.upgrade(schema._config(conn), "0006_history_indexes")  # as a console of then left it
        conn.execute(sa.table("alarm_journal", *map(sa.column, rows[0])).insert(), rows)
    engine.dispose()

    store = Store(database_url)
    try:
        assert [t.raised_ts for t in store.alarm_transitions()] == [t.raised_ts for t in journal]
    finally:
        store.close()


def test_the_revisions_build_exactly_the_tables_the_code_queries(database_url: str) -> None:
    """A change to `storage.metadata` without a revision (or a revision that differs from it) fails here."""
    Store(database_url).close()
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_db_upgrade_by_hand_says_what_it_did(database_url: str) -> None:
    created = _db("upgrade", "--database-url", database_url)
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip() == f"created at revision {schema.head()}"
    again = _db("upgrade", "--database-url", database_url)
    assert again.stdout.strip() == f"already at the head revision {schema.head()}"


def test_a_database_upgraded_by_a_newer_console_is_refused_untouched(database_url: str) -> None:
    Store(database_url).close()
    engine = sa.create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0099_from_the_future'"))
    engine.dispose()

    with pytest.raises(StorageError, match=r"0099_from_the_future.*does not know.*newer console"):
        Store(database_url)
    current = _db("current", "--database-url", database_url)
    assert current.returncode == 1
    assert "0099_from_the_future: unknown to this console" in current.stdout
    run = subprocess.run(
        [sys.executable, "-m", "console", "--headless", "--no-simulator", "--database-url", database_url],
        capture_output=True, text=True, cwd=REPO, timeout=60,
    )  # fmt: skip
    assert run.returncode == 2
    assert "0099_from_the_future" in run.stderr and "Traceback" not in run.stderr


def test_db_current_does_not_create_a_database_where_a_path_is_mistyped(tmp_path: Path) -> None:
    missing = f"sqlite:///{tmp_path}/nowhere/controlroom.db"
    result = _db("current", "--database-url", missing)
    assert result.returncode == 2
    assert "no such file" in result.stderr
