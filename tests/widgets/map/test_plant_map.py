"""The plant map as the operator sees it: marker styles, pixels on screen, moving workers, zoom, clicks."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QHelpEvent, QImage, QWheelEvent
from PySide6.QtWidgets import QApplication, QToolTip, QWidget
from pytestqt.qtbot import QtBot

from alarms.samples import Quality
from plant_maps.limits import LimitArrays
from plant_maps.site import Sensor, Site
from widgets.common.theme import PALETTE
from widgets.map.plant_map import PlantMapView

GAS = "GD-TF-02"  # combustible gas in the tank farm, h = 10, hh = 25 %LEL


@pytest.fixture()
def view(qtbot: QtBot, site: Site) -> PlantMapView:
    return _shown(qtbot, site)


def _shown(qtbot: QtBot, site: Site) -> PlantMapView:
    view = PlantMapView(site)
    qtbot.addWidget(view)
    view.resize(1600, 1000)
    view.show()
    qtbot.waitExposed(view)
    view.fit_site()
    return view


def _show_values(
    view: PlantMapView, site: Site, changes: dict[str, float], quality: dict[str, Quality] | None = None
) -> None:
    value = np.array([s.normal for s in site.sensors])
    good = np.full(value.size, int(Quality.GOOD), dtype=np.int8)
    for sensor_id, v in changes.items():
        value[site.tag_index[sensor_id]] = v
    for sensor_id, q in (quality or {}).items():
        good[site.tag_index[sensor_id]] = int(q)
    view.update_tags(value, good, LimitArrays(site).state(value))


def _pixels(widget: QWidget) -> np.ndarray:
    """What the widget shows, as an (height, width, 3) RGB array (a copy: the image dies here)."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    raw = np.frombuffer(image.constBits(), dtype=np.uint8).reshape(
        image.height(), image.bytesPerLine() // 4, 4
    )
    return raw[:, : image.width(), 2::-1].copy()  # BGRA in memory on little-endian machines


def _colour_count(pixels: np.ndarray, colour: str, around: QPoint | None = None, radius: int = 14) -> int:
    """Pixels within a small tolerance of `colour`, in the whole image or a square around a point."""
    if around is not None:
        pixels = pixels[
            max(around.y() - radius, 0) : around.y() + radius,
            max(around.x() - radius, 0) : around.x() + radius,
        ]
    c = QColor(colour)
    target = np.array([c.red(), c.green(), c.blue()])
    return int((np.abs(pixels.astype(int) - target).max(axis=2) <= 24).sum())


def _on_screen(view: PlantMapView, sensor_id: str) -> QPoint:
    sensor = view.site.sensor(sensor_id)
    return view.mapFromScene(QPointF(sensor.x, sensor.y))


def test_lel_beyond_hh_is_the_tier_1_symbol_with_its_reading(view: PlantMapView, site: Site) -> None:
    """Gas HH is a tier-1 alarm: the red inverted triangle, as in the banner, the list and the log."""
    _show_values(view, site, {GAS: 30.0})
    assert view.detector_style(GAS) == "tier1"
    assert view.detector_text(GAS) == "HH 30.0 %LEL"
    pixels = _pixels(view.viewport())
    assert _colour_count(pixels, PALETTE.alarm_1, _on_screen(view, GAS)) >= 30
    assert _colour_count(pixels, PALETTE.alarm_1) == _colour_count(
        pixels, PALETTE.alarm_1, _on_screen(view, GAS)
    )


def test_lel_beyond_h_is_the_tier_2_symbol(view: PlantMapView, site: Site) -> None:
    """Gas H is a tier-2 alarm: the amber diamond."""
    _show_values(view, site, {GAS: 12.0})
    assert view.detector_style(GAS) == "tier2"
    assert view.detector_text(GAS) == "H 12.0 %LEL"
    pixels = _pixels(view.viewport())
    assert _colour_count(pixels, PALETTE.alarm_2, _on_screen(view, GAS)) >= 20
    assert _colour_count(pixels, PALETTE.alarm_1) == 0


def test_low_oxygen_reads_as_a_low_limit(view: PlantMapView, site: Site) -> None:
    _show_values(view, site, {"GD-RX-08": 17.0})
    assert view.detector_style("GD-RX-08") == "tier1"
    assert view.detector_text("GD-RX-08") == "LL 17.0 %vol"


def test_a_plant_in_normal_operation_shows_no_colour(view: PlantMapView, site: Site) -> None:
    _show_values(view, site, {})
    assert {view.detector_style(s.id) for s in site.sensors} == {"normal"}
    pixels = _pixels(view.viewport())
    for colour in (PALETTE.alarm_1, PALETTE.alarm_2, PALETTE.alarm_3, PALETTE.bad_quality):
        assert _colour_count(pixels, colour) == 0, colour
    saturation = pixels.max(axis=2).astype(int) - pixels.min(axis=2)
    assert saturation.max() <= 24  # grey everywhere: colour is reserved for the abnormal


