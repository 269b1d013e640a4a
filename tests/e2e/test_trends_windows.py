"""Trends end to end, second round: a worker's vitals trended from the worker details with live samples
over real MQTT and rows in the store; the worker's SOS arriving as a zone event on the trend; a popped-out
trend window with the same pens and its own live feed, and a new one from the Layout menu, both stopping
their feeds when closed; the trend restored after a restart, with the event read back from the journal."""

from __future__ import annotations

import asyncio

import numpy as np
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from console.server.session import Topic
from console.window.gui import WindowedConsole
from integrations.simulator import SimulatorThread
from tests.e2e.conftest import until

WORKER = "W01"  # the `sos` scenario's wearer
PENS = [f"{WORKER}.heart_rate", f"{WORKER}.skin_temp_c"]


def _subscribers(console: WindowedConsole) -> int:
    return sum(len(console.app.core._subscribers[t]) for t in (Topic.ALARMS, Topic.PERMITS, Topic.LOG))


def _sos_events(view) -> list[str]:
    return [e.text for e in view.shown_events() if e.worker == WORKER and "SOS" in e.text]


def test_vitals_sos_and_pop_out_windows(run_console, plant: SimulatorThread, qtbot: QtBot) -> None:
    async def scenario(console: WindowedConsole) -> None:
        window = console.window
        view = window.trend_view
        window.show_worker(WORKER)
        details = window.worker_details
        await until(details.trend_button.isEnabled, 10, "the worker's details")
        qtbot.mouseClick(details.trend_button, Qt.MouseButton.LeftButton)
        assert view.tags() == PENS
        heart = view.pens[PENS[0]]
        await until(lambda: np.isfinite(heart.live[1]).any(), 20, "live heart rate over MQTT")
        assert 30 < np.nanmax(heart.live[1]) < 220

        plant.set_scenario("sos")
        await until(lambda: _sos_events(view), 30, "the SOS on the trend, live")

        before = _subscribers(console)
        qtbot.mouseClick(view.pop_button, Qt.MouseButton.LeftButton)
        [popped] = console.trend_windows.windows
        assert popped.isVisible() and popped.view.tags() == PENS
        assert _subscribers(console) == before + 3
        await until(lambda: np.isfinite(popped.view.pens[PENS[0]].live[1]).any(), 10, "its own live feed")
        await until(lambda: _sos_events(popped.view), 10, "the SOS read from the journal")

        window.trend_window_requested.emit()  # the Layout menu's entry (clicked in the widget test)
        assert len(console.trend_windows.windows) == 2 and console.trend_windows.windows[1].view.tags() == []

        for w in list(console.trend_windows.windows):
            w.close()
        assert console.trend_windows.windows == [] and _subscribers(console) == before
        assert not popped.feed.timer.isActive()
        assert await asyncio.to_thread(console.app.writer.flush, 10)
        assert console.app.store.history(PENS[0])  # the vitals are history too

    run_console(scenario)

    async def restarted(console: WindowedConsole) -> None:
        view = console.window.trend_view
        assert view.tags() == PENS  # the last trend of this console
        heart = view.pens[PENS[0]]
        await until(lambda: np.isfinite(heart.history[1]).any(), 15, "the stored heart rate")
        await until(lambda: _sos_events(view), 15, "the SOS from the journal")

    run_console(restarted)
