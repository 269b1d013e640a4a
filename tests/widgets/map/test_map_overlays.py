"""The map's permit overlays, worker alerts, following a worker and the trail, as the operator sees them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, QRect, Qt
from pytestqt.qtbot import QtBot

from plant_maps.permit_lifecycle import PermitState
from plant_maps.site import Site
from tests.widgets.support import around, colour_count, colour_mask, pixels, statuses
from widgets.common.theme import PALETTE
from widgets.map.plant_map import PlantMapView

SUSPENDED = {"PTW-CS-003": (PermitState.SUSPENDED, "LEL 12 %LEL at GD-RX-02")}


@pytest.fixture()
def view(qtbot: QtBot, site: Site) -> PlantMapView:
    view = PlantMapView(site)
    qtbot.addWidget(view)
    view.resize(1600, 1000)
    view.show()
    qtbot.waitExposed(view)
    view.fit_site()
    return view


def zone_rect(view: PlantMapView, zone_id: str) -> QRect:
    """The zone's bounding box in viewport pixels."""
    xs, ys = zip(*view.site.zone(zone_id).polygon, strict=True)
    top_left = view.mapFromScene(QPointF(min(xs), min(ys)))
    bottom_right = view.mapFromScene(QPointF(max(xs), max(ys)))
    return QRect(top_left, bottom_right)


def place(view: PlantMapView, where: dict[str, tuple[float, float]]) -> None:
    site = view.site
    x, y = np.full(len(site.workers), np.nan), np.full(len(site.workers), np.nan)
    for worker_id, (wx, wy) in where.items():
        x[site.worker_index[worker_id]], y[site.worker_index[worker_id]] = wx, wy
    view.update_workers(x, y, np.zeros(len(site.workers), dtype=bool))


def click(qtbot: QtBot, view: PlantMapView, at: QPoint) -> None:
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=at)


# --- permits ---------------------------------------------------------------------------------------------


def test_live_permits_are_drawn_over_their_zones_and_calm_ones_in_grey_only(
    view: PlantMapView, site: Site, tmp_path: Path
) -> None:
    before = pixels(view.viewport())
    ended = {"PTW-TE-006": (PermitState.CLOSED, ""), "PTW-EX-007": (PermitState.EXPIRED, "")}
    view.update_permits(statuses(site, **ended))
    assert view.permit_style("PTW-HW-001") == "active"
    assert view.permit_style("PTW-LB-002") == "approved"
    assert view.permit_badge_text("PTW-HW-001") == "HW ACTIVE"
    assert view.permit_badge_text("PTW-LB-002") == "BL APPROVED"
    assert view.permit_style("PTW-TE-006") == view.permit_style("PTW-EX-007") == ""  # ended: not drawn
    shown = pixels(view.viewport(), tmp_path / "map-permits.png")
    saturation = shown.max(axis=2).astype(int) - shown.min(axis=2)
    assert saturation.max() <= 24  # active and approved are grey: colour is for the abnormal
    # The compressor house is outlined and hatched; the workshop (its permit closed) is as before.
    house, workshop = zone_rect(view, "compressor_house"), zone_rect(view, "workshop")
    assert (
        shown[house.top() : house.bottom(), house.left() : house.right()]
        != before[house.top() : house.bottom(), house.left() : house.right()]
    ).any(axis=2).sum() > 500
    assert (
        shown[workshop.top() : workshop.bottom(), workshop.left() : workshop.right()]
        == before[workshop.top() : workshop.bottom(), workshop.left() : workshop.right()]
    ).all()
    # Both permits of the compressor house have their badge inside its top-right corner, one under the other.
    hot, blind = view.permit_badge_rect("PTW-HW-001"), view.permit_badge_rect("PTW-LB-002")
    assert hot is not None and blind is not None
    assert house.contains(hot.toRect()) and house.contains(blind.toRect())
    assert hot.bottom() <= blind.top() and hot.right() == pytest.approx(blind.right())
    assert hot.center().x() > house.center().x() and hot.center().y() < house.center().y()


