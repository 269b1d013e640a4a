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
- Chattering, fleeting alarms and the times to respond: `integrations.alarm_responses`.
- At the end: each alarm's latest row before `until` (the whole journal, not only the period: a shelve from
  last week still hides it) gives its state. Standing: active and shown (unacknowledged or acknowledged),
  since the raise of its occurrence (that row's `raised_ts`; the row's own time when it stands outside
  any: activated while shelved from normal, then unshelved); stale: standing for more than 24 h. Hidden:
  shelved, suppressed or out of service, with who hid it, when and why (the latest shelve / suppress /
  removal row).
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
from integrations.alarm_responses import RAISED, response_kpis
from integrations.storage import Store, alarm_journal, event_journal

_HIDING = (Event.SHELVE.value, Event.SUPPRESS.value, Event.REMOVE_FROM_SERVICE.value)
_STANDING = (State.UNACK.value, State.ACKED.value)
_HIDDEN = (State.SHELVED.value, State.SUPPRESSED.value, State.OUT_OF_SERVICE.value)
_LIVE_PERMIT = ("approved", "active", "suspended")
_PG_WORK_MEM = "128MB"  # this report's transaction only (SET LOCAL)

c = alarm_journal.c


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
                *response_kpis(conn, since, until, area, raised),
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

    def at_end(self) -> tuple[tuple[AlarmAtEnd, ...], tuple[AlarmAtEnd, ...]]:
        """The alarms standing and those hidden at `until`, from each alarm's latest rows before it.

        A few index seeks per alarm rather than a read of the journal: the alarms are found by skipping
        from one id to the next in ix_alarm_journal_alarm_id_id, and each one's latest row before `until`
        (and for a hidden one, the latest row that hid it) walking that index back from its newest row.
        `ts + 0`: the end filters those rows; as an index bound it would make both databases read every
        row of the alarm up to it in time order instead.
        """
        alarms = sa.select(sa.func.min(c.alarm_id).label("alarm_id")).cte("alarms", recursive=True)
        other = alarm_journal.alias("other")
        following = sa.select(sa.func.min(other.c.alarm_id)).where(other.c.alarm_id > alarms.c.alarm_id)
        alarms = alarms.union_all(
            sa.select(following.scalar_subquery()).where(alarms.c.alarm_id.is_not(None))
        )
        before = alarm_journal.alias("before_end")

        def latest(
            alarm_id: sa.ColumnElement[str], *conditions: sa.ColumnElement[bool]
        ) -> sa.ScalarSelect[int]:
            return (
                sa.select(before.c.id)
                .where(before.c.alarm_id == alarm_id, before.c.ts + 0 < self.until, *conditions)
                .order_by(before.c.id.desc())
                .limit(1)
                .scalar_subquery()
            )

        ends = (
            sa.select(alarms.c.alarm_id, latest(alarms.c.alarm_id).label("last"))
            .where(alarms.c.alarm_id.is_not(None))
            .subquery("ends")
        )
        last, hid = alarm_journal.alias("last_row"), alarm_journal.alias("hid_row")
        hidden_by = sa.case(
            (last.c.to_state.in_(_HIDDEN), latest(last.c.alarm_id, before.c.event.in_(_HIDING)))
        )
        query = (
            sa.select(
                ends.c.alarm_id,
                last.c.area,
                last.c.to_state,
                sa.func.coalesce(last.c.raised_ts, last.c.ts),
                hid.c.ts,
                hid.c.actor,
                hid.c.comment,
                hid.c.shelve_until,
            )
            .select_from(ends.join(last, last.c.id == ends.c.last).outerjoin(hid, hid.c.id == hidden_by))
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
