"""The map's live layers: all detectors as one item and all workers as one item, painted from numpy arrays.

One item per layer (never one per marker): updates copy into preallocated arrays and only schedule a
repaint; a paint maps all positions to pixels at once, culls what is off screen and stamps one prerendered
sprite per marker, so markers keep their size at every zoom. Hit tests for clicks and tooltips are
vectorised too.
All methods run on the Qt thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QPainter, QPen, QPixmap, QTransform
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from alarms.definitions import LimitRule, Tier
from alarms.samples import Quality
from plant_maps.site import Site
from plant_maps.worker_rule_kinds import WorkerRule
from widgets.common.shapes import Shape, marker_pixmap
from widgets.common.theme import MAP_SMALL_FONT_PX, PALETTE
from widgets.common.tiers import TIER_LOOKS
from widgets.common.wearable_response import alert_word
from widgets.map.map_declutter import (
    MARKER,
    NORMAL,
    PERSON_AT_RISK,
    TIER1,
    TIER2,
    TIER3,
    Candidate,
    LabelBoard,
)
from widgets.map.map_static import map_font

# A reading's quality in words when it is not good (the map writes it after the value).
QUALITY_WORDS = {
    Quality.GOOD: QT_TRANSLATE_NOOP("MarkerLayer", "good"),
    Quality.UNCERTAIN: QT_TRANSLATE_NOOP("MarkerLayer", "uncertain"),
    Quality.BAD: QT_TRANSLATE_NOOP("MarkerLayer", "bad"),
    Quality.STALE: QT_TRANSLATE_NOOP("MarkerLayer", "stale"),
}
DETECTOR_VALUES_MIN_SCALE = 8.0  # pixels per metre from which every detector shows its value
WORKER_IDS_MIN_SCALE = 6.0  # pixels per metre from which every worker shows its id
_CULL_MARGIN_PX = 24.0


@dataclass(frozen=True, slots=True)
class MarkerStyle:
    name: str
    shape: Shape
    size: float  # pixels across
    pen: QPen
    brush: QBrush
    inverted: bool = False  # drawn point down (the tier-1 inverted triangle)


def _style(
    name: str,
    shape: Shape,
    size: float,
    line: str,
    width: float,
    fill: str,
    dashed: bool = False,
    inverted: bool = False,
) -> MarkerStyle:
    pen = QPen(QColor(line), width)
    pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
    if dashed:
        pen.setDashPattern([2.0, 1.5])
    return MarkerStyle(name, shape, size, pen, QBrush(QColor(fill)), inverted)


# a crossed limit, by its alarm's tier: the tier's shape and colour as everywhere else, sized for the map
_TIER_MARKER_PX = {Tier.LIFE: 18.0, Tier.HIGH: 17.0, Tier.LOW: 14.0}


def _tier_style(tier: Tier, name: str = "", size: float = 0.0, width: float = 1.0) -> MarkerStyle:
    look = TIER_LOOKS[tier]
    size = size or _TIER_MARKER_PX[tier]
    return _style(
        name or f"tier{int(tier)}",
        look.shape,
        size,
        PALETTE.alarm_outline,
        width,
        look.colour,
        inverted=look.inverted,
    )


def detector_styles() -> tuple[MarkerStyle, ...]:
    """In DetectorLayer's code order: normal, stale, bad, then a crossed limit by tier (3, 2, 1)."""
    p = PALETTE
    return (
        _style("normal", Shape.SQUARE, 7.0, p.marker_line, 1.0, p.marker),
        _style("stale", Shape.SQUARE, 11.0, p.stale, 1.5, p.hollow_fill, dashed=True),
        _style("bad", Shape.SQUARE, 11.0, p.bad_quality, 2.5, p.hollow_fill),
        *(_tier_style(tier) for tier in (Tier.LOW, Tier.HIGH, Tier.LIFE)),
    )