def test_a_suspended_permit_is_amber_dashed_over_its_zone_only_and_says_so(
    view: PlantMapView, site: Site, tmp_path: Path
) -> None:
    view.update_permits(statuses(site, **SUSPENDED))
    assert view.permit_style("PTW-CS-003") == "suspended"
    assert view.permit_badge_text("PTW-CS-003") == "CS SUSPENDED"
    assert view.permit_badge_text("PTW-WH-004") == "WH ACTIVE"  # same zone, still listed
    shown = pixels(view.viewport(), tmp_path / "map-suspended.png")
    reactor = zone_rect(view, "reactor_unit")
    amber_inside = colour_count(shown, PALETTE.alarm_2, reactor.adjusted(-2, -2, 2, 2))
    assert amber_inside > 1000
    assert colour_count(shown, PALETTE.alarm_2) == amber_inside  # nowhere else
    assert colour_count(shown, PALETTE.alarm_1) == 0
    # The outline is dashed: along the zone's left edge amber alternates with gaps.
    edge = colour_mask(
        shown[reactor.top() + 30 : reactor.bottom() - 30, reactor.left() : reactor.left() + 1],
        PALETTE.alarm_2,
    )
    assert 0.3 < edge.mean() < 0.95
    assert "Suspended: LEL 12 %LEL at GD-RX-02" in view._permits.describe("PTW-CS-003")


def test_resuming_brings_the_grey_back(view: PlantMapView, site: Site) -> None:
    view.update_permits(statuses(site, **SUSPENDED))
    view.update_permits(statuses(site))
    assert view.permit_style("PTW-CS-003") == "active"
    assert colour_count(pixels(view.viewport()), PALETTE.alarm_2) == 0


def test_clicking_a_permit_zone_or_badge_emits_the_permit(
    qtbot: QtBot, view: PlantMapView, site: Site
) -> None:
    view.update_permits(statuses(site, **SUSPENDED))
    with qtbot.waitSignal(view.permit_clicked, timeout=1000) as clicked:
        click(qtbot, view, view.mapFromScene(QPointF(240.0, 230.0)))  # open ground in the reactor unit
    assert clicked.args == ["PTW-CS-003"]  # the most severe permit of the zone
    view.viewport().repaint()
    badge = view.permit_badge_rect("PTW-WH-004")
    assert badge is not None
    with qtbot.waitSignal(view.permit_clicked, timeout=1000) as clicked:
        click(qtbot, view, badge.center().toPoint())
    assert clicked.args == ["PTW-WH-004"]


def test_a_marker_over_a_permit_wins_and_ground_without_a_permit_emits_nothing(
    qtbot: QtBot, view: PlantMapView, site: Site
) -> None:
    view.update_permits(statuses(site))
    place(view, {"W06": (240.0, 230.0)})
    with qtbot.assertNotEmitted(view.permit_clicked), qtbot.waitSignal(view.worker_clicked, timeout=1000):
        click(qtbot, view, view.mapFromScene(QPointF(240.0, 230.0)))
    with qtbot.assertNotEmitted(view.permit_clicked):
        click(qtbot, view, view.mapFromScene(QPointF(330.0, 90.0)))  # control building: no permit
    view.set_layer_visible("permits", False)
    with qtbot.assertNotEmitted(view.permit_clicked):
        click(qtbot, view, view.mapFromScene(QPointF(200.0, 230.0)))


def test_hiding_the_permit_layer_hides_overlays_and_badges(view: PlantMapView, site: Site) -> None:
    view.update_permits(statuses(site, **SUSPENDED))
    view.set_layer_visible("permits", False)
    assert colour_count(pixels(view.viewport()), PALETTE.alarm_2) == 0
    view.set_layer_visible("permits", True)
    assert colour_count(pixels(view.viewport()), PALETTE.alarm_2) > 1000


def test_show_on_map_of_a_permit_shows_its_zone(view: PlantMapView, site: Site) -> None:
    view.update_permits(statuses(site))
    assert view.show_source("PTW-LF-005")
    area = view.viewport().rect()
    for corner in site.zone("loading_bay").polygon:
        assert area.contains(view.mapFromScene(QPointF(*corner)))
    assert view.scale_px_per_m() > 2 * min(1600 / site.width, 1000 / site.height)


# --- workers in alert ------------------------------------------------------------------------------------


