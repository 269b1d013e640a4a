"""Trends end to end: the gas-leak scenario over real OPC UA, a trend opened from the HH alarm's row in the
real window shows the LEL rising with its H and HH markers at the journaled times; after a restart the
same trend shows the earlier data from the store, and its CSV export is exactly the stored rows."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu
from pytestqt.qtbot import QtBot

from alarms.states import Event
from console.window.gui import WindowedConsole
from integrations.simulator import SimulatorThread
from integrations.storage import Store
from tests.e2e.conftest import until


def _activations(store: Store, source: str) -> dict[str, float]:
    """When the source's H and HH alarms first activated, as journaled."""
    out: dict[str, float] = {}
    for t in store.alarm_transitions(alarm_ids=[f"{source}.H", f"{source}.HH"]):
        if t.event is Event.ACTIVATE:
            out.setdefault(t.alarm_id.rsplit(".", 1)[1], t.ts)
    return out


def test_a_trend_from_the_hh_alarm_row_shows_the_rise_with_its_markers_and_survives_a_restart(
    run_console,
    plant: SimulatorThread,
    database_url: str,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: dict[str, float | str] = {}

    async def leak(console: WindowedConsole) -> None:
        window, core = console.window, console.app.core
        await until(lambda: not window.alarm_banner.waiting, 20, "the first values")
        seen["start"] = core.clock.now()
        plant.set_scenario("gas-leak")

        def hh_alarm() -> str:
            return next(
                (v.id for v in core.alarms.views() if v.id.endswith(".HH") and v.active and v.tier == 1), ""
            )

        alarm_id = await until(hh_alarm, 60, "a tier-1 HH gas alarm")
        source = alarm_id.removesuffix(".HH")
        table = window.alarm_table
        await until(lambda: table.select_alarm(alarm_id), 10, "the alarm listed")
        [row] = table.table.selectionModel().selectedRows()
        table.table.customContextMenuRequested.emit(table.table.visualRect(row).center())  # right-click
        menu = QApplication.activePopupWidget()
        assert isinstance(menu, QMenu)
        [trend] = [a for a in menu.actions() if a.text() == "Trend"]
        assert trend.isEnabled()
        trend.trigger()
        menu.close()

        view = window.trend_view
        assert view.tags() == [source] and view.isVisible()  # the dock raised, the pen there
        pen = view.pens[source]
        store = console.app.store
        await until(lambda: {"H", "HH"} <= _activations(store, source).keys(), 10, "H and HH journaled")
        journaled = _activations(store, source)
        await until(
            lambda: {m.ts for m in pen.marks.values() if m.activation} >= set(journaled.values()),
            10,
            "H and HH markers on the trend",
        )
        x, y = pen.data()
        before_h = y[(x < journaled["H"]) & np.isfinite(y)]
        assert before_h.size and before_h.min() < 10  # below H before the H alarm
        assert np.nanmax(y) >= 25  # and up past HH: the LEL rising, in the live trend
        seen.update(source=source, end=core.clock.now())

    run_console(leak)
    source, start, end = str(seen["source"]), float(seen["start"]), float(seen["end"])

    async def restarted(console: WindowedConsole) -> None:
        window = console.window
        view = window.trend_view
        window.trend_dock.raise_()
        qtbot.keyClicks(view.search, source)  # the same trend, from the tag list
        qtbot.keyClick(view.search, Qt.Key.Key_Return)
        assert view.tags() == [source]
        view.show_range(start, end)
        pen = view.pens[source]
        await until(lambda: pen.history[0].size and np.nanmax(pen.history[1]) >= 25, 10, "the stored rise")
        assert pen.live[0].size == 0 or pen.live[0][0] > end  # what is drawn of the leak came from the store
        journaled = _activations(console.app.store, source)
        await until(
            lambda: {m.ts for m in pen.marks.values() if m.activation} >= set(journaled.values()),
            10,
            "the markers from the journal",
        )

        target = tmp_path / "trend.csv"
        monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
        view.csv_action.trigger()  # Export → CSV (the menu itself is clicked in the widget test)
        await until(lambda: console.trends.exports == 1, 10, "the CSV written")
        x0, x1 = view.visible_range()
        stored = console.app.store.history(source, x0, x1)
        with target.open(encoding="utf-8") as f:
            exported = [
                (float(r["epoch_s"]), float(r[source]) if r[source] else math.nan, r[f"{source} quality"])
                for r in csv.DictReader(f)
            ]
        assert len(exported) == len(stored) > 5
        for (t1, v1, q1), (t2, v2, q2) in zip(exported, stored, strict=True):
            assert t1 == t2 and q1 == q2.name and (v1 == v2 or (math.isnan(v1) and math.isnan(v2)))

    run_console(restarted)
