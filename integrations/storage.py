"""The store: one SQLAlchemy Core schema for tag history and the journals, on SQLite or PostgreSQL.

SQLite (a file in the user's data folder) serves one console; a PostgreSQL URL lets a control room of
consoles share one database. Writes go through `StoreWriter`: one background thread that group-commits
whatever is queued, so that the asyncio loop never waits on a disk and a crash loses at most what was
queued in the last moments (DESIGN: commit at least every 250 ms).
"""

from __future__ import annotations

import json
import logging
import math
import os
import queue
import re
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, InvalidStateError
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy as sa
from alembic.util import CommandError
from sqlalchemy.dialects import postgresql, sqlite

from alarms.records import Transition
from alarms.samples import Quality, TagBatch
from alarms.states import Event, State
from integrations import audit_chain, schema
from integrations.alarm_journal import row_of, transition_of
from integrations.history import HEARTBEAT_S, DeadbandFilter
from integrations.position_history import PositionDecimator
from integrations.trend_history import (
    Buckets,
    at_or_before_query,
    bucket_query,
    bucket_width,
    buckets_of,
    lead_query,
)
from plant_maps.site import Site
from plant_maps.trend_tags import history_tags
from plant_maps.wearables import PositionBatch

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 10
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite autoincrements INTEGER PRIMARY KEY only
# an alarm *raised*: an activation that starts a new occurrence the operator is shown (not one while hidden)
RAISED_SQL = "event = 'activate' AND from_state IN ('normal', 'rtn_unack', 'latched')"
ANSWERS_SQL = "event IN ('acknowledge', 'shelve', 'remove_from_service', 'clear')"

metadata = sa.MetaData()

tag_history = sa.Table(
    "tag_history",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("tag", sa.Text(), nullable=False),
    sa.Column("ts", sa.Double(), nullable=False),  # epoch seconds (source time)
    sa.Column("value", sa.Double(), nullable=True),  # NULL: the source sent no usable number
    sa.Column("quality", sa.SmallInteger(), nullable=False),  # alarms.samples.Quality
    sa.Index("ix_tag_history_tag_ts", "tag", "ts"),
)

