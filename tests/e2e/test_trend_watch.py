"""A whole plant on one console (issue 18): the core keeps full-rate samples only of the tags a trend shows.
A trend opened from the tag list on a tag no trend showed draws its past at once from the core's coarse
tier, then from the store, then live, as one line; where the OPC UA server was down that line breaks and is
shaded, in the coarse tier and in the store alike; removing the pen frees its samples."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from alarms.samples import Quality
from console.window.gui import WindowedConsole
from integrations.simulator import SimulatorThread
from tests.e2e.conftest import until
from widgets.trends.trend_pens import Pen

TAG = "TT-T103"  # a tank temperature: it moves past its deadband every few seconds


def _breaks_only_in(x: np.ndarray, y: np.ndarray, start: float, end: float) -> bool:
    """The line has a break, and every break lies within [start, end]."""
    broken = x[np.isnan(y)]
    return bool(broken.size) and bool(((broken >= start) & (broken <= end)).all())


def _shaded(pen: Pen, start: float, end: float) -> bool:
    return any(a <= end and b >= start for a, b, _ in pen.bands())


def test_a_trend_opened_later_shows_its_past_with_the_outage_and_lets_its_samples_go(
    run_console, simulator: SimulatorThread, qtbot: QtBot
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        core, window = console.app.core, console.window
        rows = console.app.opcua.rows
        row = core.site.tag_index[TAG]
        await until(lambda: (core.tags.quality[rows] == Quality.GOOD).all(), 20, "all OPC UA tags good")
        first = core.clock.now()
        await until(lambda: core.clock.now() > first + 3, 5, "a few seconds of values")
        simulator.stop()
        await until(lambda: (core.tags.quality[rows] == Quality.STALE).all(), 10, "tags stale")
        down = core.clock.now()  # just after the tags were marked stale
        simulator.start()
        await until(lambda: (core.tags.quality[rows] == Quality.GOOD).all(), 30, "tags good again")
        up = core.clock.now()
        await until(lambda: core.clock.now() > up + 3, 5, "a few seconds more")
        assert row not in core.trends.watched()  # no trend showed it: no full-rate samples were kept

        view = window.trend_view
        window.trend_dock.raise_()
        qtbot.keyClicks(view.search, TAG)
        qtbot.keyClick(view.search, Qt.Key.Key_Return)
        assert view.tags() == [TAG] and core.trends.watched() == [row]
        pen = view.pens[TAG]
        coarse = pen.history  # at once, before the store is asked: the core's 10 s buckets
        x, y = pen.data()
        assert x[0] <= first + 10 and np.isfinite(y[x < down - 10]).all()
        assert _breaks_only_in(x, y, down - 10, up + 10) and _shaded(pen, down - 1, up)

        await until(lambda: pen.history is not coarse, 10, "the store's history")
        x, y = pen.data()  # the store's rows: one line from the first values on, broken where it was stale
        assert x[0] <= first + 1
        assert _breaks_only_in(x, y, down - 1, up + 1) and _shaded(pen, down - 1, up)

        def resumed() -> bool:  # sent on change only (past its deadband): stored or live, it goes on
            x, y = pen.data()
            return bool(np.isfinite(y[x > up]).any())

        await until(resumed, 30, "the line going on after the outage")
        x, y = pen.data()
        assert _breaks_only_in(x, y, down - 1, up + 1) and np.isfinite(y[x > up + 1]).all()

        view.tag_list.setCurrentItem(view._items[TAG])
        qtbot.mouseClick(view.remove_button, Qt.MouseButton.LeftButton)
        await until(lambda: core.trends.watched() == [], 5, "the pen's samples let go")

    run_console(scenario)


STEADY = "LT-T101"  # forced still: its server sends nothing after the value, as for any steady tag


def test_a_steady_tag_draws_its_value_on_to_now_until_its_server_is_lost(
    run_console, simulator: SimulatorThread, qtbot: QtBot
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        core, view = console.app.core, console.window.trend_view
        row = core.site.tag_index[STEADY]
        simulator.force(STEADY, 42.0)
        await until(lambda: core.tags.value[row] == 42.0, 20, "the forced value")
        received = int(core.tags.updates[row])
        console.window.trend_dock.raise_()
        qtbot.keyClicks(view.search, STEADY)
        qtbot.keyClick(view.search, Qt.Key.Key_Return)
        pen = view.pens[STEADY]
        opened = core.clock.now()

        def drawn_to(t: float) -> bool:
            x, y = pen.data()
            return bool(x.size) and x[-1] >= t and y[-1] == 42.0

        await until(lambda: drawn_to(opened + 2), 10, "the line drawn on to now")
        assert int(core.tags.updates[row]) == received  # nothing new came: the value held, so does the line

        simulator.stop()
        await until(lambda: core.tags.quality[row] == Quality.STALE, 15, "the tag stale")
        down = core.clock.now()
        await until(lambda: core.clock.now() > down + 3, 5, "a few seconds without the server")
        await until(lambda: pen.data()[0][-1] <= down + 1, 5, "the line held no further than the loss")

    run_console(scenario)
