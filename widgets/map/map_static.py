"""The map's static layers: site fence, zones, equipment and muster points.

A few dozen ordinary scene items built once. Labels keep their pixel size at every zoom (they ignore the
view's scale) so names stay readable on the overview and do not balloon when zoomed in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen, QPolygonF, QTransform
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsItemGroup,
    QGraphicsPolygonItem,
    QGraphicsRectItem,
    QStyleOptionGraphicsItem,
    QWidget,
)

from plant_maps.site import Site
from widgets.common.theme import MAP_FONT_PX, MAP_SMALL_FONT_PX, PALETTE
from widgets.map.map_declutter import MUSTER, ZONE, Candidate, LabelBoard

Align = Qt.AlignmentFlag
ZONES = "zones"  # the zone names' name on the label board
NAME_INSET = QPointF(4, 2)  # a zone's name from its top-left corner, in pixels
NAME_STEPS = 12  # the places a zone's name may take along the zone's top edge, besides the corner
MUSTER_NAMES = "muster"  # the muster points' names on the label board


def map_font(pixels: int, bold: bool = False) -> QFont:
    font = QFont()
    font.setPixelSize(pixels)
    font.setBold(bold)
    return font


def cosmetic_pen(color: str, width: float = 1.0) -> QPen:
    """A pen whose width is in screen pixels, whatever the zoom."""
    pen = QPen(QColor(color), width)
    pen.setCosmetic(True)
    return pen


class Label(QGraphicsItem):
    """Text of constant pixel size anchored at a scene point.

    `align` says which side of the text touches the anchor (AlignLeft: the text starts there, AlignTop: it
    hangs below it); `offset` moves it by pixels. A label given `fits_m` shows only when the view's scale
    makes that many metres wide enough for the text (equipment names inside their outline).
    """

    def __init__(
        self,
        text: str,
        anchor: QPointF,
        align: Qt.AlignmentFlag,
        font: QFont,
        color: str,
        offset: QPointF | None = None,
        fits_m: float | None = None,
    ) -> None:
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setPos(anchor)
        self.text, self._font, self._pen = text, font, QPen(QColor(color))
        metrics = QFontMetricsF(font)
        width, height = metrics.horizontalAdvance(text) + 2.0, metrics.height()
        left = -width if align & Align.AlignRight else 0.0 if align & Align.AlignLeft else -width / 2
        top = -height if align & Align.AlignBottom else 0.0 if align & Align.AlignTop else -height / 2
        shift = offset or QPointF()
        self._rect = QRectF(left + shift.x(), top + shift.y(), width, height)
        self.min_scale = 0.0 if fits_m is None else (width + 4.0) / fits_m

    def boundingRect(self) -> QRectF:
        return self._rect

    def viewport_rect(self, transform: QTransform) -> QRectF:
        """Where the text lies in viewport pixels under the view's `transform`."""
        return self._rect.translated(transform.map(self.pos()))

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        painter.setFont(self._font)
        painter.setPen(self._pen)
        painter.drawText(self._rect, Align.AlignCenter, self.text)


