"""What closing this console would leave unwatched, named in the close question: the tier-1 alarms standing,
the SOS and man-down responses still open, a muster running, and what the journal's database has not saved
yet (lost if the console stops now). Read from the core when the question is asked.
Qt thread (the core's loop); the words go through Qt's translation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from PySide6.QtCore import QCoreApplication

from alarms.definitions import Tier
from alarms.records import AlarmView
from alarms.states import State
from console.server.journal_watch import JournalStatus
from console.server.session import Session
from plant_maps.alarm_rules import wearable_worker
from plant_maps.muster import Muster
from plant_maps.wearables import Response
from widgets.common.time_text import clock_text
from widgets.common.wearable_response import response_text

MAX_LISTED = 5  # alarms named one by one; the rest counted
_STANDING = (State.UNACK, State.ACKED)


def _tr(text: str) -> str:
    return QCoreApplication.translate("CloseQuestion", text)


def what_closing_leaves(core: Session) -> list[str]:
    """One line per thing this console is watching that closing it would leave: nothing when all is calm."""
    views = core.alarms.views()
    return [
        *_tier1_lines(v for v in views if wearable_worker(v.id) is None),
        *_response_lines((v for v in views if wearable_worker(v.id) is not None), core.responses.open),
        *_muster_lines(core.muster),
        *_journal_lines(core.journal),
    ]


def _tier1_lines(views: Iterable[AlarmView]) -> list[str]:
    """The causes named, as the banner groups them: the alarms grouped under one are counted on its line."""
    standing = sorted((v for v in views if v.tier is Tier.LIFE and v.state in _STANDING), key=lambda v: v.ts)
    ids = {v.id for v in standing}
    grouped = Counter(v.group for v in standing if v.group in ids)
    causes = [v for v in standing if v.group not in ids]
    lines = []
    for v in causes[:MAX_LISTED]:
        line = _tr("Tier-1 alarm standing: {alarm} — {message}").format(alarm=v.id, message=v.message)
        if grouped[v.id]:
            line += _tr(" (+{n} grouped)").format(n=grouped[v.id])
        lines.append(line)
    if len(causes) > MAX_LISTED:
        lines.append(_tr("… and {n} more tier-1 alarms standing").format(n=len(causes) - MAX_LISTED))
    return lines


def _response_lines(views: Iterable[AlarmView], responses: Mapping[str, Response]) -> list[str]:
    """An SOS or man-down stays open until a responder resolves it (it latches), whatever its state."""
    open_ = sorted((v for v in views if v.state is not State.NORMAL), key=lambda v: v.ts)
    return [
        _tr("Response open: {alarm} — {message}: {where}").format(
            alarm=v.id, message=v.message, where=response_text(v, responses.get(v.id))
        )
        for v in open_
    ]


def _muster_lines(muster: Muster) -> list[str]:
    if muster.started_at is None:
        return []
    counts = muster.counts()
    return [
        _tr("Muster running since {since}: {missing} of {expected} missing").format(
            since=clock_text(muster.started_at, False), missing=counts.missing, expected=counts.expected
        )
    ]


def _journal_lines(journal: JournalStatus) -> list[str]:
    """Rows the database has not taken yet live only in this console's memory: closing it loses them."""
    if journal.saving:
        return []
    return [
        _tr("Journal NOT SAVING since {since}: {rows} rows waiting would be lost").format(
            since=clock_text(journal.since, False), rows=journal.rows
        )
    ]
