"""The map replay's reads (issue 17): the stored state of the whole map at any moment, and the next frame.

A seek (`frame`) asks, per worker, per detector and per alarm, for its last row at or before the moment:
one index seek backwards each, all in one statement per table (SQLite: a correlated `LIMIT 1` subquery per
key over `json_each`; PostgreSQL: `CROSS JOIN LATERAL` over `unnest`). Its cost grows with the number of
workers, detectors and alarms, not with the length of the history, so a seek into hour 11 of a shift
costs what a seek into minute 1 does; and there is no snapshot table to keep in step with the rows (keyframes
every N minutes would make a seek no cheaper than these seeks, and every write dearer). Permits
are few and change seldom: their latest change by `max(seq) ... GROUP BY source` on the journal's
(kind, source, ts) index.

Playing (1x to 60x) moves a frame forward (`step`): only the rows stored between the two moments are read
(a range scan per key, and the alarm and permit rows of the stretch by time) and laid over the previous
frame, so a frame's cost follows what changed in that second, not the size of the plant. A step backwards
or longer than `MAX_STEP_S` is a seek.

Every method blocks on the database: call it from a worker thread (`asyncio.to_thread`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import sqlalchemy as sa

from alarms.definitions import Priority, Tier
from alarms.samples import Quality
from alarms.states import State
from integrations.storage import Store, event_journal
from plant_maps.replay_frame import ReplayAlarm, ReplayFrame, ReplayPermit
from plant_maps.site import Site

PERMIT_KIND = "permit"  # what console.server.permit_service journals a permit's change as
MAX_STEP_S = 60.0  # a longer step forward reads more rows than a seek does: seek instead

_ALARM_COLUMNS = "alarm_id, source, tier, priority, area, message, to_state, active, acked, value, unit, ts"


class ReplayStore:
    """Reads frames of one site's map from one store; thread-safe as the store is."""

    def __init__(self, store: Store, site: Site) -> None:
        self.store, self.site = store, site
        self._workers = [w.id for w in site.workers]
        self._sensors = [s.id for s in site.sensors]
        self._worker_row = {w: i for i, w in enumerate(self._workers)}
        self._sensor_row = {s: i for i, s in enumerate(self._sensors)}
        self._first_permits = {p.id: ReplayPermit(p.id, p.state, math.nan) for p in site.permits}
        postgres = store.engine.dialect.name == "postgresql"
        self._keys = "unnest(CAST(:keys AS text[]))" if postgres else "json_each(:keys)"
        self._postgres = postgres

    def frame(self, ts: float) -> ReplayFrame:
        """The map at `ts`: every worker's last stored fix, every detector's last stored value, the alarms
        not normal and every permit's state, each as of its last row at or before `ts`."""
        with self.store.engine.connect() as conn:
            fixes = conn.execute(
                self._latest("position_history", "worker", "x, y, floor", keyed=True), self._at(ts, True)
            )
            values = conn.execute(
                self._latest("tag_history", "tag", "value, quality", keyed=False), self._at(ts, False)
            )
            alarms = conn.execute(self._latest_alarms(), {"ts": ts})
            permits = conn.execute(_latest_permits(ts))
            frame = _empty(ts, len(self._workers), len(self._sensors), self._first_permits)
            self._lay_fixes(frame, fixes)
            self._lay_values(frame, values)
            return replace(
                frame,
                alarms=_alarms_laid({}, alarms),
                permits=_permits_laid(frame.permits, permits),
            )

    def step(self, frame: ReplayFrame, ts: float) -> ReplayFrame:
        """The map at `ts` from the frame before it: the rows stored in (frame.ts, ts] laid over it."""
        if not frame.ts < ts <= frame.ts + MAX_STEP_S:
            return self.frame(ts) if ts != frame.ts else frame
        span = {"after": frame.ts, "ts": ts}
        with self.store.engine.connect() as conn:
            fixes = conn.execute(
                self._stretch("position_history", "worker", "x, y, floor"),
                {**span, "keys": self._key_list(self._workers)},
            )
            values = conn.execute(
                self._stretch("tag_history", "tag", "value, quality"),
                {**span, "keys": self._key_list(self._sensors)},
            )
            alarms = conn.execute(
                sa.text(
                    f"SELECT {_ALARM_COLUMNS} FROM alarm_journal WHERE ts > :after AND ts <= :ts ORDER BY ts, id"
                ),
                span,
            )
            e = event_journal.c
            permits = conn.execute(
                sa.select(e.source, e.ts, e.payload)
                .where(e.kind == PERMIT_KIND, e.ts > frame.ts, e.ts <= ts)
                .order_by(e.ts, e.seq)
            )
            moved = _copy(frame, ts)
            self._lay_fixes(moved, fixes)
            self._lay_values(moved, values)
            return replace(
                moved,
                alarms=_alarms_laid(frame.alarms, alarms),
                permits=_permits_laid(frame.permits, permits),
            )

    # -- SQL ------------------------------------------------------------------------------------------

    def _at(self, ts: float, workers: bool) -> dict[str, Any]:
        return {"ts": ts, "keys": self._key_list(self._workers if workers else self._sensors)}

    def _key_list(self, keys: Sequence[str]) -> Any:
        return list(keys) if self._postgres else json.dumps(keys)

    def _latest(self, table: str, key: str, columns: str, keyed: bool) -> sa.TextClause:
        """Per key of :keys, its last row at or before :ts (key, ts, columns): one index seek each.
        `keyed`: (key, ts) is the table's primary key (no rowid on SQLite: the row is found by its key)."""
        if self._postgres:
            return sa.text(
                f"SELECT k.value AS key, r.ts, {_prefixed('r', columns)} FROM {self._keys} AS k(value) "
                f"CROSS JOIN LATERAL (SELECT ts, {columns} FROM {table} i WHERE i.{key} = k.value "
                f"AND i.ts <= :ts ORDER BY i.ts DESC LIMIT 1) AS r"
            )
        if keyed:
            return sa.text(
                f"SELECT r.{key} AS key, r.ts, {_prefixed('r', columns)} FROM (SELECT k.value AS key, (SELECT "
                f"max(i.ts) FROM {table} i WHERE i.{key} = k.value AND i.ts <= :ts) AS ts FROM {self._keys} AS k)"
                f" AS last JOIN {table} r ON r.{key} = last.key AND r.ts = last.ts"
            )
        return sa.text(
            f"SELECT {key} AS key, ts, {columns} FROM {table} WHERE rowid IN (SELECT (SELECT i.rowid FROM "
            f"{table} i WHERE i.{key} = k.value AND i.ts <= :ts ORDER BY i.ts DESC, i.rowid DESC LIMIT 1) "
            f"FROM {self._keys} AS k)"
        )

    def _latest_alarms(self) -> sa.TextClause:
        """Per alarm ever journaled, its last transition at or before :ts. The alarm ids are walked on the
        (alarm_id, id) index one seek each (a recursive "next id after this one"), so a month of journal
        costs what a shift does; a DISTINCT would read every row."""
        ids = (
            "WITH RECURSIVE ids(value) AS (SELECT min(alarm_id) FROM alarm_journal UNION ALL SELECT (SELECT "
            "min(alarm_id) FROM alarm_journal WHERE alarm_id > ids.value) FROM ids WHERE ids.value IS NOT NULL) "
        )
        if self._postgres:
            return sa.text(
                f"{ids}SELECT r.* FROM ids AS k CROSS JOIN LATERAL (SELECT {_ALARM_COLUMNS} FROM alarm_journal "
                "i WHERE i.alarm_id = k.value AND i.ts <= :ts ORDER BY i.ts DESC, i.id DESC LIMIT 1) AS r"
            )
        return sa.text(
            f"{ids}SELECT {_ALARM_COLUMNS} FROM alarm_journal WHERE id IN (SELECT (SELECT i.id FROM "
            "alarm_journal i WHERE i.alarm_id = k.value AND i.ts <= :ts ORDER BY i.ts DESC, i.id DESC LIMIT 1) "
            "FROM ids AS k WHERE k.value IS NOT NULL)"
        )

    def _stretch(self, table: str, key: str, columns: str) -> sa.TextClause:
        """The rows of :keys stored in (:after, :ts], oldest first: a range scan per key (on PostgreSQL the
        position history's BRIN on ts reads everyone's in one)."""
        if self._postgres and table == "position_history":
            keys = "TRUE"  # rows of workers not on the site are skipped when laid over the frame
        elif self._postgres:
            keys = f"{key} = ANY(CAST(:keys AS text[]))"
        else:
            keys = f"{key} IN (SELECT value FROM {self._keys})"
        return sa.text(
            f"SELECT {key} AS key, ts, {columns} FROM {table} WHERE {keys} AND ts > :after AND ts <= :ts "
            "ORDER BY ts"
        )

    # -- laying rows over a frame (in place: the frame is new and not yet shown) ----------------------

    def _lay_fixes(self, frame: ReplayFrame, rows: Iterable[Any]) -> None:
        for key, ts, x, y, floor in rows:  # oldest first: a later fix of the same worker wins
            row = self._worker_row.get(key)
            if row is not None:
                frame.worker_x[row], frame.worker_y[row] = x, y
                frame.worker_floor[row], frame.fix_ts[row] = floor, ts

    def _lay_values(self, frame: ReplayFrame, rows: Iterable[Any]) -> None:
        for key, ts, value, quality in rows:
            row = self._sensor_row.get(key)
            if row is not None:
                frame.value[row] = math.nan if value is None else value
                frame.quality[row], frame.value_ts[row] = quality, ts


