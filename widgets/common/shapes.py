"""Marker shapes: one vocabulary for every view that shows a state (map, status bar, event log).

ISA-101 codes abnormal states redundantly by colour and shape; every marker is rendered by this one
helper into a small pixmap, so a shape looks the same wherever it appears. The map stamps these pixmaps
(sprites) at thousands of positions per frame, far cheaper than rasterising each shape again.
"""

from __future__ import annotations

import math
from enum import Enum

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen, QPixmap, QPolygonF


class Shape(Enum):
    SQUARE = "square"
    CIRCLE = "circle"
    TRIANGLE = "triangle"
    DIAMOND = "diamond"


_CORNERS: dict[Shape, tuple[tuple[float, float], ...]] = {
    Shape.SQUARE: ((-0.5, -0.5), (0.5, -0.5), (0.5, 0.5), (-0.5, 0.5)),
    Shape.TRIANGLE: ((0.0, -0.58), (0.55, 0.42), (-0.55, 0.42)),  # point up, centred on its area
    Shape.DIAMOND: ((0.0, -0.6), (0.6, 0.0), (0.0, 0.6), (-0.6, 0.0)),
}


def marker_pixmap(shape: Shape, size: float, pen: QPen, brush: QBrush, ratio: float = 1.0) -> QPixmap:
    """A transparent pixmap with one `size`-pixel marker at its centre, for `ratio` device pixels per pixel."""
    side = math.ceil(size * 1.2 + pen.widthF() + 2)
    pixmap = QPixmap(round(side * ratio), round(side * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.translate(side / 2, side / 2)
    painter.setPen(pen)
    painter.setBrush(brush)
    if shape is Shape.CIRCLE:
        painter.drawEllipse(QPointF(), size / 2, size / 2)
    else:
        painter.drawPolygon(QPolygonF([QPointF(x * size, y * size) for x, y in _CORNERS[shape]]))
    painter.end()
    return pixmap


def simple_marker(shape: Shape, fill: str, outline: str, size: int = 10) -> QPixmap:
    """A marker with a one-pixel outline, for labels and item views (status bar, event log)."""
    return marker_pixmap(shape, size, QPen(QColor(outline), 1.0), QBrush(QColor(fill)))
