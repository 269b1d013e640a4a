"""The trend view: pens of tags over time, live or historical, with their limits, alarm transitions, the
events of their zones, and the stretches where the data was bad or missing.

A read model like every widget: it draws what it is given (`set_live`, `set_history`, `add_markers`,
`add_events`) and says what it needs (`range_needed` when a range comes into view that is not loaded,
`csv_requested` for an export, `pop_out_requested` for a window of its own); the console's trend feed
answers from the live buffer and the store. Each pen draws its history (min/max buckets from the database,
from the row before the range) up to where the live buffer begins, then the live samples, so a pen added
later shows its past, and a restart shows what the store kept.

ISA-101: grey plot, thin dark pens (never an alarm colour), limits dashed, bad or missing data hatched
grey; colour only on the alarm markers, which carry their tier's shape too. Clicking a pen's legend entry
hides or shows it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QFileDialog

from alarms.definitions import Tier
from alarms.samples import BAD, NO_DATA
from plant_maps.site import Site, TrendSet
from widgets.common.theme import PALETTE, TREND_PENS
from widgets.common.time_text import clock_text
from widgets.trends.trend_controls import TrendControls
from widgets.trends.trend_pens import STALE, Band, Marker, Pen, ZoneEvent, peak_columns, trend_catalogue
from widgets.trends.trend_plots import EVENT_ROW
from widgets.trends.trend_range import RangeDialog
from widgets.trends.trend_time import LIVE_SPANS, preset_range

MAX_PENS = 8
MAX_BANDS = 200  # per pen: the latest; beyond that the plot would be all hatching anyway
REQUEST_DELAY_MS = 150  # pan and zoom settle before history is asked for
SAMPLE_DELAY_MS = 40  # the crosshair over history: the store asked for its samples once the pointer rests
_TIER_SYMBOL = {Tier.LIFE: "t", Tier.HIGH: "d", Tier.LOW: "s"}  # the alarm list's shapes (ISA-101)
_TIER_COLOUR = {Tier.LIFE: PALETTE.alarm_1, Tier.HIGH: PALETTE.alarm_2, Tier.LOW: PALETTE.alarm_3}
_LABEL_AT = (0.55, 0.3, 0.8, 0.15, 0.68, 0.42, 0.9, 0.05)  # where along a limit line its label sits, by unit
_HATCH = QBrush(QColor(88, 88, 88, 70), Qt.BrushStyle.BDiagPattern)  # light: calm, yet unmistakable


def _tr(text: str) -> str:
    return QCoreApplication.translate("TrendView", text)


def band_text(kind: str) -> str:
    return {BAD: _tr("bad quality"), STALE: _tr("stale"), NO_DATA: _tr("no data")}[kind]


class TrendView(TrendControls):
    """Pens from the tag list, the alarm list, the map or a worker; time live or historical; export."""

    range_needed = Signal(list, float, float, int)  # tags, start, end, max points: history and markers
    csv_requested = Signal(str, list, float, float)  # path, tags, start, end: the stored rows as CSV
    pen_added = Signal(str)  # tag: fill it from the live buffer now
    samples_needed = Signal(list, float)  # tags, time: their stored samples at or before it (the crosshair)
    pop_out_requested = Signal()

    def __init__(
        self, site: Site, now: Callable[[], float] = time.time, sets: Sequence[TrendSet] = ()
    ) -> None:
        catalogue = trend_catalogue(site)
        super().__init__(catalogue, sets)
        self.site, self.now, self.catalogue = site, now, catalogue
        self.pens: dict[str, Pen] = {}
        self.limit_lines: dict[tuple[float, str], tuple[pg.InfiniteLine, list[str]]] = {}
        self.events: dict[tuple[str, float, str], ZoneEvent] = {}
        self.event_markers = pg.ScatterPlotItem()
        self.live = True
        self.span_s = LIVE_SPANS[0][1]
        self.range_dialog: RangeDialog | None = None
        self._loaded: tuple[float, float] = (math.inf, -math.inf)  # the range history was last asked for
        self._following = False  # the view moves because it follows now, not because someone panned
        self._request = QTimer(self)
        self._request.setSingleShot(True)
        self._request.setInterval(REQUEST_DELAY_MS)
        self._request.timeout.connect(self._ask_for_history)
        self._cursor_ts = math.nan  # where the crosshair reads
        self._stored: dict[str, tuple[float, float]] | None = None  # the store's samples there, once answered
        self._sample_request = QTimer(self)  # the pointer settles before the store is asked
        self._sample_request.setSingleShot(True)
        self._sample_request.setInterval(SAMPLE_DELAY_MS)
        self._sample_request.timeout.connect(self._ask_for_samples)
        self.plot.scene().sigMouseMoved.connect(self._mouse_moved)
        self.plot.x_range_changed.connect(self._x_range_changed)
        self.plot.resized.connect(self._follow_columns)
        self._rebuild()
        self.follow(self.now())
        self._update_buttons()

    @property
    def legend(self) -> pg.LegendItem:
        return self.plot.legend

    # -- pens -------------------------------------------------------------------------------------------

    def add_pen(self, tag: str) -> bool:
        """Trend `tag` (a sensor or a vital); False, saying why, when it is unknown or the pens are full."""
        if tag in self.pens:
            self.status.setText(self.tr("{tag} is already trended").format(tag=tag))
            return True
        if tag not in self.catalogue:
            self.status.setText(self.tr("{tag} is not a tag of this site").format(tag=tag))
            return False
        if len(self.pens) >= MAX_PENS:
            self.status.setText(self.tr("At most {n} pens: remove one first").format(n=MAX_PENS))
            return False
        colours = [c for c in TREND_PENS if c not in {p.colour for p in self.pens.values()}]
        self.pens[tag] = Pen(self.catalogue[tag], colours[0])
        self._rebuild()
        self._set_checked(tag, True)
        self.status.setText("")
        self._update_buttons()
        self.pen_added.emit(tag)
        self.follow(self.now())
        self._loaded = (math.inf, -math.inf)  # the new pen has no history yet: ask for the whole view
        self._request.start()
        return True

    def remove_pen(self, tag: str) -> None:
        del self.pens[tag]
        self._rebuild()
        self._set_checked(tag, False)
        self._update_buttons()

    def clear_pens(self) -> None:
        for tag in list(self.pens):
            self.remove_pen(tag)

    def tags(self) -> list[str]:
        return list(self.pens)

    def set_stacked(self, stacked: bool) -> None:
        """One plot per unit on a shared time axis, or one plot with an axis per unit."""
        self.stacked_button.setChecked(stacked)
        if self.plot.stacked != (stacked and len(self.plot.units) > 1):
            self._rebuild()

    # -- data (from the trend feed) ---------------------------------------------------------------------

    def set_live(
        self,
        tag: str,
        ts: np.ndarray,
        values: np.ndarray,
        bands: Sequence[Band] | None = None,
        held_until: float | None = None,
    ) -> None:
        """A pen's live samples, the stretches of them that were not good (`live_bands`), and for a tag sent
        on change only, the time its last good value holds until (now)."""
        pen = self.pens.get(tag)
        if pen is not None:
            pen.live, pen.held_until = (ts, values), held_until
            if bands is not None:
                pen.live_bands = list(bands)
            self._redraw(pen)
            if math.isfinite(self._cursor_ts):  # a sample can arrive late (a first value's old time)
                self._show_readout()

    def set_history(
        self,
        series: dict[str, tuple[np.ndarray, np.ndarray]],
        bands: dict[str, list[Band]] | None = None,
    ) -> None:
        """Per tag, the decimated history (x, y) of the range last asked for (NaN breaks the line), and its
        bad and silent stretches."""
        for tag, xy in series.items():
            pen = self.pens.get(tag)
            if pen is not None:
                pen.history = xy
                pen.history_bands = (bands or {}).get(tag, [])
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

    def add_events(self, events: Sequence[ZoneEvent]) -> None:
        """Journal events (store or live); each shown once, along the bottom, where it concerns a pen."""
        before = len(self.events)
        self.events.update((e.key, e) for e in events)
        if len(self.events) != before:
            self._draw_events()

    def shown_events(self) -> list[ZoneEvent]:
        """The events of the trended tags' zones and workers, and the site's own (notes)."""
        zones = {p.tag.zone for p in self.pens.values()} - {""}
        workers = {p.tag.worker for p in self.pens.values()} - {""}
        return sorted(
            (
                e
                for e in self.events.values()
                if e.zone in zones or e.worker in workers or not (e.zone or e.worker)
            ),
            key=lambda e: e.ts,
        )

    def follow(self, now: float) -> None:
        """Live mode: the right edge is now."""
        if self.live:
            self._following = True
            self.plot.getViewBox().setXRange(now - self.span_s, now, padding=0)
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
        self.plot.getViewBox().setXRange(start, end, padding=0)
        self._update_buttons()

    def pick_range(self) -> RangeDialog:
        """The From/To dialog (opened, not blocking); OK shows that range."""
        dialog = RangeDialog(*self.visible_range(), self.now(), self)
        dialog.accepted.connect(lambda: self.show_range(*dialog.chosen()))
        dialog.finished.connect(
            lambda _: self._select_mode(("live", self.span_s) if self.live else ("custom", None))
        )
        self.range_dialog = dialog
        dialog.open()
        return dialog

    def _mode_chosen(self, index: int) -> None:
        kind, arg = self.mode_box.itemData(index)
        if kind == "live":
            self.set_live_span(arg)
        elif kind == "history":
            self.show_range(*preset_range(arg, self.now()))
            self._select_mode((kind, arg))
        elif kind == "pick":
            self.pick_range()

    def _x_range_changed(self) -> None:
        if self.live and not self._following:  # the operator panned or zoomed: stop following
            self.live = False
            self._select_mode(("custom", None))
            self._update_buttons()
        self._follow_columns()
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

    # -- saved state ------------------------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        """What the console keeps of this trend between runs: pens, live span or range, stacked."""
        return {
            "pens": self.tags(),
            "stacked": self.stacked_button.isChecked(),
            "live": self.live,
            "span_s": self.span_s,
            "range": list(self.visible_range()),
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        """Put a saved state back; tags the site no longer has are left out, saying so."""
        self.clear_pens()
        missing = [t for t in state.get("pens", []) if not (isinstance(t, str) and self.add_pen(t))]
        self.set_stacked(bool(state.get("stacked", False)))
        span, shown = state.get("span_s"), state.get("range")
        if state.get("live", True) and isinstance(span, int | float) and span > 0:
            self.set_live_span(float(span))
        elif isinstance(shown, list) and len(shown) == 2 and shown[0] < shown[1]:
            self.show_range(float(shown[0]), float(shown[1]))
        if missing:
            self.status.setText(self.tr("Not in this site: {tags}").format(tags=", ".join(map(str, missing))))

    def load_set(self, trend_set: TrendSet) -> None:
        """A named set of the site file: its pens, following now over its span."""
        self.clear_pens()
        for tag in trend_set.pens:
            self.add_pen(tag)
        self.set_live_span(trend_set.span_s)

    # -- drawing ----------------------------------------------------------------------------------------

    def _rebuild(self) -> None:
        """The plots for the pens' units in the chosen mode, and every pen, limit and event drawn there."""
        for pen in self.pens.values():
            if pen.curve is not None:
                pen.visible = pen.curve.isVisible()  # as the legend left it
        x_range = self.visible_range() if self.plot.plots else (0.0, 1.0)
        units = list(dict.fromkeys(p.tag.unit for p in self.pens.values()))
        self._following = True  # a new layout keeps the time shown: not a pan
        self.plot.build(units, self.stacked_button.isChecked(), x_range)
        self._following = False
        self.limit_lines = {}
        for pen in self.pens.values():
            self._draw_pen(pen)
        self.event_markers = pg.ScatterPlotItem(hoverable=True, tip=lambda x, y, data: data, pxMode=True)
        self.plot.events_box.addItem(self.event_markers)
        self._draw_events()

    def _draw_pen(self, pen: Pen) -> None:
        box = self.plot.box(pen.tag.unit)
        pen.curve = pg.PlotCurveItem(pen=pg.mkPen(pen.colour, width=1), name=pen.label)  # drawn decimated
        pen.curve.setVisible(pen.visible)
        box.addItem(pen.curve)
        self.legend.addItem(pen.curve, pen.label)
        pen.markers = pg.ScatterPlotItem(hoverable=True, tip=lambda x, y, data: data, pxMode=True)
        box.addItem(pen.markers)
        pen.band_items, pen.drawn_bands = [], []
        for limit in pen.tag.limits:
            self._add_limit(limit, pen.tag.id, pen.tag.unit, box)
        self._redraw(pen)
        self._draw_markers(pen)

    def _add_limit(self, limit: tuple[float, str], tag: str, unit: str, box: pg.ViewBox) -> None:
        """One dashed line per level and kind: pens with equal limits (detectors of a kind) share it."""
        if limit not in self.limit_lines:
            inside = [(0, 0), (0, 0)] if limit[1] in ("HH", "H") else [(0, 1), (0, 1)]  # never cut at an edge
            along = _LABEL_AT[self.plot.units.index(unit) % len(_LABEL_AT)]  # units' labels apart
            line = pg.InfiniteLine(
                pos=limit[0],
                angle=0,
                pen=pg.mkPen(PALETTE.equipment_line, width=1, style=Qt.PenStyle.DashLine),
                labelOpts={
                    "position": along,
                    "color": PALETTE.text_muted,
                    "anchors": inside,
                },
                label="",
            )
            box.addItem(line)
            self.limit_lines[limit] = (line, [])
        line, tags = self.limit_lines[limit]
        tags.append(tag)
        line.label.setFormat(f"{limit[1]} {limit[0]:g}  ({', '.join(tags)})")

    def _redraw(self, pen: Pen) -> None:
        if pen.curve is None:
            return
        self._draw_curve(pen, *self._columns())
        bands = pen.bands()[-MAX_BANDS:]
        if bands != pen.drawn_bands:
            self._draw_bands(pen, bands)

    def _columns(self) -> tuple[float, float, float]:
        """Where the curves are drawn: the view and a quarter of it each side (following now, or a short pan,
        reuses them), on columns of one to two pixels, aligned in time so that a column holds the same
        samples however the view moves."""
        x0, x1 = self.visible_range()
        pixels = max(self.plot.getViewBox().width(), 1.0)
        width = 2.0 ** math.ceil(math.log2(max((x1 - x0) / pixels, 1e-6)))
        margin = (x1 - x0) / 4
        return math.floor((x0 - margin) / width) * width, math.ceil((x1 + margin) / width) * width, width

    def _draw_curve(self, pen: Pen, start: float, end: float, width: float) -> None:
        """Peak decimation once per pixel column (`peak_columns`), not of every sample on every frame."""
        pen.columns = (start, end, width)
        pen.curve.setData(*peak_columns(*pen.data(), start, end, width), connect="finite")

    def _follow_columns(self) -> None:
        """The view moved or was resized: draw again the curves that do not hold it at its resolution."""
        x0, x1 = self.visible_range()
        start, end, width = self._columns()
        for pen in self.pens.values():
            if pen.curve is not None and not pen.holds(x0, x1, width):
                self._draw_curve(pen, start, end, width)

    def _draw_bands(self, pen: Pen, bands: list[Band]) -> None:
        """Hatched grey over each stretch of bad, stale or no data, saying which in its tooltip."""
        box = self.plot.box(pen.tag.unit)
        for item in pen.band_items:
            box.removeItem(item)
        pen.band_items, pen.drawn_bands = [], bands
        for start, end, kind in bands:
            region = pg.LinearRegionItem(
                values=(start, max(end, start + 1e-3)), movable=False, brush=_HATCH, pen=pg.mkPen(None)
            )
            region.setZValue(-20)
            region.setToolTip(f"{pen.tag.id}: {band_text(kind)}  {clock_text(start)}–{clock_text(end)}")
            box.addItem(region, ignoreBounds=True)
            pen.band_items.append(region)

    def _draw_markers(self, pen: Pen) -> None:
        marks = sorted(pen.marks.values(), key=lambda m: m.ts)
        pen.markers.setData(
            x=[m.ts for m in marks],
            y=[m.value if _on_scale(m, pen) else pen.value_at(m.ts) for m in marks],
            symbol=[_TIER_SYMBOL.get(m.tier, "o") for m in marks],
            size=11,
            pen=[pg.mkPen(PALETTE.alarm_outline, width=1) for _ in marks],
            brush=[pg.mkBrush(_TIER_COLOUR[m.tier] if m.activation else PALETTE.hollow_fill) for m in marks],
            data=[m.text for m in marks],
        )
        pen.markers.setVisible(bool(marks))  # an empty scatter still costs a paint every frame

    def _draw_events(self) -> None:
        """The zone events as grey stars along the bottom of the (lowest) plot, their text the tooltip."""
        shown = self.shown_events()
        self.event_markers.setData(
            x=[e.ts for e in shown],
            y=[EVENT_ROW] * len(shown),
            symbol="star",
            size=12,
            pen=pg.mkPen(PALETTE.text, width=1),
            brush=pg.mkBrush(PALETTE.equipment_line),
            data=[e.text for e in shown],
        )
        self.event_markers.setVisible(bool(shown))

    def _mouse_moved(self, pos: QPointF) -> None:
        """The crosshair: the time under the pointer, each shown pen's sample at or before it, and an alarm
        or event text if one is within a few pixels."""
        if not self.plot.contains(pos) or not self.pens:
            self.plot.show_cursor(None)
            return
        ts = self.plot.time_at(pos)
        self.plot.show_cursor(ts)
        self._cursor_ts, self._stored = ts, None
        self._show_readout()
        if self._from_store(ts):
            self._sample_request.start()

    def set_samples(self, ts: float, samples: dict[str, tuple[float, float]]) -> None:
        """The store's samples at or before `ts` (tag -> (time, value)); shown if the crosshair is still there."""
        if ts == self._cursor_ts:
            self._stored = samples
            self._show_readout()

    def readout_at(self, ts: float, near_s: float = 0.0) -> str:
        """The crosshair's line: the time, each shown pen's sample at or before it (its value and its own
        time: a sample, never a bucket's low or high), the alarm and event texts within `near_s`."""
        parts = [time.strftime("%Y-%m-%d ", time.localtime(ts)) + _tenths(ts)]
        stored = self._stored if ts == self._cursor_ts else None
        for pen in self.pens.values():
            if pen.curve is not None and pen.curve.isVisible():
                band = pen.band_at(ts)
                parts.append(
                    f"{pen.tag.id}: {band_text(band) if band else self._sample_text(pen, ts, stored)}"
                )
                parts += [m.text for m in pen.marks.values() if abs(m.ts - ts) <= near_s]
        parts += [e.text for e in self.shown_events() if abs(e.ts - ts) <= near_s]
        return "  ·  ".join(parts)

    def _sample_text(self, pen: Pen, ts: float, stored: dict[str, tuple[float, float]] | None) -> str:
        sample = pen.live_sample_at(ts)
        if sample is None:
            if stored is None:
                return "…"  # the store is being asked
            sample = stored.get(pen.tag.id)
        if sample is None or not math.isfinite(sample[1]):
            return self.tr("no value")
        return self.tr("{value} {unit} at {time}").format(
            value=f"{sample[1]:.4g}", unit=pen.tag.unit, time=_tenths(sample[0])
        )

    def _show_readout(self) -> None:
        near_s = 4 * self.plot.getViewBox().viewPixelSize()[0]
        self.readout.setText(self.readout_at(self._cursor_ts, near_s))

    def _from_store(self, ts: float) -> list[str]:
        """The shown pens whose live samples do not reach back to `ts`."""
        return [
            tag
            for tag, pen in self.pens.items()
            if pen.curve is not None and pen.curve.isVisible() and pen.live_sample_at(ts) is None
        ]

    def _ask_for_samples(self) -> None:
        tags = self._from_store(self._cursor_ts)
        if tags:
            self.samples_needed.emit(tags, self._cursor_ts)
        else:  # the live samples reached back meanwhile: read from them, not "…" for ever
            self._show_readout()

    # -- commands ---------------------------------------------------------------------------------------

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


def _tenths(ts: float) -> str:
    """ "14:02:05.3": the crosshair's and a sample's time, fine enough to tell samples a second apart."""
    return f"{clock_text(ts)}.{int(ts * 10) % 10}"


def _on_scale(mark: Marker, pen: Pen) -> bool:
    """The alarm's value reads on the pen's axis: a reading in the tag's unit. A rate (%LEL/min) or a time to
    threshold (s) would squash the curve; such a marker sits on the curve at its time instead."""
    return math.isfinite(mark.value) and mark.unit == pen.tag.unit
