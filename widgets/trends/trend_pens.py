"""What a trend pen holds: the tag it draws (a sensor or a worker's vital), its history and live samples,
the stretches of bad quality or no data, and its alarm transitions; what the plot needs to draw it.

No drawing here: `TrendView` renders pens into whatever plot layout is chosen (one plot, or stacked).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from alarms.definitions import Tier
from alarms.samples import BAD, Quality
from plant_maps.site import Site
from plant_maps.trend_tags import vital_tag, vital_tags

_LIMITS = (("hh", "HH"), ("h", "H"), ("low", "L"), ("ll", "LL"))

_VITAL_NAMES = {
    "heart_rate": QT_TRANSLATE_NOOP("TrendView", "heart rate"),
    "skin_temp_c": QT_TRANSLATE_NOOP("TrendView", "skin temperature"),
    "battery_pct": QT_TRANSLATE_NOOP("TrendView", "battery"),
}
Band = tuple[float, float, str]  # start, end, kind (BAD, NO_DATA or STALE)
STALE = "stale"


@dataclass(frozen=True, slots=True)
class TrendTag:
    """Something a pen can draw: a sensor, or one vital of a worker (`worker` set, no zone of its own)."""

    id: str
    name: str
    unit: str
    zone: str = ""
    limits: tuple[tuple[float, str], ...] = ()  # (level, "HH"): dashed lines
    worker: str = ""


def trend_catalogue(site: Site) -> dict[str, TrendTag]:
    """Every tag a trend can draw, sensors first, then the workers' vitals (`W01.heart_rate`)."""
    tags = {
        s.id: TrendTag(
            s.id,
            s.name,
            s.unit,
            s.zone,
            tuple((lv, nm) for attr, nm in _LIMITS if (lv := getattr(s.limits, attr)) is not None),
        )
        for s in site.sensors
    }
    names = {w.id: w.name for w in site.workers}
    for v in vital_tags(site):
        name = f"{names[v.worker]} {QCoreApplication.translate('TrendView', _VITAL_NAMES[v.vital.field])}"
        tags[v.tag] = TrendTag(v.tag, name, v.vital.unit, worker=v.worker)
    return tags


@dataclass(frozen=True, slots=True)
class Marker:
    """An alarm transition on a pen: when, at what value, which tier, what it says (the tooltip)."""

    key: tuple[str, int, float]  # alarm id, seq, ts: the same transition from the store and live is one
    ts: float
    value: float
    tier: Tier
    activation: bool  # filled in the tier's colour; acknowledgements and clears are hollow grey
    text: str
    unit: str = ""  # of `value`: a rate or a time to threshold is not on the pen's scale


@dataclass(frozen=True, slots=True)
class ZoneEvent:
    """A journal event of a zone (permit suspended, SOS, isolation…) or of the site ("" zone: a note)."""

    key: tuple[str, float, str]  # kind, ts, source: the same event from the store and live is one
    ts: float
    zone: str
    text: str  # time, actor and what happened: the tooltip
    worker: str = ""  # a worker's own event (SOS): shown on the worker's vitals too


def live_bands(ts: np.ndarray, quality: np.ndarray) -> list[Band]:
    """The stretches of live samples that were not good: from such a sample to the next good one (or the
    last sample), named by the first sample's quality."""
    bad = quality != int(Quality.GOOD)
    if not bad.any():
        return []
    edges = np.diff(np.r_[0, bad.astype(np.int8), 0])
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    last = ts.size - 1
    return [
        (float(ts[a]), float(ts[min(b, last)]), STALE if quality[a] == int(Quality.STALE) else BAD)
        for a, b in zip(starts, stops, strict=True)
    ]


