"""The alarm history: one row per alarm occurrence, its transitions paired in the database (issue 16).

An occurrence starts with an `activate` row whose from_state is normal, rtn_unack or latched (the alarm is
raised anew) and holds that alarm's transitions up to its next start: the acknowledgement, the return to
normal, shelves, suppressions and removals from service. Ignition's alarm journal links transitions by
event id; the journal here links them by position, so the database pairs them: each start finds the id of
its alarm's next start (an index seek on (alarm_id, id)), and MIN(id) over the rows in between, per kind of
row, picks the occurrence's first acknowledgement, clear, shelve... Only the page shown comes back to
Python.

The page is chosen from the period's starts first (index `ix_alarm_journal_event_ts`, newest first) and only
its occurrences are paired. A filter on what happened in an occurrence (who acted, a comment, its state)
names the starts it keeps by "witness" rows: the rows that show it (an acknowledgement by that operator, a
shelve), each mapped to the start at or before it (the same index seek). An alarm's earlier occurrences
always ended returned (a new start comes only from normal, rtn_unack or latched), so "still active" looks
only at each alarm's latest row, and "unacknowledged" at it and at starts from rtn_unack.

SQLAlchemy Core, SQL that runs on SQLite and PostgreSQL. Qt-free; every call blocks on the database.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from alarms.definitions import Priority, Tier
from alarms.history import (
    PAGE_SIZE,
    Action,
    Hidden,
    HistoryFilter,
    HistoryPage,
    HistoryState,
    Occurrence,
)
from alarms.states import RAISES_FROM, RETURNS, TRANSITIONS, Event, State
from integrations.storage import alarm_journal

_NO_NEXT = 2**62  # the next start's id when there is none yet: beyond any id
# operator actions on an occurrence; the first of them is its first response
_RESPONSES = (Event.ACKNOWLEDGE, Event.SHELVE, Event.UNSHELVE_MANUAL, Event.REMOVE_FROM_SERVICE)
_ACKS = (Event.ACKNOWLEDGE, Event.UNSHELVE_MANUAL)  # a manual unshelve acknowledges (alarms.states)


def history_page(
    engine: sa.Engine, query: HistoryFilter, page: int = 0, page_size: int = PAGE_SIZE
) -> HistoryPage:
    """One page of occurrences matching `query`, newest raised first, and how many match in all."""
    matching = _starts(query).subquery("matching")
    # witness filters: one pass for the page and its count (they would be looked up twice); otherwise the
    # count reads the index alone and the page stops at its 200th start (SQLite: 60 ms against 300 ms)
    witnessed = bool(query.actor or query.text or query.state)
    total = sa.func.count().over() if witnessed else sa.null()
    shown = (
        sa.select(matching.c.id, total.label("total"))
        .order_by(matching.c.ts.desc(), matching.c.id.desc())
        .limit(page_size)
        .offset(page * page_size)
    )
    rows_query = _occurrences(shown).order_by(sa.desc("raised"), sa.desc("key"))
    count_query = sa.select(sa.func.count()).select_from(matching)
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":  # compiling a plan of this cost takes longer than running it
            conn.exec_driver_sql("SET LOCAL jit = off")
        found = [r._mapping for r in conn.execute(rows_query)]
        if witnessed and found:
            count = found[0]["total"]
        elif witnessed and not page:
            count = 0
        else:
            count = conn.execute(count_query).scalar_one()
    return HistoryPage(tuple(_occurrence(r) for r in found), count, page, page_size)


def history_actors(engine: sa.Engine, since: float, until: float) -> list[str]:
    """Who acted on alarms in since <= ts < until, sorted (the "who acted" filter offers them).

    The names come one index seek each on (actor, ts), skipping from one name to the next, and each is
    kept if it has a row in the period: a few dozen seeks rather than a month of journal read."""
    c = alarm_journal.c
    later = alarm_journal.alias("later")
    names = sa.select(sa.func.min(c.actor).label("actor")).where(c.actor > "").cte("names", recursive=True)
    following = sa.select(sa.func.min(later.c.actor)).where(later.c.actor > names.c.actor).scalar_subquery()
    names = names.union_all(sa.select(following).where(names.c.actor.is_not(None)))
    acted = alarm_journal.alias("acted")
    in_period = sa.exists().where(acted.c.actor == names.c.actor, acted.c.ts >= since, acted.c.ts < until)
    query = sa.select(names.c.actor).where(names.c.actor.is_not(None), in_period).order_by(names.c.actor)
    with engine.connect() as conn:
        return list(conn.execute(query).scalars())


def _is_start(table: sa.FromClause) -> sa.ColumnElement[bool]:
    return (table.c.event == Event.ACTIVATE.value) & table.c.from_state.in_(
        sorted(s.value for s in RAISES_FROM)
    )


def _entered(table: sa.FromClause, state: State) -> sa.ColumnElement[bool]:
    return (table.c.to_state == state.value) & (table.c.from_state != state.value)


def _left(table: sa.FromClause, state: State) -> sa.ColumnElement[bool]:
    return (table.c.from_state == state.value) & (table.c.to_state != state.value)


def _starts(query: HistoryFilter) -> sa.Select[Any]:
    """The activations that raised an occurrence in the period and match the filter."""
    c = alarm_journal.c
    select = sa.select(c.id, c.ts).where(_is_start(alarm_journal), c.ts >= query.since, c.ts < query.until)
    if query.area:
        select = select.where(c.area == query.area)
    if query.tier is not None:
        select = select.where(c.tier == int(query.tier))
    if query.tag:
        select = select.where(
            c.alarm_id.icontains(query.tag, autoescape=True) | c.source.icontains(query.tag, autoescape=True)
        )
    since = query.since
    if query.actor:
        select = select.where(c.id.in_(_owners(since, lambda w: w.c.actor == query.actor)))
    if query.text:
        commented = _owners(since, lambda w: w.c.comment.icontains(query.text, autoescape=True))
        select = select.where(c.message.icontains(query.text, autoescape=True) | c.id.in_(commented))
    match query.state:
        case HistoryState.ACTIVE:
            select = select.where(c.id.in_(_latest_owners(lambda w: w.c.active.is_(True))))
        case HistoryState.CLEARED:
            select = select.where(c.id.not_in(_latest_owners(lambda w: w.c.active.is_(True))))
        case HistoryState.UNACKNOWLEDGED:
            returned_unacked = _owners(
                since, lambda w: _is_start(w) & (w.c.from_state == State.RTN_UNACK.value), before=True
            )
            latest_unacked = _latest_owners(lambda w: w.c.acked.is_(False))
            select = select.where(c.id.in_(latest_unacked) | c.id.in_(returned_unacked))
        case HistoryState.SHELVED | HistoryState.SUPPRESSED | HistoryState.OUT_OF_SERVICE:
            hidden = State(query.state.value)
            events = [e.value for e in _entering(hidden)]  # the event index finds them
            select = select.where(
                c.id.in_(_owners(since, lambda w: w.c.event.in_(events) & _entered(w, hidden)))
            )
    return select


def _entering(hidden: State) -> frozenset[Event]:
    """The events that can take an alarm into `hidden`: those of the state table, and for suppression the
    returns (an alarm unshelved or returned to service in a suppressed area is suppressed at once)."""
    events = {e for (before, e), after in TRANSITIONS.items() if after == hidden and before != hidden}
    return frozenset(events | RETURNS if hidden is State.SUPPRESSED else events)


def _owner(witness: sa.FromClause, before: bool = False) -> sa.ScalarSelect[Any]:
    """The start of the occurrence `witness` belongs to (`before`: of the one before it)."""
    s = alarm_journal.alias("owner")
    position = s.c.id < witness.c.id if before else s.c.id <= witness.c.id
    return (
        sa.select(s.c.id)
        .where(s.c.alarm_id == witness.c.alarm_id, position, _is_start(s))
        .order_by(s.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )


Condition = Callable[[sa.FromClause], sa.ColumnElement[bool]]


def _owners(since: float, shows: Condition, before: bool = False) -> sa.Select[Any]:
    """The starts of the occurrences that rows from `since` on which `shows` belong to."""
    w = alarm_journal.alias("witness")
    return _materialized(sa.select(_owner(w, before).label("id")).where(w.c.ts >= since, shows(w)))


def _latest_owners(shows: Condition) -> sa.Select[Any]:
    """The starts of the occurrences whose alarm's latest row `shows`: an earlier occurrence always ended
    returned, so only an alarm's latest one can still be active (or unacknowledged without returning)."""
    c = alarm_journal.c
    latest = sa.select(sa.func.max(c.id).label("id")).group_by(c.alarm_id).subquery("latest")
    w = alarm_journal.alias("witness")
    return _materialized(sa.select(_owner(w).label("id")).join(latest, latest.c.id == w.c.id).where(shows(w)))


