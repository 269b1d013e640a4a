"""Feeds the map replay (issue 17): frames of the stored history to the plant map, read on a worker thread.

While the map replays, the live plant runs on underneath: the core, the alarm banner and the alarm list stay
live, and the map keeps the live updates aside until "Now" (`widgets.map.plant_map`). A seek or a play tick
says which moment is wanted; one query runs at a time and the next one asks for the latest moment wanted by
then, so dragging the slider never queues up frames nobody will look at. Playing, the moment follows the
wall clock times the speed: a slow frame is made up by a longer step, never by a slower replay; at the live
end of the history the replay pauses. Runs on the Qt thread (the core's loop thread under qasync).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import math
import time
from collections.abc import Sequence

from PySide6.QtCore import QObject, QTimer

from console.server.field_operations import wearable_alerts, worker_alarm_marks
from console.server.session import Session
from console.window.main_window import MainWindow
from integrations.replay_store import ReplayStore
from integrations.storage import Store
from plant_maps.permit_lifecycle import PermitState
from plant_maps.permits import PermitStatus
from plant_maps.replay_frame import ReplayFrame

log = logging.getLogger(__name__)

HISTORY_S = 12 * 3600.0  # the slider spans the last 12 h of the store's history
ENTER_BACK_S = 120.0  # entering, the map shows two minutes ago: "what did it look like just then"
TICK_MS = 33  # while playing: at 60x about two seconds of plant time a tick


class ReplayFeed(QObject):
    def __init__(self, core: Session, store: Store, window: MainWindow, stale_after_s: float) -> None:
        super().__init__(window)
        self.core, self.stale_after = core, stale_after_s
        self.replay = ReplayStore(store, core.site)
        self.bar, self.map = window.replay_bar, window.plant_map
        self.frame: ReplayFrame | None = None  # as last drawn
        self.frames = 0  # frames drawn (tests wait on it)
        self._wanted: float | None = None  # the moment to read next
        self._task: asyncio.Task[None] | None = None
        self._speed = 0
        self._played_from = (0.0, 0.0)  # (moment, time.monotonic()) the play started from
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        window.replay_requested.connect(self.enter)
        self.bar.seek_requested.connect(self.seek)
        self.bar.play_requested.connect(self.play)
        self.bar.now_requested.connect(self.leave)

    @property
    def active(self) -> bool:
        return self.map.replaying

    def enter(self, at: float | None = None) -> None:
        """Show the map at `at` (default: two minutes ago), paused, the slider over the last 12 h."""
        now = self.core.clock.now()
        self.bar.set_range(now - HISTORY_S, now)
        if not self.map.replaying:
            self.map.start_replay()
            self.bar.show()
            self.bar.slider.setFocus()
        self.play(0)
        self.seek(now - ENTER_BACK_S if at is None else at)

    def seek(self, ts: float) -> None:
        """Show the moment `ts` (kept within the last 12 h and now); playing goes on from there."""
        now = self.core.clock.now()
        ts = min(max(ts, now - HISTORY_S), now)
        self._played_from = (ts, time.monotonic())
        self._want(ts)

    def play(self, speed: int) -> None:
        """Play at `speed` times real time from the moment shown; 0 pauses."""
        self._speed = speed
        shown = self.frame.ts if self.frame is not None else self.core.clock.now() - ENTER_BACK_S
        self._played_from = (shown if self._wanted is None else self._wanted, time.monotonic())
        if speed:
            self._timer.start()
        else:
            self._timer.stop()
        self.bar.set_playing(bool(speed))

    def leave(self) -> None:
        """Back to the live plant: the map draws its latest live state at once."""
        self.play(0)
        self._wanted, self.frame = None, None
        self.map.end_replay()
        self.bar.hide()

    def close(self) -> None:
        self._timer.stop()
        if self._task is not None:
            self._task.cancel()

    def _tick(self) -> None:
        start, wall = self._played_from
        ts = start + self._speed * (time.monotonic() - wall)
        now = self.core.clock.now()
        if ts >= now:  # caught up with the live plant: pause there
            ts = now
            self.play(0)
        self._want(ts)

    def _want(self, ts: float) -> None:
        self._wanted = ts
        if self._task is None:
            self._task = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        """Read the moments wanted, one query at a time, and draw each while the map still replays."""
        try:
            while self._wanted is not None and self.map.replaying:
                ts, self._wanted = self._wanted, None
                before = self.frame
                if before is None:
                    frame = await asyncio.to_thread(self.replay.frame, ts)
                else:
                    frame = await asyncio.to_thread(self.replay.step, before, ts)
                if self.map.replaying:
                    self.frame = frame
                    self._draw(frame)
        except Exception as exc:  # the store is away: say so on the bar, keep the console running
            log.error("replay query failed: %s", exc)
            self.bar.ago.setText(self.bar.tr("History not available: {error}").format(error=exc))
        finally:
            self._task = None

    def _draw(self, frame: ReplayFrame) -> None:
        core = self.core
        x, y = frame.worker_positions()
        stale = frame.fix_age() > self.stale_after  # NaN (no fix): not drawn anyway
        alarms = list(frame.alarms.values())
        self.map.draw_replay(
            (frame.value, frame.detector_quality(), core.limits.state(frame.value)),
            (x, y, stale),
            replayed_permits(core.permits.statuses(), frame),
            wearable_alerts(alarms),
            worker_alarm_marks(alarms),
        )
        now = core.clock.now()
        self.bar.set_range(now - HISTORY_S, now)  # the live end moves on
        self.bar.show_moment(frame.ts, now)
        self.bar.show_alarms(alarms)
        self.frames += 1


def replayed_permits(statuses: Sequence[PermitStatus], frame: ReplayFrame) -> list[PermitStatus]:
    """The permits' live statuses with the state, since and reason they had at the frame's moment."""
    out = []
    for s in statuses:
        then = frame.permits.get(s.id)
        if then is not None:
            since = then.since if math.isfinite(then.since) else s.since
            out.append(dataclasses.replace(s, state=PermitState(then.state), since=since, reason=then.reason))
    return out