def worker_styles() -> tuple[MarkerStyle, ...]:
    """In WorkerLayer's code order: stale fix, current fix, a worker rule's alarm by tier (3, 2, 1),
    wearable alert and its pulse."""
    p = PALETTE
    return (
        _style("stale", Shape.CIRCLE, 9.0, p.person, 1.5, p.hollow_fill),
        _style("current", Shape.CIRCLE, 8.0, p.hollow_fill, 0.8, p.person),
        *(_tier_style(tier) for tier in (Tier.LOW, Tier.HIGH, Tier.LIFE)),
        _tier_style(Tier.LIFE, "alert", 18.0),
        _tier_style(Tier.LIFE, "alert_pulse", 26.0, 1.5),
    )


# A worker rule's alarm in a word or two, written next to the worker on the map at every zoom.
RULE_WORDS = {
    WorkerRule.NO_PERMIT_ENTRY: QT_TRANSLATE_NOOP("MarkerLayer", "NO PERMIT"),
    WorkerRule.GAS_ALARM_ZONE: QT_TRANSLATE_NOOP("MarkerLayer", "IN GAS ZONE"),
    WorkerRule.EXPIRED_CERTIFICATE: QT_TRANSLATE_NOOP("MarkerLayer", "CERTIFICATE EXPIRED"),
    WorkerRule.LOST_SIGNAL: QT_TRANSLATE_NOOP("MarkerLayer", "NO SIGNAL"),
    WorkerRule.LOW_BATTERY: QT_TRANSLATE_NOOP("MarkerLayer", "BATTERY LOW"),
    WorkerRule.HEART_RATE: QT_TRANSLATE_NOOP("MarkerLayer", "HEART RATE"),
}


def style_pixmap(style: MarkerStyle, ratio: float = 1.0) -> QPixmap:
    """One marker of `style` as the map stamps it (the legend shows the same pixels)."""
    return _sprite(style, ratio)


def _firsts(*columns: np.ndarray) -> np.ndarray:
    """Positions of the first of each distinct tuple across `columns` (arrays of one length), in order."""
    n = columns[0].size
    order = np.lexsort((np.arange(n), *reversed(columns)))  # equal tuples together, the earliest first
    first = np.ones(n, dtype=bool)
    first[1:] = np.any([c[order][1:] != c[order][:-1] for c in columns], axis=0)
    return np.sort(order[first])


