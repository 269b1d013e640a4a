"""The trend view as the operator uses it: find a tag and add its pen, hide it from the legend, remove it,
pick a history preset or pan (history asked for), the crosshair's readout, the alarm markers, export."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from alarms.definitions import Tier
from console.window.main_window import MainWindow
from plant_maps.site import Site
from widgets.trends.trend_pens import Marker
from widgets.trends.trend_time import preset_range
from widgets.trends.trend_view import TrendView

NOW = 1_800_000_000.0


def export_from_menu(qtbot: QtBot, view: TrendView, action: QAction) -> None:
    """Click Export, then the entry in its menu (as the operator does)."""
    menu = view.export_button.menu()
    QTimer.singleShot(0, lambda: (menu.setActiveAction(action), qtbot.keyClick(menu, Qt.Key.Key_Return)))
    qtbot.mouseClick(view.export_button, Qt.MouseButton.LeftButton)  # opens the menu; returns once it closes


@pytest.fixture()
def view(qtbot: QtBot, site: Site) -> TrendView:
    v = TrendView(site, lambda: NOW)
    qtbot.addWidget(v)
    v.resize(1200, 420)
    v.show()
    qtbot.waitExposed(v)
    return v


def test_find_a_tag_add_its_pen_with_limits_hide_it_in_the_legend_and_remove_it(
    qtbot: QtBot, view: TrendView
) -> None:
    qtbot.keyClicks(view.search, "compressor house 1")
    shown = [
        view.tag_list.item(r).text()
        for r in range(view.tag_list.count())
        if not view.tag_list.item(r).isHidden()
    ]
    assert shown and all("compressor house 1" in s.lower() for s in shown)
    with qtbot.waitSignal(view.pen_added) as added:
        qtbot.keyClick(view.search, Qt.Key.Key_Return)
    tag = added.args[0]
    assert view.tags() == [tag] and view._items[tag].checkState() == Qt.CheckState.Checked
    pen = view.pens[tag]
    assert set(pen.tag.limits) == {(10.0, "H"), (25.0, "HH")}  # of a combustible gas detector, dashed lines
    assert {line.value() for line, _ in view.limit_lines.values()} == {10.0, 25.0}

    [(sample, _label)] = view.legend.items
    centre = view.plot.mapFromScene(sample.mapToScene(sample.boundingRect().center()))
    qtbot.mouseClick(view.plot.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert not pen.curve.isVisible()
    qtbot.mouseClick(view.plot.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert pen.curve.isVisible()

    view.tag_list.setCurrentItem(view._items[tag])
    qtbot.mouseClick(view.remove_button, Qt.MouseButton.LeftButton)
    assert view.tags() == [] and not view.remove_button.isEnabled()
    assert view._items[tag].checkState() == Qt.CheckState.Unchecked

    qtbot.keyClick(view.tag_list, Qt.Key.Key_Space)  # checking a tag in the list trends it
    assert view.tags() == [tag]
    qtbot.keyClick(view.tag_list, Qt.Key.Key_Space)  # and unchecking removes it
    assert view.tags() == []
    assert view.limit_lines == {}


def test_pens_with_equal_limits_share_one_labelled_line(view: TrendView) -> None:
    view.add_pen("GD-CH-01")
    view.add_pen("GD-CH-02")
    line, tags = view.limit_lines[(25.0, "HH")]
    assert tags == ["GD-CH-01", "GD-CH-02"] and "GD-CH-01, GD-CH-02" in line.label.toPlainText()
    view.remove_pen("GD-CH-01")
    assert view.limit_lines[(25.0, "HH")][1] == ["GD-CH-02"]


def test_an_unknown_tag_is_refused_saying_why(view: TrendView) -> None:
    assert not view.add_pen("NOT-A-TAG")
    assert "not a tag" in view.status.text()


def test_live_follows_now_a_preset_or_a_pan_asks_for_that_history(qtbot: QtBot, view: TrendView) -> None:
    with qtbot.waitSignal(view.range_needed, timeout=2000) as first:
        view.add_pen("GD-CH-01")
    tags, start, end, points = first.args
    assert tags == ["GD-CH-01"] and start <= NOW - 300 and end >= NOW and 400 <= points <= 10_000
    assert view.live and view.visible_range() == pytest.approx((NOW - 300, NOW))

    index = view.mode_box.findText("Last 7 days")
    with qtbot.waitSignal(view.range_needed, timeout=2000) as week:
        view.mode_box.setCurrentIndex(index)
        view.mode_box.activated.emit(index)
    assert not view.live and view.live_button.isEnabled() and view.mode_box.currentText() == "Last 7 days"
    assert week.args[1] <= NOW - 7 * 86400 and view.visible_range() == pytest.approx(preset_range("7d", NOW))

    qtbot.mouseClick(view.live_button, Qt.MouseButton.LeftButton)
    assert view.live and view.visible_range() == pytest.approx((NOW - 300, NOW))
    with qtbot.waitSignal(view.range_needed, timeout=2000) as panned:  # drag an hour back in time
        view.plot.getViewBox().translateBy(x=-3600)
    assert not view.live and panned.args[1] <= NOW - 3600 - 300
    assert view.mode_box.currentText() == "Range shown"


def test_history_then_live_one_line_the_crosshair_reads_values_and_alarm_text(
    qtbot: QtBot, view: TrendView
) -> None:
    view.add_pen("GD-CH-01")
    hx = NOW - 600 + np.arange(0, 500, 10.0)
    view.set_history({"GD-CH-01": (hx, np.full(hx.size, 5.0))})
    lx = NOW - 120 + np.arange(0, 120, 0.5)
    view.set_live("GD-CH-01", lx, np.linspace(5, 30, lx.size))
    view.add_markers(
        [("GD-CH-01", Marker(("GD-CH-01.HH", 7, NOW - 20), NOW - 20, 25.0, Tier.LIFE, True, "HH!", "%LEL"))]
    )
    view.add_markers(
        [("GD-CH-01", Marker(("GD-CH-01.HH", 7, NOW - 20), NOW - 20, 25.0, Tier.LIFE, True, "HH!", "%LEL"))]
    )
    x, y = view.pens["GD-CH-01"].curve.getData()  # history up to the live samples, from the left edge on
    assert (np.diff(x) > 0).all() and x[0] <= view.visible_range()[0] and x[-1] == lx[-1]
    assert (y[x < lx[0]] == 5.0).all() and (x < lx[0]).sum() >= 18
    assert len(view.pens["GD-CH-01"].markers.points()) == 1  # the same transition once

    qtbot.waitUntil(lambda: view.plot.getViewBox().viewRange()[1][1] > 25)  # scaled to the values once drawn
    target = view.plot.mapFromScene(view.plot.getViewBox().mapViewToScene(QPointF(NOW - 20, 25.0)))
    qtbot.mouseMove(view.plot.viewport(), target)
    qtbot.waitUntil(lambda: "GD-CH-01:" in view.readout.text(), timeout=2000)
    assert "%LEL" in view.readout.text() and "HH!" in view.readout.text()


def test_an_alarm_in_another_unit_marks_the_curve_without_squashing_it(qtbot: QtBot, view: TrendView) -> None:
    view.add_pen("GD-CH-01")
    hx = NOW - 600 + np.arange(0, 600, 10.0)
    view.set_history({"GD-CH-01": (hx, np.full(hx.size, 12.0))})
    view.add_markers(
        [
            (
                "GD-CH-01",
                Marker(("GD-CH-01.TTT", 3, NOW - 300), NOW - 300, 420.0, Tier.LIFE, True, "TTT", "s"),
            ),
            ("GD-CH-01", Marker(("GD-CH-01.H", 4, NOW - 200), NOW - 200, 12.0, Tier.HIGH, True, "H", "%LEL")),
        ]
    )
    _, y = view.pens["GD-CH-01"].markers.getData()
    assert list(y) == [12.0, 12.0]  # the 420 s time to threshold sits on the curve, not at 420 %LEL
    qtbot.waitUntil(lambda: 0 < view.plot.getViewBox().viewRange()[1][1] < 100)  # the axis stays on the gas


def test_export_buttons_ask_for_a_file_and_export_the_visible_range(
    qtbot: QtBot, view: TrendView, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    view.add_pen("GD-CH-01")
    target = tmp_path / "t.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    with qtbot.waitSignal(view.csv_requested) as asked:
        export_from_menu(qtbot, view, view.csv_action)
    assert asked.args[0] == str(target) and asked.args[1] == ["GD-CH-01"]
    assert (asked.args[2], asked.args[3]) == pytest.approx(view.visible_range())
    png = tmp_path / "t.png"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(png), ""))
    export_from_menu(qtbot, view, view.png_action)
    assert png.stat().st_size > 1000 and "Saved" in view.status.text()


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_the_trend_dock_fits_the_window_with_a_long_readout(
    qtbot: QtBot, site: Site, size: tuple[int, int]
) -> None:
    window = MainWindow(site, "operator", "console", lambda: NOW)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(50)  # the default layout for the window's size is set once it is shown
    for sensor in site.sensors[:8]:
        window.open_trend(sensor.id)
    view = window.trend_view
    view.readout.setText(view.readout_at(NOW - 10, near_s=5))
    view.status.setText("x" * 400)
    qtbot.waitUntil(lambda: not view.visibleRegion().isEmpty())  # its tab raised
    assert (window.width(), window.height()) == size
    assert view.plot.height() >= 100
    qtbot.waitUntil(lambda: view.plot.width() >= 600)  # in the alarm list's tabs, its full width
    assert window.alarm_table.visibleRegion().isEmpty() and not window.alarm_banner.visibleRegion().isEmpty()


def shown_window(qtbot: QtBot, site: Site) -> MainWindow:
    """The main window at 1366x768, shown."""
    window = MainWindow(site, "operator", "console", lambda: NOW)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_a_double_click_on_a_detector_opens_its_trend(qtbot: QtBot, site: Site) -> None:
    window = shown_window(qtbot, site)
    view = window.plant_map
    view.fit_site()
    sensor = site.sensor("GD-CH-01")
    at = view.mapFromScene(QPointF(sensor.x, sensor.y))
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=at)
    assert window.trend_view.tags() == ["GD-CH-01"]
    qtbot.waitUntil(lambda: not window.trend_view.visibleRegion().isEmpty())  # its tab comes forward
