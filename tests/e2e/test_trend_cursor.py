"""The trend's crosshair reads the sample at or before the pointer, with the sample's own time: from the live
buffer (held over an alarm's marker it says the value the alarm said) and, over stored history, the stored
row (it read a bucket's low or high there: 9.50 %LEL where the alarm said 10.93 at the same second)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from alarms.records import Transition
from alarms.states import Event
from console.window.gui import WindowedConsole
from integrations.simulator import SimulatorThread
from tests.e2e.conftest import until
from widgets.common.time_text import clock_text
from widgets.trends.trend_view import TrendView


def _activations(console: WindowedConsole) -> list[Transition]:
    """The gas alarms' H and HH activations of one detector, as journaled."""
    rows = [
        t
        for t in console.app.store.alarm_transitions()
        if t.event is Event.ACTIVATE and t.alarm_id.startswith("GD-CH-01.")
    ]
    return rows if {t.alarm_id for t in rows} >= {"GD-CH-01.H", "GD-CH-01.HH"} else []


def _hover(view: TrendView, ts: float) -> float:
    """The pointer at time `ts`, half-way up the plot (the crosshair reads by time); the time it reads (the
    nearest pixel's)."""
    box = view.plot.getViewBox()
    (x0, x1), (y0, y1) = box.viewRange()
    assert x0 < ts < x1, "the alarm's time is in view"
    viewport = view.plot.viewport()
    at = view.plot.mapFromScene(box.mapViewToScene(QPointF(ts, (y0 + y1) / 2)))
    # sent, not QTest.mouseMove: that runs the event loop inside this coroutine (qasync refuses)
    move = QMouseEvent(
        QEvent.Type.MouseMove,
        QPointF(at),
        QPointF(viewport.mapToGlobal(at)),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(viewport, move)
    [cursor, *_] = view.plot.cursors  # the crosshair's line, where the view reads
    return float(cursor.value())


async def _reads_the_sample_at_or_before(
    view: TrendView, alarms: list[Transition], samples: Callable[[float], tuple[float, float]]
) -> None:
    """Over each alarm's marker: the readout names `samples(t)`, the sample at or before the pointer's t."""
    for alarm in alarms:
        t = _hover(view, alarm.ts)
        await until(lambda t=t: _said(*samples(t)) in view.readout.text(), 5, f"{_said(*samples(t))!r} read")


def _said(at: float, value: float) -> str:
    return f"GD-CH-01: {value:.4g} %LEL at {clock_text(at)}.{int(at * 10) % 10}"


def _before(ts: np.ndarray, values: np.ndarray, t: float) -> tuple[float, float]:
    i = int(np.searchsorted(ts, t, side="right")) - 1
    assert i >= 0
    return float(ts[i]), float(values[i])


def _latest(t: float, *series: tuple[np.ndarray, np.ndarray]) -> tuple[float, float]:
    """The newest sample at or before `t` among the stored rows and the live buffer."""
    return max(_before(ts, values, t) for ts, values in series if ts.size and ts[0] <= t)


def test_the_crosshair_reads_the_value_each_alarm_said_live_and_after_a_restart(
    run_console, plant: SimulatorThread
) -> None:
    seen: list[Transition] = []

    async def leak(console: WindowedConsole) -> None:
        window = console.window
        await until(lambda: not window.alarm_banner.waiting, 20, "the first values")
        plant.set_scenario("gas-leak")
        window.open_trend("GD-CH-01")
        seen.extend(await until(lambda: _activations(console), 60, "H and HH journaled"))
        view = window.trend_view
        pen = view.pens["GD-CH-01"]
        tags, row = console.app.core.tags, console.app.core.site.tag_index["GD-CH-01"]
        # a sample after the alarms, drawn (the live line also holds the last value on to now: not a sample)
        last = await until(
            lambda: tags.source_ts[row] > seen[-1].ts + 1 and float(tags.source_ts[row]), 10, "a sample"
        )
        await until(lambda: last in pen.live[0], 5, "that sample in the live line")
        await _reads_the_sample_at_or_before(view, seen, lambda t: _before(*pen.live, t))

    run_console(leak)

    async def restarted(console: WindowedConsole) -> None:
        window = console.window
        window.open_trend("GD-CH-01")
        view = window.trend_view
        view.show_range(seen[-1].ts - 3600, seen[-1].ts + 60)  # an hour: buckets of several samples each
        pen = view.pens["GD-CH-01"]
        await until(lambda: pen.history[0].size and pen.history[0][-1] > seen[-1].ts, 10, "the stored rise")
        assert pen.live[0].size == 0 or pen.live[0][0] > seen[-1].ts  # read from the store
        # (a pixel is seconds wide here: the live buffer can reach the pointer's time, then it reads from it)
        # This console's first value carries the time of its last change, maybe before the restart: stored.
        core = console.app.core
        await until(lambda: core.tags.updates[core.site.tag_index["GD-CH-01"]] > 0, 10, "the first value")
        assert console.app.writer.flush(5)
        rows = console.app.store.history("GD-CH-01", seen[0].ts - 600, seen[-1].ts + 60)
        stored = np.array([r[0] for r in rows]), np.array([r[1] for r in rows])
        await _reads_the_sample_at_or_before(view, seen, lambda t: _latest(t, stored, pen.live))

    run_console(restarted)
