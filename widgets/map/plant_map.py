"""The plant overview map (ISA-101 level 1): zones, permits, equipment, muster points, detectors and workers.

Reads the data it is given (tag values, qualities and limit states; worker positions and alerts; permit
statuses) and emits the operator's intents (a clicked worker, detector or permit) as signals. It can keep
one worker in the middle of the view as the worker moves (follow) and draw a worker's recent trail.
In a replay (`start_replay`) it draws the frames it is given and keeps the live updates aside, the latest
of each kind, to draw them again when the replay ends: the live plant never overwrites a replayed frame.
All methods run on the Qt thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QContextMenuEvent,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPolygonF,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsScene,
    QGraphicsView,
    QToolTip,
    QWidget,
)

from alarms.definitions import Tier
from plant_maps.permits import PermitStatus
from plant_maps.site import Site
from plant_maps.worker_rule_kinds import WorkerRule
from widgets.common.theme import MAP_SMALL_FONT_PX, PALETTE
from widgets.map import map_static
from widgets.map.map_declutter import LabelBoard
from widgets.map.map_isolation import IsolationLayer
from widgets.map.map_markers import DetectorLayer, MarkerLayer, WorkerLayer
from widgets.map.map_permits import PermitLayer

WHEEL_STEP = 1.25  # zoom factor per wheel notch
MAX_SCALE = 60.0  # pixels per metre
HIT_RADIUS_PX = 8.0
CLICK_SLOP_PX = 4  # a press and release closer than this is a click, not a pan
SOURCE_VIEW_M = 60.0  # how much ground "show on map" puts around a detector or a worker
FOLLOW_VIEW_M = 120.0  # following a worker zooms in to about this much ground, unless closer already
PULSE_INTERVAL_MS = 500  # two frames: a tier-1 worker marker pulses once a second
DEFAULT_ALERT = "ALERT"  # the text of a worker alert given without one
LAST_SEEN_M = 4.0  # the "last seen here" ring's radius
DANGER_FILL_ALPHA = 40  # the danger area's tint: the zones and markers under it still read


class PlantMapView(QGraphicsView):
    """The whole site in metres; wheel zooms under the mouse, dragging pans, a click picks a marker."""

    worker_clicked = Signal(str)
    detector_clicked = Signal(str)
    detector_double_clicked = Signal(str)  # the operator wants its trend
    permit_clicked = Signal(str)  # a permit's badge or zone, where no marker is
    following_changed = Signal(object)  # the followed worker's id, or None when following stops
    # right-click: what lies there ("worker", "detector", "permit" or "zone"), its id, where (global pos)
    context_requested = Signal(str, str, QPoint)

    def __init__(self, site: Site, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.site = site
        self._site_rect = QRectF(0.0, 0.0, site.width, site.height)
        margin = 0.1 * max(site.width, site.height)
        scene = QGraphicsScene(self._site_rect.adjusted(-margin, -margin, margin, margin), self)
        scene.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)  # markers move every frame
        self.setScene(scene)
        bounds = scene.sceneRect()
        scene.addItem(map_static.fence(site))
        equipment, self._fitted_labels = map_static.equipment(site, 1)
        self._detectors = DetectorLayer(site, bounds, 3)
        self._workers = WorkerLayer(site, bounds, 4)
        self._permits = PermitLayer(site, bounds, 0.5, 2.5)  # on the zones; badges above equipment
        self._isolation = IsolationLayer(site, bounds, 0.4, 2.6)  # under the permits; plates above equipment
        self._trail = QGraphicsPathItem()
        self._trail.setZValue(3.5)
        trail_pen = map_static.cosmetic_pen(PALETTE.person, 1.5)
        trail_pen.setStyle(Qt.PenStyle.DashLine)
        self._trail.setPen(trail_pen)
        self._last_seen: tuple[QGraphicsEllipseItem, map_static.Label] | None = None
        self._danger = QGraphicsPathItem()  # an incident's danger area: its zone, or the hazard circle
        self._danger.setZValue(2.7)  # above the zones, permits and plates; under detectors and workers
        danger_pen = map_static.cosmetic_pen(PALETTE.alarm_1, 3.0)
        danger_pen.setStyle(Qt.PenStyle.DashLine)
        self._danger.setPen(danger_pen)
        danger_fill = QColor(PALETTE.alarm_1)
        danger_fill.setAlpha(DANGER_FILL_ALPHA)
        self._danger.setBrush(QBrush(danger_fill))
        zones, self._zone_names = map_static.zones(site, 0, bounds)
        muster, self._muster_names = map_static.muster_points(site, 2)
        self._layers: dict[str, QGraphicsItem] = {
            "zones": zones,
            "permits": self._permits,
            "equipment": equipment,
            "muster": muster,
            "detectors": self._detectors,
            "trail": self._trail,
            "workers": self._workers,
        }
        for item in self._layers.values():
            scene.addItem(item)
        scene.addItem(self._permits.badges)
        for item in (self._isolation, self._isolation.plates, self._danger):  # never hidden by a toggle
            scene.addItem(item)
        self.labels = LabelBoard()  # every label of a repaint placed by priority, shared by the layers
        for owner in (
            self._detectors,
            self._workers,
            self._permits,
            self._isolation,
            self._zone_names,
            *self._muster_names,
        ):
            owner.board = self.labels
        self.setBackgroundBrush(QBrush(QColor(PALETTE.background)))
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._press: QPointF | None = None
        # the ground kept in view as the view resizes (the whole site, or an incident's danger area) until
        # the operator zooms, pans or follows someone; None: the operator's own view
        self._kept: QRectF | None = self._site_rect.adjusted(-4, -4, 4, 4)
        self._followed: str | None = None
        self._permit_zones = {p.id: p.zone for p in site.permits}
        self._pulse = QTimer(self)  # runs only while some worker is in a tier-1 alert
        self._pulse.setInterval(PULSE_INTERVAL_MS)
        self._pulse.timeout.connect(self._workers.pulse)
        self._replaying = False
        self._live: dict[str, Callable[[], None]] = {}  # the latest live update of each kind

    @property
    def replaying(self) -> bool:
        return self._replaying

    def start_replay(self) -> None:
        """From now on draw replayed frames (`draw_replay`) only; the map's frame says so."""
        self._replaying = True
        self.setStyleSheet(f"PlantMapView {{ border: 3px solid {PALETTE.text}; }}")

    def draw_replay(
        self,
        tags: tuple[np.ndarray, np.ndarray, np.ndarray],
        workers: tuple[np.ndarray, np.ndarray, np.ndarray],
        permits: Sequence[PermitStatus],
        alerts: Mapping[str, str],
        rule_alarms: Mapping[str, tuple[Tier, WorkerRule]],
    ) -> None:
        """One replayed frame: (value, quality, limit state) by sensor row, (x, y, stale) by worker row, the
        permits as they were, the workers in a wearable alert and in a worker rule's alarm then."""
        if not self._replaying:
            return
        self._detectors.set_state(*tags)
        self._draw_workers(*workers)
        self._draw_permits(permits)
        self._draw_alerts(alerts)
        self._draw_rule_alarms(rule_alarms)

    def end_replay(self) -> None:
        """Back to the live plant: its latest updates drawn at once."""
        self._replaying = False
        self.setStyleSheet("")
        for draw in self._live.values():
            draw()

    def _live_update(self, kind: str, draw: Callable[[], None]) -> None:
        self._live[kind] = draw
        if not self._replaying:
            draw()

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        """Before the layers paint: place every label of this repaint, most important first
        (`widgets.map.map_declutter`), so that none covers another."""
        super().drawBackground(painter, rect)
        transform, viewport = self.viewportTransform(), QRectF(self.viewport().rect())
        zones_shown, muster_shown = self._layers["zones"].isVisible(), self._layers["muster"].isVisible()
        self.labels.place(
            [
                *self._detectors.label_candidates(transform, viewport),
                *self._detectors.marker_candidates(transform, viewport),
                *self._workers.label_candidates(transform, viewport),
                *self._permits.label_candidates(transform),
                *self._isolation.label_candidates(transform, viewport),
                *(self._zone_names.candidates(transform) if zones_shown else ()),
                *(name.candidate(transform) for name in self._muster_names if muster_shown),
            ]
        )

    # --- data in -------------------------------------------------------------------------------------

    def update_tags(self, value: np.ndarray, quality: np.ndarray, limit_state: np.ndarray) -> None:
        """Latest value, Quality and LimitState of every sensor, indexed by the site's sensor row."""
        self._live_update("tags", lambda: self._detectors.set_state(value, quality, limit_state))

    def update_workers(self, x: np.ndarray, y: np.ndarray, stale: np.ndarray) -> None:
        """Latest position (metres; NaN: never seen, not drawn) and staleness of every site worker."""
        self._live_update("workers", lambda: self._draw_workers(x, y, stale))

    def _draw_workers(self, x: np.ndarray, y: np.ndarray, stale: np.ndarray) -> None:
        self._workers.set_positions(x, y, stale)
        self._centre_on_followed()

    def set_worker_alerts(self, alerts: Mapping[str, str] | Iterable[str] | np.ndarray) -> None:
        """The workers in a tier-1 wearable alert (SOS, fall, no motion), drawn as a pulsing tier-1 marker.

        `alerts`: worker id -> the alert in words ("SOS", "MAN DOWN"), or just worker ids, or a boolean
        mask / row numbers over the site's workers (shown as "ALERT"). Replaces the previous set; an empty
        one stops the pulse timer.
        """
        self._live_update("alerts", lambda: self._draw_alerts(alerts))

    def _draw_alerts(self, alerts: Mapping[str, str] | Iterable[str] | np.ndarray) -> None:
        rows = self._alert_rows(alerts)
        self._workers.set_alerts(rows)
        if rows and not self._pulse.isActive():
            self._pulse.start()
        elif not rows:
            self._pulse.stop()

    def set_worker_alarms(self, alarms: Mapping[str, tuple[Tier, WorkerRule]]) -> None:
        """Workers with an active worker rule's alarm (worker id -> its tier and rule), drawn in that alarm's
        look with their id and the rule in words, so that an intruder is never an anonymous dot."""
        self._live_update("rule_alarms", lambda: self._draw_rule_alarms(alarms))

    def _draw_rule_alarms(self, alarms: Mapping[str, tuple[Tier, WorkerRule]]) -> None:
        index = self.site.worker_index
        self._workers.set_rule_alarms({index[w]: mark for w, mark in alarms.items() if w in index})

    def update_permits(self, statuses: Sequence[PermitStatus]) -> None:
        """The permit book's statuses; the live ones (approved, active, suspended) are drawn on their zones."""
        self._live_update("permits", lambda: self._draw_permits(statuses))

    def _draw_permits(self, statuses: Sequence[PermitStatus]) -> None:
        self._permits.set_permits(statuses)
        self._permit_zones.update({s.id: s.permit.zone for s in statuses})

    def set_isolations(self, until_by_zone: Mapping[str, float]) -> None:
        """The zones under maintenance isolation now and when each ends (epoch s), drawn hatched as isolated."""
        self._isolation.set_isolations(until_by_zone)

    def show_trail(self, points: Sequence[tuple[float, float]] | np.ndarray | None) -> None:
        """Draw a worker's recent track as a dashed line through `points` (metres, oldest first); None or
        fewer than two points clear it. NaN points (no fix) are skipped."""
        path = QPainterPath()
        xy = np.asarray(points if points is not None else [], dtype=np.float64).reshape(-1, 2)
        xy = xy[np.isfinite(xy).all(axis=1)]
        if len(xy) >= 2:
            path.moveTo(float(xy[0, 0]), float(xy[0, 1]))
            for x, y in xy[1:].tolist():
                path.lineTo(x, y)
        self._trail.setPath(path)

    def trail_points(self) -> list[tuple[float, float]]:
        """The trail as drawn (metres), oldest first."""
        path = self._trail.path()
        return [(path.elementAt(i).x, path.elementAt(i).y) for i in range(path.elementCount())]

    def show_danger_area(self, polygon: np.ndarray | None, margin_m: float = 0.0) -> None:
        """An incident's danger area (a zone's polygon, or the hazard circle's), outlined and tinted, brought
        into view with `margin_m` around it so that who is near is seen too; None clears it."""
        path = QPainterPath()
        if polygon is not None and len(polygon) >= 3:
            path.addPolygon(QPolygonF([QPointF(float(x), float(y)) for x, y in polygon]))
            path.closeSubpath()
            self.follow_worker(None)
            self._keep_in_view(path.boundingRect().adjusted(-margin_m, -margin_m, margin_m, margin_m))
        self._danger.setPath(path)

    def show_last_seen(self, x: float | None, y: float | None = None, text: str = "") -> None:
        """A missing worker's "last seen here" marker (a dashed ring and `text` under it) at (x, y) metres;
        None clears it. One at a time: the one the coordinator picked in the missing list."""
        if self._last_seen is not None:
            for item in self._last_seen:
                self.scene().removeItem(item)
            self._last_seen = None
        if x is None or y is None:
            return
        ring = QGraphicsEllipseItem(x - LAST_SEEN_M, y - LAST_SEEN_M, 2 * LAST_SEEN_M, 2 * LAST_SEEN_M)
        pen = map_static.cosmetic_pen(PALETTE.person, 2.0)
        pen.setStyle(Qt.PenStyle.DashLine)
        ring.setPen(pen)
        label = map_static.Label(
            text,
            QPointF(x, y + LAST_SEEN_M),
            Qt.AlignmentFlag.AlignTop,
            map_static.map_font(MAP_SMALL_FONT_PX, bold=True),
            PALETTE.text,
            QPointF(0.0, 2.0),
        )
        for item in (ring, label):
            item.setZValue(4.5)  # above the workers: the place, not a marker among them
            self.scene().addItem(item)
        self._last_seen = (ring, label)

    def last_seen_text(self) -> str:
        """The "last seen here" marker's text ("" when none is shown)."""
        return self._last_seen[1].text if self._last_seen is not None else ""

    def danger_area(self) -> QRectF:
        """Where the danger area is drawn (scene metres; empty when none)."""
        return self._danger.path().boundingRect()

    # --- view ------------------------------------------------------------------------------------------

    def fit_site(self) -> None:
        """Show the whole site, and keep showing it as the window resizes (this stops following)."""
        self.follow_worker(None)
        self._keep_in_view(self._site_rect.adjusted(-4, -4, 4, 4))

    def _keep_in_view(self, ground: QRectF) -> None:
        self.fitInView(ground, Qt.AspectRatioMode.KeepAspectRatio)
        self._kept = ground
        self._scale_changed()

    def zoom_by(self, factor: float) -> None:
        """Zoom about the centre of the view (toolbar buttons)."""
        self._zoom(factor, QPointF(self.viewport().rect().center()))

    def set_layer_visible(self, name: str, visible: bool) -> None:
        """Show or hide a layer: "zones", "permits", "equipment", "muster", "detectors", "trail" or "workers"."""
        self._layers[name].setVisible(visible)

    def scale_px_per_m(self) -> float:
        return self.transform().m11()

    def show_source(self, source: str) -> bool:
        """Bring an alarm's source into view: a detector or worker close up, a zone whole.

        Returns False (and leaves the view) for a source with no place on the map, e.g. a connection.
        """
        area = self._area_of(source)
        if area is None:
            return False
        if source != self._followed:
            self.follow_worker(None)
        self.fitInView(area, Qt.AspectRatioMode.KeepAspectRatio)
        self._kept = None
        self._scale_changed()
        return True

    def follow_worker(self, worker_id: str | None) -> bool:
        """Keep `worker_id` in the middle of the view as it moves (None: stop following).

        Zooms in to about FOLLOW_VIEW_M of ground unless closer already. Panning by hand, fitting the site or
        showing another source stops following; `following_changed` tells each start and stop. Returns
        False for an unknown worker. Near the site's edge the map scrolls only as far as its margin.
        """
        if worker_id is not None and worker_id not in self.site.worker_index:
            return False
        changed, self._followed = worker_id != self._followed, worker_id
        if worker_id is not None:
            self._kept = None
            at = self.worker_scene_pos(worker_id)
            viewport = self.viewport().rect()
            close = min(viewport.width(), viewport.height()) / FOLLOW_VIEW_M
            if at is not None and self.scale_px_per_m() < close:
                half = FOLLOW_VIEW_M / 2
                self.fitInView(
                    QRectF(at.x() - half, at.y() - half, 2 * half, 2 * half),
                    Qt.AspectRatioMode.KeepAspectRatio,
                )
                self._scale_changed()
            self._centre_on_followed()
        if changed:
            self.following_changed.emit(worker_id)
        return True

    def followed_worker(self) -> str | None:
        return self._followed

    # --- what the operator sees (for tests and other views) ------------------------------------------

    def detector_style(self, sensor_id: str) -> str:
        """How a detector is drawn: "normal", "high", "highhigh", "bad" or "stale"."""
        return self._detectors.style_name(self.site.tag_index[sensor_id])

    def detector_text(self, sensor_id: str) -> str:
        """The reading written next to a detector (always for abnormal ones, for all when zoomed in)."""
        return self._detectors.label(self.site.tag_index[sensor_id])

    def detector_labels_written(self) -> list[str]:
        """The detectors whose reading the last repaint wrote on the map, most severe first."""
        return [self._detectors.ids[row] for row in self._detectors.written]

    def worker_style(self, worker_id: str) -> str:
        """How a worker is drawn: "current", "stale", or "alert" / "alert_pulse" (the two pulse frames)."""
        return self._workers.style_name(self.site.worker_index[worker_id])

    def worker_text(self, worker_id: str) -> str:
        """The text written next to a worker: its id, and its alert while in one ("W01 SOS")."""
        return self._workers.label(self.site.worker_index[worker_id])

    def permit_style(self, permit_id: str) -> str:
        """How a permit is drawn: "approved", "active", "suspended", or "" when it is not on the map."""
        return self._permits.style_name(permit_id)

    def permit_badge_text(self, permit_id: str) -> str:
        """What a permit's badge on the map reads: "HW ACTIVE", "CS SUSPENDED" ("" when not drawn)."""
        return self._permits.badge_text(permit_id)

    def isolation_style(self, zone_id: str) -> str:
        """How a zone's isolation is drawn: "isolated" (grid hatch, dash-dot outline, plate) or ""."""
        return self._isolation.style_name(zone_id)

    def label_rect(self, owner: str, key: object) -> QRectF | None:
        """Where the last repaint wrote a label ("detectors"/"workers" and a row, "badges" and a permit id,
        "plates" or "zones" and a zone id, "muster" and a muster point id), in viewport pixels; None when it
        was left out."""
        return self.labels.placed(owner, key)

    def isolation_label(self, zone_id: str) -> str:
        """What an isolated zone's plate reads: "ISOLATED until 14:30" ("" when not isolated)."""
        return self._isolation.label(zone_id)

    def isolation_hatch(self) -> QBrush:
        """The brush an isolated zone is filled with."""
        return self._isolation.hatch

    def isolation_plate_rect(self, zone_id: str) -> QRectF | None:
        """Where an isolated zone's plate is drawn, in viewport pixels; None when not isolated."""
        return self._isolation.plate_rect(zone_id)

    def permits_drawn(self) -> list[str]:
        """The permits on the map, by zone, most severe first."""
        return self._permits.drawn()

    def permit_badge_rect(self, permit_id: str) -> QRectF | None:
        """Where a permit's badge ("HW ACTIVE") is drawn, in viewport pixels; None when not drawn."""
        return self._permits.badge_rect(permit_id)

    def worker_scene_pos(self, worker_id: str) -> QPointF | None:
        """Where a worker's marker is drawn (metres), None while the worker has never been seen."""
        row = self.site.worker_index[worker_id]
        x, y = self._workers.x[row], self._workers.y[row]
        return QPointF(x, y) if np.isfinite(x) and np.isfinite(y) else None

    # --- events ----------------------------------------------------------------------------------------

    def wheelEvent(self, event: QWheelEvent) -> None:
        notches = event.angleDelta().y() / 120
        if notches:
            # While following, zoom about the followed worker (the middle), not the mouse.
            anchor = QPointF(self.viewport().rect().center()) if self._followed else event.position()
            self._zoom(WHEEL_STEP**notches, anchor)
            self._centre_on_followed()
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._press = event.position()
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        press, self._press = self._press, None
        if press is None or event.button() != Qt.MouseButton.LeftButton:
            return
        if (event.position() - press).manhattanLength() > CLICK_SLOP_PX:
            self._kept = None  # the operator panned
            self.follow_worker(None)  # and wants to look elsewhere
            return
        hit = self._marker_at(event.position().toPoint())
        if hit is not None:
            layer, row = hit
            clicked = self.worker_clicked if layer is self._workers else self.detector_clicked
            clicked.emit(layer.ids[row])
            return
        permit = self._permit_at(event.position())
        if permit is not None:
            self.permit_clicked.emit(permit)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        hit = self._marker_at(event.position().toPoint())
        if hit is not None and hit[0] is self._detectors and event.button() == Qt.MouseButton.LeftButton:
            self.detector_double_clicked.emit(self._detectors.ids[hit[1]])
            return
        super().mouseDoubleClickEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        """What the operator right-clicked, most specific first: a marker, a permit, else the zone."""
        pos = event.pos()
        hit = self._marker_at(pos)
        if hit is not None:
            layer, row = hit
            self.context_requested.emit(
                "worker" if layer is self._workers else "detector", layer.ids[row], event.globalPos()
            )
            return
        badge = self._permits.badge_at(QPointF(pos)) if self._permits.isVisible() else None
        if badge is not None:
            self.context_requested.emit("permit", badge, event.globalPos())
            return
        zone = self.zone_at(self.mapToScene(pos))  # its menu lists the zone's permits too
        if zone is not None:
            self.context_requested.emit("zone", zone, event.globalPos())

    def permits_in(self, zone_id: str) -> list[str]:
        """The live permits drawn on a zone, most severe first."""
        return [p for p in self._permits.drawn() if self._permits.zone_of(p) == zone_id]

    def zone_at(self, scene_pos: QPointF) -> str | None:
        """The zone a scene point lies in, if any."""
        for zone in self.site.zones:
            if QPolygonF([QPointF(x, y) for x, y in zone.polygon]).containsPoint(
                scene_pos, Qt.FillRule.OddEvenFill
            ):
                return zone.id
        return None

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            hit = self._marker_at(event.pos())
            if hit is None:
                badge = self._permits.badge_at(QPointF(event.pos()))
                if badge is not None and self._permits.isVisible():
                    QToolTip.showText(event.globalPos(), self._permits.describe(badge), self.viewport())
                    return True
                return super().viewportEvent(event)  # equipment and muster points carry their own
            layer, row = hit
            QToolTip.showText(event.globalPos(), layer.describe(row), self.viewport())
            return True
        return super().viewportEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._kept is not None:
            self._keep_in_view(self._kept)

    # --- internals -------------------------------------------------------------------------------------

    def _marker_at(self, pos: QPoint) -> tuple[MarkerLayer, int] | None:
        """The top visible layer with a marker under `pos` (viewport pixels), and the marker's row."""
        scene_pos = self.mapToScene(pos)
        radius = HIT_RADIUS_PX / self.scale_px_per_m()
        for layer in (self._workers, self._detectors):
            row = layer.hit(scene_pos, radius) if layer.isVisible() else None
            if row is not None:
                return layer, row
        return None

    def _permit_at(self, pos: QPointF) -> str | None:
        """The permit whose badge or zone lies under `pos` (viewport pixels), if the layer is shown."""
        if not self._permits.isVisible():
            return None
        return self._permits.hit(self.mapToScene(pos.toPoint()), pos, self.viewportTransform())

    def _alert_rows(self, alerts: Mapping[str, str] | Iterable[str] | np.ndarray) -> dict[int, str]:
        index = self.site.worker_index
        if isinstance(alerts, np.ndarray):
            rows = np.flatnonzero(alerts) if alerts.dtype == bool else alerts.astype(np.int64)
            return {int(row): DEFAULT_ALERT for row in rows}
        if isinstance(alerts, Mapping):
            return {index[w]: text or DEFAULT_ALERT for w, text in alerts.items() if w in index}
        return {index[w]: DEFAULT_ALERT for w in alerts if w in index}

    def _centre_on_followed(self) -> None:
        if self._followed is not None:
            at = self.worker_scene_pos(self._followed)
            if at is not None:
                self.centerOn(at)

    def _area_of(self, source: str) -> QRectF | None:
        """The scene rectangle that shows `source` with its surroundings (SOURCE_VIEW_M around a point)."""
        site, half = self.site, SOURCE_VIEW_M / 2
        if source in site.tag_index:
            sensor = site.sensor(source)
            return QRectF(sensor.x - half, sensor.y - half, 2 * half, 2 * half)
        if source in site.worker_index:
            at = self.worker_scene_pos(source)
            return None if at is None else QRectF(at.x() - half, at.y() - half, 2 * half, 2 * half)
        zone = self._permits.zone_of(source) or self._permit_zones.get(source) or source
        if zone in site.zone_index:
            xs, ys = zip(*site.zone(zone).polygon, strict=True)
            return QRectF(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)).adjusted(-5, -5, 5, 5)
        return None

    def _zoom(self, factor: float, anchor: QPointF) -> None:
        """Scale by `factor` (clamped) keeping the scene point under `anchor` (viewport pixels) in place."""
        viewport = self.viewport().rect()
        fit = min(viewport.width() / self._site_rect.width(), viewport.height() / self._site_rect.height())
        scale = self.scale_px_per_m()
        factor = float(np.clip(scale * factor, 0.5 * fit, MAX_SCALE)) / scale
        if factor == 1.0:
            return
        target = self.mapToScene(anchor.toPoint())
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.scale(factor, factor)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        drift = self.mapToScene(anchor.toPoint()) - target
        self.centerOn(self.mapToScene(viewport.center()) - drift)
        self._kept = None
        self._scale_changed()

    def _scale_changed(self) -> None:
        """Equipment ids show only when they fit inside their outline at this zoom."""
        scale = self.scale_px_per_m()
        for label in self._fitted_labels:
            label.setVisible(scale >= label.min_scale)
