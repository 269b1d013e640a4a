"""Alarm-system KPIs of a period, computed in the database (ISA-18.2 §16, EEMUA 191; `alarms.kpis` has the
targets and lights).

Every figure is an aggregate the database computes with GROUP BY and window functions (SQLite >= 3.25 and
PostgreSQL both have them); Python only walks aggregated rows (at most one per 10-min period). Call it from a
worker thread: it blocks on the database.

How the figures are counted (the rules, so that a reader can check a number by hand):
- An alarm *raised*: an `activate` row leaving normal, returned-unacknowledged or latched: a new occurrence
  the operator is shown. Activations while shelved, suppressed or out of service are not raised.
- Periods: fixed 10-min periods from `since` (integer division of `ts - since` by 600 s). A period is *in
  flood* with EEMUA 191's hysteresis: it starts when a period holds more than 10 alarms raised (per operator
  position) and lasts through the following periods until one holds fewer than 5. Computed in SQL over every
  period (a recursive CTE numbers them, empty ones too), with two running maxima: the last period that
  started a flood and the last one that ended it. A flood that began before `since` is not seen.
- Per hour: fixed hours from `since` (six periods). Rates are per operator position (`positions`).
- Chattering: an alarm raised 3 times within 60 s (the third raise at most 60 s after the first; LAG over
  the alarm's raises). Fleeting: an occurrence that returned to normal less than 5 s after it was raised
  (LEAD over the alarm's activations and clears). Both count alarms, not occurrences.
- Responses: each occurrence raised in the period is paired (a running count of raises per alarm numbers
  the occurrences) with its first acknowledgement (time to acknowledge) and its first operator response,
  an acknowledgement, shelve or removal from service (time to first response), journaled before `until`.
  Median and 90th percentile interpolate linearly between the two nearest ranks (as numpy and PostgreSQL's
  percentile_cont): ROW_NUMBER over the ordered times and their COUNT pick the (at most two) rows, Python
  weighs them. "Within 90 s" counts over every occurrence raised, so one never answered counts against.
- At the end: each alarm's latest row before `until` (the whole journal, not only the period: a shelve from
  last week still hides it) gives its state. Standing: active and shown (unacknowledged or acknowledged),
  since its latest raise; stale: standing for more than 24 h. Hidden: shelved, suppressed or out of service,
  with who hid it, when and why (the latest shelve / suppress / removal row).
- Permits (event journal kind "permit"): issued = approved; suspended, by reason; expired before closing =
  expired from approved, active or suspended; timeout rate = those expired / (those + closed). Camera
  detections (kind "vision_detection") and marks as false (kind "vision_false") in the period: rate = marks /
  detections. Permits and detections carry no alarm area: theirs are the site's figures in every report.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from alarms import kpis
from alarms.definitions import Priority
from alarms.kpis import AlarmAtEnd, Group, KpiReport, make_kpi, number_text
from alarms.states import Event, State
from integrations.storage import RAISED_SQL, Store, alarm_journal, event_journal

_RESPONSES = (Event.ACKNOWLEDGE.value, Event.SHELVE.value, Event.REMOVE_FROM_SERVICE.value)
_HIDING = (Event.SHELVE.value, Event.SUPPRESS.value, Event.REMOVE_FROM_SERVICE.value)
_STANDING = (State.UNACK.value, State.ACKED.value)
_HIDDEN = (State.SHELVED.value, State.SUPPRESSED.value, State.OUT_OF_SERVICE.value)
_LIVE_PERMIT = ("approved", "active", "suspended")
_QUANTILES = (0.5, 0.9)
_PG_WORK_MEM = "128MB"  # this report's transaction only (SET LOCAL)

c = alarm_journal.c
RAISED = sa.text(
    RAISED_SQL
)  # literal, so that the planners see it implies ix_alarm_journal_raised's condition


def kpi_report(
    source: Store | sa.Engine,
    since: float,
    until: float,
    area: str | None = None,
    positions: int = 1,
    utc_offset_s: float = 0.0,
) -> KpiReport:
    """The KPIs of [since, until) for `area` (None: the site), per operator position.

    `utc_offset_s` places the heat map's hours of day on the site's clock.
    """
    if until <= since:
        raise ValueError("the period must end after it starts")
    if positions < 1:
        raise ValueError("at least one operator position")
    engine = source if isinstance(source, sa.Engine) else source.engine
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":  # the per-alarm windows sort a month in memory, not on disk
            conn.execute(sa.text(f"SET LOCAL work_mem = '{_PG_WORK_MEM}'"))
        q = _Period(conn, since, until, area, positions)
        rate, flood = q.rate()
        raised = sum(n for _, n in rate)
        actors = q.bad_actors()
        standing, hidden = q.at_end()
        suspensions, permits = q.permits()
        report = KpiReport(
            since=since,
            until=until,
            area=area,
            positions=positions,
            kpis=_in_group_order(
                *_load(rate, flood, raised, until - since, positions),
                *_bad_actors(actors, raised),
                *q.per_alarm(raised),
                *_at_end(standing, hidden, until),
                *_priorities(q.priorities(), raised),
                *permits,
                *q.vision(),
            ),
            rate=tuple((since + b * kpis.PERIOD_S, n) for b, n in rate),
            bad_actors=tuple((a, n, n / raised) for a, n in actors),
            heat=q.heat(utc_offset_s),
            standing=standing,
            hidden=hidden,
            suspensions=suspensions,
        )
    return report


class _Period:
    """The queries of one report, on one connection."""

    def __init__(
        self, conn: sa.Connection, since: float, until: float, area: str | None, positions: int
    ) -> None:
        self.conn = conn
        self.postgres = conn.dialect.name == "postgresql"
        self.since = since
        self.until = until
        self.area = area
        self.positions = positions
        self.in_period = (c.ts >= since) & (c.ts < until)
        if area is not None:
            self.in_period &= c.area == area

    def floor_div(self, value: sa.ColumnElement[Any], width: float) -> sa.ColumnElement[int]:
        """floor(value / width) for value >= 0: SQLite's CAST truncates, PostgreSQL's rounds (floor first)."""
        if self.postgres:
            return sa.cast(sa.func.floor(value / width), sa.BigInteger)
        return sa.cast(value / width, sa.Integer)

    def rate(self) -> tuple[list[tuple[int, int]], int]:
        """Alarms raised in every 10-min period (empty ones too), and how many periods were in flood."""
        periods = math.ceil((self.until - self.since) / kpis.PERIOD_S)
        bucket = self.floor_div(c.ts - self.since, kpis.PERIOD_S)
        counts = (
            sa.select(bucket.label("b"), sa.func.count().label("n"))
            .where(self.in_period, RAISED)
            .group_by(bucket)
            .cte("counts")
        )
        series = sa.select(sa.literal(0).label("b")).cte("series", recursive=True)
        series = series.union_all(sa.select(series.c.b + 1).where(series.c.b + 1 < periods))
        every = (
            sa.select(series.c.b, sa.func.coalesce(counts.c.n, 0).label("n"))
            .select_from(series.outerjoin(counts, series.c.b == counts.c.b))
            .subquery()
        )
        running = {"order_by": every.c.b, "rows": (None, 0)}
        started = sa.func.max(sa.case((every.c.n > kpis.FLOOD_START * self.positions, every.c.b)))
        ended = sa.func.max(sa.case((every.c.n < kpis.FLOOD_END * self.positions, every.c.b)))
        marked = sa.select(
            every.c.b,
            every.c.n,
            started.over(**running).label("started"),
            ended.over(**running).label("ended"),
        ).subquery()
        in_flood = marked.c.started.is_not(None) & (
            marked.c.ended.is_(None) | (marked.c.started > marked.c.ended)
        )
        rows = self.conn.execute(
            sa.select(marked.c.b, marked.c.n, sa.case((in_flood, 1), else_=0)).order_by(marked.c.b)
        ).all()
        return [(b, n) for b, n, _ in rows], sum(f for _, _, f in rows)

    def bad_actors(self) -> list[tuple[str, int]]:
        n = sa.func.count().label("n")
        query = (
            sa.select(c.alarm_id, n)
            .where(self.in_period, RAISED)
            .group_by(c.alarm_id)
            .order_by(n.desc(), c.alarm_id)
            .limit(kpis.TOP_N)
        )
        return [(a, n) for a, n in self.conn.execute(query)]

    def priorities(self) -> dict[int, int]:
        query = sa.select(c.priority, sa.func.count()).where(self.in_period, RAISED).group_by(c.priority)
        return {p: n for p, n in self.conn.execute(query)}

    def heat(self, utc_offset_s: float) -> tuple[tuple[str, int, int], ...]:
        hour = self.floor_div(c.ts + utc_offset_s, 3600.0) % 24
        query = (
            sa.select(c.area, hour.label("hour"), sa.func.count())
            .where(self.in_period, RAISED)
            .group_by(c.area, hour)
            .order_by(c.area, hour)
        )
        return tuple((a, int(h), n) for a, h, n in self.conn.execute(query))

    def per_alarm(self, raised: int) -> tuple[kpis.Kpi, ...]:
        """Chattering and fleeting alarms, times to acknowledge and to first response: one pass over each
        alarm's transitions in time order (the windows share it), then the ranks of the response times.

        On SQLite the period's bounds are written `ts + 0` here: it then walks ix_alarm_journal_alarm_ts,
        which holds the rows in this order with every column read, instead of the ts index and a sort.
        PostgreSQL plans it well by its statistics (the `+ 0` would blind them).
        """
        ts = c.ts if self.postgres else c.ts + 0
        in_period = (ts >= self.since) & (ts < self.until)
        if self.area is not None:
            in_period &= c.area == self.area
        is_raised = sa.case((RAISED, 1), else_=0)
        by_alarm = {"partition_by": c.alarm_id, "order_by": c.ts}
        seq = (
            sa.select(
                c.alarm_id,
                c.event,
                c.ts,
                is_raised.label("raised"),
                sa.func.max(sa.case((RAISED, c.ts))).over(**by_alarm, rows=(None, 0)).label("raised_ts"),
                sa.func.max(sa.case((c.event.in_(_RESPONSES), c.ts)))
                .over(**by_alarm, rows=(None, -1))
                .label("responded_ts"),
                sa.func.sum(is_raised)
                .over(**by_alarm, range_=(-int(kpis.CHATTER_WINDOW_S), 0))
                .label("raised_60s"),
            )
            .where(in_period, c.event.in_((Event.ACTIVATE.value, Event.CLEAR.value, *_RESPONSES)))
            .cte("seq")
        )
        waited = seq.c.ts - seq.c.raised_ts  # since the occurrence's raise (the latest raise so far)
        first = seq.c.responded_ts.is_(None) | (seq.c.responded_ts < seq.c.raised_ts)
        measured = sa.union_all(
            sa.select(sa.literal("ack").label("what"), waited.label("d")).where(
                seq.c.event == Event.ACKNOWLEDGE.value, seq.c.raised_ts.is_not(None)
            ),
            sa.select(sa.literal("response"), waited).where(
                seq.c.event.in_(_RESPONSES), seq.c.raised_ts.is_not(None), first
            ),
        ).subquery()
        ranked = sa.select(
            measured.c.what,
            sa.func.row_number().over(partition_by=measured.c.what, order_by=measured.c.d).label("rn"),
            sa.func.count().over(partition_by=measured.c.what).label("n"),
            measured.c.d,
            sa.func.sum(sa.case((measured.c.d <= kpis.RESPONSE_S, 1), else_=0))
            .over(partition_by=measured.c.what)
            .label("within"),
        ).subquery()
        near = [sa.func.abs((ranked.c.rn - 1) - (ranked.c.n - 1) * q) < 1 for q in _QUANTILES]
        alarms = sa.func.count(sa.distinct(seq.c.alarm_id))
        chattering = sa.select(
            sa.literal("chattering"), sa.literal(0), alarms, sa.null(), sa.literal(0)
        ).where(seq.c.raised == 1, seq.c.raised_60s >= kpis.CHATTER_COUNT)
        fleeting = sa.select(sa.literal("fleeting"), sa.literal(0), alarms, sa.null(), sa.literal(0)).where(
            seq.c.event == Event.CLEAR.value, waited < kpis.FLEETING_S
        )
        found = self.conn.execute(
            sa.union_all(
                sa.select(ranked.c.what, ranked.c.rn, ranked.c.n, ranked.c.d, ranked.c.within).where(
                    sa.or_(*near)
                ),
                chattering,
                fleeting,
            )
        ).all()
        counts = {what: n for what, _, n, _, _ in found if what in ("chattering", "fleeting")}
        out = [
            make_kpi(f"{what}_alarms", Group.CHATTER, counts[what], number_text(counts[what]))
            for what in ("chattering", "fleeting")
        ]
        for what in ("ack", "response"):
            mine = [(rn, n, d, w) for kind, rn, n, d, w in found if kind == what]
            median, p90 = (_interpolated(mine, q) for q in _QUANTILES)
            within = mine[0][3] if mine else 0
            share = 100.0 * within / raised if raised else None
            out += [
                make_kpi(f"{what}_median_s", Group.RESPONSE, median, number_text(median, "s")),
                make_kpi(f"{what}_p90_s", Group.RESPONSE, p90, number_text(p90, "s")),
                make_kpi(f"{what}_within_pct", Group.RESPONSE, share, number_text(share, "%")),
            ]
        return tuple(out)

    def at_end(self) -> tuple[tuple[AlarmAtEnd, ...], tuple[AlarmAtEnd, ...]]:
        """The alarms standing and those hidden at `until`, from each alarm's latest rows before it."""
        latest = (
            sa.select(
                c.alarm_id,
                sa.func.max(c.id).label("last"),
                sa.func.max(sa.case((c.event.in_(_HIDING), c.id))).label("hid"),
                sa.func.max(sa.case((RAISED, c.id))).label("raised"),
            )
            .where(c.ts < self.until)
            .group_by(c.alarm_id)
            .subquery()
        )
        last, hid, rise = (alarm_journal.alias(name) for name in ("last_row", "hid_row", "raised_row"))
        query = (
            sa.select(
                latest.c.alarm_id,
                last.c.area,
                last.c.to_state,
                sa.func.coalesce(rise.c.ts, last.c.ts),
                hid.c.ts,
                hid.c.actor,
                hid.c.comment,
                hid.c.shelve_until,
            )
            .select_from(
                latest.join(last, last.c.id == latest.c.last)
                .outerjoin(hid, hid.c.id == latest.c.hid)
                .outerjoin(rise, rise.c.id == latest.c.raised)
            )
            .where(last.c.to_state.in_(_STANDING + _HIDDEN))
        )
        if self.area is not None:
            query = query.where(last.c.area == self.area)
        standing: list[AlarmAtEnd] = []
        hidden: list[AlarmAtEnd] = []
        for alarm_id, area, state, raised_ts, hid_ts, actor, comment, shelve_until in self.conn.execute(
            query
        ):
            if state in _STANDING:
                standing.append(AlarmAtEnd(alarm_id, area, state, raised_ts, "", "", None))
            else:
                hidden.append(AlarmAtEnd(alarm_id, area, state, hid_ts, actor, comment, shelve_until))
        standing.sort(key=lambda a: (a.since, a.alarm_id))
        hidden.sort(key=lambda a: (_HIDDEN.index(a.state), a.since, a.alarm_id))
        return tuple(standing), tuple(hidden)

    def permits(self) -> tuple[tuple[tuple[str, int], ...], tuple[kpis.Kpi, ...]]:
        """Suspensions by reason, and the permit KPIs (site-wide: see the module's docstring)."""
        e = event_journal.c
        action = e.payload["action"].as_string()
        expired_live = (action == "expire") & e.payload["from"].as_string().in_(_LIVE_PERMIT)
        reason = sa.case((action == "suspend", e.payload["reason"].as_string()), else_="")
        outcome = sa.case((expired_live, "expired"), else_=action)
        query = (
            sa.select(outcome, reason, sa.func.count())
            .where(
                e.kind == "permit",
                e.ts >= self.since,
                e.ts < self.until,
                action.in_(("approve", "suspend", "close", "expire")),
            )
            .group_by(outcome, reason)
        )
        counts: dict[str, int] = {}
        suspensions: list[tuple[str, int]] = []
        for what, why, n in self.conn.execute(query):
            counts[what] = counts.get(what, 0) + n
            if what == "suspend":
                suspensions.append((why, n))
        suspensions.sort(key=lambda r: (-r[1], r[0]))
        issued, suspended = counts.get("approve", 0), counts.get("suspend", 0)
        expired, ended = counts.get("expired", 0), counts.get("expired", 0) + counts.get("close", 0)
        timeout = 100.0 * expired / ended if ended else None
        return tuple(suspensions), (
            make_kpi("permits_issued", Group.PERMITS, issued, number_text(issued)),
            make_kpi("permits_suspended", Group.PERMITS, suspended, number_text(suspended)),
            make_kpi("permits_expired", Group.PERMITS, expired, number_text(expired)),
            make_kpi("permit_timeout_pct", Group.PERMITS, timeout, number_text(timeout, "%")),
        )

    def vision(self) -> tuple[kpis.Kpi, ...]:
        e = event_journal.c
        query = (
            sa.select(e.kind, sa.func.count())
            .where(e.kind.in_(("vision_detection", "vision_false")), e.ts >= self.since, e.ts < self.until)
            .group_by(e.kind)
        )
        counts = {kind: n for kind, n in self.conn.execute(query)}
        detections, marked = counts.get("vision_detection", 0), counts.get("vision_false", 0)
        rate = 100.0 * marked / detections if detections else None
        return (
            make_kpi("vision_detections", Group.VISION, detections, number_text(detections)),
            make_kpi("vision_false_pct", Group.VISION, rate, number_text(rate, "%")),
        )


