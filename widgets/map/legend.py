"""The legend: every symbol the console draws and what it means, with the keyboard shortcuts.

ISA-101: one symbol language. The swatches are painted by the same code that draws the banner, the alarm
list, the event log and the map (`TierMarkers`, the map's marker styles, permit looks and isolation
hatch), so the legend cannot drift from what the operator sees. A tool window, opened from the toolbar;
runs on the Qt thread.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QDialog, QGridLayout, QLabel, QWidget

from plant_maps.permit_lifecycle import PermitState
from widgets.common.isolation_look import isolation_hatch, isolation_outline
from widgets.common.theme import PALETTE
from widgets.common.tiers import TIER_LOOKS, TierMarkers
from widgets.map.map_markers import WorkerLayer, detector_styles, style_pixmap, worker_styles
from widgets.map.map_permits import OverlayLook, permit_looks

SWATCH_PX = 28

SHORTCUTS = (
    ("F7", QT_TRANSLATE_NOOP("Legend", "Select the next unacknowledged alarm")),
    ("F8", QT_TRANSLATE_NOOP("Legend", "Acknowledge the selected alarms")),
    ("Shift+F8", QT_TRANSLATE_NOOP("Legend", "Acknowledge the alarms on the page")),
    ("F9", QT_TRANSLATE_NOOP("Legend", "Silence the audible alarm")),
    ("Ctrl+B", QT_TRANSLATE_NOOP("Legend", "Broadcast to PA zones")),
    ("Ctrl+Shift+N", QT_TRANSLATE_NOOP("Legend", "Write a shift log note")),
    ("Ctrl+Shift+H", QT_TRANSLATE_NOOP("Legend", "Open the alarm history")),
    ("Ctrl+Shift+K", QT_TRANSLATE_NOOP("Legend", "Open the alarm KPIs")),
)


class Legend(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Legend")
        self.setWindowTitle(self.tr("Legend"))
        self.rows: list[str] = []  # the meanings, top to bottom (what a test or a reader checks)
        grid = QGridLayout(self)
        grid.setColumnMinimumWidth(0, SWATCH_PX + 8)
        markers = TierMarkers()
        detectors, workers, looks = detector_styles(), worker_styles(), permit_looks()
        sections: list[tuple[str, list[tuple[QPixmap | None, str]]]] = [
            (
                self.tr("Alarms — banner, alarm list, event log and map alike"),
                [
                    (markers.pixmap(tier, 16), f"{look.name}: {look.meaning} ({look.marker})")
                    for tier, look in TIER_LOOKS.items()
                ],
            ),
            (
                self.tr("Detectors"),
                [
                    (style_pixmap(detectors[0]), self.tr("normal reading (grey)")),
                    (style_pixmap(detectors[1]), self.tr("stale: no recent value (dashed, hollow)")),
                    (style_pixmap(detectors[2]), self.tr("bad quality: the value cannot be trusted")),
                    (
                        style_pixmap(detectors[5]),
                        self.tr("limit crossed: its alarm's tier, with HH/H/L/LL and the value"),
                    ),
                ],
            ),
            (
                self.tr("Workers"),
                [
                    (style_pixmap(workers[1]), self.tr("position current")),
                    (style_pixmap(workers[0]), self.tr("position old (hollow)")),
                    (
                        style_pixmap(workers[WorkerLayer.ALERT]),
                        self.tr("SOS or man-down (pulses until resolved)"),
                    ),
                    (
                        style_pixmap(workers[WorkerLayer.RULE2]),
                        self.tr(
                            "a worker's alarm (e.g. W16 NO PERMIT): its tier's shape, the id and the rule"
                        ),
                    ),
                ],
            ),
            (
                self.tr("Zones and permits"),
                [
                    (
                        _area(lambda p, r: _permit(p, r, looks[PermitState.ACTIVE])),
                        self.tr("active permit (grey hatch, code and state)"),
                    ),
                    (
                        _area(lambda p, r: _permit(p, r, looks[PermitState.APPROVED])),
                        self.tr("approved permit, work not started (dashed)"),
                    ),
                    (
                        _area(lambda p, r: _permit(p, r, looks[PermitState.SUSPENDED])),
                        self.tr("suspended permit: work must stop (amber, the only coloured permit)"),
                    ),
                    (
                        _area(_isolated),
                        self.tr("isolated zone: its alarms suppressed for maintenance, until the time shown"),
                    ),
                ],
            ),
            (self.tr("Keys"), [(None, f"{key}  {self.tr(text)}") for key, text in SHORTCUTS]),
        ]
        row = 0
        for title, entries in sections:
            heading = QLabel(title)
            font = heading.font()
            font.setBold(True)
            heading.setFont(font)
            grid.addWidget(heading, row, 0, 1, 2)
            row += 1
            for pixmap, text in entries:
                if pixmap is not None:
                    swatch = QLabel()
                    swatch.setPixmap(pixmap)
                    swatch.setAlignment(Qt.AlignmentFlag.AlignCenter)
                    grid.addWidget(swatch, row, 0)
                grid.addWidget(QLabel(text), row, 1)
                self.rows.append(text)
                row += 1


def _area(paint: Callable[[QPainter, QRectF], None]) -> QPixmap:
    pixmap = QPixmap(SWATCH_PX, SWATCH_PX - 8)
    pixmap.fill(QColor(PALETTE.ground))
    painter = QPainter(pixmap)
    paint(painter, QRectF(2, 2, SWATCH_PX - 4, SWATCH_PX - 12))
    painter.end()
    return pixmap


def _permit(painter: QPainter, rect: QRectF, look: OverlayLook) -> None:
    if look.hatch is not None:
        painter.setPen(look.hatch)
        step = look.hatch_spacing_px / 2
        x = rect.left() - rect.height()
        while x < rect.right():
            painter.drawLine(int(x), int(rect.bottom()), int(x + rect.height()), int(rect.top()))
            x += step
    painter.setBrush(QBrush())
    painter.setPen(look.line)
    painter.drawRect(rect)


def _isolated(painter: QPainter, rect: QRectF) -> None:
    painter.fillRect(rect, isolation_hatch())
    painter.setPen(QPen(isolation_outline()))
    painter.drawRect(rect)
