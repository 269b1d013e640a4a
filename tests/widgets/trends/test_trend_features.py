"""The trend view's second round, as the operator uses it: bad and missing data hatched with a tooltip,
stacked plots on one time axis, the From/To range dialog, zone events along the bottom, vitals pens (from
the tag list and the worker details), the site's trend sets, and the trend kept between runs."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest
from PySide6.QtCore import QDateTime, QPointF, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from alarms.samples import Quality
from console.window.layout_store import LayoutStore
from plant_maps.site import Site
from tests.widgets.trends.test_trend_view import shown_window
from widgets.trends.trend_pens import ZoneEvent, live_bands
from widgets.trends.trend_view import TrendView

NOW = 1_800_000_000.0


@pytest.fixture()
def view(qtbot: QtBot, site: Site) -> TrendView:
    v = TrendView(site, lambda: NOW, site.trend_sets)
    qtbot.addWidget(v)
    v.resize(1300, 480)
    v.show()
    qtbot.waitExposed(v)
    return v


def choose(qtbot: QtBot, box, text: str) -> None:
    """Pick an entry of a combo box as a person does: open it, go to the entry, Enter."""
    index = box.findText(text)
    assert index >= 0, text
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Home)
    for _ in range(index):
        qtbot.keyClick(box, Qt.Key.Key_Down)
    if box.currentIndex() != index or box.currentText() != text:  # some styles skip: set and confirm
        box.setCurrentIndex(index)
        box.activated.emit(index)


def test_bad_stale_and_missing_data_are_hatched_with_what_they_are(qtbot: QtBot, view: TrendView) -> None:
    view.add_pen("GD-CH-01")
    hx = NOW - 900 + np.arange(0.0, 600.0, 10.0)
    view.set_history(
        {"GD-CH-01": (hx, np.full(hx.size, 4.0))},
        {"GD-CH-01": [(NOW - 800, NOW - 700, "no data"), (NOW - 500, NOW - 450, "bad")]},
    )
    lx = NOW - 200 + np.arange(0.0, 200.0, 1.0)
    quality = np.zeros(lx.size, dtype=np.int8)
    quality[100:130] = int(Quality.STALE)
    view.set_live("GD-CH-01", lx, np.where(quality == 0, 5.0, np.nan), live_bands(lx, quality))
    view.set_live_span(900)
    pen = view.pens["GD-CH-01"]
    tips = [item.toolTip() for item in pen.band_items]
    assert len(tips) == 3
    assert "no data" in tips[0] and "bad quality" in tips[1] and "stale" in tips[2]
    assert pen.band_items[2].getRegion() == pytest.approx((NOW - 100, NOW - 70))

    qtbot.waitUntil(lambda: view.plot.getViewBox().viewRange()[1][1] > 4)
    inside = view.plot.getViewBox().mapViewToScene(QPointF(NOW - 85, 4.5))
    qtbot.mouseMove(view.plot.viewport(), view.plot.mapFromScene(inside))
    qtbot.waitUntil(lambda: "GD-CH-01: stale" in view.readout.text(), timeout=2000)


def test_stacked_gives_a_plot_per_unit_on_one_time_axis(qtbot: QtBot, view: TrendView) -> None:
    for tag in ("GD-CH-01", "PT-K301", "TT-K301"):  # %LEL, bar, °C
        view.add_pen(tag)
    plots = view.plot
    assert len(plots.plots) == 1 and plots.units == ["%LEL", "bar", "°C"]  # one plot, an axis per unit
    boxes = {tag: plots.box(view.pens[tag].tag.unit) for tag in view.pens}
    assert len(set(map(id, boxes.values()))) == 3
    assert view.pens["PT-K301"].curve.getViewBox() is boxes["PT-K301"]

    qtbot.mouseClick(view.stacked_button, Qt.MouseButton.LeftButton)
    assert view.stacked_button.isChecked() and len(plots.plots) == 3
    assert [p.getAxis("left").labelText for p in plots.plots] == ["%LEL", "bar", "°C"]
    assert view.pens["TT-K301"].curve.getViewBox() is plots.plots[2].getViewBox()
    plots.plots[2].getViewBox().translateBy(x=-600)  # pan the lowest plot: every plot moves with it
    qtbot.waitUntil(lambda: plots.plots[0].getViewBox().viewRange()[0][0] == pytest.approx(NOW - 900))
    assert not view.live
    assert len(view.legend.items) == 3  # one legend for all pens: a click hides a pen of any plot
    sample, _ = view.legend.items[2]
    centre = plots.mapFromScene(sample.mapToScene(sample.boundingRect().center()))
    qtbot.mouseClick(plots.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert not view.pens["TT-K301"].curve.isVisible()

    qtbot.mouseClick(view.stacked_button, Qt.MouseButton.LeftButton)
    assert len(plots.plots) == 1 and view.visible_range()[0] == pytest.approx(NOW - 900)
    assert not view.pens["TT-K301"].curve.isVisible()  # still hidden in the other layout


def test_a_rebuilt_trend_frees_the_plots_it_replaced(qtbot: QtBot, view: TrendView) -> None:
    """A pen of a new unit and each Stacked click build the plots anew; the replaced plots, their curves and
    menus stayed in memory for the console's whole life (and every closed console's trend with them)."""
    for tag in ("GD-CH-01", "PT-K301"):  # %LEL on the plot's own box, bar on an overlay
        view.add_pen(tag)
    plots = view.plot
    replaced = [weakref.ref(part) for part in (*plots.plots, plots.box("bar"), plots.events_box)]
    qtbot.mouseClick(view.stacked_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(view.stacked_button, Qt.MouseButton.LeftButton)
    gc.collect()
    assert [type(part).__name__ for ref in replaced if (part := ref()) is not None] == []


def test_the_range_dialog_checks_from_and_to_then_shows_that_history(qtbot: QtBot, view: TrendView) -> None:
    view.add_pen("GD-CH-01")
    choose(qtbot, view.mode_box, "Range…")
    dialog = view.range_dialog
    assert dialog is not None and dialog.isVisible()
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def put(start: float, end: float) -> None:
        dialog.start_edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(start)))
        dialog.end_edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(end)))

    put(NOW - 3600, NOW - 7200)
    assert not ok.isEnabled() and "after the start" in dialog.problem.text()
    put(NOW - 3600, NOW + 3600)
    assert not ok.isEnabled() and "future" in dialog.problem.text()
    put(NOW - 40 * 86400, NOW)
    assert not ok.isEnabled() and "31 days" in dialog.problem.text()
    put(NOW - 2 * 86400, NOW - 86400)
    assert ok.isEnabled() and dialog.problem.text() == ""
    with qtbot.waitSignal(view.range_needed, timeout=2000) as asked:
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert view.visible_range() == pytest.approx((NOW - 2 * 86400, NOW - 86400))
    assert not view.live and view.mode_box.currentText() == "Range shown"
    assert asked.args[1] <= NOW - 2 * 86400 and asked.args[2] >= NOW - 86400


def test_zone_events_of_the_pens_zones_are_stars_along_the_bottom(qtbot: QtBot, view: TrendView) -> None:
    view.add_pen("GD-CH-01")  # compressor house
    view.set_live_span(900)
    events = [
        ZoneEvent(("permit", NOW - 300, "P1"), NOW - 300, "compressor_house", "permit P1 suspend (op)"),
        ZoneEvent(("permit", NOW - 200, "P2"), NOW - 200, "tank_farm", "permit P2 suspend (op)"),
        ZoneEvent(("operator_note", NOW - 100, "console"), NOW - 100, "", "note: pump swapped (op)"),
    ]
    view.add_events(events)
    view.add_events(events[:1])  # from the store and live: once
    points = view.event_markers.points()
    assert sorted(p.pos().x() for p in points) == [NOW - 300, NOW - 100]  # not the tank farm's
    assert {p.data() for p in points} == {"permit P1 suspend (op)", "note: pump swapped (op)"}
    assert all(p.symbol() == "star" for p in points)
    assert view.event_markers.getViewBox() is view.plot.events_box
    assert view.plot.events_box.viewRange()[1] == pytest.approx([0, 1])  # a fixed row at the bottom
    assert "permit P1 suspend" in view.readout_at(NOW - 300, near_s=5)

    view.add_pen("TT-T101")  # the tank farm's too, once one of its tags is trended
    assert len(view.event_markers.points()) == 3


def test_vitals_are_tags_of_the_list_with_a_workers_heading(
    qtbot: QtBot, view: TrendView, site: Site
) -> None:
    worker = site.workers[0]
    qtbot.keyClicks(view.search, f"{worker.id} heart")
    shown = [
        view.tag_list.item(r).text()
        for r in range(view.tag_list.count())
        if not view.tag_list.item(r).isHidden()
    ]
    assert shown == ["Workers' vitals", f"{worker.id}.heart_rate  {worker.name} heart rate (bpm)"]
    qtbot.keyClick(view.search, Qt.Key.Key_Return)
    assert view.tags() == [f"{worker.id}.heart_rate"] and view.plot.units == ["bpm"]


def test_trend_vitals_in_the_worker_details_adds_heart_rate_and_skin_temperature(
    qtbot: QtBot, site: Site
) -> None:
    window = shown_window(qtbot, site)
    details = window.worker_details
    assert not details.trend_button.isEnabled()  # no worker shown yet
    details.set_worker("W03")
    window.show_worker("W03")
    qtbot.waitUntil(details.trend_button.isVisible)
    qtbot.mouseClick(details.trend_button, Qt.MouseButton.LeftButton)
    assert window.trend_view.tags() == ["W03.heart_rate", "W03.skin_temp_c"]
    qtbot.waitUntil(lambda: not window.trend_view.visibleRegion().isEmpty())  # the trends come forward


def test_a_site_trend_set_loads_its_pens_and_span(qtbot: QtBot, view: TrendView) -> None:
    assert view.sets_box.isVisible()
    view.add_pen("TT-T101")
    choose(qtbot, view.sets_box, "Compressor house gases")
    assert view.tags() == [f"GD-CH-0{k}" for k in range(1, 7)]
    assert view.live and view.span_s == 900 and view.mode_box.currentText() == "Live 15 min"
    assert view.sets_box.currentIndex() == 0  # ready for another pick


def test_the_last_trend_comes_back_from_the_layout_file(qtbot: QtBot, view: TrendView, site: Site) -> None:
    view.add_pen("PT-K301")
    view.add_pen("GD-CH-01")
    qtbot.mouseClick(view.stacked_button, Qt.MouseButton.LeftButton)
    view.show_range(NOW - 7200, NOW - 3600)
    store = LayoutStore("trend-test")
    store.save_trend(view.state())

    again = TrendView(site, lambda: NOW, site.trend_sets)
    qtbot.addWidget(again)
    again.restore_state(store.trend_state() or {})
    assert again.tags() == ["PT-K301", "GD-CH-01"] and again.stacked_button.isChecked()
    assert not again.live and again.visible_range() == pytest.approx((NOW - 7200, NOW - 3600))

    store.save_trend({"pens": ["GONE-1", "GD-CH-02"], "live": True, "span_s": 3600})
    again.restore_state(store.trend_state() or {})
    assert again.tags() == ["GD-CH-02"] and again.live and again.span_s == 3600
    assert "GONE-1" in again.status.text()
    store.path.write_text("[trend]\nstate=not json\n", encoding="utf-8")
    assert store.trend_state() is None


def test_pop_out_asks_for_a_window_of_its_own(qtbot: QtBot, view: TrendView) -> None:
    assert not view.pop_button.isEnabled()
    view.add_pen("GD-CH-01")
    with qtbot.waitSignal(view.pop_out_requested):
        qtbot.mouseClick(view.pop_button, Qt.MouseButton.LeftButton)


def test_the_layout_menu_opens_a_new_trend_window_and_resets_the_layout(qtbot: QtBot, site: Site) -> None:
    window = shown_window(qtbot, site)
    actions = {a.text(): a for a in window.findChildren(QAction)}
    with qtbot.waitSignal(window.trend_window_requested):
        actions["New trend window"].trigger()
    with qtbot.waitSignal(window.layout_reset_requested):  # a signal given to addAction is not callable
        actions["Reset layout"].trigger()


def test_a_dense_pen_is_drawn_once_per_pixel_column_keeping_its_spike_and_its_gap(
    qtbot: QtBot, view: TrendView
) -> None:
    """An hour at 10 Hz (36,000 samples) in 1,300 pixels: the curve holds a low and a high per column of one
    or two pixels, so a one-sample spike still shows and a stale stretch still breaks the line; a narrower
    window, fewer columns; zoomed in to where the samples are sparse, the samples themselves."""
    view.add_pen("GD-CH-01")
    view.set_live_span(3600)
    x = NOW - 3600 + np.arange(36_000) * 0.1
    y = np.sin(x / 60)
    y[20_000] = 50.0  # a spike of one sample
    y[30_000:30_050] = np.nan  # five seconds stale
    view.set_live("GD-CH-01", x, y)
    cx, cy = view.pens["GD-CH-01"].curve.getData()
    assert cx.size <= 4 * view.plot.getViewBox().width() * 1.5  # the view and a quarter each side
    assert np.nanmax(cy) == 50.0
    broken = cx[np.isnan(cy)]
    assert broken.size and (broken >= x[30_000] - 5).all() and (broken <= x[30_050] + 5).all()

    before = cx.size
    view.resize(650, 480)  # half as many pixel columns: drawn again at that resolution
    qtbot.waitUntil(lambda: view.pens["GD-CH-01"].curve.getData()[0].size < 0.6 * before)

    view.show_range(x[20_000] - 30, x[20_000] + 30)  # one minute: 600 samples in 1,300 pixels
    cx, cy = view.pens["GD-CH-01"].curve.getData()
    inside = (cx >= x[20_000] - 30) & (cx <= x[20_000] + 30)
    np.testing.assert_array_equal(cx[inside], x[(x >= x[20_000] - 30) & (x <= x[20_000] + 30)])
    assert 50.0 in cy
