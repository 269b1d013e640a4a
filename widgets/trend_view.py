"""The trend view: pens of tags over time, live or historical, with their limits and alarm transitions.

A read model like every widget: it draws what it is given (`set_live`, `set_history`, `add_markers`) and
says what it needs (`range_needed` when a range comes into view that is not loaded, `csv_requested` for an
export); the console's trend feed answers from the live buffer and the store. Each pen draws its history
(min/max buckets from the database) up to where the live buffer begins, then the live samples, so a pen
added later shows its past, and a restart shows what the store kept.

ISA-101: grey plot, thin dark pens (never an alarm colour), limits dashed; colour only on the alarm
markers, which carry their tier's shape too. Clicking a pen's legend entry hides or shows it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QPointF, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from alarms.definitions import Tier
from plant_maps.site import Sensor, Site
from widgets.alarm_style import clock_text
from widgets.theme import PALETTE, TREND_PENS
from widgets.trend_time import HISTORY_PRESETS, LIVE_SPANS, preset_range

MAX_PENS = 8
REQUEST_DELAY_MS = 150  # pan and zoom settle before history is asked for
_LIMITS = (("hh", "HH"), ("h", "H"), ("low", "L"), ("ll", "LL"))
_TIER_SYMBOL = {Tier.LIFE: "t", Tier.HIGH: "d", Tier.LOW: "s"}  # the alarm list's shapes (ISA-101)
_TIER_COLOUR = {Tier.LIFE: PALETTE.alarm_1, Tier.HIGH: PALETTE.alarm_2, Tier.LOW: PALETTE.alarm_3}


def _tr(text: str) -> str:
    return QCoreApplication.translate("TrendView", text)


@dataclass(frozen=True, slots=True)
class Marker:
    """An alarm transition on a pen: when, at what value, which tier, what it says (the tooltip)."""

    key: tuple[str, int, float]  # alarm id, seq, ts: the same transition from the store and live is one
    ts: float
    value: float
    tier: Tier
    activation: bool  # filled in the tier's colour; acknowledgements and clears are hollow grey
    text: str


@dataclass
class _Pen:
    sensor: Sensor
    curve: pg.PlotDataItem
    markers: pg.ScatterPlotItem
    limits: list[tuple[float, str]]  # (level, "HH"): its dashed lines, shared with pens of equal limits
    history: tuple[np.ndarray, np.ndarray] = (np.empty(0), np.empty(0))
    live: tuple[np.ndarray, np.ndarray] = (np.empty(0), np.empty(0))
    marks: dict[tuple[str, int, float], Marker] = field(default_factory=dict)

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        """History where the live buffer has nothing yet, then the live samples."""
        (hx, hy), (lx, ly) = self.history, self.live
        if lx.size:
            older = hx < lx[0]
            return np.concatenate((hx[older], lx)), np.concatenate((hy[older], ly))
        return hx, hy

    def value_at(self, ts: float) -> float:
        x, y = self.data()
        i = int(np.searchsorted(x, ts, side="right")) - 1
        return float(y[i]) if i >= 0 else math.nan


class TrendView(QWidget):
    """Pens from the tag list, the alarm list or the map; time live or historical; export CSV and PNG."""

    range_needed = Signal(list, float, float, int)  # tags, start, end, max points: history and markers
    csv_requested = Signal(str, list, float, float)  # path, tags, start, end: the stored rows as CSV
    pen_added = Signal(str)  # tag: fill it from the live buffer now

    def __init__(self, site: Site, now: Callable[[], float] = time.time) -> None:
        super().__init__()
        self.site, self.now = site, now
        self.pens: dict[str, _Pen] = {}
        self.limit_lines: dict[tuple[float, str], tuple[pg.InfiniteLine, list[str]]] = {}
        self.live = True
        self.span_s = LIVE_SPANS[0][1]
        self._loaded: tuple[float, float] = (math.inf, -math.inf)  # the range history was last asked for
        self._request = QTimer(self)
        self._request.setSingleShot(True)
        self._request.setInterval(REQUEST_DELAY_MS)
        self._request.timeout.connect(self._ask_for_history)
        self._following = False  # the view moves because it follows now, not because someone panned

        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Find a tag…"))
        self.search.setMaxLength(64)
        self.search.textChanged.connect(self._filter_tags)
        self.search.returnPressed.connect(self._add_first_match)
        self.tag_list = QListWidget()
        for sensor in site.sensors:
            item = QListWidgetItem(f"{sensor.id}  {sensor.name} ({sensor.unit})")
            item.setData(Qt.ItemDataRole.UserRole, sensor.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)  # checked: trended
            self.tag_list.addItem(item)
        self._items = {
            self.tag_list.item(r).data(Qt.ItemDataRole.UserRole): self.tag_list.item(r)
            for r in range(self.tag_list.count())
        }
        self.tag_list.setToolTip(self.tr("Check a tag to trend it; click a pen's legend entry to hide it"))
        self.tag_list.setMinimumHeight(44)
        self.tag_list.itemChanged.connect(self._check_changed)
        self.tag_list.itemDoubleClicked.connect(
            lambda item: self.add_pen(item.data(Qt.ItemDataRole.UserRole))
        )
        self.add_button = QPushButton(self.tr("Add pen"))
        self.add_button.clicked.connect(self._add_selected)
        self.remove_button = QPushButton(self.tr("Remove pen"))
        self.remove_button.clicked.connect(self._remove_selected)
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # it may name a path the operator typed

        self.mode_box = QComboBox()
        for label, span in LIVE_SPANS:
            self.mode_box.addItem(_tr(label), ("live", span))
        for label, key in HISTORY_PRESETS:
            self.mode_box.addItem(_tr(label), ("history", key))
        self.mode_box.addItem(self.tr("Range shown"), ("custom", None))  # after a pan or zoom
        self.mode_box.activated.connect(self._mode_chosen)
        self.live_button = QPushButton(self.tr("Live"))
        self.live_button.setToolTip(self.tr("Follow now again"))
        self.live_button.clicked.connect(lambda: self.set_live_span(self.span_s))
        export = QMenu(self)
        export.setToolTipsVisible(True)
        self.csv_action = export.addAction(self.tr("CSV of the stored rows…"), self._export_csv)
        self.csv_action.setToolTip(self.tr("The stored rows of the visible range, one column per pen"))
        self.png_action = export.addAction(self.tr("PNG image…"), self._export_png)
        self.export_button = QToolButton()  # one button: the dock stays narrow enough beside the alarm list
        self.export_button.setText(self.tr("Export"))
        self.export_button.setToolTip(self.tr("Export the visible range"))
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.export_button.setMenu(export)
        self.readout = QLabel()  # the crosshair's time and every pen's value there (plain text)
        self.readout.setTextFormat(Qt.TextFormat.PlainText)
        for label in (self.readout, self.status):  # long texts are cut at the edge, never widen the window
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        self.plot = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem(orientation="bottom")})
        self._style_plot()
        self.legend = self.plot.addLegend(offset=(8, 8), labelTextColor=PALETTE.text, brush=PALETTE.panel)
        self.cursor = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(PALETTE.equipment_line, width=1))
        self.cursor.setVisible(False)
        self.plot.addItem(self.cursor, ignoreBounds=True)
        self.plot.scene().sigMouseMoved.connect(self._mouse_moved)
        self.plot.getViewBox().sigXRangeChanged.connect(self._x_range_changed)
        self._layout()
        self._update_buttons()

    # -- pens -------------------------------------------------------------------------------------------

    def add_pen(self, tag: str) -> bool:
        """Trend `tag` (a site sensor id); False, saying why, when it is unknown or the pens are full."""
        if tag in self.pens:
            self.status.setText(self.tr("{tag} is already trended").format(tag=tag))
            return True
        if tag not in self.site.tag_index:
            self.status.setText(self.tr("{tag} is not a tag of this site").format(tag=tag))
            return False
        if len(self.pens) >= MAX_PENS:
            self.status.setText(self.tr("At most {n} pens: remove one first").format(n=MAX_PENS))
            return False
        sensor = self.site.sensors[self.site.tag_index[tag]]
        colour = TREND_PENS[len(self.pens) % len(TREND_PENS)]
        curve = pg.PlotDataItem(pen=pg.mkPen(colour, width=1), name=f"{sensor.id} ({sensor.unit})")
        curve.setDownsampling(auto=True, method="peak")
        curve.setClipToView(True)
        self.plot.addItem(curve)
        markers = pg.ScatterPlotItem(hoverable=True, tip=lambda x, y, data: data, pxMode=True)
        self.plot.addItem(markers)
        limits = [
            (level, name) for attr, name in _LIMITS if (level := getattr(sensor.limits, attr)) is not None
        ]
        for limit in limits:
            self._add_limit(limit, tag)
        self.pens[tag] = _Pen(sensor, curve, markers, limits)
        self._set_checked(tag, True)
        self.status.setText("")
        self._update_buttons()
        self.pen_added.emit(tag)
        self.follow(self.now())
        self._loaded = (math.inf, -math.inf)  # the new pen has no history yet: ask for the whole view
        self._request.start()
        return True

    def remove_pen(self, tag: str) -> None:
        pen = self.pens.pop(tag)
        for item in (pen.curve, pen.markers):
            self.plot.removeItem(item)
        for limit in pen.limits:
            self._remove_limit(limit, tag)
        self.legend.removeItem(pen.curve)
        self._set_checked(tag, False)
        self._update_buttons()

    def _set_checked(self, tag: str, on: bool) -> None:
        self.tag_list.blockSignals(True)
        self._items[tag].setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self.tag_list.blockSignals(False)

    def _check_changed(self, item: QListWidgetItem) -> None:
        """A tag checked or unchecked in the list: its pen added (or refused, unchecked again) or removed."""
        tag = item.data(Qt.ItemDataRole.UserRole)
        if item.checkState() == Qt.CheckState.Checked and tag not in self.pens:
            if not self.add_pen(tag):
                self._set_checked(tag, False)
        elif item.checkState() == Qt.CheckState.Unchecked and tag in self.pens:
            self.remove_pen(tag)

    def _add_limit(self, limit: tuple[float, str], tag: str) -> None:
        """One dashed line per level and kind: pens with equal limits (detectors of a kind) share it."""
        if limit not in self.limit_lines:
            line = pg.InfiniteLine(
                pos=limit[0],
                angle=0,
                pen=pg.mkPen(PALETTE.equipment_line, width=1, style=Qt.PenStyle.DashLine),
                labelOpts={"position": 0.55, "color": PALETTE.text_muted, "anchors": [(0, 1), (0, 1)]},
                label="",
            )
            self.plot.addItem(line)
            self.limit_lines[limit] = (line, [])
        line, tags = self.limit_lines[limit]
        tags.append(tag)
        line.label.setFormat(f"{limit[1]} {limit[0]:g}  ({', '.join(tags)})")

    def _remove_limit(self, limit: tuple[float, str], tag: str) -> None:
        line, tags = self.limit_lines[limit]
        tags.remove(tag)
        if tags:
            line.label.setFormat(f"{limit[1]} {limit[0]:g}  ({', '.join(tags)})")
        else:
            self.plot.removeItem(line)
            del self.limit_lines[limit]

    def tags(self) -> list[str]:
        return list(self.pens)

    # -- data (from the trend feed) ---------------------------------------------------------------------

    def set_live(self, tag: str, ts: np.ndarray, values: np.ndarray) -> None:
        pen = self.pens.get(tag)
        if pen is not None:
            pen.live = (ts, values)
            self._redraw(pen)

    def set_history(self, series: dict[str, tuple[np.ndarray, np.ndarray]]) -> None:
        """Per tag, the decimated history (x, y) of the range last asked for; NaN breaks the line."""
        for tag, xy in series.items():
            pen = self.pens.get(tag)
            if pen is not None:
                pen.history = xy
                self._redraw(pen)

    def add_markers(self, markers: Sequence[tuple[str, Marker]]) -> None:
        """(tag, marker) pairs; a transition already shown (from the store or live) is shown once."""
        touched = set()
        for tag, marker in markers:
            pen = self.pens.get(tag)
            if pen is not None:
                pen.marks[marker.key] = marker
                touched.add(tag)
        for tag in touched:
            self._draw_markers(self.pens[tag])

    def follow(self, now: float) -> None:
        """Live mode: the right edge is now."""
        if self.live:
            self._following = True
            self.plot.setXRange(now - self.span_s, now, padding=0)
            self._following = False

    def visible_range(self) -> tuple[float, float]:
        x0, x1 = self.plot.getViewBox().viewRange()[0]
        return float(x0), float(x1)

    # -- time -------------------------------------------------------------------------------------------

    def set_live_span(self, span_s: float) -> None:
        self.live, self.span_s = True, span_s
        self._select_mode(("live", span_s))
        self.follow(self.now())
        self._update_buttons()

    def show_range(self, start: float, end: float) -> None:
        """History mode on [start, end]: stops following now."""
        self.live = False
        self._select_mode(("custom", None))
        self.plot.setXRange(start, end, padding=0)
        self._update_buttons()

    def _mode_chosen(self, index: int) -> None:
        kind, arg = self.mode_box.itemData(index)
        if kind == "live":
            self.set_live_span(arg)
        elif kind == "history":
            self.show_range(*preset_range(arg, self.now()))
            self._select_mode((kind, arg))

    def _select_mode(self, data: tuple[str, object]) -> None:
        for index in range(self.mode_box.count()):  # findData does not compare Python tuples
            if self.mode_box.itemData(index) == data:
                self.mode_box.setCurrentIndex(index)
                return

    def _x_range_changed(self) -> None:
        if self.live and not self._following:  # the operator panned or zoomed: stop following
            self.live = False
            self._select_mode(("custom", None))
            self._update_buttons()
        self._request.start()

    def _ask_for_history(self) -> None:
        """Ask for the history of the view (and a margin each side) unless it is loaded at this resolution."""
        if not self.pens:
            return
        x0, x1 = self.visible_range()
        span = x1 - x0
        ls, le = self._loaded
        tolerance = 0.02 * span
        right_edge = x1 if not self.live else min(x1, self.now())
        covered = x0 >= ls - tolerance and (self.live or right_edge <= le + tolerance)
        if covered and span > (le - ls) / 4:
            return
        start, end = x0 - span / 2, x1 + span / 2
        self._loaded = (start, end)
        points = max(2 * self.plot.width(), 400)
        self.range_needed.emit(self.tags(), start, end, points * 2)

    # -- drawing ----------------------------------------------------------------------------------------

    def _redraw(self, pen: _Pen) -> None:
        x, y = pen.data()
        pen.curve.setData(x, y, connect="finite")

    def _draw_markers(self, pen: _Pen) -> None:
        marks = sorted(pen.marks.values(), key=lambda m: m.ts)
        pen.markers.setData(
            x=[m.ts for m in marks],
            y=[m.value if math.isfinite(m.value) else pen.value_at(m.ts) for m in marks],
            symbol=[_TIER_SYMBOL.get(m.tier, "o") for m in marks],
            size=11,
            pen=[pg.mkPen(PALETTE.alarm_outline, width=1) for _ in marks],
            brush=[pg.mkBrush(_TIER_COLOUR[m.tier] if m.activation else PALETTE.hollow_fill) for m in marks],
            data=[m.text for m in marks],
        )

    def _mouse_moved(self, pos: QPointF) -> None:
        """The crosshair: the time under the pointer, each shown pen's value there, and an alarm text if
        one of the pen's transitions is within a few pixels."""
        view = self.plot.getViewBox()
        if not self.plot.sceneBoundingRect().contains(pos) or not self.pens:
            self.cursor.setVisible(False)
            return
        ts = float(view.mapSceneToView(pos).x())
        self.cursor.setPos(ts)
        self.cursor.setVisible(True)
        self.readout.setText(self.readout_at(ts, near_s=4 * view.viewPixelSize()[0]))

    def readout_at(self, ts: float, near_s: float = 0.0) -> str:
        parts = [time.strftime("%Y-%m-%d ", time.localtime(ts)) + clock_text(ts)]
        for pen in self.pens.values():
            if pen.curve.isVisible():
                value = pen.value_at(ts)
                shown = self.tr("no value") if not math.isfinite(value) else f"{value:.4g} {pen.sensor.unit}"
                parts.append(f"{pen.sensor.id}: {shown}")
                parts += [m.text for m in pen.marks.values() if abs(m.ts - ts) <= near_s]
        return "  ·  ".join(parts)

    # -- commands ---------------------------------------------------------------------------------------

    def _filter_tags(self, text: str) -> None:
        words = text.strip().lower().split()
        for row in range(self.tag_list.count()):
            item = self.tag_list.item(row)
            item.setHidden(not all(w in item.text().lower() for w in words))

    def _visible_tag_items(self) -> list[QListWidgetItem]:
        return [
            self.tag_list.item(r)
            for r in range(self.tag_list.count())
            if not self.tag_list.item(r).isHidden()
        ]

    def _add_first_match(self) -> None:
        shown = self._visible_tag_items()
        if shown:
            self.add_pen(shown[0].data(Qt.ItemDataRole.UserRole))

    def _add_selected(self) -> None:
        for item in self.tag_list.selectedItems():
            self.add_pen(item.data(Qt.ItemDataRole.UserRole))

    def _remove_selected(self) -> None:
        for item in self.tag_list.selectedItems():
            if item.data(Qt.ItemDataRole.UserRole) in self.pens:
                self.remove_pen(item.data(Qt.ItemDataRole.UserRole))

    def _export_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export the visible range"), "trend.csv", "CSV (*.csv)"
        )
        if path:
            self.csv_requested.emit(path, self.tags(), *self.visible_range())

    def _export_png(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export the trend as an image"), "trend.png", "PNG (*.png)"
        )
        if path:
            self.export_png(path)

    def export_png(self, path: str) -> bool:
        ok = self.plot.grab().save(path, "PNG")
        self.status.setText(
            self.tr("Saved {path}").format(path=path)
            if ok
            else self.tr("Could not save {path}").format(path=path)
        )
        return ok

    def _update_buttons(self) -> None:
        has_pens = bool(self.pens)
        self.remove_button.setEnabled(has_pens)
        self.export_button.setEnabled(has_pens)
        self.live_button.setEnabled(not self.live)
        self.live_button.setToolTip(self.tr("Following now") if self.live else self.tr("Follow now again"))

    # -- layout and look --------------------------------------------------------------------------------

    def _style_plot(self) -> None:
        self.plot.setBackground(PALETTE.panel)
        item = self.plot.getPlotItem()
        item.showGrid(x=True, y=True, alpha=0.25)
        for name in ("bottom", "left"):
            axis = item.getAxis(name)
            axis.setPen(pg.mkPen(PALETTE.line))
            axis.setTextPen(pg.mkPen(PALETTE.text))
        item.getViewBox().setMouseEnabled(x=True, y=False)  # pan and zoom the time; values follow the data
        item.getViewBox().enableAutoRange(axis="y")
        item.getViewBox().setAutoVisible(y=True)

    def _layout(self) -> None:
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.search)
        column.addWidget(self.tag_list, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        column.addLayout(buttons)
        right = QWidget()
        plot_column = QVBoxLayout(right)
        plot_column.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        for widget in (self.mode_box, self.live_button, self.export_button):
            bar.addWidget(widget)
        bar.addWidget(self.status, 1)
        plot_column.addLayout(bar)
        plot_column.addWidget(self.readout)
        plot_column.addWidget(self.plot, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([220, 800])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(splitter)
