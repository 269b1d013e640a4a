"""No label covers another on the map: readings, worker alerts, permit badges, isolation plates and zone
names are placed by priority, on the crowded compressor house of the `gas-leak` picture, at the size the
map gets on a 1366x768 console."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QRectF, QSizeF
from pytestqt.qtbot import QtBot

from alarms.definitions import Tier
from plant_maps.permit_lifecycle import PermitState
from plant_maps.site import Site
from plant_maps.worker_rule_kinds import WorkerRule
from tests.widgets.map.test_plant_map import _show_values
from tests.widgets.support import statuses
from tests.widgets.test_main_window_layout import shown_window
from widgets.map.plant_map import PlantMapView

LEAK = {"GD-CH-01": 30.0, "GD-CH-02": 28.0, "GD-CH-03": 12.0, "GD-CH-04": 11.0, "PGD-01": 26.0}


def _placed(view: PlantMapView, site: Site) -> dict[tuple[str, object], QRectF]:
    keys = [
        *(("detectors", row) for row in range(len(site.sensors))),
        *(("workers", row) for row in range(len(site.workers))),
        *(("badges", p.id) for p in site.permits),
        *(("plates", z.id) for z in site.zones),
        *(("zones", z.id) for z in site.zones),
        *(("muster", m.id) for m in site.muster_points),
    ]
    return {key: rect for key in keys if (rect := view.label_rect(*key)) is not None}


def test_in_a_crowded_zone_nothing_covers_anything_and_the_most_important_labels_stay(
    qtbot: QtBot, site: Site, tmp_path: Path
) -> None:
    view = PlantMapView(site)
    qtbot.addWidget(view)
    view.resize(690, 390)  # the map's share of a 1366x768 window
    view.show()
    qtbot.waitExposed(view)
    view.fit_site()
    gas = {sensor_id: value for sensor_id, value in LEAK.items() if sensor_id in site.tag_index}
    _show_values(view, site, gas)
    view.update_permits(statuses(site, **{"PTW-HW-001": (PermitState.SUSPENDED, "gas at 30 %LEL")}))
    x, y = np.full(len(site.workers), np.nan), np.full(len(site.workers), np.nan)
    leak = site.sensor("GD-CH-01")
    x[site.worker_index["W01"]], y[site.worker_index["W01"]] = leak.x + 3.0, leak.y + 2.0  # welding there
    view.update_workers(x, y, np.zeros(len(site.workers), dtype=bool))
    view.set_worker_alerts({"W01": "SOS"})
    view.viewport().repaint()
    assert view.viewport().grab().save(str(tmp_path / "crowded.png"))
    placed = _placed(view, site)
    rects = list(placed.items())
    overlaps = [(a, b) for i, (a, ra) in enumerate(rects) for b, rb in rects[i + 1 :] if ra.intersects(rb)]
    assert overlaps == []
    assert ("badges", "PTW-HW-001") in placed  # the suspended permit's badge always shows
    assert ("workers", site.worker_index["W01"]) in placed  # and the SOS
    assert ("detectors", site.tag_index["GD-CH-01"]) in placed  # and the worst reading


def test_at_1366x768_the_muster_points_names_leave_the_zone_names_readable(
    qtbot: QtBot, site: Site, tmp_path: Path
) -> None:
    """The west gate's name hung under its ring, right on the tank farm's name: it goes over the ring."""
    view = shown_window(qtbot, site).plant_map
    qtbot.waitUntil(lambda: view.width() > 700)
    view.fit_site()
    view.viewport().repaint()
    assert view.viewport().grab().save(str(tmp_path / "map-1366x768.png"))
    placed = _placed(view, site)
    assert {("zones", z.id) for z in site.zones} | {("muster", m.id) for m in site.muster_points} <= set(
        placed
    )
    rects = list(placed.values())
    assert not any(a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1 :])
    west, ring = placed[("muster", "MP-WEST")], view.mapFromScene(8.0, 124.0)
    assert west.bottom() < ring.y()  # over its ring: the tank farm's name is under it


def test_people_in_the_gas_zone_never_take_the_suspended_permits_badge_away(
    qtbot: QtBot, site: Site, tmp_path: Path
) -> None:
    """The gas leak at 1366x768: three welders in the compressor house, each labelled "IN GAS ZONE", the
    detectors' tier-1 readings and the suspended hot-work badge all want the same few pixels. The badge
    (the work must stop) stays; the people keep their tier-1 markers, labelled where there is room."""
    view = PlantMapView(site)
    qtbot.addWidget(view)
    view.resize(690, 390)
    view.show()
    qtbot.waitExposed(view)
    view.fit_site()
    _show_values(view, site, {s: v for s, v in LEAK.items() if s in site.tag_index})
    view.update_permits(statuses(site, **{"PTW-HW-001": (PermitState.SUSPENDED, "gas at 30 %LEL")}))
    x, y = np.full(len(site.workers), np.nan), np.full(len(site.workers), np.nan)
    view.update_workers(x, y, np.zeros(len(site.workers), dtype=bool))
    view.viewport().grab()  # paints: the labels are placed as drawn
    badge = view.label_rect("badges", "PTW-HW-001")
    assert badge is not None  # with nobody near, the badge has its place
    for k, worker in enumerate(("W01", "W02", "W03")):  # on the badge's row and the two below it
        at = view.mapToScene(int(badge.left()) - 4, round(badge.center().y() + k * badge.height() * 1.2))
        x[site.worker_index[worker]], y[site.worker_index[worker]] = at.x(), at.y()
    view.update_workers(x, y, np.zeros(len(site.workers), dtype=bool))
    view.set_worker_alarms({w: (Tier.LIFE, WorkerRule.GAS_ALARM_ZONE) for w in ("W01", "W02", "W03")})
    assert view.viewport().grab().save(str(tmp_path / "people-and-badge.png"))  # paints: labels placed
    placed = _placed(view, site)
    assert ("badges", "PTW-HW-001") in placed


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1920, 1080)])
def test_no_zone_name_lies_under_a_detector_marker(
    qtbot: QtBot, site: Site, width: int, height: int, tmp_path: Path
) -> None:
    """At 1366x768 three detectors sat on "Compressor house" (and one on the tank farm's name): a zone's name
    goes along the zone's top edge, or just above the zone, where no marker is."""
    view = shown_window(qtbot, site, width, height).plant_map
    qtbot.waitUntil(lambda: view.width() > 700)
    view.fit_site()
    view.viewport().repaint()
    assert view.viewport().grab().save(str(tmp_path / f"map-{width}x{height}.png"))
    transform = view.viewportTransform()
    markers = {
        s.id: QRectF(transform.map(QPointF(s.x, s.y)) - QPointF(3.5, 3.5), QSizeF(7.0, 7.0))
        for s in site.sensors
    }
    for zone in site.zones:
        name = view.label_rect("zones", zone.id)
        assert name is not None, f"{zone.name} left out"
        under = [sensor for sensor, marker in markers.items() if marker.intersects(name)]
        assert under == [], f"{zone.name} under {under}"
        box = transform.mapRect(QRectF(QPointF(*zone.polygon[0]), QPointF(*zone.polygon[2])))
        assert box.left() <= name.left() < box.right() - name.width() / 2  # over its own zone
        assert box.top() - name.height() - 2 <= name.top() <= box.bottom()
