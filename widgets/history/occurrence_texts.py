"""An alarm occurrence in the history's words: one table row, its cells short enough for 1366 px, the whole
story (comments, who ended a shelve) in the tooltips. Qt thread (the texts are translated when made)."""

from __future__ import annotations

import math
from collections.abc import Mapping

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from alarms.history import Hidden, Occurrence
from widgets.common.keyed_table import Row
from widgets.common.tiers import priority_text, state_name, value_text
from widgets.common.time_text import dated_clock_text, day_clock_text, duration_text

CONTEXT = "AlarmHistory"
COLUMNS = (
    QT_TRANSLATE_NOOP("AlarmHistory", "Raised"),
    QT_TRANSLATE_NOOP("AlarmHistory", "Priority"),
    QT_TRANSLATE_NOOP("AlarmHistory", "Alarm"),
    QT_TRANSLATE_NOOP("AlarmHistory", "Area"),
    QT_TRANSLATE_NOOP("AlarmHistory", "Message"),
    QT_TRANSLATE_NOOP("AlarmHistory", "Acknowledged"),
    QT_TRANSLATE_NOOP("AlarmHistory", "Cleared"),
    QT_TRANSLATE_NOOP("AlarmHistory", "Shelved / hidden"),
    QT_TRANSLATE_NOOP("AlarmHistory", "Response"),
    QT_TRANSLATE_NOOP("AlarmHistory", "State"),
)
RAISED, PRIORITY, ALARM, AREA, MESSAGE, ACKNOWLEDGED, CLEARED, HIDDEN, RESPONSE, STATE = range(len(COLUMNS))
NONE = "—"


def _tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def occurrence_row(o: Occurrence, now: float, area_names: Mapping[str, str]) -> Row:
    """The table row of one occurrence, keyed by its journal id; times to the minute in the cells ("12-06
    20:30" when not today), to the second in the tooltips."""
    value = value_text(o.value, o.unit)
    ack, ack_tip = _acknowledged(o, now)
    hidden, hidden_tip = _hidden_texts(o, now)
    texts = (
        day_clock_text(o.raised, now),
        priority_text(o.tier, o.priority),
        o.alarm_id,
        area_names.get(o.area, o.area),
        o.message if value == NONE else f"{o.message} — {value}",
        ack,
        NONE if o.cleared is None else day_clock_text(o.cleared, now),
        hidden,
        NONE if o.first_response_s is None else duration_text(o.first_response_s, to_the_second=True),
        state_name(o.state),
    )
    tips = [""] * len(COLUMNS)
    tips[RAISED] = dated_clock_text(o.raised, now)
    tips[CLEARED] = _tr("Not cleared") if o.cleared is None else dated_clock_text(o.cleared, now)
    tips[ALARM] = _tr("{alarm} on {source}").format(alarm=o.alarm_id, source=o.source)
    tips[ACKNOWLEDGED], tips[HIDDEN] = ack_tip, hidden_tip
    unacknowledged = {STATE} if not o.acked else set()
    return Row(
        key=str(o.key),
        texts=texts,
        keys=texts,
        record=o,
        tooltips=tuple(tips),
        bold=frozenset(unacknowledged),
        marks=((PRIORITY, o.tier),),
    )


def _acknowledged(o: Occurrence, now: float) -> tuple[str, str]:
    """ "li.wei +30 s", and in the tooltip when, how and the comment."""
    ack = o.acknowledged
    if ack is None:
        return NONE, _tr("Not acknowledged")
    after = duration_text(ack.ts - o.raised, to_the_second=True)
    how = _tr("by unshelve") if o.acked_by_unshelve else ""
    text = _tr("{user} +{after}").format(user=ack.actor, after=after)
    tip = _tr("Acknowledged by {user} at {time}, {after} after it was raised").format(
        user=ack.actor, time=dated_clock_text(ack.ts, now), after=after
    )
    if how:
        text, tip = f"{text} ({how})", f"{tip} ({how})"
    if ack.comment:
        tip += "\n" + _tr("Comment: {0}").format(ack.comment)
    return text, tip


_HIDDEN_KINDS = (
    ("shelved", QT_TRANSLATE_NOOP("AlarmHistory", "Shelved")),
    ("suppressed", QT_TRANSLATE_NOOP("AlarmHistory", "Suppressed")),
    ("out_of_service", QT_TRANSLATE_NOOP("AlarmHistory", "Out of service")),
)


def _hidden_texts(o: Occurrence, now: float) -> tuple[str, str]:
    """ "Shelved anna 1 h", and in the tooltip from when to when, the planned end, the reason."""
    cells, tips = [], []
    for name, word in _HIDDEN_KINDS:
        span: Hidden | None = getattr(o, name)
        if span is None:
            continue
        end = span.ended if span.ended is not None else now
        cells.append(" ".join(p for p in (_tr(word), span.actor, duration_text(end - span.since)) if p))
        tips.append(_span_tip(_tr(word), span, now))
    return (" · ".join(cells) or NONE), "\n".join(tips)


def _span_tip(word: str, span: Hidden, now: float) -> str:
    who = span.actor or _tr("the system")
    tip = _tr("{what} by {who} at {time}").format(what=word, who=who, time=dated_clock_text(span.since, now))
    if span.planned_until is not None and math.isfinite(span.planned_until):
        tip += ", " + _tr("until {time}").format(time=dated_clock_text(span.planned_until, now))
    if span.ended is None:
        tip += "; " + _tr("still")
    else:
        by = f" ({span.ended_by})" if span.ended_by else ""
        tip += "; " + _tr("ended at {time}{by}").format(time=dated_clock_text(span.ended, now), by=by)
    if span.comment:
        tip += "\n" + _tr("Reason: {0}").format(span.comment)
    return tip