def test_bad_quality_outranks_the_limits_and_is_magenta_not_red(view: PlantMapView, site: Site) -> None:
    _show_values(view, site, {GAS: 30.0}, {GAS: Quality.BAD})
    assert view.detector_style(GAS) == "bad"
    assert view.detector_text(GAS) == "30.0 %LEL (bad)"
    pixels = _pixels(view.viewport())
    assert _colour_count(pixels, PALETTE.bad_quality, _on_screen(view, GAS)) >= 20
    assert _colour_count(pixels, PALETTE.alarm_1) == 0


def test_uncertain_is_shown_as_bad_and_a_missing_value_too(view: PlantMapView, site: Site) -> None:
    _show_values(view, site, {"GD-TF-01": np.nan}, {GAS: Quality.UNCERTAIN})
    assert view.detector_style(GAS) == "bad"
    assert view.detector_style("GD-TF-01") == "bad"


def test_detectors_are_stale_until_a_value_arrives_and_when_the_source_drops(
    view: PlantMapView, site: Site
) -> None:
    assert {view.detector_style(s.id) for s in site.sensors} == {"stale"}
    _show_values(view, site, {GAS: 30.0}, {GAS: Quality.STALE})
    assert view.detector_style(GAS) == "stale"
    assert _colour_count(_pixels(view.viewport()), PALETTE.alarm_1) == 0


def _place_workers(
    view: PlantMapView, site: Site, where: dict[str, tuple[float, float]], stale: frozenset[str] = frozenset()
) -> None:
    x, y = np.full(len(site.workers), np.nan), np.full(len(site.workers), np.nan)
    for worker_id, (wx, wy) in where.items():
        x[site.worker_index[worker_id]], y[site.worker_index[worker_id]] = wx, wy
    view.update_workers(x, y, np.array([w.id in stale for w in site.workers]))


def test_a_moving_worker_moves_its_marker(view: PlantMapView, site: Site) -> None:
    worker = site.workers[0].id
    assert view.worker_scene_pos(worker) is None  # never seen: not drawn
    _place_workers(view, site, {worker: (160.0, 110.0)})
    assert view.worker_scene_pos(worker) == QPointF(160.0, 110.0)
    before = view.mapFromScene(QPointF(160.0, 110.0))
    assert _colour_count(_pixels(view.viewport()), PALETTE.person, before, 5) >= 10
    _place_workers(view, site, {worker: (290.0, 250.0)})
    assert view.worker_scene_pos(worker) == QPointF(290.0, 250.0)
    pixels = _pixels(view.viewport())
    assert _colour_count(pixels, PALETTE.person, view.mapFromScene(QPointF(290.0, 250.0)), 5) >= 10
    assert _colour_count(pixels, PALETTE.person, before, 5) == 0


def test_a_stale_worker_is_hollow(view: PlantMapView, site: Site) -> None:
    worker = site.workers[0].id
    _place_workers(view, site, {worker: (160.0, 110.0)}, stale=frozenset({worker}))
    centre = view.mapFromScene(QPointF(160.0, 110.0))
    pixels = _pixels(view.viewport())
    assert _colour_count(pixels, PALETTE.person, centre, 1) == 0  # the middle is empty
    assert _colour_count(pixels, PALETTE.person, centre, 6) >= 8  # the ring is there