def _materialized(owners: sa.Select[Any]) -> sa.Select[Any]:
    """The starts `owners` names, each looked up once: PostgreSQL would otherwise run the lookup again for
    each use of it in the plan (three times per witness row)."""
    found = owners.cte().prefix_with("MATERIALIZED")
    return sa.select(found.c.id).where(found.c.id.is_not(None))


def _occurrences(start_ids: sa.Select[Any]) -> sa.Select[Any]:
    """Each start of `start_ids` (columns id, total) paired with its transitions: one row per occurrence,
    labelled as `_occurrence` reads it, with the total passed through."""
    ids = start_ids.subquery("ids")
    start = alarm_journal.alias("start")
    following = alarm_journal.alias("following")
    next_start = (
        sa.select(following.c.id)
        .where(following.c.alarm_id == start.c.alarm_id, following.c.id > start.c.id, _is_start(following))
        .order_by(following.c.id)
        .limit(1)
        .scalar_subquery()
    )
    bounds = (
        sa.select(start.c.id, start.c.alarm_id, next_start.label("next_id"), ids.c.total)
        .join(ids, ids.c.id == start.c.id)
        .subquery("bounds")
    )
    t = alarm_journal.alias("t")
    in_occurrence = (
        (t.c.alarm_id == bounds.c.alarm_id)
        & (t.c.id >= bounds.c.id)
        & (t.c.id < sa.func.coalesce(bounds.c.next_id, _NO_NEXT))
    )

    def first(condition: sa.ColumnElement[bool] | None, name: str) -> sa.Label[Any]:
        """The id of the occurrence's first row where `condition` holds (None: of its last row)."""
        if condition is None:
            return sa.select(sa.func.max(t.c.id)).where(in_occurrence).scalar_subquery().label(name)
        return sa.select(sa.func.min(t.c.id)).where(in_occurrence, condition).scalar_subquery().label(name)

    hidden_states = {"shelve": State.SHELVED, "suppress": State.SUPPRESSED, "oos": State.OUT_OF_SERVICE}
    # one index range scan over the occurrence's few rows per fact: the page's 200 rows stay 200 in every
    # plan (a join of the rows and GROUP BY made PostgreSQL guess 100,000 and hash the whole journal)
    g = sa.select(
        bounds.c.id.label("start_id"),
        bounds.c.total,
        first(None, "last_id"),
        first(t.c.event.in_([e.value for e in _ACKS]), "ack_id"),
        first(t.c.event == Event.CLEAR.value, "clear_id"),
        first(t.c.event.in_([e.value for e in _RESPONSES]), "response_id"),
        *(first(_entered(t, state), f"{name}_id") for name, state in hidden_states.items()),
        *(first(_left(t, state), f"{name}_end_id") for name, state in hidden_states.items()),
    ).subquery("grouped")

    s = alarm_journal.alias("s")
    last = alarm_journal.alias("last")
    ack = alarm_journal.alias("ack")
    clear = alarm_journal.alias("clear")
    response = alarm_journal.alias("response")
    joined = g.join(s, s.c.id == g.c.start_id).join(last, last.c.id == g.c.last_id)
    joined = joined.outerjoin(ack, ack.c.id == g.c.ack_id).outerjoin(clear, clear.c.id == g.c.clear_id)
    joined = joined.outerjoin(response, response.c.id == g.c.response_id)
    hidden_columns = []
    for name in hidden_states:
        begin, end = alarm_journal.alias(name), alarm_journal.alias(f"{name}_end")
        joined = joined.outerjoin(begin, begin.c.id == g.c[f"{name}_id"])
        joined = joined.outerjoin(end, end.c.id == g.c[f"{name}_end_id"])
        hidden_columns += [
            begin.c.ts.label(f"{name}_ts"),
            begin.c.actor.label(f"{name}_actor"),
            begin.c.comment.label(f"{name}_comment"),
            begin.c.shelve_until.label(f"{name}_planned"),
            end.c.ts.label(f"{name}_ended"),
            end.c.actor.label(f"{name}_ended_by"),
        ]
    first_response = sa.case(
        (
            (response.c.event == Event.ACKNOWLEDGE.value) & response.c.response_s.is_not(None),
            response.c.response_s,
        ),
        else_=response.c.ts - s.c.ts,
    )
    return sa.select(
        g.c.total,
        s.c.id.label("key"),
        s.c.alarm_id,
        s.c.source,
        s.c.area,
        s.c.tier,
        s.c.priority,
        s.c.message,
        s.c.value,
        s.c.unit,
        s.c.ts.label("raised"),
        ack.c.ts.label("ack_ts"),
        ack.c.actor.label("ack_actor"),
        ack.c.comment.label("ack_comment"),
        ack.c.event.label("ack_event"),
        clear.c.ts.label("cleared"),
        first_response.label("first_response_s"),
        last.c.to_state.label("state"),
        last.c.active,
        last.c.acked,
        *hidden_columns,
    ).select_from(joined)