class ZoneNames(QGraphicsItem):
    """The zones' names, each where the view's label board placed it this repaint: at the zone's top-left
    corner, else further along its top edge, else just above the zone, clear of detector markers and of the
    labels that matter more (at 1366x768 three detectors sat on the compressor house's name). One item
    paints them all, since a name's place moves with the zoom."""

    def __init__(self, site: Site, bounds: QRectF) -> None:
        super().__init__()
        self._bounds = bounds
        self._font = map_font(MAP_FONT_PX, bold=True)
        self._pen = QPen(QColor(PALETTE.text_muted))
        metrics = QFontMetricsF(self._font)
        self._names = {zone.id: zone.name for zone in site.zones}
        self._sizes = {
            zone.id: (metrics.horizontalAdvance(zone.name) + 2.0, metrics.height()) for zone in site.zones
        }
        self._boxes = {
            zone.id: QPolygonF([QPointF(x, y) for x, y in zone.polygon]).boundingRect() for zone in site.zones
        }
        self.board = LabelBoard()

    def candidates(self, transform: QTransform) -> list[Candidate]:
        return [Candidate(ZONES, zone_id, ZONE, self._places(zone_id, transform)) for zone_id in self._names]

    def _places(self, zone_id: str, transform: QTransform) -> tuple[QRectF, ...]:
        """Where the name may go, in viewport pixels, best first: along the top edge inside the zone from its
        top-left corner, then the same places just above the zone."""
        box = transform.mapRect(self._boxes[zone_id])
        width, height = self._sizes[zone_id]
        corner = QRectF(box.left() + NAME_INSET.x(), box.top() + NAME_INSET.y(), width, height)
        room = box.right() - NAME_INSET.x() - corner.right()
        steps = min(NAME_STEPS, int(room // height)) if room > 0 else 0
        inside = [corner.translated(room * k / steps, 0) for k in range(1, steps + 1)]
        lift = box.top() - 1 - corner.bottom()
        row = (corner, *inside)
        return (*row, *(place.translated(0, lift) for place in row))

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        painter.save()
        painter.resetTransform()
        painter.setFont(self._font)
        painter.setPen(self._pen)
        for zone_id in self.board.keys(ZONES):
            rect = self.board.placed(ZONES, zone_id)
            if rect is not None:
                painter.drawText(rect, Align.AlignCenter, self._names[str(zone_id)])
        painter.restore()


class PlacedLabel(Label):
    """One of the places a label may take: written only when the view's label board put the label there."""

    def __init__(self, owner: str, key: str, *args: Any) -> None:
        super().__init__(*args)
        self.owner, self.key = owner, key
        self.board = LabelBoard()
        self.at = QRectF()  # this place in viewport pixels, in the repaint being placed

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        if self.board.placed(self.owner, self.key) == self.at:
            super().paint(painter, option, widget)


class MusterName:
    """A muster point's name: under its ring or, where that is taken (the tank farm's name is there at
    1366x768), over it."""

    def __init__(self, point_id: str, places: tuple[PlacedLabel, ...]) -> None:
        self.point_id, self.places = point_id, places

    @property
    def board(self) -> LabelBoard:
        return self.places[0].board

    @board.setter
    def board(self, board: LabelBoard) -> None:
        for label in self.places:
            label.board = board

    def candidate(self, transform: QTransform) -> Candidate:
        for label in self.places:
            label.at = label.viewport_rect(transform)
        return Candidate(MUSTER_NAMES, self.point_id, MUSTER, tuple(label.at for label in self.places))


class PaintedAbove(QGraphicsItem):
    """The part of an overlay drawn above the other layers (a permit's badges, an isolation's plate), painted
    by the overlay it belongs to with `paint(painter)`."""

    def __init__(self, paint: Callable[[QPainter], None], bounds: QRectF, z: float) -> None:
        super().__init__()
        self.setZValue(z)
        self._paint, self._bounds = paint, bounds

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        self._paint(painter)


def layer(z: float) -> QGraphicsItemGroup:
    """An empty parent whose visibility switches all its children together (a map layer)."""
    group = QGraphicsItemGroup()
    group.setZValue(z)
    return group


def fence(site: Site) -> QGraphicsRectItem:
    """The site boundary: the ground the operator is responsible for."""
    item = QGraphicsRectItem(0.0, 0.0, site.width, site.height)
    item.setPen(cosmetic_pen(PALETTE.fence))
    item.setBrush(QBrush(QColor(PALETTE.ground)))
    item.setZValue(-1)
    return item


def zone_name_sizes(site: Site) -> dict[str, tuple[float, float]]:
    """The pixel size (width, height) each zone's name takes at its top-left corner, with its margin: a
    permit's badges, stacked from the zone's top-right corner, start below it where they would cover it."""
    metrics = QFontMetricsF(map_font(MAP_FONT_PX, bold=True))
    return {
        zone.id: (metrics.horizontalAdvance(zone.name) + 10.0, metrics.height() + 4.0) for zone in site.zones
    }


def name_margin(board: LabelBoard, zone_id: str) -> QRectF:
    """Where the zone's name was written this repaint, with a margin (empty when it was left out): the
    overlays drawn on a zone (a permit's or an isolation's hatching) keep it free, so it stays readable."""
    placed = board.placed(ZONES, zone_id)
    return QRectF() if placed is None else placed.adjusted(-4.0, -2.0, 4.0, 2.0)


def zones(site: Site, z: float, bounds: QRectF) -> tuple[QGraphicsItemGroup, ZoneNames]:
    """The zones' outlines and their names (`bounds`: the scene's rectangle, where a name may be painted)."""
    group = layer(z)
    for zone in site.zones:
        item = QGraphicsPolygonItem(QPolygonF([QPointF(x, y) for x, y in zone.polygon]), group)
        item.setPen(cosmetic_pen(PALETTE.zone_line))
        item.setBrush(QBrush(QColor(PALETTE.zone_fill)))
    names = ZoneNames(site, bounds)
    names.setParentItem(group)
    return group, names


def equipment(site: Site, z: float) -> tuple[QGraphicsItemGroup, list[Label]]:
    """Equipment outlines (round ones as ellipses) and their ids; returns the labels that show by zoom."""
    group = layer(z)
    font = map_font(MAP_SMALL_FONT_PX)
    pen, brush = cosmetic_pen(PALETTE.equipment_line, 1.5), QBrush(QColor(PALETTE.equipment_fill))
    labels = []
    for e in site.equipment:
        rect = QRectF(e.x - e.width / 2, e.y - e.height / 2, e.width, e.height)
        item = QGraphicsEllipseItem(rect, group) if e.round else QGraphicsRectItem(rect, group)
        item.setPen(pen)
        item.setBrush(brush)
        item.setToolTip(e.name)
        # Just above the centre, where a level or temperature detector often sits.
        above = Align.AlignHCenter | Align.AlignBottom
        label = Label(e.id, rect.center(), above, font, PALETTE.text, QPointF(0, -5), min(e.width, e.height))
        label.setParentItem(group)
        labels.append(label)
    return group, labels


def muster_points(site: Site, z: float) -> tuple[QGraphicsItemGroup, list[MusterName]]:
    """Muster points: a neutral double ring with "MP" and the name below (or above, where that is taken),
    kept inside the site's edges."""
    group = layer(z)
    names = []
    symbol_font, name_font = map_font(MAP_SMALL_FONT_PX, bold=True), map_font(MAP_FONT_PX)
    for m in site.muster_points:
        rect = QRectF(m.x - m.radius, m.y - m.radius, 2 * m.radius, 2 * m.radius)
        ring = QGraphicsEllipseItem(rect, group)
        ring.setPen(cosmetic_pen(PALETTE.text_muted, 2.0))
        ring.setBrush(QBrush(QColor(PALETTE.hollow_fill)))
        ring.setToolTip(m.name)
        inner = QGraphicsEllipseItem(
            rect.adjusted(m.radius / 3, m.radius / 3, -m.radius / 3, -m.radius / 3), group
        )
        inner.setPen(cosmetic_pen(PALETTE.text_muted))
        Label(
            QCoreApplication.translate("PlantMap", "MP"),
            rect.center(),
            Align.AlignCenter,
            symbol_font,
            PALETTE.text,
        ).setParentItem(group)
        if m.x < site.width / 3:
            below, above, side = rect.bottomLeft(), rect.topLeft(), Align.AlignLeft
        elif m.x > 2 * site.width / 3:
            below, above, side = rect.bottomRight(), rect.topRight(), Align.AlignRight
        else:
            below, above, side = QPointF(m.x, rect.bottom()), QPointF(m.x, rect.top()), Align.AlignHCenter
        places = (
            (below, side | Align.AlignTop, QPointF(0, 2)),
            (above, side | Align.AlignBottom, QPointF(0, -2)),
        )
        labels = tuple(
            PlacedLabel(MUSTER_NAMES, m.id, m.name, anchor, align, name_font, PALETTE.text, offset)
            for anchor, align, offset in places
        )
        for label in labels:
            label.setParentItem(group)
        names.append(MusterName(m.id, labels))
    return group, names
