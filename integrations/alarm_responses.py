"""Chattering and fleeting alarms, and the times to acknowledge and to first respond, of a period: computed
in the database for `integrations.alarm_kpis` (ISA-18.2 §16, EEMUA 191; the rules, so that a reader can
check a number by hand).

- Chattering: an alarm raised 3 times within 60 s (the third raise at most 60 s after the first; LAG over
  the alarm's raises). Fleeting: an occurrence that returned to normal less than 5 s after it was raised
  (no operator can act on it; ISA-18.2 gives no number). Both count alarms, not occurrences.
- Responses: each clear, acknowledgement, shelve and removal from service in the period belongs to the
  occurrence raised last before it (one window function: the running maximum of the raise times, per alarm
  in time order). Time to acknowledge: from the raise to its acknowledgement; time to first response: to
  the first acknowledgement, shelve or removal of the occurrence. What happened after `until`, or answers
  to occurrences raised before `since`, do not count. These pairs go into a temporary table (one report, one
  connection), from which the counts and percentiles are read. Median and 90th percentile interpolate
  linearly between the two ranks around (n - 1) q (as numpy, and PostgreSQL's percentile_cont, which it
  uses); on SQLite the two values are read by rank from an index on the table. "Within 90 s" counts over
  every occurrence raised, so one never answered counts against.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from alarms import kpis
from alarms.kpis import Group, make_kpi, number_text
from alarms.states import Event
from integrations.storage import RAISED_SQL, alarm_journal

_RESPONSES = (Event.ACKNOWLEDGE.value, Event.SHELVE.value, Event.REMOVE_FROM_SERVICE.value)
_QUANTILES = (0.5, 0.9)

c = alarm_journal.c
# literal, not bound parameters, so that the planners see it implies ix_alarm_journal_raised's condition
RAISED = sa.text(RAISED_SQL)

# what the per-alarm walk pairs, for one report on one connection: "ack" and "responded" (an acknowledgement,
# shelve or removal: d seconds after the raise of the occurrence it answers), "response" (the first of those
# per occurrence), "fleeting" (a clear less than 5 s after the raise)
_FACTS = sa.Table(
    "kpi_facts",
    sa.MetaData(),
    sa.Column("what", sa.Text(), nullable=False),
    sa.Column("alarm_id", sa.Text(), nullable=False),
    sa.Column("raised_ts", sa.Double(), nullable=False),
    sa.Column("d", sa.Double(), nullable=False),
    prefixes=["TEMPORARY"],
)
_FACTS_INDEX = sa.text("CREATE INDEX ix_kpi_facts_what_d ON kpi_facts (what, d)")  # made once filled: faster


@contextmanager
def _facts(conn: sa.Connection) -> Iterator[None]:
    """The temporary table of facts, empty, for the duration of the block (dropped after: a pooled SQLite
    connection keeps its temporary tables)."""
    _FACTS.drop(conn, checkfirst=True)
    _FACTS.create(conn)
    try:
        yield
    finally:
        _FACTS.drop(conn)


def response_kpis(
    conn: sa.Connection, since: float, until: float, area: str | None, raised: int
) -> tuple[kpis.Kpi, ...]:
    """Chattering and fleeting alarms, times to acknowledge and to first response.

    Each alarm's transitions are walked once in time order with one window function (the latest raise
    so far: the occurrence a clear or a response belongs to); what it pairs goes into a temporary table
    of facts, indexed, from which the counts and the ranks of the percentiles are read (ORDER BY d
    LIMIT 2 OFFSET rank walks the index). On SQLite the period's bounds are written `ts + 0` in the
    walks: it then reads ix_alarm_journal_alarm_ts, which holds the rows in this order with every column
    read, instead of the ts index and a sort (PostgreSQL plans it by its statistics, which `+ 0` blinds).
    """
    postgres = conn.dialect.name == "postgresql"
    ts = c.ts if postgres else c.ts + 0
    in_period = (ts >= since) & (ts < until)
    if area is not None:
        in_period &= c.area == area
    chattering = _chattering(conn, in_period, postgres)
    by_alarm = {"partition_by": c.alarm_id, "order_by": (c.ts, c.id)}
    seq = (
        sa.select(
            c.alarm_id,
            c.event,
            c.ts,
            sa.func.max(sa.case((RAISED, c.ts))).over(**by_alarm, rows=(None, 0)).label("raised_ts"),
        )
        .where(in_period, sa.or_(RAISED, c.event.in_((Event.CLEAR.value, *_RESPONSES))))
        .subquery()
    )
    waited = seq.c.ts - seq.c.raised_ts
    what = sa.case(
        (seq.c.event == Event.CLEAR.value, "fleeting"),
        (seq.c.event == Event.ACKNOWLEDGE.value, "ack"),
        else_="responded",
    )
    f = _FACTS.c
    with _facts(conn):
        conn.execute(
            _FACTS.insert().from_select(
                ["what", "alarm_id", "raised_ts", "d"],
                sa.select(what, seq.c.alarm_id, seq.c.raised_ts, waited).where(
                    seq.c.event != Event.ACTIVATE.value,
                    seq.c.raised_ts.is_not(None),
                    (seq.c.event != Event.CLEAR.value) | (waited < kpis.FLEETING_S),
                ),
            )
        )
        conn.execute(
            _FACTS.insert().from_select(
                ["what", "alarm_id", "raised_ts", "d"],
                sa.select(sa.literal("response"), f.alarm_id, f.raised_ts, sa.func.min(f.d))
                .where(f.what.in_(("ack", "responded")))
                .group_by(f.alarm_id, f.raised_ts),
            )
        )
        if not postgres:  # the ranks below walk it, and the counts read it instead of the table
            conn.execute(_FACTS_INDEX)
        counts = {
            w: (n, within)
            for w, n, within in conn.execute(
                sa.select(
                    f.what, sa.func.count(), sa.func.sum(sa.case((f.d <= kpis.RESPONSE_S, 1), else_=0))
                ).group_by(f.what)
            )
        }
        fleeting = conn.execute(
            sa.select(sa.func.count(sa.distinct(f.alarm_id))).where(f.what == "fleeting")
        ).scalar_one()
        quantiles = {w: _quantiles(conn, postgres, w, counts.get(w, (0, 0))[0]) for w in ("ack", "response")}
    out = [
        make_kpi("chattering_alarms", Group.CHATTER, chattering, number_text(chattering)),
        make_kpi("fleeting_alarms", Group.CHATTER, fleeting, number_text(fleeting)),
    ]
    for w in ("ack", "response"):
        median, p90 = quantiles[w]
        within = counts.get(w, (0, 0))[1]
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


def _quantiles(conn: sa.Connection, postgres: bool, what: str, n: int) -> list[float | None]:
    """The median and 90th percentile of the facts `what`, interpolated linearly between the two ranks
    around (n - 1) q: PostgreSQL's own percentile_cont; on SQLite, which has none, the two values read by
    rank from an index on the facts (ORDER BY d LIMIT 2 OFFSET rank walks it)."""
    if n == 0:
        return [None for _ in _QUANTILES]
    f = _FACTS.c
    if postgres:
        cont = sa.func.percentile_cont(sa.literal(list(_QUANTILES), sa.ARRAY(sa.Double()))).within_group(f.d)
        return list(conn.execute(sa.select(cont).where(f.what == what)).scalar_one())
    out: list[float | None] = []
    for q in _QUANTILES:
        h = (n - 1) * q
        low = math.floor(h)
        ranked = sa.select(f.d).where(f.what == what).order_by(f.d).limit(2).offset(low)
        values = conn.execute(ranked).scalars().all()
        out.append(values[0] if len(values) == 1 else values[0] + (values[1] - values[0]) * (h - low))
    return out
