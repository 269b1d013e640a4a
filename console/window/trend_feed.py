"""Feeds the trend view: live samples from the core's ring buffers, history and alarm transitions from the
store (on a worker thread, never the GUI thread), and the CSV export of the stored rows.

Runs on the Qt thread (the core's loop thread under qasync).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, QTimer

from alarms.records import Transition
from alarms.states import Event
from console.server.session import Session, Topic
from integrations.storage import Store
from integrations.trend_export import write_trend_csv
from widgets.alarm_style import clock_text
from widgets.trend_view import Marker, TrendView

log = logging.getLogger(__name__)

LIVE_REFRESH_MS = 1000
_MARKED = (Event.ACTIVATE, Event.ACKNOWLEDGE, Event.CLEAR)


class TrendFeed(QObject):
    def __init__(self, core: Session, store: Store, view: TrendView) -> None:
        super().__init__(view)
        self.core, self.store, self.view = core, store, view
        self._tasks: set[asyncio.Task[None]] = set()
        self.exports = 0  # CSV files written (tests wait on it)
        view.pen_added.connect(self._fill_live)
        view.range_needed.connect(lambda tags, s, e, n: self._spawn(self._load(tags, s, e, n)))
        view.csv_requested.connect(lambda path, tags, s, e: self._spawn(self._export(path, tags, s, e)))
        self._unsubscribe: Callable[[], None] | None = core.subscribe(Topic.ALARMS, self._alarms)
        self.timer = QTimer(self)
        self.timer.setInterval(LIVE_REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        view.destroyed.connect(self.close)

    def close(self) -> None:
        """Stop following the core, and drop the queries still running (the view is going away)."""
        self.timer.stop()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        for task in list(self._tasks):
            task.cancel()

    def refresh(self) -> None:
        """Every pen's live samples, and the right edge at now in live mode."""
        for tag in self.view.tags():
            self._fill_live(tag)
        self.view.follow(self.core.clock.now())

    def _fill_live(self, tag: str) -> None:
        row = self.core.site.tag_index[tag]
        self.view.set_live(tag, *self.core.trends.series(row))

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
        self.view.set_history({tag: b.series() for tag, b in buckets.items()})
        self.view.add_markers(_markers(transitions, set(tags)))

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
            ),
        )
        for t in transitions
        if t.source in tags and t.event in _MARKED
    ]