def peak_columns(
    x: np.ndarray, y: np.ndarray, start: float, end: float, width: float
) -> tuple[np.ndarray, np.ndarray]:
    """What of (x, y) sorted by x to draw over [start, end] on columns `width` seconds wide (a pixel or
    two): the samples as they are where there are no more than two a column, else each column's lowest and
    highest value (at a quarter and three quarters of it: a spike of one sample still shows) and a NaN
    after a column that held one, so the line breaks where it would. One sample each side of the range is
    kept, so the line runs on past its edges."""
    first = max(int(np.searchsorted(x, start, side="left")) - 1, 0)
    last = int(np.searchsorted(x, end, side="right")) + 1
    x, y = x[first:last], y[first:last]
    if x.size <= 2 * (end - start) / width:
        return x, y
    column = np.floor(x / width)
    starts = np.flatnonzero(np.r_[True, column[1:] != column[:-1]])
    left = column[starts] * width
    with np.errstate(invalid="ignore"):  # an all-NaN column: its low and high are NaN, as they should be
        low, high = np.fmin.reduceat(y, starts), np.fmax.reduceat(y, starts)
    nan = np.isnan(y)
    if not nan.any():
        return np.column_stack((left + 0.25 * width, left + 0.75 * width)).ravel(), np.column_stack(
            (low, high)
        ).ravel()
    xs = np.column_stack((left + 0.25 * width, left + 0.75 * width, left + width))
    ys = np.column_stack((low, high, np.full(low.size, np.nan)))
    keep = np.ones(xs.shape, dtype=bool)
    keep[:, 2] = np.logical_or.reduceat(nan, starts)
    return xs[keep], ys[keep]


@dataclass
class Pen:
    tag: TrendTag
    colour: str
    visible: bool = True  # hidden from the legend
    history: tuple[np.ndarray, np.ndarray] = (np.empty(0), np.empty(0))
    history_bands: list[Band] = field(default_factory=list)
    live: tuple[np.ndarray, np.ndarray] = (np.empty(0), np.empty(0))
    live_bands: list[Band] = field(default_factory=list)
    marks: dict[tuple[str, int, float], Marker] = field(default_factory=dict)
    curve: Any = None  # the plot items (pyqtgraph), made again whenever the plot layout changes
    markers: Any = None
    band_items: list[Any] = field(default_factory=list)
    drawn_bands: list[Band] = field(default_factory=list)
    columns: tuple[float, float, float] = (0.0, 0.0, 0.0)  # start, end, width of what the curve holds
    # A tag sent on change only (OPC UA; the server filtering by deadband) holds its last good value until
    # the next change: its line goes on to this time (now) instead of stopping at the last change as if the
    # data had. None: a tag that is sent periodically, whose silence means no data.
    held_until: float | None = None

    def holds(self, start: float, end: float, width: float) -> bool:
        """The curve holds [start, end] drawn on columns `width` wide (no need to draw it again)."""
        held_start, held_end, held_width = self.columns
        return held_width == width and held_start <= start and end <= held_end

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        """History where the live buffer has nothing yet, then the live samples; a held last good value
        drawn on to `held_until` (a stale or bad last sample, NaN, holds nothing)."""
        x, y = self._samples()
        held = self.held_until
        if held is None or not x.size or not np.isfinite(y[-1]) or held <= x[-1]:
            return x, y
        return np.append(x, held), np.append(y, y[-1])

    def _samples(self) -> tuple[np.ndarray, np.ndarray]:
        (hx, hy), (lx, ly) = self.history, self.live
        if not lx.size:
            return hx, hy
        older = hx < lx[0]
        if not older.any():
            return lx, ly
        return np.concatenate((hx[older], lx)), np.concatenate((hy[older], ly))

    def bands(self) -> list[Band]:
        """History's bands where the live buffer has nothing yet (cut at its start), then the live ones."""
        first = self.live[0][0] if self.live[0].size else math.inf
        older = [(a, min(b, first), kind) for a, b, kind in self.history_bands if a < first]
        return older + self.live_bands

    def band_at(self, ts: float) -> str:
        return next((kind for a, b, kind in self.bands() if a <= ts <= b), "")

    def value_at(self, ts: float) -> float:
        """The drawn line at `ts` (history buckets included): where a marker with no value of its own sits."""
        x, y = self.data()
        i = int(np.searchsorted(x, ts, side="right")) - 1
        return float(y[i]) if i >= 0 else math.nan

    def live_sample_at(self, ts: float) -> tuple[float, float] | None:
        """The live sample at or before `ts` as (its time, its value); None where the live buffer does not
        reach back to `ts`: the history drawn there is buckets' lows and highs, not samples, so the store
        is asked for the sample."""
        x, y = self.live
        i = int(np.searchsorted(x, ts, side="right")) - 1
        return (float(x[i]), float(y[i])) if i >= 0 else None

    @property
    def label(self) -> str:
        return f"{self.tag.id} ({self.tag.unit})"


def vitals_pens(worker: str) -> list[str]:
    """The pens "Trend vitals" adds for a worker: heart rate and skin temperature."""
    return [vital_tag(worker, "heart_rate"), vital_tag(worker, "skin_temp_c")]
