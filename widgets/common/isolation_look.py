"""How an isolated zone looks, wherever it is drawn (the map layer, its legend, the isolation banner): a square
grid hatch, told apart from the permits' diagonal one, a dash-dot outline, and the words "ISOLATED until".

ISA-101: not an alarm, so no alarm colour; the pattern and the words make it unmistakable.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen, QPixmap

from widgets.common.theme import PALETTE
from widgets.common.time_text import clock_text

GRID_PX = 12


def isolation_hatch() -> QBrush:
    """The fill of an isolated zone: a square grid of GRID_PX, told apart from the permits' diagonal hatch
    (a texture rather than Qt's 8 px CrossPattern, which buries the detector markers of a small zone)."""
    tile = QPixmap(GRID_PX, GRID_PX)
    tile.fill(Qt.GlobalColor.transparent)
    painter = QPainter(tile)
    painter.setPen(QPen(QColor(PALETTE.equipment_line), 1.0))
    painter.drawLine(0, 0, GRID_PX - 1, 0)
    painter.drawLine(0, 0, 0, GRID_PX - 1)
    painter.end()
    return QBrush(tile)


def isolation_outline() -> QPen:
    pen = QPen(QColor(PALETTE.alarm_outline), 3.0, Qt.PenStyle.DashDotLine)
    pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
    return pen


def isolation_label(until: float) -> str:
    """ "ISOLATED until 14:30" (local wall-clock time)."""
    return QCoreApplication.translate("IsolationLayer", "ISOLATED until {0}").format(clock_text(until, False))