def test_a_worker_in_sos_pulses_as_a_tier_1_marker_with_its_alert_written(
    qtbot: QtBot, view: PlantMapView, site: Site
) -> None:
    place(view, {"W01": (160.0, 60.0), "W02": (200.0, 60.0)})
    view.set_worker_alerts({"W01": "SOS"})
    assert view.worker_text("W01") == "W01 SOS"
    assert view.worker_style("W02") == "current"
    at = view.mapFromScene(QPointF(160.0, 60.0))
    first_style = view.worker_style("W01")
    first = colour_count(pixels(view.viewport()), PALETTE.alarm_1, around(at, 20))
    qtbot.waitUntil(lambda: view.worker_style("W01") != first_style, timeout=1500)
    shown = pixels(view.viewport())
    second = colour_count(shown, PALETTE.alarm_1, around(at, 20))
    assert {first_style, view.worker_style("W01")} == {"alert", "alert_pulse"}
    assert first > 40 and second > 40 and abs(first - second) > 40  # the marker visibly grows and shrinks
    assert colour_count(shown, PALETTE.alarm_1) == second  # red nowhere else: W02 stays a grey dot


def test_clearing_the_alerts_stops_the_pulse(qtbot: QtBot, view: PlantMapView, site: Site) -> None:
    place(view, {"W07": (160.0, 60.0)})
    view.set_worker_alerts(np.array([w.id == "W07" for w in site.workers]))
    assert view.worker_text("W07") == "W07 ALERT"
    view.set_worker_alerts([])
    assert view.worker_style("W07") == "current"
    qtbot.wait(700)
    assert view.worker_style("W07") == "current"
    assert colour_count(pixels(view.viewport()), PALETTE.alarm_1) == 0


# --- follow and trail ------------------------------------------------------------------------------------


def _offset_from_centre(view: PlantMapView, worker: str) -> float:
    at = view.worker_scene_pos(worker)
    assert at is not None
    delta = view.mapFromScene(at) - view.viewport().rect().center()
    return float(np.hypot(delta.x(), delta.y()))


def test_following_a_worker_keeps_it_in_the_middle_as_it_moves(
    qtbot: QtBot, view: PlantMapView, site: Site
) -> None:
    place(view, {"W03": (200.0, 180.0)})
    with qtbot.waitSignal(view.following_changed, timeout=1000) as changed:
        assert view.follow_worker("W03")
    assert changed.args == ["W03"]
    assert view.followed_worker() == "W03"
    assert view.scale_px_per_m() >= 0.95 * 1000 / 120  # zoomed in to see the worker's surroundings
    assert _offset_from_centre(view, "W03") <= 2
    for x, y in ((230.0, 170.0), (260.0, 125.0), (300.0, 90.0)):
        place(view, {"W03": (x, y)})
        assert _offset_from_centre(view, "W03") <= 2
    at = view.mapFromScene(QPointF(300.0, 90.0))
    assert colour_count(pixels(view.viewport()), PALETTE.person, around(at, 4)) >= 10


def test_panning_by_hand_stops_following(qtbot: QtBot, view: PlantMapView, site: Site) -> None:
    place(view, {"W03": (200.0, 180.0)})
    view.follow_worker("W03")
    centre = view.viewport().rect().center()
    with qtbot.waitSignal(view.following_changed, timeout=1000) as changed:
        qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
        qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=centre + QPoint(60, 0))
    assert changed.args == [None]
    assert view.followed_worker() is None
    place(view, {"W03": (240.0, 200.0)})
    assert _offset_from_centre(view, "W03") > 50  # the view stays where the operator put it
    assert not view.follow_worker("nobody")


def test_a_trail_is_drawn_as_a_line_and_can_be_cleared(view: PlantMapView) -> None:
    empty = colour_count(pixels(view.viewport()), PALETTE.person)
    view.show_trail([(60.0, 60.0), (np.nan, np.nan), (120.0, 60.0), (120.0, 90.0)])
    assert view.trail_points() == [(60.0, 60.0), (120.0, 60.0), (120.0, 90.0)]
    drawn = colour_count(pixels(view.viewport()), PALETTE.person)
    assert drawn - empty > 100
    view.show_trail(None)
    assert view.trail_points() == []
    assert colour_count(pixels(view.viewport()), PALETTE.person) == empty
