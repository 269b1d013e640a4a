"""Chattering and fleeting alarms, and the times to acknowledge and to first respond, of a period: computed
in the database for `integrations.alarm_kpis` (ISA-18.2 §16, EEMUA 191; the rules, so that a reader can
check a number by hand).

- Chattering: an alarm raised 3 times within 60 s (the third raise at most 60 s after the first; LAG over
  the alarm's raises). Fleeting: an occurrence that returned to normal less than 5 s after it was raised
  (no operator can act on it; ISA-18.2 gives no number). Both count alarms, not occurrences.
- Responses: each transition carries when the occurrence it belongs to was raised (`raised_ts`, the
  journal's link: `alarms.states.occurrence_raised`), so an answer is paired with its raise by reading one
  row. Time to acknowledge: from the raise to its acknowledgement; time to first response: to the first
  acknowledgement, shelve or removal of the occurrence (MIN per occurrence). What happened after `until`, or
  answers to occurrences raised before `since`, do not count. Median and 90th percentile interpolate
  linearly between the two ranks around (n - 1) q (as numpy, and PostgreSQL's percentile_cont, which it
  uses; on SQLite, which has none, one query numbers the times in order and returns the values at those
  ranks). "Within 90 s" counts over every occurrence raised, so one never answered counts against.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import sqlalchemy as sa

from alarms import kpis
from alarms.kpis import Group, make_kpi, number_text
from alarms.states import Event
from integrations.storage import ANSWERS_SQL, RAISED_SQL, alarm_journal

_RESPONSES = (Event.ACKNOWLEDGE.value, Event.SHELVE.value, Event.REMOVE_FROM_SERVICE.value)
_QUANTILES = (Fraction(1, 2), Fraction(9, 10))  # median, 90th percentile

c = alarm_journal.c
# literal, not bound parameters, so that the planners see they imply the partial indexes' conditions
RAISED = sa.text(RAISED_SQL)
ANSWERS = sa.text(ANSWERS_SQL)


def response_kpis(
    conn: sa.Connection, since: float, until: float, area: str | None, raised: int
) -> tuple[kpis.Kpi, ...]:
    """Chattering and fleeting alarms, times to acknowledge and to first response.

    The acknowledgements, shelves, removals and clears of the occurrences raised in the period are read
    from ix_alarm_journal_answers alone (event, raised_ts, alarm_id, ts, area), each with its raise.
    """
    in_period = (c.ts >= since) & (c.ts < until)
    if area is not None:
        in_period &= c.area == area
    answered = in_period & ANSWERS & (c.raised_ts >= since) & (c.raised_ts < until)
    waited = (c.ts - c.raised_ts).label("d")
    acks = sa.select(waited).where(answered, c.event == Event.ACKNOWLEDGE.value)
    first = sa.select((sa.func.min(c.ts) - c.raised_ts).label("d")).where(answered, c.event.in_(_RESPONSES))
    first = first.group_by(c.raised_ts, c.alarm_id)
    fleeting = conn.execute(
        sa.select(sa.func.count(sa.distinct(c.alarm_id))).where(
            answered, c.event == Event.CLEAR.value, waited < kpis.FLEETING_S
        )
    ).scalar_one()
    chattering = _chattering(conn, in_period, conn.dialect.name == "postgresql")
    out = [
        make_kpi("chattering_alarms", Group.CHATTER, chattering, number_text(chattering)),
        make_kpi("fleeting_alarms", Group.CHATTER, fleeting, number_text(fleeting)),
    ]
    for w, times in (("ack", acks), ("response", first)):
        within, (median, p90) = _spread(conn, times.subquery())
        share = 100.0 * within / raised if raised else None
        out += [
            make_kpi(f"{w}_median_s", Group.RESPONSE, median, number_text(median, "s")),
            make_kpi(f"{w}_p90_s", Group.RESPONSE, p90, number_text(p90, "s")),
            make_kpi(f"{w}_within_pct", Group.RESPONSE, share, number_text(share, "%")),
        ]
    return tuple(out)


def _chattering(conn: sa.Connection, in_period: sa.ColumnElement[bool], postgres: bool) -> int:
    """The alarms raised 3 times within 60 s: LAG over each alarm's raises."""
    # the raises are sorted here (their index is in time order): on PostgreSQL by the bytes of the alarm
    # id, which groups an alarm's rows as well as the database's collation does, in a third less time
    alarm = sa.collate(c.alarm_id, "C") if postgres else c.alarm_id
    two_before = sa.func.lag(c.ts, kpis.CHATTER_COUNT - 1).over(partition_by=alarm, order_by=(c.ts, c.id))
    raises = sa.select(c.alarm_id, c.ts, two_before.label("before")).where(in_period, RAISED).subquery()
    return conn.execute(
        sa.select(sa.func.count(sa.distinct(raises.c.alarm_id))).where(
            raises.c.ts - raises.c.before <= kpis.CHATTER_WINDOW_S
        )
    ).scalar_one()


