"""Feeds the trend view: live samples (and their quality) from the core's ring buffers, history, alarm
transitions and zone events from the store (on a worker thread, never the GUI thread), the stored samples
the crosshair reads over history, and the CSV export of the stored rows.

The core keeps full-rate samples only of the tags a trend shows: the feed watches its view's pens (and lets
them go when a pen is removed or the view closes). A pen added shows its last hours at once from the
core's coarse tier, as history, until the store's history of the view answers.

Live alarm transitions come with the core's ALARMS topic; a permit change (PERMITS) or any event-log line
(LOG: notes, SOS, isolations, detections) has the journal read again from where it was last read, a
second later (the journal is written just after the line is logged), so live zone events come as well.
Runs on the Qt thread (the core's loop thread under qasync).
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Sequence

from PySide6.QtCore import QObject, QTimer

from alarms.records import Transition
from alarms.states import Event
from console.server.session import Session, Topic
from console.window.trend_events import KINDS, zone_events
from integrations.storage import Store
from integrations.trend_export import write_trend_csv
from plant_maps.trend_tags import history_tags
from widgets.common.time_text import clock_text
from widgets.trends.trend_pens import Marker, live_bands
from widgets.trends.trend_view import TrendView

log = logging.getLogger(__name__)

LIVE_REFRESH_MS = 1000
EVENTS_DELAY_MS = 1000
_MARKED = (Event.ACTIVATE, Event.ACKNOWLEDGE, Event.CLEAR)


class TrendFeed(QObject):
    def __init__(self, core: Session, store: Store, view: TrendView) -> None:
        super().__init__(view)
        self.core, self.store, self.view = core, store, view
        self._tasks: set[asyncio.Task[None]] = set()
        self.exports = 0  # CSV files written (tests wait on it)
        view.pen_added.connect(self._pen_added)
        view.range_needed.connect(lambda tags, s, e, n: self._spawn(self._load(tags, s, e, n)))
        view.csv_requested.connect(lambda path, tags, s, e: self._spawn(self._export(path, tags, s, e)))
        view.samples_needed.connect(lambda tags, ts: self._spawn(self._samples(tags, ts)))
        self.rows = {tag: row for row, tag in enumerate(history_tags(core.site))}  # ring buffer rows
        self._on_change = {s.id for s in core.site.sensors if s.scheme == "opcua"}  # silence: unchanged
        self.watched: set[str] = set()  # the tags this feed has the core keep at full rate
        self._unsubscribe = [
            core.subscribe(Topic.ALARMS, self._alarms),
            core.subscribe(Topic.PERMITS, self._journal_moved),
            core.subscribe(Topic.LOG, self._journal_moved),
        ]
        self._events_since = math.inf  # where the journal is read again from (once a range is loaded)
        self._events_due = QTimer(self)
        self._events_due.setSingleShot(True)
        self._events_due.setInterval(EVENTS_DELAY_MS)
        self._events_due.timeout.connect(lambda: self._spawn(self._load_events(self._events_since, math.inf)))
        self.timer = QTimer(self)
        self.timer.setInterval(LIVE_REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        view.destroyed.connect(self.close)

    def close(self) -> None:
        """Stop following the core, and drop the queries still running (the view is going away)."""
        self.timer.stop()
        self._events_due.stop()
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []
        for task in list(self._tasks):
            task.cancel()
        self._watch(set())

    def refresh(self) -> None:
        """Every pen's live samples, and the right edge at now in live mode."""
        self._watch(set(self.view.tags()))
        for tag in self.view.tags():
            self._fill_live(tag)
        self.view.follow(self.core.clock.now())

    def _pen_added(self, tag: str) -> None:
        """Watched from now on; its last hours from the coarse tier until the store answers."""
        self._watch(self.watched | {tag})
        recent = self.core.trends.recent(self.rows[tag])
        self.view.set_history({tag: recent.series()}, {tag: recent.bands()})
        self._fill_live(tag)

    def _watch(self, tags: set[str]) -> None:
        """Have the core keep `tags` at full rate, and let the others of this feed go."""
        self.core.trends.unwatch(self.rows[t] for t in self.watched - tags)
        self.core.trends.watch(self.rows[t] for t in tags - self.watched)
        self.watched = tags

    def _fill_live(self, tag: str) -> None:
        ts, values, quality = self.core.trends.samples(self.rows[tag])
        held = self.core.clock.now() if tag in self._on_change else None
        self.view.set_live(tag, ts, values, live_bands(ts, quality), held)

    def _spawn(self, coro: object) -> None:
        task = asyncio.ensure_future(coro)  # type: ignore[arg-type]
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            error = task.exception()
            log.error("trend query failed: %s", error)
            self.view.status.setText(self.view.tr("History not available: {error}").format(error=error))

    async def _load(self, tags: list[str], start: float, end: float, max_points: int) -> None:
        buckets = await asyncio.to_thread(self.store.history_buckets, tags, start, end, max_points)
        transitions = await asyncio.to_thread(self.store.alarm_transitions, start, end)
        self.view.set_history(
            {tag: b.series() for tag, b in buckets.items()}, {tag: b.bands() for tag, b in buckets.items()}
        )
        self.view.add_markers(_markers(transitions, set(tags)))
        await self._load_events(start, end)

    async def _samples(self, tags: list[str], ts: float) -> None:
        """The stored samples at or before `ts` that the crosshair reads over history."""
        self.view.set_samples(ts, await asyncio.to_thread(self.store.samples_at, tags, ts))

    async def _load_events(self, start: float, end: float) -> None:
        """The zone events of [start, end) from the journal (end inf: up to now)."""
        if not math.isfinite(start):
            return
        until = None if math.isinf(end) else end
        read_at = self.core.clock.now()
        entries = []
        for kind in KINDS:
            entries += await asyncio.to_thread(self.store.journal_rows, start, until, kind)
        self.view.add_events(zone_events(entries, self.core.site))
        if end >= read_at:  # read up to now: the next live read starts here (a little back, for late writes)
            self._events_since = read_at - 5.0

    def _journal_moved(self, _payload: object) -> None:
        if self.view.tags() and not self._events_due.isActive():
            self._events_due.start()

    async def _export(self, path: str, tags: list[str], start: float, end: float) -> None:
        rows = await asyncio.to_thread(self.store.history_rows, tags, start, end)

        def write() -> int:
            with open(path, "w", encoding="utf-8", newline="") as out:
                return write_trend_csv(rows, tags, out)

        try:
            lines = await asyncio.to_thread(write)
        except OSError as exc:
            self.view.status.setText(
                self.view.tr("Could not save {path}: {error}").format(path=path, error=exc)
            )
            return
        self.exports += 1
        self.view.status.setText(self.view.tr("Saved {n} rows to {path}").format(n=lines, path=path))

    def _alarms(self, transitions: list[Transition]) -> None:
        """Journaled transitions of trended tags: on the plot at once."""
        self.view.add_markers(_markers(transitions, set(self.view.tags())))


def _markers(transitions: Sequence[Transition], tags: set[str]) -> list[tuple[str, Marker]]:
    return [
        (
            t.source,
            Marker(
                key=(t.alarm_id, t.seq, t.ts),
                ts=t.ts,
                value=t.value,
                tier=t.tier,
                activation=t.event is Event.ACTIVATE,
                text=f"{clock_text(t.ts)} {t.alarm_id} {t.event.value}: {t.message}",
                unit=t.unit,
            ),
        )
        for t in transitions
        if t.source in tags and t.event in _MARKED
    ]
