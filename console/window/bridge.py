"""The one bridge from the core to the GUI thread: remembers what changed, repaints at a bounded rate.

The core publishes per batch; the bridge only sets flags and collects log entries, and a QTimer flushes
the latest state to the widgets at most `rate_hz` times a second, so an ingest burst or an alarm flood
never turns into a storm of Qt signals.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from alarms.records import Transition
from alarms.states import State
from console.server.field_operations import wearable_alerts, worker_alarm_marks
from console.server.session import LogEntry, Session, Topic
from console.server.zone_isolation import Isolation
from console.window.annunciator import Annunciator
from console.window.isolation_view import isolation_notices
from console.window.main_window import MainWindow
from widgets.shell.status_bar import JournalFacts, LinkFacts

ALARM_REFRESH_S = 1.0
# At most this share of the loop goes to drawing the alarms: after a long draw (a flood: thousands of alarms,
# listed in slices) the next one waits, so that the sources and the core's rules keep their pace.
ALARM_DRAW_SHARE = 1 / 3
UNACKNOWLEDGED = (State.UNACK, State.RTN_UNACK)  # shelved, suppressed and out-of-service ones stay quiet


class Bridge(QObject):
    """Lives on the Qt thread, which under qasync is also the core's loop thread."""

    first_data = Signal()  # emitted once, after the first tag values and worker positions were drawn

    def __init__(
        self,
        core: Session,
        window: MainWindow,
        annunciator: Annunciator,
        worker_stale_after_s: float,
        rate_hz: float = 10.0,
    ) -> None:
        super().__init__(window)
        self.core, self.window, self.stale_after, self.rate_hz = core, window, worker_stale_after_s, rate_hz
        self.annunciator = annunciator
        self._tags_dirty = False
        # Alarms are drawn on the leading edge: a lone alarm at once, a burst at most rate_hz times a second.
        self._alarm_timer = QTimer(self)
        self._alarm_timer.setSingleShot(True)
        self._alarm_timer.timeout.connect(self.flush_alarms)
        self._alarms_drawn_at = -math.inf
        self._alarm_draw_s = 0.0  # how long the last draw took
        self._new_log: list[LogEntry] = []
        self._seen_tags = self._seen_workers = self._announced = False
        self._isolations: tuple[Isolation, ...] = ()  # as last drawn
        self._unsubscribe: list[Callable[[], None]] = [
            core.subscribe(Topic.TAGS, self._mark_tags),
            core.subscribe(Topic.WORKERS, self._mark_workers),
            core.subscribe(Topic.LOG, self._new_log.extend),
            core.subscribe(Topic.ALARMS, self._alarms_changed),
            core.subscribe(Topic.RESPONSES, lambda _ids: self._redraw_alarms()),
        ]
        self._new_log.extend(core.log)
        self.timer = QTimer(self)
        self.timer.setInterval(int(1000 / rate_hz))
        self.timer.timeout.connect(self.flush)
        self.timer.start()
        window.destroyed.connect(self.close)
        self.flush_alarms()  # the alarms restored from the journal, before any new data

    def close(self) -> None:
        """Unsubscribe from the core and stop the timer (the window is going away)."""
        self.timer.stop()
        self._alarm_timer.stop()
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()

    def _mark_tags(self, _rows: Any) -> None:
        self._tags_dirty = self._seen_tags = True

    def _mark_workers(self, _rows: Any) -> None:
        self._seen_workers = True

    def _alarms_changed(self, transitions: list[Transition]) -> None:
        """Journaled transitions: sound and speech at once (they are already committed); the banner and the
        list at once too, unless they were drawn less than a flush period ago."""
        self.annunciator.on_transitions(transitions)
        self._redraw_alarms()

    def _redraw_alarms(self) -> None:
        """At once, unless the alarms were drawn less than a period ago (then at the period's end): a flush
        period, or longer after a long draw (ALARM_DRAW_SHARE)."""
        if not self._alarm_timer.isActive():
            period_s = max(1 / self.rate_hz, self._alarm_draw_s / ALARM_DRAW_SHARE)
            wait_s = self._alarms_drawn_at + period_s - time.monotonic()
            self._alarm_timer.start(max(0, math.ceil(wait_s * 1000)))

    def flush_alarms(self) -> None:
        """The banner, the list and the tones follow the engine's alarms (one snapshot for all three)."""
        started = self._alarms_drawn_at = time.monotonic()
        views, floods = self.core.alarms.views(), self.core.alarms.floods()
        responses = dict(self.core.responses.open)  # where each SOS / man-down response stands
        self.window.alarm_table.set_responses(responses)
        more = self.window.alarm_table.set_alarms(views, floods)
        self.window.alarm_banner.set_alarms(views, floods, responses)
        self.window.plant_map.set_worker_alerts(wearable_alerts(views))
        self.window.plant_map.set_worker_alarms(worker_alarm_marks(views))
        self._isolations = self.core.alarms.isolations.all()
        self.window.set_isolations(isolation_notices(self.core, views))
        self.annunciator.set_unacknowledged({int(v.tier) for v in views if v.state in UNACKNOWLEDGED})
        self._alarm_draw_s = time.monotonic() - started
        if more:  # a flood: its next slice
            self._redraw_alarms()

    def flush(self) -> None:
        """Push the latest state to the widgets; runs on the Qt timer."""
        core, window = self.core, self.window
        # Chattering and flood flags fade with time, not with a transition: redraw the alarms now and then.
        # An isolation that started or ended is drawn at once, also where it moved no alarm.
        stale = time.monotonic() - self._alarms_drawn_at >= ALARM_REFRESH_S
        if (stale or core.alarms.isolations.all() != self._isolations) and not self._alarm_timer.isActive():
            self.flush_alarms()
        if self._tags_dirty:
            self._tags_dirty = False
            tags = core.tags
            window.plant_map.update_tags(tags.value, tags.quality, core.limits.state(tags.value))
        # Worker staleness depends on time, not only on new fixes: re-evaluate every flush.
        workers = core.workers
        stale = (core.clock.now() - workers.fix_ts) > self.stale_after
        window.plant_map.update_workers(workers.x, workers.y, stale)
        # Counters move without a state change: refresh the status bar every flush.
        for status in core.statuses.values():
            link = LinkFacts(
                security=status.security,
                secured=status.secured,
                tags=status.tags,
                tags_in_error=len(status.tags_in_error),
                skewed=tuple(sorted(status.clock_skew)),
            )
            window.status_bar.show_connection(
                status.name, status.state.value, status.messages, status.errors, status.last_error, link
            )
        journal, place = core.journal, core.journal.place
        window.status_bar.show_journal(
            JournalFacts(place.kind, place.where, place.url, journal.since, journal.rows, journal.why)
        )
        if self._new_log:
            entries, self._new_log[:] = list(self._new_log), []
            window.event_log.append([(e.ts, e.severity, e.source, e.text) for e in entries])
        if self._seen_tags and window.alarm_banner.waiting:
            window.alarm_banner.set_waiting(False)  # the plant's values arrived: "no alarms" now means it
        if self._seen_tags and self._seen_workers and not self._announced:
            self._announced = True
            self.first_data.emit()