def _to_device(transform: QTransform, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scene metres to viewport pixels for every marker at once."""
    px = transform.m11() * x + transform.m21() * y + transform.dx()
    py = transform.m12() * x + transform.m22() * y + transform.dy()
    return px, py


def _sprite(style: MarkerStyle, ratio: float) -> QPixmap:
    pixmap = marker_pixmap(style.shape, style.size, style.pen, style.brush, ratio)
    if not style.inverted:
        return pixmap
    flipped = pixmap.transformed(QTransform().scale(1.0, -1.0))  # the triangle is centred on its area
    flipped.setDevicePixelRatio(ratio)
    return flipped


def _tr(text: str) -> str:
    return QCoreApplication.translate("MarkerLayer", text)


class MarkerLayer(QGraphicsItem):
    """Markers at scene positions `x`, `y` (NaN: not drawn); `code[i]` picks marker i's style.

    Styles are drawn in order, so later styles (the abnormal ones) lie on top. Subclasses say which
    markers carry a text label at a given scale, what it reads, how important it is, and what the tooltip
    says. Labels are placed by the view's `LabelBoard` (right of the marker, else left of it) before the
    layer paints, and painted where the board put them.
    """

    owner = "markers"  # the layer's name on the label board

    def __init__(self, bounds: QRectF, ids: list[str], styles: tuple[MarkerStyle, ...], z: float) -> None:
        super().__init__()
        self.setZValue(z)
        self.ids = ids
        self.styles = styles
        self._bounds = bounds
        self.x = np.full(len(ids), np.nan)
        self.y = np.full(len(ids), np.nan)
        self.code = np.zeros(len(ids), dtype=np.int8)
        self._font = map_font(MAP_SMALL_FONT_PX)
        self._text_pen = QPen(QColor(PALETTE.text))
        self._backing = QColor(PALETTE.panel)  # a light plate keeps text legible over outlines
        self._backing.setAlpha(200)
        self._metrics = metrics = QFontMetricsF(self._font)
        self._text_dx = np.array([s.size / 2 + 4.0 for s in styles])  # text starts right of the marker
        self._text_dy = (metrics.ascent() - metrics.descent()) / 2  # baseline that centres the text
        self._sprites: dict[float, list[QPixmap]] = {}  # per device pixel ratio
        self.board = LabelBoard()  # the view's, shared by every layer
        self._texts: dict[int, str] = {}  # the label of each candidate row of this repaint

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        transform = painter.worldTransform()
        px, py = _to_device(transform, self.x, self.y)
        area = QRectF(painter.viewport()).adjusted(
            -_CULL_MARGIN_PX, -_CULL_MARGIN_PX, _CULL_MARGIN_PX, _CULL_MARGIN_PX
        )
        with np.errstate(invalid="ignore"):  # NaN positions compare false: never on screen
            on_screen = (
                (px >= area.left()) & (px <= area.right()) & (py >= area.top()) & (py <= area.bottom())
            )
        painter.save()
        painter.resetTransform()
        self._paint_markers(painter, px, py, on_screen)
        self._paint_labels(painter)
        painter.restore()

    @property
    def written(self) -> list[int]:
        """The rows whose label this repaint writes, most important first."""
        return [int(row) for row in self.board.keys(self.owner)]

    def label_candidates(self, transform: QTransform, viewport: QRectF) -> list[Candidate]:
        """The labels this layer would write under `transform`: right of the marker, else left of it."""
        if not self.isVisible():
            return []
        px, py = _to_device(transform, self.x, self.y)
        with np.errstate(invalid="ignore"):
            on_screen = (
                (px >= viewport.left())
                & (px <= viewport.right())
                & (py >= viewport.top())
                & (py <= viewport.bottom())
            )
        rows = np.flatnonzero(on_screen & self.labelled(np.sqrt(abs(transform.determinant()))))
        rows = rows[np.argsort(-self.code[rows], kind="stable")]
        metrics, height = self._metrics, self._metrics.height() + 2
        # A label whose start cell an earlier one starts in is skipped below anyway: drop those in one pass
        # first, so that a flood of thousands of labels on a few spots costs a few turns of the loop.
        cell = np.floor_divide(px[rows] + self._text_dx[self.code[rows]], height)
        band = np.floor_divide(np.round(py[rows] + self._text_dy - metrics.ascent() - 1), height)
        rows = rows[_firsts(cell, band)]
        self._texts = {}
        out = []
        # A flood can make thousands of labels: a coarse grid of what this layer's labels already cover
        # skips a label that would start where a more severe one lies, before its text is made, so a
        # repaint costs about a screenful of labels whatever the number of alarms.
        taken: set[tuple[int, int]] = set()
        for row, x, y in zip(rows.tolist(), px[rows].tolist(), py[rows].tolist(), strict=True):
            dx = float(self._text_dx[self.code[row]])
            top = round(y + self._text_dy - metrics.ascent() - 1)
            band = int(top // height)
            if (int((x + dx) // height), band) in taken:
                continue
            text = self._texts[row] = self.label(row)
            width = metrics.horizontalAdvance(text) + 4
            right = QRectF(round(x + dx) - 2, top, width, height)
            left = QRectF(round(x - dx) + 2 - width, top, width, height)
            taken.update(
                (c, band) for c in range(int(right.left() // height), int(right.right() // height) + 1)
            )
            out.append(Candidate(self.owner, row, self.label_priority(int(self.code[row])), (right, left)))
        return out

    def marker_candidates(self, transform: QTransform, viewport: QRectF) -> list[Candidate]:
        """Each marker in view as a fixed obstacle of the label board: what ranks below MARKER (a zone's name,
        a normal reading) is not written over it."""
        if not self.isVisible():
            return []
        px, py = _to_device(transform, self.x, self.y)
        with np.errstate(invalid="ignore"):
            rows = np.flatnonzero(
                (px >= viewport.left())
                & (px <= viewport.right())
                & (py >= viewport.top())
                & (py <= viewport.bottom())
            )
        sizes = np.array([s.size for s in self.styles])[self.code[rows]]
        # Markers of one size on one spot (detectors on one point, a plant zoomed far out) are one obstacle:
        # a flood of thousands then costs the board a few rectangles, not thousands.
        keep = _firsts(px[rows], py[rows], sizes)
        rows, sizes = rows[keep], sizes[keep]
        return [
            Candidate(self.owner, row, MARKER, (QRectF(x - size / 2, y - size / 2, size, size),), fixed=True)
            for row, x, y, size in zip(
                rows.tolist(), px[rows].tolist(), py[rows].tolist(), sizes.tolist(), strict=True
            )
        ]

    def _paint_markers(
        self, painter: QPainter, px: np.ndarray, py: np.ndarray, on_screen: np.ndarray
    ) -> None:
        """Stamp each style's sprite at its markers, in style order (device pixels)."""
        for code, sprite in enumerate(self._sprites_for(painter.device().devicePixelRatioF())):
            rows = on_screen & (self.code == code)
            half = sprite.width() / sprite.devicePixelRatio() / 2
            left = np.rint(px[rows] - half).astype(np.int32)
            top = np.rint(py[rows] - half).astype(np.int32)
            # one stamp per spot, the last one (it is the one on top): a pile of detectors in alarm costs
            # one sprite, not thousands
            last = np.sort(left.size - 1 - _firsts(left[::-1], top[::-1]))
            for x, y in zip(left[last].tolist(), top[last].tolist(), strict=True):
                painter.drawPixmap(x, y, sprite)

    def _paint_labels(self, painter: QPainter) -> None:
        """Write the placed labels on a light plate (a plate keeps the text legible over outlines)."""
        painter.setFont(self._font)
        painter.setPen(self._text_pen)
        ascent = self._metrics.ascent()
        for row in self.board.keys(self.owner):
            plate = self.board.placed(self.owner, row)
            text = self._texts.get(row)
            if plate is None or text is None:
                continue
            painter.fillRect(plate, self._backing)
            painter.drawText(QPointF(plate.left() + 2, plate.top() + 1 + ascent), text)

    def _sprites_for(self, ratio: float) -> list[QPixmap]:
        if ratio not in self._sprites:
            self._sprites[ratio] = [_sprite(s, ratio) for s in self.styles]
        return self._sprites[ratio]

    def hit(self, pos: QPointF, radius: float) -> int | None:
        """The row of the marker nearest to `pos` within `radius` scene units, if any."""
        with np.errstate(invalid="ignore"):
            distance = np.hypot(self.x - pos.x(), self.y - pos.y())
        distance[~np.isfinite(distance)] = np.inf
        row = int(np.argmin(distance)) if distance.size else -1
        return row if row >= 0 and distance[row] <= radius else None

    def style_name(self, row: int) -> str:
        return self.styles[int(self.code[row])].name

    def labelled(self, scale: float) -> np.ndarray:
        """Which markers show their label at `scale` pixels per metre."""
        raise NotImplementedError

    def label(self, row: int) -> str:
        raise NotImplementedError

    def describe(self, row: int) -> str:
        """Tooltip text of one marker."""
        raise NotImplementedError

    def label_priority(self, code: int) -> int:
        """How important the label of a marker drawn in style `code` is (`widgets.map.map_declutter`)."""
        raise NotImplementedError


class DetectorLayer(MarkerLayer):
    """Every site sensor at its fixed position: grey when normal, colour and shape only when abnormal.

    A crossed limit is drawn as the tier of its alarm (`widgets.common.tiers.TIER_LOOKS`: tier 1 a red
    inverted triangle, tier 2 an amber diamond, tier 3 a yellow square), the same symbol as in the banner,
    the alarm list and the event log; which limit it is (H, HH, L, LL) is written next to it.
    """

    NORMAL, STALE, BAD, TIER3, TIER2, TIER1 = range(6)
    _TIER_CODE: ClassVar[dict[Tier, int]] = {Tier.LOW: TIER3, Tier.HIGH: TIER2, Tier.LIFE: TIER1}

    def __init__(self, site: Site, bounds: QRectF, z: float) -> None:
        super().__init__(bounds, [s.id for s in site.sensors], detector_styles(), z)
        self._sensors = site.sensors
        # per sensor, the symbol of its inner (H/L) and outer (HH/LL) limits: the worse tier of the pair
        rules = {rule.tag: rule for rule in site.alarms.definitions.limits}
        self._inner = np.array([self._code(rules.get(s.id), "h", "low") for s in site.sensors], dtype=np.int8)
        self._outer = np.array([self._code(rules.get(s.id), "hh", "ll") for s in site.sensors], dtype=np.int8)
        self.x[:] = [s.x for s in site.sensors]
        self.y[:] = [s.y for s in site.sensors]
        self.code[:] = self.STALE
        self._value = np.full(len(self.ids), np.nan)
        self._quality = np.full(len(self.ids), int(Quality.STALE), dtype=np.int8)

    def set_state(self, value: np.ndarray, quality: np.ndarray, limit_state: np.ndarray) -> None:
        """Take the latest values; quality outranks limits (a value that cannot be trusted is not an alarm here)."""
        np.copyto(self._value, value)
        np.copyto(self._quality, quality, casting="unsafe")
        code = np.where(limit_state >= 2, self._outer, np.where(limit_state == 1, self._inner, self.NORMAL))
        code[(quality != Quality.GOOD) | np.isnan(self._value)] = self.BAD
        code[quality == Quality.STALE] = self.STALE
        self.code[:] = code
        self.update()

    owner = "detectors"

    def label_priority(self, code: int) -> int:
        return {self.TIER1: TIER1, self.TIER2: TIER2, self.NORMAL: NORMAL}.get(code, TIER3)

    def labelled(self, scale: float) -> np.ndarray:
        if scale >= DETECTOR_VALUES_MIN_SCALE:
            return np.ones(self.code.size, dtype=bool)
        return self.code >= self.BAD  # abnormal readings always show their value: shape, colour and text

    def label(self, row: int) -> str:
        """The reading as the operator reads it: "HH 30.0 %LEL", "20.9 %vol", "0.0 %LEL (bad)"."""
        value, quality = self._value[row], Quality(int(self._quality[row]))
        reading = f"{value:.1f} {self._sensors[row].unit}" if np.isfinite(value) else _tr("no value")
        if quality is not Quality.GOOD:
            return _tr("{reading} ({quality})").format(reading=reading, quality=_tr(QUALITY_WORDS[quality]))
        return f"{self._limit_text(row)}{reading}"

    def _code(self, rule: LimitRule | None, *pair: str) -> int:
        tiers = [limit.tier for name in pair if rule is not None and (limit := getattr(rule, name))]
        return self._TIER_CODE[min(tiers)] if tiers else self.TIER3

    def _limit_text(self, row: int) -> str:
        """Which limit is crossed, in words, so that the alarm reads without its colour."""
        limits, value, code = self._sensors[row].limits, self._value[row], self.code[row]
        if code < self.TIER3:
            return ""
        if code == self._outer[row] and (
            (limits.hh is not None and value >= limits.hh) or (limits.ll is not None and value <= limits.ll)
        ):
            return "HH " if limits.hh is not None and value >= limits.hh else "LL "
        return "H " if limits.h is not None and value >= limits.h else "L "

    def describe(self, row: int) -> str:
        sensor = self._sensors[row]
        return f"{sensor.name} ({sensor.id})\n{self.label(row)}"


class WorkerLayer(MarkerLayer):
    """Every site worker at the last position fix: dark dots, hollow when the fix is old.

    A worker with a worker rule's alarm (in a permit zone without a permit, in a gas zone...) is drawn in
    that alarm's tier look (`widgets.common.tiers.TIER_LOOKS`), its id and the rule in words next to it at
    every zoom: never an anonymous dot. A worker in a tier-1 wearable alert (SOS, fall, no motion) is the
    tier-1 look too, with the alert written next to it, and pulses: `pulse()` flips between two sizes,
    driven by the view's timer; a pulse repaints this one item and costs no more than a position update.
    """

    STALE, CURRENT, RULE3, RULE2, RULE1, ALERT, ALERT_PULSE = range(7)
    _RULE_CODE: ClassVar[dict[Tier, int]] = {Tier.LOW: RULE3, Tier.HIGH: RULE2, Tier.LIFE: RULE1}
    _LABEL_PRIORITY: ClassVar[dict[int, int]] = {RULE3: TIER3, RULE2: TIER2, RULE1: PERSON_AT_RISK}

    def __init__(self, site: Site, bounds: QRectF, z: float) -> None:
        super().__init__(bounds, [w.id for w in site.workers], worker_styles(), z)
        self._text_dx[self.ALERT] = self._text_dx[self.ALERT_PULSE]  # the text stays put while it pulses
        self._workers = site.workers
        self._stale = np.zeros(len(self.ids), dtype=bool)
        self._alert = np.zeros(len(self.ids), dtype=bool)
        self._alert_text: dict[int, str] = {}
        self._rule = np.full(len(self.ids), -1, dtype=np.int8)  # the code of each worker's rule alarm
        self._rules: dict[int, tuple[Tier, WorkerRule]] = {}
        self.phase = 0  # 0: the small frame, 1: the large one

    def set_positions(self, x: np.ndarray, y: np.ndarray, stale: np.ndarray) -> None:
        """Latest positions (NaN: never seen) and staleness. The bridge hands them over every flush: only a
        change repaints, so that a quiet map costs nothing."""
        if (
            np.array_equal(x, self.x, equal_nan=True)
            and np.array_equal(y, self.y, equal_nan=True)
            and np.array_equal(stale, self._stale)
        ):
            return
        np.copyto(self.x, x)
        np.copyto(self.y, y)
        np.copyto(self._stale, stale, casting="unsafe")
        self._recode()

    def set_alerts(self, alerts: dict[int, str]) -> None:
        """The rows in a tier-1 alert and the alert in words ("SOS", "MAN DOWN"); all others are cleared."""
        if alerts == self._alert_text:
            return
        self._alert_text = dict(alerts)
        self._alert[:] = False
        self._alert[list(alerts)] = True
        if not alerts:
            self.phase = 0
        self._recode()

    def set_rule_alarms(self, alarms: dict[int, tuple[Tier, WorkerRule]]) -> None:
        """The rows with an active worker rule's alarm, its tier and rule; all others are cleared."""
        if alarms == self._rules:
            return
        self._rules = dict(alarms)
        self._rule[:] = -1
        for row, (tier, _) in alarms.items():
            self._rule[row] = self._RULE_CODE[tier]
        self._recode()

    @property
    def alerting(self) -> bool:
        return bool(self._alert_text)

    def pulse(self) -> None:
        """Next frame of the alert markers (the view's timer calls this twice a second)."""
        self.phase ^= 1
        self._recode()

    def _recode(self) -> None:
        code = np.where(self._stale, self.STALE, self.CURRENT)
        code = np.where(self._rule >= 0, self._rule, code)
        code[self._alert] = self.ALERT + self.phase
        np.copyto(self.code, code, casting="unsafe")
        self.update()

    owner = "workers"

    def label_priority(self, code: int) -> int:
        return TIER1 if code >= self.ALERT else self._LABEL_PRIORITY.get(code, NORMAL)

    def labelled(self, scale: float) -> np.ndarray:
        return self._alert | (self._rule >= 0) | (scale >= WORKER_IDS_MIN_SCALE)

    def label(self, row: int) -> str:
        """ "W01 SOS", "W16 NO PERMIT", or just the id."""
        alert = self._alert_text.get(row)
        if alert:
            return f"{self.ids[row]} {alert_word(alert)}"
        rule = self._rules.get(row)
        return f"{self.ids[row]} {_tr(RULE_WORDS[rule[1]])}" if rule else self.ids[row]

    def describe(self, row: int) -> str:
        worker = self._workers[row]
        alert, rule = self._alert_text.get(row), self._rules.get(row)
        note = "\n" + _tr("{alert} (tier 1)").format(alert=alert_word(alert)) if alert else ""
        if rule is not None:
            note += "\n" + _tr("{alarm} (tier {tier})").format(
                alarm=_tr(RULE_WORDS[rule[1]]), tier=int(rule[0])
            )
        if self._stale[row]:
            note += "\n" + _tr("no recent position fix")
        return f"{worker.name} ({worker.id})\n{worker.role}, {worker.company}{note}"
