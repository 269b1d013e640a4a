"""The trend's plot area: one plot with a Y axis per unit (the first on the left, the others on the right,
pyqtgraph's multiple-ViewBox recipe), or one plot per unit stacked on a shared time axis (linked X).

Rebuilt whenever the units or the mode change; the trend view then draws its pens into `box(unit)`. A
thin overlay along the bottom of the lowest plot carries the zone-event markers at a fixed height, so they
stay at the bottom whatever the values do.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Signal
from PySide6.QtGui import QColor

from widgets.common.theme import PALETTE

AXIS_WIDTH = 56  # fixed, so that stacked plots line up in time
GRID_LEVELS = 1  # major and one minor level of ticks and grid lines (not two): calmer, and the grid, which
# every axis draws across the whole plot on each repaint, costs a third less of a live frame
EVENT_ROW = 0.06  # the zone events' height in the bottom overlay (0 bottom, 1 top)


def _over(colour: str, base: str, share: float) -> str:
    """`colour` laid over `base` at `share` opacity, as one opaque colour."""
    top, bottom = QColor(colour), QColor(base)
    mixed = [
        round(share * t + (1 - share) * u) for t, u in zip(top.getRgb()[:3], bottom.getRgb()[:3], strict=True)
    ]
    return QColor(*mixed).name()


GRID_COLOUR = _over(PALETTE.line, PALETTE.panel, 0.25)  # what the grid looked like drawn at 25 % alpha


class _Overlay(pg.ViewBox):
    """A box laid over a plot's own, linked to it in time. It follows the plot's box by a method of its own: a
    closure over the plot, held by Qt for the plot's signal, kept the plot and its boxes alive after every
    rebuild and after the window closed (a cycle through Qt that Python's collector cannot see)."""

    def follow(self) -> None:
        """Cover the linked plot's box again (it was resized) and take its time range."""
        plot = self.linkedView(self.XAxis)
        if plot is not None:
            self.setGeometry(plot.sceneBoundingRect())
            self.linkedViewChanged(plot, self.XAxis)


class TrendPlots(pg.GraphicsLayoutWidget):
    x_range_changed = Signal()
    resized = Signal()  # the plots' width changed: as many pixel columns no longer

    def __init__(self) -> None:
        super().__init__()
        self.setBackground(PALETTE.panel)
        self.stacked = False
        self.units: list[str] = []
        self.plots: list[pg.PlotItem] = []
        self.boxes: dict[str, pg.ViewBox] = {}
        self.cursors: list[pg.InfiniteLine] = []
        self._overlays: list[pg.ViewBox] = []  # extra units' boxes, and the events' box
        self.events_box = pg.ViewBox()
        self.legend = pg.LegendItem()
        self.build([], False, (0.0, 1.0))

    def getViewBox(self) -> pg.ViewBox:
        return self.plots[0].getViewBox()

    def box(self, unit: str) -> pg.ViewBox:
        return self.boxes[unit]

    def build(self, units: list[str], stacked: bool, x_range: tuple[float, float]) -> None:
        """A fresh layout for `units` (in pen order), one plot with an axis each or stacked; the caller adds
        its items again. The time range is kept."""
        for box in self._overlays:
            self.scene().removeItem(box)
        self.clear()
        self.units, self.stacked = list(units), stacked and len(units) > 1
        self.plots, self.boxes, self.cursors, self._overlays = [], {}, [], []
        for row, unit in enumerate(units if self.stacked else units[:1] or [""]):
            plot = self.addPlot(row=row, col=0, axisItems={"bottom": pg.DateAxisItem(orientation="bottom")})
            _style(plot, unit)
            if self.plots:
                plot.setXLink(self.plots[0])
            self.plots.append(plot)
            self.boxes[unit] = plot.getViewBox()
        for plot in self.plots[:-1]:
            plot.getAxis("bottom").setStyle(showValues=False)  # one time scale, under the lowest plot
        if not self.stacked:
            for k, unit in enumerate(units[1:]):
                self.boxes[unit] = self._overlay(self.plots[0], unit, k)
        self.events_box = self._overlay(self.plots[-1], None, 0)
        self.events_box.setYRange(0, 1, padding=0)
        for plot in self.plots:
            cursor = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(PALETTE.equipment_line, width=1))
            cursor.setVisible(False)
            plot.addItem(cursor, ignoreBounds=True)
            self.cursors.append(cursor)
        self.legend = pg.LegendItem(offset=(8, 8), labelTextColor=PALETTE.text, brush=PALETTE.panel)
        self.legend.setParentItem(self.plots[0].getViewBox())
        master = self.getViewBox()
        master.setXRange(*x_range, padding=0)
        master.sigXRangeChanged.connect(self.x_range_changed)
        master.sigResized.connect(self.resized)

    def _overlay(self, plot: pg.PlotItem, unit: str | None, k: int) -> pg.ViewBox:
        """A ViewBox over `plot`, linked in time; with a right axis for a unit, none for the events."""
        box = _Overlay()
        self.scene().addItem(box)
        box.setXLink(plot)
        box.setMouseEnabled(x=True, y=False)
        if unit is not None:
            axis = pg.AxisItem("right")
            _style_axis(axis, unit)
            plot.layout.addItem(axis, 2, 3 + k)
            axis.linkToView(box)
            box.enableAutoRange(axis="y")
            box.setAutoVisible(y=True)
        else:
            box.setMenuEnabled(False)
        plot.getViewBox().sigResized.connect(box.follow)
        box.follow()
        self._overlays.append(box)
        return box

    def contains(self, pos: QPointF) -> bool:
        return any(p.getViewBox().sceneBoundingRect().contains(pos) for p in self.plots)

    def time_at(self, pos: QPointF) -> float:
        return float(self.getViewBox().mapSceneToView(pos).x())

    def show_cursor(self, ts: float | None) -> None:
        for cursor in self.cursors:
            cursor.setVisible(ts is not None)
            if ts is not None:
                cursor.setPos(ts)

    def plot_rect(self) -> QRectF:
        """Where the data is drawn, in this widget's coordinates (tests click there)."""
        return self.mapFromScene(self.getViewBox().sceneBoundingRect()).boundingRect()


def _style(plot: pg.PlotItem, unit: str) -> None:
    plot.showGrid(x=True, y=True, alpha=1.0)  # opaque lines in a pale grey: blending the grid over the
    # whole plot on every repaint cost a quarter of a live frame (benchmarks/trends.py: p95 20 -> 15 ms)
    bottom = plot.getAxis("bottom")
    bottom.setStyle(maxTickLevel=GRID_LEVELS)
    bottom.setPen(pg.mkPen(PALETTE.line))
    bottom.setTextPen(pg.mkPen(PALETTE.text))
    _style_axis(plot.getAxis("left"), unit)
    for axis in (bottom, plot.getAxis("left")):
        axis.setTickPen(pg.mkPen(GRID_COLOUR))
    box = plot.getViewBox()
    box.setMouseEnabled(x=True, y=False)  # pan and zoom the time; values follow the data
    box.enableAutoRange(axis="y")
    box.setAutoVisible(y=True)


def _style_axis(axis: pg.AxisItem, unit: str) -> None:
    axis.setStyle(maxTickLevel=GRID_LEVELS)
    axis.setPen(pg.mkPen(PALETTE.line))
    axis.setTextPen(pg.mkPen(PALETTE.text))
    axis.setWidth(AXIS_WIDTH)
    if unit:
        axis.setLabel(unit, color=PALETTE.text)
