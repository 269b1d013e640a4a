"""The map's isolation layer: a zone under maintenance isolation, drawn so that nobody mistakes it for live.

An isolated zone's alarms are suppressed by design, a tier-1 gas alarm included, so the map says so where the
operator looks: a square grid hatch (the permits' hatch is diagonal) and a thick dash-dot outline in dark
grey, and a plate "ISOLATED until 14:30" hanging under the zone's bottom-left corner. ISA-101: it is not an alarm, so no
alarm colour; the pattern and the words make it unmistakable.

Two items like the permit layer: `IsolationLayer` lies on the zones under the permit overlays, equipment and
markers, and paints in device pixels (the grid keeps its spacing at every zoom); its `plates` lie above the
static layers. All methods run on the Qt thread.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
    QTransform,
)
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from plant_maps.site import Site
from widgets.common.isolation_look import isolation_hatch, isolation_label, isolation_outline
from widgets.common.theme import MAP_SMALL_FONT_PX, PALETTE
from widgets.map.map_declutter import ISOLATION, Candidate, LabelBoard
from widgets.map.map_static import PaintedAbove, map_font, name_margin

PLATE_PAD_PX = 4.0
PLATE_GAP_PX = 2.0  # between the zone's edge and its plate
ISOLATED_STYLE = "isolated"


PLATES = "plates"  # this layer's name on the label board


def _inside(rect: QRectF, viewport: QRectF) -> QRectF:
    """`rect` moved the least that puts it inside `viewport` (it is smaller than any view)."""
    x = min(max(rect.left(), viewport.left()), viewport.right() - rect.width())
    y = min(max(rect.top(), viewport.top()), viewport.bottom() - rect.height())
    return QRectF(x, y, rect.width(), rect.height())


class IsolationLayer(QGraphicsItem):
    """The isolated zones, hatched and outlined; `plates` is the companion item with their labels."""

    def __init__(self, site: Site, bounds: QRectF, z: float, plates_z: float) -> None:
        super().__init__()
        self.setZValue(z)
        self._bounds = bounds
        self._polygons = {zone.id: QPolygonF([QPointF(x, y) for x, y in zone.polygon]) for zone in site.zones}
        self.hatch = isolation_hatch()
        self.outline = isolation_outline()
        self._font = map_font(MAP_SMALL_FONT_PX, bold=True)
        self._metrics = QFontMetricsF(self._font)
        self._labels: dict[str, str] = {}
        self.plates = PaintedAbove(self.paint_plates, bounds, plates_z)
        self.board = LabelBoard()  # the view's: where each plate goes this repaint

    def set_isolations(self, until_by_zone: Mapping[str, float]) -> None:
        """The zones isolated now and when each isolation ends (epoch s); replaces the previous set."""
        labels = {z: isolation_label(until) for z, until in until_by_zone.items() if z in self._polygons}
        if labels != self._labels:
            self._labels = labels
            self.update()
            self.plates.update()

    def style_name(self, zone_id: str) -> str:
        """How a zone is drawn by this layer: "isolated", or "" when it is not isolated."""
        return ISOLATED_STYLE if zone_id in self._labels else ""

    def label(self, zone_id: str) -> str:
        """What the zone's plate reads ("" when not isolated)."""
        return self._labels.get(zone_id, "")

    def plate_rect(self, zone_id: str) -> QRectF | None:
        """Where a zone's plate was drawn in the last repaint, in viewport pixels (None: not drawn)."""
        return self.board.placed(PLATES, zone_id)

    def label_candidates(self, transform: QTransform, viewport: QRectF) -> list[Candidate]:
        """Each plate of a zone on screen, as long as its isolation lasts: under the zone's bottom-left
        corner, else its bottom-right one, else over its top-left one; kept inside the view (a zone zoomed
        into shows its plate at the edge of what is seen of it), and never left out."""
        out = []
        for rect, zone_id in self._plate_rects(transform):
            box = transform.mapRect(self._polygons[zone_id].boundingRect())
            if not box.intersects(viewport):
                continue
            right = QRectF(box.right() - rect.width(), rect.top(), rect.width(), rect.height())
            above = QRectF(rect.left(), box.top() - PLATE_GAP_PX - rect.height(), rect.width(), rect.height())
            places = tuple(_inside(place, viewport) for place in (rect, right, above))
            out.append(Candidate(PLATES, zone_id, ISOLATION, places, required=True))
        return out

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        if not self._labels:
            return
        transform = painter.worldTransform()
        painter.save()
        painter.resetTransform()  # device pixels: the grid keeps its spacing at every zoom
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for zone_id in self._labels:
            polygon = transform.map(self._polygons[zone_id])
            corner = polygon.boundingRect().topLeft()
            area, name = QPainterPath(), QPainterPath()
            area.addPolygon(polygon)
            name.addRect(name_margin(self.board, zone_id))
            painter.setBrushOrigin(corner)  # the grid moves with the zone when the map pans
            painter.fillPath(area.subtracted(name), self.hatch)
            painter.setPen(self.outline)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPolygon(polygon)
        painter.restore()

    def paint_plates(self, painter: QPainter) -> None:
        painter.save()
        painter.resetTransform()
        painter.setFont(self._font)
        for zone_id in self.board.keys(PLATES):
            rect = self.board.placed(PLATES, zone_id)
            if rect is None or zone_id not in self._labels:
                continue
            painter.setPen(QPen(QColor(PALETTE.alarm_outline), 1.5))
            painter.setBrush(QBrush(QColor(PALETTE.hollow_fill)))
            painter.drawRect(rect)
            painter.setPen(QPen(QColor(PALETTE.text)))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self._labels[zone_id])
        painter.restore()

    def _plate_rects(self, transform: QTransform) -> list[tuple[QRectF, str]]:
        """Each plate hanging under its zone's bottom-left corner: outside the zone, where no detector or
        worker marker of the zone can cover it (ISOLATED must always read whole)."""
        out = []
        height = self._metrics.height() + PLATE_PAD_PX
        for zone_id, text in self._labels.items():
            box = transform.mapRect(self._polygons[zone_id].boundingRect())
            width = self._metrics.horizontalAdvance(text) + 2 * PLATE_PAD_PX
            out.append((QRectF(box.left(), box.bottom() + PLATE_GAP_PX, width, height), zone_id))
        return out
