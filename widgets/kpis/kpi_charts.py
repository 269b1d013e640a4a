"""The KPI page's charts (pyqtgraph): the alarm rate with the flood line, the bad actors' Pareto, and the
alarms per area and hour of day.

ISA-101: grey bars and cells; colour only where something is abnormal (the flood line, and the periods in
flood drawn in the tier-2 amber with the line they cross). Qt thread only.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QFontMetrics

from alarms.kpis import FLOOD_START, PERIOD_S
from widgets.common.theme import PALETTE


def _tr(text: str) -> str:
    return QCoreApplication.translate("KpiCharts", text)


def _plot(widget: pg.PlotWidget, left: str, bottom: str) -> pg.PlotItem:
    widget.setBackground(PALETTE.panel)
    plot = widget.getPlotItem()
    plot.setMenuEnabled(False)
    plot.hideButtons()
    plot.showGrid(y=True, alpha=0.25)
    for name, label in (("left", left), ("bottom", bottom)):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(PALETTE.line))
        axis.setTextPen(pg.mkPen(PALETTE.text))
        axis.setLabel(label, color=PALETTE.text)
    return plot


class RateChart(pg.PlotWidget):
    """Alarms raised per 10-min period over the period, with the flood line (more than 10 per position)."""

    def __init__(self) -> None:
        super().__init__(axisItems={"bottom": pg.DateAxisItem(orientation="bottom")})
        self.plot = _plot(self, _tr("alarms / 10 min"), "")
        self.bars = pg.BarGraphItem(x=[], height=[], width=PERIOD_S * 0.9, brush=PALETTE.marker, pen=None)
        self.flood_bars = pg.BarGraphItem(
            x=[], height=[], width=PERIOD_S * 0.9, brush=PALETTE.alarm_2, pen=None
        )
        self.flood_line = pg.InfiniteLine(
            angle=0,
            movable=False,
            pen=pg.mkPen(PALETTE.alarm_2, width=2, dash=[6, 4]),
            label=_tr("flood"),
            labelOpts={"position": 0.02, "color": PALETTE.text, "anchors": [(0, 1), (0, 1)]},
        )
        for item in (self.bars, self.flood_bars, self.flood_line):
            self.plot.addItem(item)

    def show_rate(self, rate: Sequence[tuple[float, int]], positions: int) -> None:
        starts = np.array([t for t, _ in rate], dtype=float) + PERIOD_S / 2
        counts = np.array([n for _, n in rate], dtype=float)
        limit = FLOOD_START * positions
        over = counts > limit
        self.bars.setOpts(x=starts[~over], height=counts[~over])
        self.flood_bars.setOpts(x=starts[over], height=counts[over])
        self.flood_line.setValue(limit)
        top = max(float(counts.max()) if len(counts) else 0.0, limit) * 1.1
        self.plot.setYRange(0, top, padding=0)
        if len(starts):
            self.plot.setXRange(starts[0] - PERIOD_S, starts[-1] + PERIOD_S, padding=0)


class ParetoChart(pg.PlotWidget):
    """The top bad actors' counts (bars) and their cumulative share of the load (line, right axis, %)."""

    def __init__(self) -> None:
        super().__init__()
        self.plot = _plot(self, _tr("alarms raised"), "")
        # light bars with a dark edge: each bar's name is written up inside it (ten names side by side under
        # the axis overlap at 1366 px), dark text that reads on the bar and on the background above it
        self.bars = pg.BarGraphItem(
            x=[], height=[], width=0.7, brush=PALETTE.hollow_fill, pen=pg.mkPen(PALETTE.marker_line)
        )
        self.plot.addItem(self.bars)
        self.names: list[pg.TextItem] = []
        self.share_box = pg.ViewBox()
        self.plot.showAxis("right")
        right = self.plot.getAxis("right")
        right.setPen(pg.mkPen(PALETTE.line))
        right.setTextPen(pg.mkPen(PALETTE.text))
        right.setLabel(_tr("cumulative share of the load (%)"), color=PALETTE.text)
        self.plot.scene().addItem(self.share_box)
        self.share_box.setZValue(self.plot.vb.zValue() + 1)  # the line over the bars, not hidden behind them
        right.linkToView(self.share_box)
        self.share_box.setXLink(self.plot)
        self.share_box.setYRange(0, 100, padding=0)
        self.share = pg.PlotDataItem(pen=pg.mkPen(PALETTE.text, width=2), symbol="o", symbolSize=6)
        self.share.setSymbolBrush(PALETTE.text)
        self.share_box.addItem(self.share)
        self.plot.vb.sigResized.connect(lambda: self.share_box.setGeometry(self.plot.vb.sceneBoundingRect()))

    def show_actors(self, actors: Sequence[tuple[str, int, float]]) -> None:
        x = np.arange(len(actors), dtype=float)
        self.bars.setOpts(x=x, height=[n for _, n, _ in actors])
        self.share.setData(x, np.cumsum([s for _, _, s in actors]) * 100.0)
        self.plot.getAxis("bottom").setTicks([[(i, str(i + 1)) for i in range(len(actors))]])  # the rank
        for item in self.names:
            self.plot.removeItem(item)
        self.names = [pg.TextItem(a, color=PALETTE.text, anchor=(0, 0.5), angle=90) for a, _, _ in actors]
        for i, item in enumerate(self.names):
            item.setPos(i, 0)
            self.plot.addItem(item)
        self.plot.setXRange(-0.6, max(len(actors), 1) - 0.4, padding=0)
        self.plot.setYRange(0, max((n for _, n, _ in actors), default=1) * 1.1, padding=0)


class HeatMap(pg.PlotWidget):
    """Alarms raised per area (rows) and hour of day (columns, the plant's clock): darker is more."""

    def __init__(self) -> None:
        super().__init__()
        self.plot = _plot(self, "", _tr("hour of day"))
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setColorMap(pg.ColorMap([0.0, 1.0], [PALETTE.hollow_fill, PALETTE.person]))
        self.plot.addItem(self.image)
        self.plot.showGrid(y=False)
        self.plot.invertY(True)
        self.cells: np.ndarray = np.zeros((0, 24))

    def show_heat(self, heat: Sequence[tuple[str, int, int]], areas: Sequence[tuple[str, str]]) -> None:
        """`areas`: (id, name) rows to show, in order; an area in `heat` and not in `areas` is added."""
        names = dict(areas)
        order = [a for a, _ in areas] + sorted({a for a, _, _ in heat} - set(names))
        row = {a: i for i, a in enumerate(order)}
        self.cells = np.zeros((len(order), 24))
        for area, hour, n in heat:
            self.cells[row[area], hour] = n
        self.image.setImage(self.cells, levels=(0, max(float(self.cells.max()), 1.0)))
        self.image.setRect(0, 0, 24, len(order))
        left = self.plot.getAxis("left")
        labels = [names.get(a, a) for a in order]
        left.setTicks([[(i + 0.5, label) for i, label in enumerate(labels)]])
        metrics = QFontMetrics(self.font())  # the axis does not widen for text ticks by itself
        left.setWidth(max((metrics.horizontalAdvance(label) for label in labels), default=0) + 16)
        self.plot.getAxis("bottom").setTicks([[(h + 0.5, f"{h:02d}") for h in range(0, 24, 3)]])
        self.plot.setRange(xRange=(0, 24), yRange=(0, max(len(order), 1)), padding=0)