event_journal = sa.Table(
    "event_journal",
    metadata,
    sa.Column("seq", _ID, primary_key=True, autoincrement=True),
    sa.Column("ts", sa.Double(), nullable=False),
    sa.Column("kind", sa.Text(), nullable=False),
    sa.Column("source", sa.Text(), nullable=False),
    sa.Column("actor", sa.Text(), nullable=False),
    sa.Column("console", sa.Text(), nullable=False),
    sa.Column("payload", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
    sa.Index("ix_event_journal_ts", "ts"),
    sa.Index("ix_event_journal_kind_source_ts", "kind", "source", "ts"),  # a permit's state at a moment
    sqlite_autoincrement=True,  # a journal sequence number is never reused, even after deletions
)

position_history = sa.Table(
    "position_history",
    metadata,
    # the workers' fixes, decimated (integrations.position_history) for the map replay, kept in the order of
    # their key (worker, ts): a worker's last fix at or before a moment is one seek backwards; on SQLite the
    # table is that key's b-tree (WITHOUT ROWID), with no index repeating it
    sa.Column("worker", sa.Text(), primary_key=True),  # plant_maps.site.Worker.id
    sa.Column("ts", sa.Double(), primary_key=True),  # epoch seconds (the console's receive time)
    sa.Column("x", sa.REAL(), nullable=False),  # site metres: 4 bytes keep a millimetre over 10 km
    sa.Column("y", sa.REAL(), nullable=False),
    sa.Column("floor", sa.SmallInteger(), nullable=False),
    # a second of everyone's fixes (a replay's next frame) in one range scan: on PostgreSQL a BRIN (rows come
    # in time order, so it stays a few kB a day); SQLite has no BRIN and probes each worker fast enough, so
    # there the index is an empty partial one (WHERE 0) and costs nothing
    sa.Index("ix_position_history_ts", "ts", postgresql_using="brin", sqlite_where=sa.text("0")),
    sqlite_with_rowid=False,
)

alarm_journal = sa.Table(
    "alarm_journal",
    metadata,
    # the order rows were committed in: the engine's seq order, and still the true order if an engine ever
    # started its seq again (so "latest" and report order go by id, never by seq alone)
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("seq", sa.BigInteger(), nullable=False, index=True),  # alarms.records.Transition.seq
    sa.Column("ts", sa.Double(), nullable=False),  # epoch seconds
    sa.Column("alarm_id", sa.Text(), nullable=False),
    sa.Column("source", sa.Text(), nullable=False),
    sa.Column("tier", sa.SmallInteger(), nullable=False),  # alarms.definitions.Tier
    sa.Column("priority", sa.SmallInteger(), nullable=False),  # alarms.definitions.Priority
    sa.Column("area", sa.Text(), nullable=False),
    sa.Column("message", sa.Text(), nullable=False),
    sa.Column("event", sa.Text(), nullable=False),  # alarms.states.Event
    sa.Column("from_state", sa.Text(), nullable=False),  # alarms.states.State
    sa.Column("to_state", sa.Text(), nullable=False),
    sa.Column("active", sa.Boolean(), nullable=False),
    sa.Column("acked", sa.Boolean(), nullable=False),
    sa.Column("value", sa.Double(), nullable=True),  # NULL: NaN, no value
    sa.Column("actor", sa.Text(), nullable=False),
    sa.Column("console", sa.Text(), nullable=False),
    sa.Column("comment", sa.Text(), nullable=False),
    sa.Column("annunciate", sa.Boolean(), nullable=False),
    sa.Column("first_out", sa.Boolean(), nullable=False),
    sa.Column("chattering", sa.Boolean(), nullable=False),
    sa.Column("flood", sa.Boolean(), nullable=False),
    sa.Column("group_id", sa.Text(), nullable=True),
    sa.Column("shelve_until", sa.Double(), nullable=True),  # NULL: not shelved
    sa.Column("shelve_one_shot", sa.Boolean(), nullable=False),
    sa.Column("response_s", sa.Double(), nullable=True),
    sa.Column(
        "unit", sa.Text(), nullable=False, server_default=""
    ),  # of `value` ("": none, or journaled before)
    # when the occurrence the row belongs to was raised (alarms.states.occurrence_raised): links an
    # occurrence's rows, as Ignition's event id; NULL: outside any (a shelve of a normal alarm)
    sa.Column("raised_ts", sa.Double(), nullable=True),
    sa.Index("ix_alarm_journal_ts", "ts"),
    sa.Index("ix_alarm_journal_alarm_id_id", "alarm_id", "id"),  # an alarm's history, and its latest row
    # the alarm-system KPIs (integrations.alarm_kpis): the alarms raised by time, and each alarm in time order
    sa.Index(
        "ix_alarm_journal_raised",
        "event",  # first, as in ix_alarm_journal_event_ts: SQLite's planner then takes this covering one
        "ts",
        "alarm_id",
        "area",
        "priority",
        "from_state",
        sqlite_where=sa.text(RAISED_SQL),
        postgresql_where=sa.text(RAISED_SQL),
    ),
    sa.Index("ix_alarm_journal_alarm_ts", "alarm_id", "ts", "id", "event", "from_state", "area"),
    sa.Index("ix_alarm_journal_event_ts", "event", "ts", "id", "from_state"),  # occurrences of a period
    sa.Index("ix_alarm_journal_actor_ts", "actor", "ts"),  # who acted on alarms in a period
    # the answers to occurrences, by occurrence: times to acknowledge and respond, fleeting alarms (KPIs)
    sa.Index(
        "ix_alarm_journal_answers",
        "event",
        "raised_ts",
        "alarm_id",
        "ts",
        "area",
        sqlite_where=sa.text(ANSWERS_SQL),
        postgresql_where=sa.text(ANSWERS_SQL),
    ),
    sqlite_autoincrement=True,  # ids only grow, even after deletions: they are the commit order
)


audit_trail = sa.Table(
    "audit_trail",
    metadata,
    # numbered by the writer, not the database: the number is part of what the hash covers (audit_chain)
    sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
    sa.Column("ts", sa.Double(), nullable=False),
    sa.Column("username", sa.Text(), nullable=False),
    sa.Column("console", sa.Text(), nullable=False),
    sa.Column("action", sa.Text(), nullable=False),
    sa.Column("target", sa.Text(), nullable=False),
    sa.Column("old_value", sa.Text(), nullable=False),  # canonical JSON text ("" when there is none):
    sa.Column("new_value", sa.Text(), nullable=False),  # stored as hashed, never re-encoded by the database
    sa.Column("outcome", sa.Text(), nullable=False),
    sa.Column("reason", sa.Text(), nullable=False),
    sa.Column("prev_hash", sa.Text(), nullable=False),
    sa.Column("hash", sa.Text(), nullable=False),
    sa.Index("ix_audit_trail_ts", "ts"),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("name", sa.Text(), primary_key=True),
    sa.Column("full_name", sa.Text(), nullable=False),
    sa.Column("password_hash", sa.Text(), nullable=False),  # integrations.passwords: scrypt, salted
    sa.Column("roles", sa.Text(), nullable=False),  # space-separated, sorted
    sa.Column("disabled", sa.Boolean(), nullable=False),
    sa.Column("failed_logins", sa.Integer(), nullable=False),
    sa.Column("locked_until", sa.Double(), nullable=True),  # NULL: not locked out
    sa.Column("changed_ts", sa.Double(), nullable=False),
)

handovers = sa.Table(
    "handovers",
    metadata,
    # one row per shift handover (console.server.handover): its frozen snapshot, rewritten while the flags
    # change before the first signature, then signed and locked (never written once `finalised` is set)
    sa.Column("id", sa.Text(), primary_key=True),
    sa.Column("started", sa.Double(), nullable=False),
    sa.Column("since", sa.Double(), nullable=False),
    sa.Column("until", sa.Double(), nullable=False),
    sa.Column("outgoing", sa.Text(), nullable=False),
    sa.Column("incoming", sa.Text(), nullable=False),
    sa.Column("console", sa.Text(), nullable=False),
    sa.Column("snapshot", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
    sa.Column("sha256", sa.Text(), nullable=False),  # of the snapshot's canonical JSON: what the leads sign
    sa.Column("signatures", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
    sa.Column("finalised", sa.Double(), nullable=True),  # NULL: open
    sa.Column("pdf", sa.Text(), nullable=False),
    sa.Index("ix_handovers_started", "started"),
)

incidents = sa.Table(
    "incidents",
    metadata,
    # one row per incident (console.server.incidents) as it stands; its steps are journaled (kind "incident")
    sa.Column("id", sa.Text(), primary_key=True),
    sa.Column("state", sa.Text(), nullable=False),  # "open" or "closed"
    sa.Column("type", sa.Text(), nullable=False),
    sa.Column("zone", sa.Text(), nullable=False),  # "": a point only
    sa.Column("x", sa.Double(), nullable=True),  # the hazard's centre (site metres); NULL: the zone
    sa.Column("y", sa.Double(), nullable=True),
    sa.Column("radius_m", sa.Double(), nullable=True),
    sa.Column("severity", sa.Text(), nullable=False),
    sa.Column("commander", sa.Text(), nullable=False),
    sa.Column("safety_officer", sa.Text(), nullable=False),
    sa.Column("origin", sa.Text(), nullable=False),  # the alarm it was declared from ("": by hand)
    sa.Column("since", sa.Double(), nullable=False),  # when its timeline starts (its alarm, or declared)
    sa.Column("declared", sa.Double(), nullable=False),
    sa.Column("closed", sa.Double(), nullable=True),  # NULL: open
    sa.Column("objectives", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
    sa.Column("console", sa.Text(), nullable=False),
    sa.Index("ix_incidents_state", "state"),
)

_AUDIT_LOCK = 0x61756469745F  # pg_advisory_xact_lock key: one appender to the chain at a time


_TIMED_EVENTS = (Event.ACTIVATE, Event.ACKNOWLEDGE, Event.CLEAR)  # their times are columns of the alarm list


class StorageError(RuntimeError):
    """The database cannot be opened or written; the message names the URL (password masked) and the cause."""


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One fact for the audit trail (who did what to what, from where, with what outcome and why).

    `old_value` and `new_value` are plain JSON values (None: not applicable); they are stored as canonical
    JSON text so that the hash is computed over exactly what the database keeps.
    """

    ts: float
    username: str
    console: str
    action: str
    target: str = ""
    old_value: Any = None
    new_value: Any = None
    outcome: str = "done"
    reason: str = ""

    def row(self) -> dict[str, Any]:
        """The row without its seq and hashes; raises ValueError or TypeError for values that are not JSON."""
        return {
            "ts": float(self.ts),  # stored as a float: an int 0 would hash as "0" but read back as "0.0"
            "username": self.username,
            "console": self.console,
            "action": self.action,
            "target": self.target,
            "old_value": "" if self.old_value is None else audit_chain.canonical(self.old_value),
            "new_value": "" if self.new_value is None else audit_chain.canonical(self.new_value),
            "outcome": self.outcome,
            "reason": self.reason,
        }


def append_audit(conn: sa.Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Chain `rows` (from `AuditEntry.row`) onto the audit trail inside the caller's transaction.

    The tail is read in the same transaction (on PostgreSQL under an advisory lock, so that consoles and
    `controlroom users` sharing one database append one after the other); on SQLite two appenders that
    race collide on the seq primary key and the loser's transaction is retried or refused, never forked.
    """
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _AUDIT_LOCK})
    c = audit_trail.c
    tail = conn.execute(sa.select(c.seq, c.hash).order_by(c.seq.desc()).limit(1)).first()
    last_seq, last_hash = (tail.seq, tail.hash) if tail else (0, audit_chain.GENESIS)
    conn.execute(audit_trail.insert(), audit_chain.link(rows, last_seq, last_hash))


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One fact in the journal (alarm transition, command, permit change); `seq` is set once stored."""

    ts: float
    kind: str
    source: str
    actor: str = ""
    console: str = ""
    payload: Mapping[str, Any] = field(default_factory=dict)
    seq: int | None = None


def data_folder() -> Path:
    """The user's data folder for the console (`$XDG_DATA_HOME/controlroom`), created."""
    base = os.environ.get("XDG_DATA_HOME", "")
    root = Path(base) if os.path.isabs(base) else Path.home() / ".local" / "share"  # XDG: ignore relative
    folder = root / "controlroom"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def default_database_url() -> str:
    """The SQLite file in the user's data folder."""
    return f"sqlite:///{data_folder() / 'controlroom.db'}"


def database_url(url: str) -> sa.URL:
    """Parse a URL; `postgresql://` and `postgres://` mean PostgreSQL through psycopg 3."""
    try:
        parsed = sa.make_url(url)
    except (sa.exc.ArgumentError, ValueError):  # ValueError: e.g. a port that is not a number
        raise StorageError(f"not a database URL: {mask_password(url)}") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def mask_password(url: str) -> str:
    """The URL as text with its password replaced by ***, also when SQLAlchemy cannot parse it."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except (sa.exc.ArgumentError, ValueError):  # ValueError: e.g. a port that is not a number
        return re.sub(r"(//[^/:@]*:)[^@/]*@", r"\1***@", url)


class Store:
    """The database: schema created or upgraded in place (`integrations.schema`), reads for trends and
    reports, one-transaction writes.

    Thread-safe (the engine pools connections); every method blocks on the database, so call it from a
    worker thread (`asyncio.to_thread`) or the StoreWriter, never on the asyncio loop or the GUI thread.
    """

    def __init__(self, url: str | None = None, connect_timeout_s: float = CONNECT_TIMEOUT_S) -> None:
        self.url = database_url(url or default_database_url())
        self.engine = _engine(self.url, connect_timeout_s)
        try:
            self.schema_found = schema.upgrade(self.engine)  # as it was before this open upgraded it
        except _OPEN_ERRORS as exc:
            self.engine.dispose()
            raise _cannot_open(self.url, exc) from exc

    @property
    def place(self) -> StorePlace:
        return store_place(self.url)

    def close(self) -> None:
        self.engine.dispose()

    def write(
        self,
        history: list[dict[str, Any]],
        journal: list[dict[str, Any]],
        alarms: list[dict[str, Any]] | None = None,
        audit: list[dict[str, Any]] | None = None,
        handover_rows: list[dict[str, Any]] | None = None,
        incident_rows: list[dict[str, Any]] | None = None,
        positions: list[dict[str, Any]] | None = None,
    ) -> list[int]:
        """Insert history, journal, alarm journal and audit rows, and write handover and incident rows and
        worker positions, in one transaction;
        returns the journal rows' seq. The audit rows are chained onto the trail here, inside the
        transaction."""
        with self.engine.begin() as conn:
            if audit:
                append_audit(conn, audit)
            for row in handover_rows or ():
                _write_handover(conn, row)
            for row in incident_rows or ():
                _write_incident(conn, row)
            if history:
                _insert_rows(conn, tag_history.insert(), history)
            if positions:  # a fix repeated at the same time (a restart, a resent batch) is stored once
                _insert_rows(conn, _inserted_once(conn, position_history), positions)
            if alarms:
                conn.execute(alarm_journal.insert(), alarms)
            if not journal:
                return []
            insert = event_journal.insert().returning(event_journal.c.seq, sort_by_parameter_order=True)
            return list(conn.execute(insert, journal).scalars())

    def audit_rows(
        self,
        since: float | None = None,
        until: float | None = None,
        batch: int = 5000,
        from_seq: int = 0,
    ) -> Iterator[dict[str, Any]]:
        """The audit trail in seq order (since <= ts < until, if given; from entry `from_seq` on), streamed
        `batch` rows at a time so that a check of millions of entries holds only one batch in memory."""
        c = audit_trail.c
        query = _window(sa.select(audit_trail).order_by(c.seq), c.ts, since, until)
        if from_seq:
            query = query.where(c.seq >= from_seq)
        with self.engine.connect() as conn:
            for row in conn.execution_options(yield_per=batch).execute(query):
                yield dict(row._mapping)

    def audit_page(
        self,
        *,
        user: str = "",
        action: str = "",
        since: float | None = None,
        until: float | None = None,
        before_seq: int | None = None,
        limit: int = 200,
    ) -> list[dict[str, Any]]:
        """One page of the audit trail, newest first: entries by `user` and of `action` (when given) with
        since <= ts < until and seq < `before_seq` (the page after one ending at that seq)."""
        c = audit_trail.c
        query = _window(sa.select(audit_trail).order_by(c.seq.desc()).limit(limit), c.ts, since, until)
        if user:
            query = query.where(c.username == user)
        if action:
            query = query.where(c.action == action)
        if before_seq is not None:
            query = query.where(c.seq < before_seq)
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def audit_actions(self) -> list[str]:
        """The actions the audit trail holds, sorted (the audit view's filter offers them)."""
        with self.engine.connect() as conn:
            query = sa.select(audit_trail.c.action).distinct().order_by(audit_trail.c.action)
            return list(conn.execute(query).scalars())

    def history(
        self, tag: str, since: float | None = None, until: float | None = None
    ) -> list[tuple[float, float, Quality]]:
        """(ts, value, quality) of one tag with since <= ts < until, oldest first; NaN where no value."""
        c = tag_history.c
        query = sa.select(c.ts, c.value, c.quality).where(c.tag == tag).order_by(c.ts, c.id)
        query = _window(query, c.ts, since, until)
        with self.engine.connect() as conn:
            return [(ts, math.nan if v is None else v, Quality(q)) for ts, v, q in conn.execute(query)]

    def history_buckets(
        self, tags: Sequence[str], start: float, end: float, max_points: int
    ) -> dict[str, Buckets]:
        """Per tag, the lowest and highest good value in each of `max_points // 2` time buckets of
        start <= ts < end, computed by the database in one GROUP BY (see `integrations.trend_history`), and
        each tag's last row before `start` (so a steady tag is drawn from the left edge)."""
        width = bucket_width(start, end, max_points)
        tags = list(dict.fromkeys(tags))
        if not tags:
            return {}
        query = bucket_query(tag_history, self.engine.dialect.name, tags, start, end, width)
        with self.engine.connect() as conn:
            rows = list(conn.execute(query))
            leads = {}
            for tag in tags:
                lead = conn.execute(lead_query(tag_history, tag, start)).first()
                if lead is not None:
                    leads[tag] = (lead.ts, math.nan if lead.value is None else lead.value, lead.quality)
        return buckets_of(rows, tags, start, width, leads)

    def samples_at(self, tags: Sequence[str], ts: float) -> dict[str, tuple[float, float]]:
        """Per tag, the stored sample at or before `ts` as (its time, its value; NaN where none was good);
        a tag with no row by then is left out."""
        out = {}
        with self.engine.connect() as conn:
            for tag in dict.fromkeys(tags):
                row = conn.execute(at_or_before_query(tag_history, tag, ts)).first()
                if row is not None:
                    out[tag] = (row.ts, math.nan if row.value is None else row.value)
        return out

    def history_rows(
        self, tags: Sequence[str], start: float, end: float
    ) -> list[tuple[str, float, float, Quality]]:
        """The stored rows (tag, ts, value, quality) of `tags` with start <= ts < end, in time order, as
        written: what a CSV export of a trend's visible range carries. NaN where no value."""
        c = tag_history.c
        query = (
            sa.select(c.tag, c.ts, c.value, c.quality)
            .where(c.tag.in_(list(tags)), c.ts >= start, c.ts < end)
            .order_by(c.ts, c.id)
        )
        with self.engine.connect() as conn:
            return [
                (tag, ts, math.nan if v is None else v, Quality(q)) for tag, ts, v, q in conn.execute(query)
            ]

    def journal_rows(
        self, since: float | None = None, until: float | None = None, kind: str | None = None
    ) -> list[JournalEntry]:
        """Journal entries with since <= ts < until (and of `kind`, if given), in sequence order."""
        c = event_journal.c
        query = _window(sa.select(event_journal).order_by(c.seq), c.ts, since, until)
        if kind is not None:
            query = query.where(c.kind == kind)
        with self.engine.connect() as conn:
            return [JournalEntry(**row._mapping) for row in conn.execute(query)]

    def alarm_transitions(
        self,
        since: float | None = None,
        until: float | None = None,
        area: str | None = None,
        tier: int | None = None,
        alarm_ids: Iterable[str] | None = None,
    ) -> list[Transition]:
        """Alarm transitions with since <= ts < until, of `area`, `tier` and `alarm_ids` if given.

        In journal order: the engine's seq order, and still the order they happened in if an engine ever
        numbered its transitions from 1 again.
        """
        c = alarm_journal.c
        query = _window(sa.select(alarm_journal).order_by(c.id), c.ts, since, until)
        if area is not None:
            query = query.where(c.area == area)
        if tier is not None:
            query = query.where(c.tier == int(tier))
        if alarm_ids is not None:
            query = query.where(c.alarm_id.in_(list(alarm_ids)))
        with self.engine.connect() as conn:
            return [transition_of(row._mapping) for row in conn.execute(query)]

    def stored_handovers(self, open_only: bool = False) -> list[dict[str, Any]]:
        """The shift handovers, oldest first (only those not finalised, with `open_only`)."""
        c = handovers.c
        query = sa.select(handovers).order_by(c.started, c.id)
        if open_only:
            query = query.where(c.finalised.is_(None))
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def stored_incidents(self, open_only: bool = False, incident_id: str = "") -> list[dict[str, Any]]:
        """The incidents, oldest first (only the open ones, with `open_only`; only `incident_id`, if given)."""
        c = incidents.c
        query = sa.select(incidents).order_by(c.declared, c.id)
        if open_only:
            query = query.where(c.state == "open")
        if incident_id:
            query = query.where(c.id == incident_id)
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def latest_alarm_transitions(self) -> list[Transition]:
        """What `AlarmEngine.restore` needs after a restart: every alarm whose latest state is not normal.

        That is the latest row of each such alarm (active, unacknowledged, shelved, latched, suppressed,
        out of service), and, when that row is an escalation notice, the state change before it as well:
        an escalation keeps the state, and the state change's seq is what an acknowledgement must name.
        The latest activation comes too, and the acknowledgement and clear after it, so that the alarm list
        shows when the occurrence began, was acknowledged and cleared.
        One query; "latest" goes by id (commit order), which stays right if an engine's seq restarts.
        """
        c = alarm_journal.c
        latest = (
            sa.select(
                sa.func.max(c.id).label("last_id"),
                sa.func.max(sa.case((c.event != Event.ESCALATE.value, c.id))).label("state_id"),
                *(sa.func.max(sa.case((c.event == e.value, c.id))).label(e.value) for e in _TIMED_EVENTS),
            )
            .group_by(c.alarm_id)
            .subquery()
        )
        state = alarm_journal.alias("state")
        standing = (  # an escalation never follows a normal state: the state row decides
            sa.select(latest)
            .join(state, state.c.id == latest.c.state_id)
            .where(state.c.to_state != State.NORMAL.value)
            .subquery()
        )
        query = (
            sa.select(alarm_journal)
            .join(
                standing,
                c.id.in_([standing.c.last_id, standing.c.state_id, standing.c.activate])
                | (c.id.in_([standing.c.acknowledge, standing.c.clear]) & (c.id > standing.c.activate)),
            )
            .order_by(c.id)
        )
        with self.engine.connect() as conn:
            return [transition_of(row._mapping) for row in conn.execute(query)]


def _insert_rows(conn: sa.Connection, insert: sa.Insert, rows: list[dict[str, Any]]) -> None:
    """Many rows of plain columns (text, numbers, NULL) handed to the driver's executemany as they are.

    SQLAlchemy's per-row parameter processing cost more than the database itself: under a burst of tens of
    thousands of samples or fixes a second, it held the writer thread, and with it the GIL that the sources
    parse their messages under. These columns need no processing, so the statement is compiled once.
    """
    compiled = insert.compile(dialect=conn.dialect, column_keys=list(rows[0]))
    params: list[Any] = rows
    if compiled.positional:  # SQLite's `?`: tuples in the statement's order
        params = list(map(itemgetter(*compiled.positiontup or ()), rows))
    conn.exec_driver_sql(compiled.string, params)


def _inserted_once(conn: sa.Connection, table: sa.Table) -> sa.Insert:
    """An INSERT that leaves out a row whose key is stored already (ON CONFLICT DO NOTHING)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing()


def _write_handover(conn: sa.Connection, row: dict[str, Any]) -> None:
    """Insert a new handover or rewrite an open one. A finalised handover is never written again: the
    service refuses the change first, and here the row is left as it is (logged, not raised, so that one
    console's late write cannot stall the writer's transaction for every other row)."""
    c = handovers.c
    found = conn.execute(sa.select(c.finalised).where(c.id == row["id"])).first()
    if found is None:
        conn.execute(handovers.insert(), row)
    elif found.finalised is None:
        conn.execute(handovers.update().where(c.id == row["id"], c.finalised.is_(None)), row)
    else:
        log.warning("handover %s is finalised: a change to it was not written", row["id"])


def _write_incident(conn: sa.Connection, row: dict[str, Any]) -> None:
    """Insert a new incident or rewrite it as it now stands (the service refuses changes to a closed one)."""
    c = incidents.c
    if conn.execute(sa.select(c.id).where(c.id == row["id"])).first() is None:
        conn.execute(incidents.insert(), row)
    else:
        conn.execute(incidents.update().where(c.id == row["id"]), row)


def require_existing(url: str) -> str:
    """`url` (empty: the console's default), refused when it names a SQLite file that does not exist: a
    report or a look at the schema must not create an empty database where a mistyped path points."""
    url = url or default_database_url()
    parsed = database_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and not Path(parsed.database).exists():
        raise StorageError(
            f"cannot open the database {parsed.render_as_string(hide_password=True)}: no such file"
        )
    return url


def schema_state(url: str | None = None, connect_timeout_s: float = CONNECT_TIMEOUT_S) -> schema.SchemaState:
    """The database's schema revision against this console's, without changing anything."""
    parsed = database_url(url or default_database_url())
    engine = _engine(parsed, connect_timeout_s)
    try:
        with engine.connect() as conn:
            return schema.state(conn)
    except _OPEN_ERRORS as exc:
        raise _cannot_open(parsed, exc) from exc
    finally:
        engine.dispose()


_OPEN_ERRORS = (sa.exc.SQLAlchemyError, schema.SchemaError, CommandError)


def _cannot_open(url: sa.URL, exc: Exception) -> StorageError:
    """Names the URL (password masked) and the cause."""
    return StorageError(f"cannot open the database {url.render_as_string(hide_password=True)}: {_cause(exc)}")


def _engine(url: sa.URL, connect_timeout_s: float) -> sa.Engine:
    if url.get_backend_name() == "sqlite":
        engine = sa.create_engine(url)
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    connect_args = (
        {"connect_timeout": int(connect_timeout_s)} if url.get_backend_name() == "postgresql" else {}
    )
    # pre_ping: after a database restart, pooled connections are dead; test them instead of failing a write
    return sa.create_engine(url, pool_pre_ping=True, connect_args=connect_args)


def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """WAL lets trend queries read while the writer writes; NORMAL sync is safe with WAL (no corruption)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _window(
    query: sa.Select, column: sa.ColumnElement, since: float | None, until: float | None
) -> sa.Select:
    if since is not None:
        query = query.where(column >= since)
    if until is not None:
        query = query.where(column < until)
    return query


def _cause(exc: Exception) -> str:
    """The driver's own words (they name host and port, never the password), without SQLAlchemy's links."""
    orig = getattr(exc, "orig", None)
    return " ".join(str(orig or exc).split())


@dataclass(frozen=True, slots=True)
class StorePlace:
    """Where the store is, for an operator: the SQLite file or the PostgreSQL server and database."""

    kind: str  # "sqlite" or "postgresql"
    where: str  # the SQLite file's path; PostgreSQL's host[:port]/database
    url: str  # the whole URL, password masked


def store_place(url: sa.URL) -> StorePlace:
    masked = url.render_as_string(hide_password=True)
    if url.get_backend_name() == "sqlite":
        return StorePlace("sqlite", url.database or ":memory:", masked)
    host = f"{url.host or 'localhost'}:{url.port}" if url.port else url.host or "localhost"
    return StorePlace(url.get_backend_name(), f"{host}/{url.database or ''}", masked)


# -- writer -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WriterHealth:
    """How the writer is getting on, as another thread sees it (`StoreWriter.health`).

    `waiting_s`: how long the transaction in hand has been trying to commit (0 when nothing waits); `rows`:
    the journal, alarm journal and audit rows handed over and not yet written, and the tag and position history
    rows in the transaction in hand (samples and fixes queued behind it become rows only through the deadband
    and the decimation); `failures` and `error` (the database's words): how often and why it failed so far
    (none while the database just does not answer).
    """

    waiting_s: float = 0.0
    rows: int = 0
    failures: int = 0
    error: str = ""


@dataclass(frozen=True, slots=True)
class _Progress:
    """The writer thread's progress, replaced whole (one assignment) so that `health` reads it consistently."""

    started: float | None = None  # time.monotonic() of the first try of the transaction in hand
    history: int = 0  # its tag history rows
    failures: int = 0
    error: str = ""


_IDLE = _Progress()


@dataclass
class _JournalRequest:
    entries: list[dict[str, Any]]
    future: Future[list[int]]
    audit: list[dict[str, Any]] = field(default_factory=list)
    handovers: list[dict[str, Any]] = field(default_factory=list)
    incidents: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _AlarmRequest:
    transitions: tuple[Transition, ...]
    future: Future[None]
    audit: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _AuditRequest:
    rows: list[dict[str, Any]]
    future: Future[None]


@dataclass
class _PendingAudit:
    """A command's audit row, waiting for the command's first journal write to ride in its transaction."""

    row: dict[str, Any]
    attached: bool = False


# Set by `StoreWriter.auditing` for the duration of one command (asyncio copies it into the command's task
# only): the first journal or alarm-journal request made under it carries the command's audit row.
_pending_audit: ContextVar[_PendingAudit | None] = ContextVar("pending_audit", default=None)


_STOP = object()


@dataclass
class _Commit:
    """What one transaction carries, and who waits for it."""

    history: list[dict[str, Any]] = field(default_factory=list)
    journal: list[dict[str, Any]] = field(default_factory=list)
    alarms: list[dict[str, Any]] = field(default_factory=list)
    audit: list[dict[str, Any]] = field(default_factory=list)
    handovers: list[dict[str, Any]] = field(default_factory=list)
    incidents: list[dict[str, Any]] = field(default_factory=list)
    positions: list[dict[str, Any]] = field(default_factory=list)
    requests: list[_JournalRequest] = field(default_factory=list)
    alarm_requests: list[_AlarmRequest] = field(default_factory=list)
    audit_requests: list[_AuditRequest] = field(default_factory=list)
    flushes: list[threading.Event] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return (
            len(self.history) + len(self.positions) + len(self.journal) + len(self.alarms) + len(self.audit)
        )


class StoreWriter:
    """Background writer: history (deadband-filtered), worker positions (decimated), journal and alarm journal
    rows, group-committed on one thread.

    `record_history`, `journal`, `journal_alarms`, `flush` and `close` may be called from any thread and
    never wait on the database (except flush/close, which wait by design). The writer thread takes whatever is queued, filters
    history through the deadband, and commits it in one transaction; while it commits, new work queues up
    for the next one, so commits follow each other as fast as the database allows and a sample waits at
    most one commit (well under 250 ms) in normal operation.

    The deadband runs on the writer thread, not the caller's: it keeps numpy work off the asyncio loop, and
    its per-tag state has a single owner without a lock. Callers must not change a batch's arrays after
    handing it over (sources build fresh arrays per batch).

    A database error is logged, counted and retried with back-off (0.25 s doubling to `retry_max_s`); the
    rows stay queued in order. `health` says how long a transaction has been waiting and how many rows wait
    (the console's journal watch turns that into its alarm and status line). Only `close()` with the
    database still unreachable gives up, and it says how many rows it could not write.
    """

    MAX_ROWS_PER_COMMIT = 20_000

    def __init__(
        self, store: Store, site: Site, heartbeat_s: float = HEARTBEAT_S, retry_max_s: float = 5.0
    ) -> None:
        self.store = store
        self.rows_written = 0
        self.commits = 0
        self.errors = 0
        self.last_error = ""
        self._retry_max_s = retry_max_s
        self._filter = DeadbandFilter(site, heartbeat_s)
        self._tags = np.array(history_tags(site), dtype=object)  # sensors, then the workers' vitals
        self._workers = np.array([w.id for w in site.workers], dtype=object)
        self._decimator = PositionDecimator(len(site.workers))
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._closed = False
        self._give_up = threading.Event()
        self._progress = _IDLE
        self._waiting = 0  # journal, alarm and audit rows handed over, not yet written (`health`)
        self._waiting_lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="store-writer", daemon=True)
        self._thread.start()

    # -- any thread ------------------------------------------------------------------------------------

    def record_history(self, batch: TagBatch) -> None:
        """Queue a batch for history; the deadband picks what is stored. Any thread, never blocks.

        A tag row outside the site raises IndexError here, at the caller, not on the writer thread.
        """
        self._check_open()
        if not len(batch):
            return
        if batch.index.min() < 0 or batch.index.max() >= self._tags.size:
            raise IndexError(f"tag rows must lie in 0..{self._tags.size - 1}")
        self._queue.put(batch)

    def record_positions(self, batch: PositionBatch) -> None:
        """Queue worker fixes for the map replay's history; the decimation (integrations.position_history)
        picks what is stored. Any thread, never blocks; a worker row outside the site raises IndexError here.
        """
        self._check_open()
        if not len(batch):
            return
        if batch.worker.min() < 0 or batch.worker.max() >= self._workers.size:
            raise IndexError(f"worker rows must lie in 0..{self._workers.size - 1}")
        self._queue.put(batch)

    def journal(
        self,
        entries: Iterable[JournalEntry],
        outcome: tuple[str, str] | None = None,
        handover_rows: Sequence[Mapping[str, Any]] = (),
        incident_rows: Sequence[Mapping[str, Any]] = (),
    ) -> Future[list[int]]:
        """Queue journal entries; the future resolves with their sequence numbers once committed.
        `handover_rows` and `incident_rows` (rows of the `handovers` and `incidents` tables) commit with them.

        Any thread, never blocks. A payload that is not plain JSON raises ValueError or TypeError here,
        at the caller, rather than poisoning a transaction later. `outcome` (outcome, reason) is what the
        running command's audit row, riding in this transaction, says when the command was carried out but
        did not simply succeed (a gas test recorded as failed); by default it says "done".
        """
        self._check_open()
        rows = [
            {
                "ts": e.ts,
                "kind": e.kind,
                "source": e.source,
                "actor": e.actor,
                "console": e.console,
                # validates, and snapshots nested values the caller might change before the commit
                "payload": json.loads(json.dumps(e.payload, allow_nan=False)),
            }
            for e in entries
        ]
        future: Future[list[int]] = Future()
        if rows:
            audit = self._take_pending_audit(outcome)
            self._count(len(rows) + len(audit))
            handover_copies = [json.loads(json.dumps(r, allow_nan=False)) for r in handover_rows]
            incident_copies = [json.loads(json.dumps(r, allow_nan=False)) for r in incident_rows]
            self._queue.put(_JournalRequest(rows, future, audit, handover_copies, incident_copies))
        else:
            future.set_result([])
        return future

    def journal_alarms(self, transitions: Sequence[Transition]) -> Future[None]:
        """Queue alarm transitions; the future resolves once they are committed (ISA-18.2: journal before show).

        Any thread, never blocks: the rows are built on the writer thread, so a flood of thousands costs the
        caller (the asyncio loop) nothing. A transition whose fields do not fit their columns fails this
        future (and only this one) instead of poisoning the shared transaction.
        """
        self._check_open()
        future: Future[None] = Future()
        if transitions:
            audit = self._take_pending_audit()
            self._count(len(transitions) + len(audit))
            self._queue.put(_AlarmRequest(tuple(transitions), future, audit))
        else:
            future.set_result(None)
        return future

    def audit(self, entries: Iterable[AuditEntry]) -> Future[None]:
        """Queue audit entries on their own (facts with no other state change: a refusal, a file loaded);
        the future resolves once they are chained and committed. Any thread, never blocks; a value that is
        not plain JSON raises ValueError or TypeError here, at the caller."""
        self._check_open()
        rows = [e.row() for e in entries]
        future: Future[None] = Future()
        if rows:
            self._count(len(rows))
            self._queue.put(_AuditRequest(rows, future))
        else:
            future.set_result(None)
        return future

    @contextmanager
    def auditing(self, entry: AuditEntry) -> Iterator[_PendingAudit]:
        """While the block runs (one command, on the loop), the first journal or alarm-journal write it
        makes carries `entry` into the same transaction: the audit row and the state change it records
        commit together or not at all. The yielded object says whether that happened (`attached`); if the
        block wrote nothing, the caller audits on its own with `audit`."""
        pending = _PendingAudit(entry.row())
        token = _pending_audit.set(pending)
        try:
            yield pending
        finally:
            _pending_audit.reset(token)

    @staticmethod
    def _take_pending_audit(outcome: tuple[str, str] | None = None) -> list[dict[str, Any]]:
        pending = _pending_audit.get()
        if pending is None or pending.attached:
            return []
        pending.attached = True
        if outcome is not None:
            pending.row = {**pending.row, "outcome": outcome[0], "reason": outcome[1]}
        return [pending.row]

    def health(self) -> WriterHealth:
        """Any thread, never blocks: how long the transaction in hand has waited to commit, and how many rows
        wait (DESIGN: a failing database hides nothing, not even itself)."""
        progress = self._progress
        if progress.started is None:
            return WriterHealth()
        waited = time.monotonic() - progress.started
        return WriterHealth(waited, self._waiting + progress.history, progress.failures, progress.error)

    @property
    def queued(self) -> int:
        """Any thread: batches and entries handed over and not yet taken by the writer thread; a number that
        keeps growing means the database does not keep up (benchmarks/scale.py watches it)."""
        return self._queue.qsize()

    def _count(self, rows: int) -> None:
        """Any thread: `rows` more (fewer, when negative) journal, alarm and audit rows wait to be written."""
        with self._waiting_lock:
            self._waiting += rows

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until everything queued before this call is committed; False on timeout."""
        self._check_open()
        done = threading.Event()
        self._queue.put(done)
        return done.wait(timeout)

    def close(self, timeout: float = 10.0) -> None:
        """Commit what is queued and stop the thread; gives up after `timeout` if the database stays away."""
        if self._closed:
            return
        self._closed = True
        self._queue.put(_STOP)
        self._thread.join(timeout)
        if self._thread.is_alive():
            self._give_up.set()
            self._thread.join()

    def _check_open(self) -> None:
        if self._closed:
            raise StorageError("the store writer is closed")

    # -- writer thread ---------------------------------------------------------------------------------

    def _run(self) -> None:
        stopping = False
        while not stopping:
            commit = _Commit()
            stopping = self._take(self._queue.get(), commit)
            while not stopping and commit.rows < self.MAX_ROWS_PER_COMMIT:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                stopping = self._take(item, commit)
            if not self._commit(commit):
                self._abandon(commit)
                return

    def _take(self, item: Any, commit: _Commit) -> bool:
        """Add one queued item to the commit; True for the stop marker."""
        if item is _STOP:
            return True
        if isinstance(item, TagBatch):
            commit.history.extend(self._history_rows(item))
        elif isinstance(item, PositionBatch):
            commit.positions.extend(self._position_rows(item))
        elif isinstance(item, _JournalRequest):
            commit.journal.extend(item.entries)
            commit.audit.extend(item.audit)
            commit.handovers.extend(item.handovers)
            commit.incidents.extend(item.incidents)
            commit.requests.append(item)
        elif isinstance(item, _AlarmRequest):
            try:
                rows = [row_of(t) for t in item.transitions]
            except (AttributeError, KeyError, TypeError, ValueError) as exc:
                self._count(-len(item.transitions) - len(item.audit))
                _settle(item.future, error=exc)
            else:
                commit.alarms.extend(rows)
                commit.audit.extend(item.audit)
                commit.alarm_requests.append(item)
        elif isinstance(item, _AuditRequest):
            commit.audit.extend(item.rows)
            commit.audit_requests.append(item)
        else:
            commit.flushes.append(item)
        return False

    def _history_rows(self, batch: TagBatch) -> list[dict[str, Any]]:
        rows = self._filter.select(batch)
        values = [None if math.isnan(v) else v for v in rows.value.tolist()]
        return [
            {"tag": tag, "ts": ts, "value": value, "quality": quality}
            for tag, ts, value, quality in zip(
                self._tags[rows.index].tolist(), rows.ts.tolist(), values, rows.quality.tolist(), strict=True
            )
        ]

    def _position_rows(self, batch: PositionBatch) -> list[dict[str, Any]]:
        rows = self._decimator.select(batch)
        return [
            {"worker": worker, "ts": ts, "x": x, "y": y, "floor": floor}
            for worker, ts, x, y, floor in zip(
                self._workers[rows.worker].tolist(),
                rows.ts.tolist(),
                rows.x.tolist(),
                rows.y.tolist(),
                rows.floor.tolist(),
                strict=True,
            )
        ]

    def _commit(self, commit: _Commit) -> bool:
        """Write the commit and release its waiters; False if close() gave up on the database."""
        if commit.rows and not self._write(commit):
            return False
        for done in commit.flushes:
            done.set()
        return True

    def _write(self, commit: _Commit) -> bool:
        """One transaction, retried with back-off until it succeeds (True) or close() gives up (False)."""
        delay = 0.25
        failures = 0
        self._progress = progress = _Progress(time.monotonic(), len(commit.history) + len(commit.positions))
        while True:
            try:
                seqs = self._store_write(commit)
                break
            except Exception as exc:  # whatever failed, the rows stay queued and the thread lives on
                failures += 1
                self.errors += 1
                self.last_error = str(exc).splitlines()[0]
                log.error(
                    "history/journal write failed (%d rows kept, retry in %.2f s): %s",
                    commit.rows,
                    delay,
                    self.last_error,
                )
                self._progress = progress = replace(progress, failures=failures, error=_cause(exc))
                if self._give_up.wait(delay):
                    return False
                delay = min(delay * 2, self._retry_max_s)
        self._progress = _IDLE
        self._count(-len(commit.journal) - len(commit.alarms) - len(commit.audit))
        if failures:
            log.warning("history/journal write succeeded after %d failures", failures)
        self.commits += 1
        self.rows_written += commit.rows
        start = 0
        for request in commit.requests:
            end = start + len(request.entries)
            _settle(request.future, seqs[start:end])
            start = end
        for done in (*commit.alarm_requests, *commit.audit_requests):
            _settle(done.future)
        return True

    def _store_write(self, commit: _Commit) -> list[int]:
        # the alarm and audit rows go only when there are some, so that the two-table form of
        # `Store.write` (and stand-ins for it) keeps working
        if commit.positions or commit.handovers or commit.incidents:
            return self.store.write(
                commit.history,
                commit.journal,
                commit.alarms,
                commit.audit,
                handover_rows=commit.handovers,
                incident_rows=commit.incidents,
                positions=commit.positions,
            )
        if commit.audit:
            return self.store.write(commit.history, commit.journal, commit.alarms, audit=commit.audit)
        if commit.alarms:
            return self.store.write(commit.history, commit.journal, commit.alarms)
        return self.store.write(commit.history, commit.journal)

    def _abandon(self, commit: _Commit) -> None:
        """close() gave up: fail the waiting futures and say how much was not written."""
        lost = commit.rows
        futures: list[Future[Any]] = [
            r.future for r in (*commit.requests, *commit.alarm_requests, *commit.audit_requests)
        ]
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if isinstance(item, TagBatch | PositionBatch):
                lost += len(item)  # samples and fixes, before the deadband and decimation: an upper bound
            elif isinstance(item, _JournalRequest):
                lost += len(item.entries)
                futures.append(item.future)
            elif isinstance(item, _AlarmRequest):
                lost += len(item.transitions)
                futures.append(item.future)
            elif isinstance(item, _AuditRequest):
                lost += len(item.rows)
                futures.append(item.future)
        error = StorageError(f"not written, the database stayed unreachable: {self.last_error}")
        for future in futures:
            _settle(future, error=error)
        log.error("closed without the database: up to %d history/journal rows were not written", lost)


def _settle(future: Future[Any], result: Any = None, error: BaseException | None = None) -> None:
    """Resolve a caller's future on the writer thread. A caller that gave up waiting (a command's commit
    timeout) has cancelled it: its rows are written all the same, and the writer thread must live on."""
    try:
        if error is None:
            future.set_result(result)
        else:
            future.set_exception(error)
    except InvalidStateError:
        log.warning("a commit landed after its caller stopped waiting for it")