def _prefixed(alias: str, columns: str) -> str:
    return ", ".join(f"{alias}.{c.strip()}" for c in columns.split(","))


def _latest_permits(ts: float) -> sa.Select:
    """Each permit's last journaled change at or before `ts` (few rows: permits change a few times a day)."""
    c = event_journal.c
    latest = sa.select(sa.func.max(c.seq)).where(c.kind == PERMIT_KIND, c.ts <= ts).group_by(c.source)
    return sa.select(c.source, c.ts, c.payload).where(c.seq.in_(latest))


def _empty(ts: float, workers: int, sensors: int, permits: Mapping[str, ReplayPermit]) -> ReplayFrame:
    return ReplayFrame(
        ts=ts,
        worker_x=np.full(workers, np.nan),
        worker_y=np.full(workers, np.nan),
        worker_floor=np.zeros(workers, dtype=np.int16),
        fix_ts=np.full(workers, np.nan),
        value=np.full(sensors, np.nan),
        quality=np.full(sensors, int(Quality.STALE), dtype=np.int8),
        value_ts=np.full(sensors, np.nan),
        alarms={},
        permits=dict(permits),
    )


def _copy(frame: ReplayFrame, ts: float) -> ReplayFrame:
    return replace(
        frame,
        ts=ts,
        worker_x=frame.worker_x.copy(),
        worker_y=frame.worker_y.copy(),
        worker_floor=frame.worker_floor.copy(),
        fix_ts=frame.fix_ts.copy(),
        value=frame.value.copy(),
        quality=frame.quality.copy(),
        value_ts=frame.value_ts.copy(),
    )


def _alarms_laid(before: Mapping[str, ReplayAlarm], rows: Iterable[Any]) -> dict[str, ReplayAlarm]:
    """`before` with each transition of `rows` (oldest first) applied: a normal one removes its alarm."""
    out = dict(before)
    for r in rows:
        state = State(r.to_state)
        if state is State.NORMAL:
            out.pop(r.alarm_id, None)
            continue
        out[r.alarm_id] = ReplayAlarm(
            id=r.alarm_id,
            source=r.source,
            tier=Tier(r.tier),
            priority=Priority(r.priority),
            area=r.area,
            message=r.message,
            state=state,
            active=bool(r.active),
            acked=bool(r.acked),
            value=math.nan if r.value is None else r.value,
            unit=r.unit,
            ts=r.ts,
        )
    return out


def _permits_laid(before: Mapping[str, ReplayPermit], rows: Iterable[Any]) -> dict[str, ReplayPermit]:
    out = dict(before)
    for source, ts, payload in rows:
        p = payload if isinstance(payload, dict) else json.loads(payload)
        out[source] = ReplayPermit(source, str(p["to"]), ts, str(p.get("reason", "")))
    return out