def _hidden(row: Any, name: str) -> Hidden | None:
    if row[f"{name}_ts"] is None:
        return None
    return Hidden(
        since=row[f"{name}_ts"],
        actor=row[f"{name}_actor"],
        comment=row[f"{name}_comment"],
        planned_until=row[f"{name}_planned"],
        ended=row[f"{name}_ended"],
        ended_by=row[f"{name}_ended_by"] or "",
    )


def _occurrence(row: Any) -> Occurrence:
    acknowledged = None
    if row["ack_ts"] is not None:
        acknowledged = Action(row["ack_ts"], row["ack_actor"], row["ack_comment"])
    return Occurrence(
        key=row["key"],
        alarm_id=row["alarm_id"],
        source=row["source"],
        area=row["area"],
        tier=Tier(row["tier"]),
        priority=Priority(row["priority"]),
        message=row["message"],
        value=math.nan if row["value"] is None else row["value"],
        unit=row["unit"],
        raised=row["raised"],
        acknowledged=acknowledged,
        acked_by_unshelve=row["ack_event"] == Event.UNSHELVE_MANUAL.value,
        cleared=row["cleared"],
        shelved=_hidden(row, "shelve"),
        suppressed=_hidden(row, "suppress"),
        out_of_service=_hidden(row, "oos"),
        first_response_s=row["first_response_s"],
        state=State(row["state"]),
        active=bool(row["active"]),
        acked=bool(row["acked"]),
    )
