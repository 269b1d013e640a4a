"""The plant map in a replay: it draws the frames it is given, keeps the live updates aside meanwhile, and
draws the latest of them when the replay ends; the replay bar says which moment it shows."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from alarms.samples import Quality
from plant_maps.limits import LimitArrays
from plant_maps.site import Site
from widgets.common.time_text import clock_text
from widgets.map.plant_map import PlantMapView
from widgets.map.replay_bar import ReplayBar


@pytest.fixture()
def view(qtbot: QtBot, site: Site) -> PlantMapView:
    view = PlantMapView(site)
    qtbot.addWidget(view)
    view.resize(800, 500)
    return view


def _workers(site: Site, x: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = len(site.workers)
    return np.full(n, x), np.full(n, 50.0), np.zeros(n, dtype=bool)


def _tags(site: Site) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    value = np.array([s.normal for s in site.sensors])
    quality = np.full(value.size, int(Quality.GOOD), dtype=np.int8)
    return value, quality, LimitArrays(site).state(value)


def test_a_replay_frame_is_not_overwritten_by_the_live_plant_and_now_brings_the_live_map_back(
    view: PlantMapView, site: Site
) -> None:
    view.update_workers(*_workers(site, 10.0))
    view.start_replay()
    view.draw_replay(_tags(site), _workers(site, 100.0), [], {}, {})
    view.update_workers(*_workers(site, 20.0))  # the live plant runs on
    assert view.worker_scene_pos("W01").x() == 100.0
    view.end_replay()
    assert view.worker_scene_pos("W01").x() == 20.0  # the latest live update, at once
    view.draw_replay(_tags(site), _workers(site, 100.0), [], {}, {})  # a late frame after "Now"
    assert view.worker_scene_pos("W01").x() == 20.0


def test_the_replay_bar_names_the_moment_and_asks_for_what_the_operator_does(qtbot: QtBot) -> None:
    bar = ReplayBar()
    qtbot.addWidget(bar)
    now = time.time()
    bar.set_range(now - 3600, now)
    bar.show_moment(now - 600, now)
    assert bar.state.text() == f"REPLAY {clock_text(now - 600)}"
    assert bar.ago.text() == "10 min ago"
    with qtbot.waitSignal(bar.seek_requested) as seek:
        qtbot.mouseClick(bar.forward_button, Qt.MouseButton.LeftButton)
    assert seek.args == [pytest.approx(now - 599)]
    with qtbot.waitSignal(bar.play_requested) as play:
        qtbot.mouseClick(bar.speed_buttons[10], Qt.MouseButton.LeftButton)
        qtbot.mouseClick(bar.play_button, Qt.MouseButton.LeftButton)
    assert play.args == [10] and bar.play_button.text() == "Pause"
    with qtbot.waitSignal(bar.now_requested):
        qtbot.mouseClick(bar.now_button, Qt.MouseButton.LeftButton)


def test_space_plays_and_pauses_and_escape_returns_to_live_while_the_bar_is_shown(qtbot: QtBot) -> None:
    area = QWidget()  # the map area: the bar over the map
    qtbot.addWidget(area)
    bar, map_ = ReplayBar(), QWidget()
    map_.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    layout = QVBoxLayout(area)
    layout.addWidget(bar)
    layout.addWidget(map_)
    bar.add_keys(area)
    area.show()
    area.activateWindow()  # shortcuts act in the active window
    qtbot.waitUntil(area.isActiveWindow)
    map_.setFocus()
    with qtbot.waitSignal(bar.play_requested) as play:
        qtbot.keyClick(map_, Qt.Key.Key_Space)
    assert play.args == [1] and bar.play_button.isChecked()
    with qtbot.waitSignal(bar.play_requested) as pause:
        qtbot.keyClick(bar.slider, Qt.Key.Key_Space)
    assert pause.args == [0]
    with qtbot.waitSignal(bar.now_requested):
        qtbot.keyClick(map_, Qt.Key.Key_Escape)
    bar.hide()  # not replaying: the keys are the map's own again
    with qtbot.assertNotEmitted(bar.play_requested), qtbot.assertNotEmitted(bar.now_requested):
        qtbot.keyClick(map_, Qt.Key.Key_Space)
        qtbot.keyClick(map_, Qt.Key.Key_Escape)