def _spread(conn: sa.Connection, times: sa.Subquery) -> tuple[int, list[float | None]]:
    """How many of `times` (column d) are within 90 s, and their median and 90th percentile (None: none).

    PostgreSQL has both in one aggregate, percentile_cont. SQLite has none: the times sorted into a
    temporary table, then only the rows at the two ranks around each (n - 1) q come back (q a fraction:
    integer division is the floor)."""
    within = sa.func.sum(sa.case((times.c.d <= kpis.RESPONSE_S, 1), else_=0))
    if conn.dialect.name == "postgresql":
        fractions = sa.literal([float(q) for q in _QUANTILES], sa.ARRAY(sa.Double()))
        cont = sa.func.percentile_cont(fractions).within_group(times.c.d)
        n, inside, quantiles = conn.execute(sa.select(sa.func.count(), within, cont)).one()
        return (inside, quantiles) if n else (0, [None for _ in _QUANTILES])
    # one sort into a temporary table, whose rowids are then the ranks: a third of the time of numbering
    # the rows with window functions beside their count (which buffers the whole set twice)
    conn.execute(sa.text("DROP TABLE IF EXISTS temp.kpi_ranked"))
    conn.execute(
        sa.text(f"CREATE TEMP TABLE kpi_ranked AS {_sql(conn, sa.select(times.c.d).order_by(times.c.d))}")
    )
    try:
        ranked = sa.table("kpi_ranked", sa.column("rowid"), sa.column("d"), schema="temp")
        n, inside = conn.execute(
            sa.select(sa.func.count(), sa.func.sum(sa.case((ranked.c.d <= kpis.RESPONSE_S, 1), else_=0)))
        ).one()
        if not n:
            return 0, [None for _ in _QUANTILES]
        lows = [(n - 1) * q.numerator // q.denominator + 1 for q in _QUANTILES]
        d = dict(conn.execute(sa.select(ranked.c.rowid, ranked.c.d).where(ranked.c.rowid.in_(
            [rank for low in lows for rank in (low, low + 1)]
        ))).all())  # fmt: skip
    finally:
        conn.execute(sa.text("DROP TABLE temp.kpi_ranked"))
    return inside, [_interpolated(d, n, q) for q in _QUANTILES]


def _sql(conn: sa.Connection, query: sa.Select) -> str:
    """`query` as SQL text with its values inlined (SQLAlchemy quotes the strings), for CREATE TABLE … AS."""
    return str(query.compile(conn, compile_kwargs={"literal_binds": True}))


def _interpolated(d: dict[int, Any], n: int, q: Fraction) -> float:
    """The q-quantile from the values at ranks (1-based) floor(h) + 1 and floor(h) + 2, h = (n - 1) q."""
    h = (n - 1) * float(q)
    low = math.floor(h)
    below = d[low + 1]
    return below if low + 2 not in d else below + (d[low + 2] - below) * (h - low)