def _wheel(view: PlantMapView, at: QPoint, notches: int) -> None:
    event = QWheelEvent(
        QPointF(at),
        QPointF(view.viewport().mapToGlobal(at)),
        QPoint(),
        QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(view.viewport(), event)


def test_the_wheel_zooms_about_the_point_under_the_mouse(view: PlantMapView) -> None:
    scale = view.scale_px_per_m()
    at = view.mapFromScene(QPointF(80.0, 190.0))
    _wheel(view, at, 2)
    assert view.scale_px_per_m() == pytest.approx(scale * 1.25**2)
    under = view.mapToScene(at)
    assert abs(under.x() - 80.0) < 1.0 and abs(under.y() - 190.0) < 1.0
    _wheel(view, at, -2)
    assert view.scale_px_per_m() == pytest.approx(scale)


def test_zoom_is_bounded_and_fit_shows_the_whole_site(view: PlantMapView, site: Site) -> None:
    fitted = view.scale_px_per_m()
    view.zoom_by(1000.0)
    assert view.scale_px_per_m() == pytest.approx(60.0)
    view.zoom_by(1e-6)
    assert view.scale_px_per_m() == pytest.approx(0.5 * min(1600 / site.width, 1000 / site.height), rel=0.02)
    view.fit_site()
    assert view.scale_px_per_m() == pytest.approx(fitted)
    area = view.viewport().rect()
    for corner in (QPointF(0, 0), QPointF(site.width, site.height)):
        assert area.contains(view.mapFromScene(corner))


def _text_right_of(view: PlantMapView, sensor_id: str) -> int:
    """Dark (text) pixels in the strip where a detector's reading is written."""
    at = _on_screen(view, sensor_id)
    strip = _pixels(view.viewport())[at.y() - 6 : at.y() + 6, at.x() + 8 : at.x() + 60]
    return int((strip.max(axis=2) < 90).sum())


def test_values_are_written_next_to_every_detector_only_when_zoomed_in(
    view: PlantMapView, site: Site
) -> None:
    _show_values(view, site, {})
    assert _text_right_of(view, GAS) == 0  # the calm overview: normal readings are not written
    view.zoom_by(4.0)
    view.centerOn(QPointF(site.sensor(GAS).x, site.sensor(GAS).y))
    assert view.detector_text(GAS) == "0.0 %LEL"
    assert _text_right_of(view, GAS) > 20


def test_clicking_a_worker_emits_its_id(qtbot: QtBot, view: PlantMapView, site: Site) -> None:
    worker = site.workers[3].id
    _place_workers(view, site, {worker: (160.0, 110.0), site.workers[4].id: (200.0, 110.0)})
    with qtbot.waitSignal(view.worker_clicked, timeout=1000) as clicked:
        qtbot.mouseClick(
            view.viewport(), Qt.MouseButton.LeftButton, pos=view.mapFromScene(QPointF(160.5, 110.5))
        )
    assert clicked.args == [worker]


def test_clicking_a_detector_emits_its_id_and_empty_ground_nothing(
    qtbot: QtBot, view: PlantMapView, site: Site
) -> None:
    with qtbot.waitSignal(view.detector_clicked, timeout=1000) as clicked:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=_on_screen(view, GAS))
    assert clicked.args == [GAS]
    with qtbot.assertNotEmitted(view.detector_clicked), qtbot.assertNotEmitted(view.worker_clicked):
        qtbot.mouseClick(
            view.viewport(), Qt.MouseButton.LeftButton, pos=view.mapFromScene(QPointF(160.0, 60.0))
        )


def test_a_hidden_layer_is_neither_drawn_nor_clickable(qtbot: QtBot, view: PlantMapView, site: Site) -> None:
    worker = site.workers[0].id
    _place_workers(view, site, {worker: (160.0, 110.0)})
    view.set_layer_visible("workers", False)
    at = view.mapFromScene(QPointF(160.0, 110.0))
    assert _colour_count(_pixels(view.viewport()), PALETTE.person, at, 5) == 0
    with qtbot.assertNotEmitted(view.worker_clicked):
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=at)
    _show_values(view, site, {GAS: 30.0})
    view.set_layer_visible("detectors", False)
    assert _colour_count(_pixels(view.viewport()), PALETTE.alarm_1) == 0


def test_hovering_a_detector_tells_its_name_and_reading(view: PlantMapView, site: Site) -> None:
    _show_values(view, site, {GAS: 30.0})
    at = _on_screen(view, GAS)
    QApplication.sendEvent(
        view.viewport(), QHelpEvent(QEvent.Type.ToolTip, at, view.viewport().mapToGlobal(at))
    )
    assert QToolTip.text() == f"{site.sensor(GAS).name} ({GAS})\nHH 30.0 %LEL"


def test_of_two_alarms_side_by_side_the_more_severe_reading_keeps_its_place_and_none_overlap(
    view: PlantMapView, site: Site
) -> None:
    """Overlapping labels would make both unreadable: the more severe reading is written where it belongs
    (right of its marker), the other moves to the left of its own, or is left out."""
    view.resize(480, 320)  # a small screen, or a console split: detectors crowd
    view.fit_site()
    lel = [s for s in site.sensors if s.measure == "lel"]

    def gap(a: Sensor, b: Sensor) -> QPoint:
        return _on_screen(view, a.id) - _on_screen(view, b.id)

    near, far = min(
        ((a, b) for i, a in enumerate(lel) for b in lel[i + 1 :] if abs(gap(a, b).x()) < 40),
        key=lambda pair: abs(gap(*pair).y()),
    )
    assert abs(gap(near, far).y()) < view.fontMetrics().height()  # their labels would overlap
    _show_values(view, site, {near.id: 12.0, far.id: 30.0})
    view.viewport().repaint()
    assert view.detector_labels_written()[0] == far.id  # tier 1 is placed first
    plates = [view.label_rect("detectors", site.tag_index[s]) for s in view.detector_labels_written()]
    assert plates[0] is not None and plates[0].left() > _on_screen(view, far.id).x()  # its own side
    assert all(
        a is not None and b is not None and not a.intersects(b) for a in plates for b in plates if a is not b
    )
    _show_values(view, site, {near.id: 12.0, far.id: 0.0})
    view.viewport().repaint()
    assert view.detector_labels_written() == [near.id]
