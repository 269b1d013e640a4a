"""The plant overview map (ISA-101 level 1): zones, equipment, muster points, live detectors and workers.

Reads the arrays it is given (tag values, qualities and limit states; worker positions) and emits the
operator's intents (a clicked worker or detector) as signals. All methods run on the Qt thread.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QHelpEvent, QMouseEvent, QPainter, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene, QGraphicsView, QToolTip, QWidget

from plant_maps.site import Site
from widgets import map_static
from widgets.map_markers import DetectorLayer, MarkerLayer, WorkerLayer
from widgets.theme import PALETTE

WHEEL_STEP = 1.25  # zoom factor per wheel notch
MAX_SCALE = 60.0  # pixels per metre
HIT_RADIUS_PX = 8.0
CLICK_SLOP_PX = 4
SOURCE_VIEW_M = 60.0  # how much ground "show on map" puts around a detector or a worker  # a press and release closer than this is a click, not a pan


class PlantMapView(QGraphicsView):
    """The whole site in metres; wheel zooms under the mouse, dragging pans, a click picks a marker."""

    worker_clicked = Signal(str)
    detector_clicked = Signal(str)

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
        self._layers: dict[str, QGraphicsItem] = {
            "zones": map_static.zones(site, 0),
            "equipment": equipment,
            "muster": map_static.muster_points(site, 2),
            "detectors": self._detectors,
            "workers": self._workers,
        }
        for item in self._layers.values():
            scene.addItem(item)
        self.setBackgroundBrush(QBrush(QColor(PALETTE.background)))
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._press: QPointF | None = None
        self._fitted = True  # follow resizes with the whole site until the operator zooms or pans

    # --- data in -------------------------------------------------------------------------------------

    def update_tags(self, value: np.ndarray, quality: np.ndarray, limit_state: np.ndarray) -> None:
        """Latest value, Quality and LimitState of every sensor, indexed by the site's sensor row."""
        self._detectors.set_state(value, quality, limit_state)

    def update_workers(self, x: np.ndarray, y: np.ndarray, stale: np.ndarray) -> None:
        """Latest position (metres; NaN: never seen, not drawn) and staleness of every site worker."""
        self._workers.set_positions(x, y, stale)

    # --- view ------------------------------------------------------------------------------------------

    def fit_site(self) -> None:
        """Show the whole site, and keep showing it as the window resizes."""
        self.fitInView(self._site_rect.adjusted(-4, -4, 4, 4), Qt.AspectRatioMode.KeepAspectRatio)
        self._fitted = True
        self._scale_changed()

    def zoom_by(self, factor: float) -> None:
        """Zoom about the centre of the view (toolbar buttons)."""
        self._zoom(factor, QPointF(self.viewport().rect().center()))

    def set_layer_visible(self, name: str, visible: bool) -> None:
        """Show or hide a layer: "zones", "equipment", "muster", "detectors" or "workers"."""
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
        self.fitInView(area, Qt.AspectRatioMode.KeepAspectRatio)
        self._fitted = False
        self._scale_changed()
        return True

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

    def worker_scene_pos(self, worker_id: str) -> QPointF | None:
        """Where a worker's marker is drawn (metres), None while the worker has never been seen."""
        row = self.site.worker_index[worker_id]
        x, y = self._workers.x[row], self._workers.y[row]
        return QPointF(x, y) if np.isfinite(x) and np.isfinite(y) else None

    # --- events ----------------------------------------------------------------------------------------

    def wheelEvent(self, event: QWheelEvent) -> None:
        notches = event.angleDelta().y() / 120
        if notches:
            self._zoom(WHEEL_STEP**notches, event.position())
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
            self._fitted = False  # the operator panned
            return
        hit = self._marker_at(event.position().toPoint())
        if hit is not None:
            layer, row = hit
            clicked = self.worker_clicked if layer is self._workers else self.detector_clicked
            clicked.emit(layer.ids[row])

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            hit = self._marker_at(event.pos())
            if hit is None:
                return super().viewportEvent(event)  # equipment and muster points carry their own
            layer, row = hit
            QToolTip.showText(event.globalPos(), layer.describe(row), self.viewport())
            return True
        return super().viewportEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._fitted:
            self.fit_site()

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

    def _area_of(self, source: str) -> QRectF | None:
        """The scene rectangle that shows `source` with its surroundings (SOURCE_VIEW_M around a point)."""
        site, half = self.site, SOURCE_VIEW_M / 2
        if source in site.tag_index:
            sensor = site.sensor(source)
            return QRectF(sensor.x - half, sensor.y - half, 2 * half, 2 * half)
        if source in site.worker_index:
            at = self.worker_scene_pos(source)
            return None if at is None else QRectF(at.x() - half, at.y() - half, 2 * half, 2 * half)
        if source in site.zone_index:
            xs, ys = zip(*site.zone(source).polygon, strict=True)
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
        self._fitted = False
        self._scale_changed()

    def _scale_changed(self) -> None:
        """Equipment ids show only when they fit inside their outline at this zoom."""
        scale = self.scale_px_per_m()
        for label in self._fitted_labels:
            label.setVisible(scale >= label.min_scale)