def _in_group_order(*found: kpis.Kpi) -> tuple[kpis.Kpi, ...]:
    order = {g.value: i for i, g in enumerate(Group)}
    return tuple(sorted(found, key=lambda k: order[k.group]))


def _interpolated(ranked: Sequence[tuple[int, int, float, int]], q: float) -> float | None:
    """The q-quantile from the (at most two) rows around rank (n - 1) q, weighed linearly."""
    if not ranked:
        return None
    h = (ranked[0][1] - 1) * q
    near = [(rn - 1, d) for rn, _, d, _ in ranked if abs(rn - 1 - h) < 1]
    return sum(d * (1 - abs(r - h)) for r, d in near)


def _load(
    rate: list[tuple[int, int]], flood: int, raised: int, span_s: float, positions: int
) -> tuple[kpis.Kpi, ...]:
    per_10 = raised * kpis.PERIOD_S / span_s / positions
    per_hour = raised * 3600.0 / span_s / positions
    hours: dict[int, int] = {}
    for b, n in rate:  # the aggregated periods, six to an hour
        hours[b // 6] = hours.get(b // 6, 0) + n
    peak_10 = max(n for _, n in rate) / positions
    peak_hour = max(hours.values()) / positions
    flood_pct = 100.0 * flood / len(rate)
    return (
        make_kpi("alarms_raised", Group.LOAD, raised, number_text(raised)),
        make_kpi("alarms_per_10min_avg", Group.LOAD, per_10, number_text(per_10, "/ 10 min", 2)),
        make_kpi("alarms_per_10min_peak", Group.LOAD, peak_10, number_text(peak_10, "/ 10 min")),
        make_kpi("alarms_per_hour_avg", Group.LOAD, per_hour, number_text(per_hour, "/ h")),
        make_kpi("alarms_per_hour_peak", Group.LOAD, peak_hour, number_text(peak_hour, "/ h")),
        make_kpi("flood_time_pct", Group.FLOOD, flood_pct, number_text(flood_pct, "%")),
        make_kpi("flood_periods", Group.FLOOD, flood, number_text(flood)),
    )


def _bad_actors(actors: list[tuple[str, int]], raised: int) -> tuple[kpis.Kpi, ...]:
    share = 100.0 * sum(n for _, n in actors) / raised if raised else None
    return (make_kpi("bad_actors_share_pct", Group.BAD_ACTORS, share, number_text(share, "%")),)


def _at_end(
    standing: Sequence[AlarmAtEnd], hidden: Sequence[AlarmAtEnd], until: float
) -> tuple[kpis.Kpi, ...]:
    stale = sum(1 for a in standing if until - a.since > kpis.STALE_S)
    by_state = {s: sum(1 for a in hidden if a.state == s) for s in _HIDDEN}
    return (
        make_kpi("standing_alarms", Group.STANDING, len(standing), number_text(len(standing))),
        make_kpi("stale_alarms", Group.STANDING, stale, number_text(stale)),
        *(make_kpi(f"{state}_alarms", Group.HIDDEN, n, number_text(n)) for state, n in by_state.items()),
    )


def _priorities(counts: dict[int, int], raised: int) -> tuple[kpis.Kpi, ...]:
    out = []
    for priority in Priority:
        share = 100.0 * counts.get(priority.value, 0) / raised if raised else None
        out.append(
            make_kpi(f"priority_{priority.name.lower()}_pct", Group.PRIORITY, share, number_text(share, "%"))
        )
    return tuple(out)
