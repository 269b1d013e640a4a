"""The alarm banner: a fixed strip at the top of the main window with what the operator must see first.

ISA-18.2 / EEMUA 191: the unacknowledged alarms, most important first (tier, then priority, then newest
raised), and in a flood a summary of it with the first-out alarm, the likely cause, on a line of its own.
ISA-101: grey and calm; the tier colours appear only on the tier shapes (and a thin edge of the first-out
line), each with its tier in text. Updated from the GUI bridge's timer; all methods run on the Qt thread.

A line stands still while its alarm is on the banner, so that a chattering detector cannot make it jump:
- it shows when its alarm was raised and the value that raised it (`AlarmView.raised`), not the time of an
  acknowledgement, a return or a re-announcement, and its place follows that time;
- it stays while its alarm is unacknowledged, active or returned (ISA-18.2), and its consequences ride on
  it as long as it stays, not only while its cause is active;
- the hold: a chattering alarm keeps its line (calm, saying it is acknowledged) after it is acknowledged,
  until its chatter fades or it is shelved, so its repeats relight the same line (ISA-18.2: shelve it).
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType

from PySide6.QtCore import QCoreApplication, QRect, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from alarms.definitions import Tier
from alarms.noise import FloodState
from alarms.records import AlarmView
from alarms.states import UNACKNOWLEDGED, State
from plant_maps.wearables import Response
from widgets.common.theme import PALETTE
from widgets.common.tiers import TIER_LOOKS, TierMarkers, flag_texts
from widgets.common.time_text import clock_text
from widgets.common.wearable_response import awaiting_response, response_text

LINES = 4
MARKER_SIZE = 14
STATUS_WIDTH = 330  # the right-hand column: count, Silence, sound and speech state
AREA_SAMPLE = "Compressor house"  # area names are cut to this width
MARKER_LEFT = 8
COLUMN_GAP = 14


class Kind(Enum):
    CALM = "calm"  # nothing to show
    HEADER = "header"  # the flood summary
    ALARM = "alarm"
    FIRST_OUT = "first_out"


@dataclass(frozen=True, slots=True)
class BannerLine:
    """One line of the banner as the operator reads it (`text`), and the alarm a click on it opens."""

    kind: Kind
    cells: tuple[str, ...]  # ALARM, FIRST_OUT: tier, time, area, message; otherwise one text
    flag: str = ""
    alarm_id: str | None = None
    tier: Tier | None = None
    quiet: bool = False  # held after acknowledgement (a chattering alarm): drawn in the muted text colour

    @property
    def text(self) -> str:
        return "  ".join(c for c in (*self.cells, f"[{self.flag}]" if self.flag else "") if c)


def banner_order(view: AlarmView) -> tuple[int, bool, int, float]:
    """Tier 1 first, the unacknowledged (and held) before an SOS awaiting its response, the higher priority,
    the newest raised."""
    return (view.tier, awaiting_response(view), -view.priority, -raised_at(view))


def raised_at(view: AlarmView) -> float:
    """When the alarm was raised, as its banner line says."""
    return view.raised.ts if view.raised is not None else view.ts


_HELD = (State.ACKED, State.NORMAL)


def held(view: AlarmView) -> bool:
    """A chattering alarm that was acknowledged keeps its line until its chatter fades or it is shelved."""
    return view.chattering and view.state in _HELD and not awaiting_response(view)


class AlarmBanner(QWidget):
    """Shows the unacknowledged alarms or the flood summary, and the state of sound and speech."""

    alarm_clicked = Signal(str)  # alarm id
    silence_requested = Signal()

    def __init__(self, parent: QWidget | None = None, flood_window_s: float = 600.0) -> None:
        super().__init__(parent)
        self._flood_window_min = round(flood_window_s / 60)
        self._area_names: dict[str, str] = {}
        markers = TierMarkers()
        self._lines = [_LineWidget(markers) for _ in range(LINES)]
        for line in self._lines:
            line.clicked.connect(self.alarm_clicked)
        self.more_label = QLabel()
        bold = self.more_label.font()
        bold.setBold(True)
        self.more_label.setFont(bold)
        self.silence_button = QPushButton(self.tr("Silence"))
        self.silence_button.setToolTip(
            self.tr("Silence the audible alarm (F9); the alarms stay unacknowledged")
        )
        self.silence_button.clicked.connect(self.silence_requested)
        self.sound_label, self.speech_label = QLabel(), QLabel()
        self.waiting = True  # until the first values arrive: calm would be a claim the console cannot make
        self._lay_out()
        self.set_alarms([], [])

    def set_waiting(self, waiting: bool) -> None:
        """While waiting for the first values the banner says so instead of "No unacknowledged alarms"."""
        self.waiting = waiting
        if not waiting and self._lines[0].line is not None and self._lines[0].line.kind is Kind.CALM:
            self._lines[0].show_line(BannerLine(Kind.CALM, (_tr("No unacknowledged alarms"),)))

    def set_areas(self, areas: Sequence[tuple[str, str]]) -> None:
        """The operator areas as (id, name); an area not named here shows its id."""
        self._area_names = dict(areas)

    def set_alarms(
        self,
        views: Sequence[AlarmView],
        floods: Sequence[FloodState],
        responses: Mapping[str, Response] = MappingProxyType({}),
    ) -> None:
        """The alarms to show; `responses` says where the response to each acknowledged SOS or man-down
        stands (those stay on the banner until resolved)."""
        lines, more = banner_lines(views, floods, self._area_names, self._flood_window_min, responses)
        if self.waiting and lines[0].kind is Kind.CALM:
            lines = [BannerLine(Kind.CALM, (_tr("Waiting for the first values from the plant…"),))]
        for row, widget in enumerate(self._lines):
            widget.show_line(lines[row] if row < len(lines) else None)
        _set_elided(self.more_label, self.tr("+{n} more unacknowledged").format(n=more) if more else "")

    def set_sound_state(self, text: str) -> None:
        """E.g. "Sound: tier 1 tone" or "Silenced"."""
        _set_elided(self.sound_label, text)

    def set_speech_status(self, text: str) -> None:
        """E.g. "Speech: espeak-ng" or "Speech unavailable: install espeak-ng"."""
        _set_elided(self.speech_label, text)

    def lines(self) -> list[BannerLine]:
        """The lines shown, top to bottom."""
        return [line.line for line in self._lines if line.line is not None]

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(PALETTE.panel))
        painter.setPen(QColor(PALETTE.line))
        painter.drawLine(0, self.height() - 1, self.width(), self.height() - 1)
        x = self._status.geometry().left() - 8
        painter.drawLine(x, 6, x, self.height() - 7)

    def _lay_out(self) -> None:
        line_height = self.fontMetrics().height() + 8
        lines = QVBoxLayout()
        lines.setSpacing(0)
        for line in self._lines:
            line.setFixedHeight(line_height)
            lines.addWidget(line)
        self._status = QWidget()
        self._status.setFixedWidth(STATUS_WIDTH)
        status = QVBoxLayout(self._status)
        status.setContentsMargins(0, 0, 0, 0)
        status.setSpacing(2)
        status.addWidget(self.more_label)
        status.addWidget(self.silence_button, 0, Qt.AlignmentFlag.AlignLeft)
        status.addWidget(self.sound_label)
        status.addWidget(self.speech_label)
        status.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 4, 8, 5)
        layout.setSpacing(16)
        layout.addLayout(lines, 1)
        layout.addWidget(self._status)
        self.setFixedHeight(LINES * line_height + 9)


def banner_lines(
    views: Sequence[AlarmView],
    floods: Sequence[FloodState],
    area_names: Mapping[str, str],
    flood_window_min: int,
    responses: Mapping[str, Response] = MappingProxyType({}),
) -> tuple[list[BannerLine], int]:
    """The banner's lines and how many unacknowledged alarms they leave out.

    An acknowledged SOS or man-down stays, with where its response stands, until it is resolved: a person
    waiting for help is never off the banner, and it is never calm while one is. A chattering alarm is held
    (see the module's docstring).
    """
    unacked = [v for v in views if v.state in UNACKNOWLEDGED]
    pool = unacked + [v for v in views if awaiting_response(v) or held(v)]
    # Cause first: an alarm that follows from a cause on the banner rides on the cause's line.
    on_banner = {v.id for v in pool}
    grouped: dict[str, list[AlarmView]] = {}
    for v in pool:
        if v.cause in on_banner:
            grouped.setdefault(v.cause, []).append(v)
    lead = [v for v in pool if v.cause not in on_banner]
    by_id = {v.id: v for v in pool}

    def carrier(alarm_id: str) -> str:
        """The line an alarm rides on: its own, or its cause's (an H under its HH) when that is shown."""
        seen = {alarm_id}
        while alarm_id in by_id and by_id[alarm_id].cause in on_banner and by_id[alarm_id].cause not in seen:
            alarm_id = by_id[alarm_id].cause or alarm_id
            seen.add(alarm_id)
        return alarm_id

    firsts = {carrier(f.burst_first_out) for f in floods if f.burst_first_out}
    top = heapq.nsmallest(LINES + 1, lead, key=banner_order)  # a flood has thousands: sort only the top

    def line(v: AlarmView, kind: Kind = Kind.ALARM) -> BannerLine:
        return _alarm_line(v, area_names, kind, responses, grouped.get(v.id, ()), v.id in firsts)

    def left_out(lines: list[BannerLine]) -> int:
        shown = {line.alarm_id for line in lines}
        shown |= {g.id for alarm_id in list(shown) for g in grouped.get(alarm_id or "", ())}
        return sum(v.id not in shown for v in unacked)

    flooding = sorted((f for f in floods if f.flooding), key=lambda f: -f.count)
    if not flooding:
        if not pool:
            return [BannerLine(Kind.CALM, (_tr("No unacknowledged alarms"),))], 0
        lines = [line(v) for v in top[:LINES]]
        return lines, left_out(lines)
    flood, *others = flooding
    header = _tr("ALARM FLOOD — {area}: {n} alarms in {minutes} min").format(
        area=area_names.get(flood.area, flood.area), n=flood.count, minutes=flood_window_min
    )
    if others:
        header += " · " + _tr("also in flood: {areas}").format(
            areas=", ".join(area_names.get(f.area, f.area) for f in others)
        )
    lines = [BannerLine(Kind.HEADER, (header,))]
    # the first-out's line: the alarm itself, or the line it rides on (its H grouped under the HH it became)
    first_id = carrier(flood.first_out) if flood.first_out else None
    first = next((v for v in views if v.id == first_id), None)
    if first is not None:
        lines.append(line(first, Kind.FIRST_OUT))
    elif flood.first_out:
        lines.append(
            BannerLine(Kind.FIRST_OUT, ("", "", "", _tr("First out: {alarm}").format(alarm=flood.first_out)))
        )
    lines += [line(v) for v in top if v.id != first_id][: LINES - len(lines)]
    return lines, left_out(lines)


def _tr(text: str) -> str:
    return QCoreApplication.translate("AlarmBanner", text)


def _alarm_line(
    view: AlarmView,
    area_names: Mapping[str, str],
    kind: Kind = Kind.ALARM,
    responses: Mapping[str, Response] = MappingProxyType({}),
    consequences: Sequence[AlarmView] = (),
    first_out: bool = False,
) -> BannerLine:
    message = (
        view.raised.message if view.raised is not None else view.message
    )  # with the value that raised it
    if kind is Kind.FIRST_OUT:
        message = _tr("First out: {message}").format(message=message)
    if awaiting_response(view):
        message = f"{message} — {response_text(view, responses.get(view.id))}"
    cells = (
        TIER_LOOKS[view.tier].name.upper(),
        clock_text(raised_at(view)),
        area_names.get(view.area, view.area),
        message,
    )
    flags = flag_texts(view, first_out and kind is not Kind.FIRST_OUT)
    if consequences:
        sources = ", ".join(sorted({c.source for c in consequences}))
        flags.insert(0, _tr("+{n} grouped: {sources}").format(n=len(consequences), sources=sources))
    quiet = held(view)
    if quiet:
        flags.insert(0, _tr("acknowledged") if view.active else _tr("acknowledged, returned"))
    return BannerLine(kind, cells, " · ".join(flags), view.id, view.tier, quiet)


def _set_elided(label: QLabel, text: str) -> None:
    """Fit a status text into the fixed column, whole in the tooltip, rather than widen the banner."""
    label.setText(label.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, STATUS_WIDTH))
    label.setToolTip(text)


class _LineWidget(QWidget):
    """Paints one BannerLine in aligned columns; the message is elided to fit, whole in the tooltip."""

    clicked = Signal(str)

    def __init__(self, markers: TierMarkers) -> None:
        super().__init__()
        self.line: BannerLine | None = None
        self._markers = markers
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self._bold = QFont(self.font())
        self._bold.setBold(True)
        normal = self.fontMetrics()
        widths = (  # marker, tier, time, area
            MARKER_SIZE,
            QFontMetrics(self._bold).horizontalAdvance("TIER 1"),
            normal.horizontalAdvance("00:00:00"),
            normal.horizontalAdvance(AREA_SAMPLE),
        )
        lefts, x = [], MARKER_LEFT
        for width in widths:
            x += width + COLUMN_GAP
            lefts.append(x)
        self._columns = tuple(lefts)  # left edges of tier, time, area and message

    def show_line(self, line: BannerLine | None) -> None:
        if line == self.line:
            return
        self.line = line
        text = line.text if line else ""
        self.setToolTip(text)
        self.setAccessibleName(text)
        clickable = line is not None and line.alarm_id is not None
        self.setCursor(Qt.CursorShape.PointingHandCursor if clickable else Qt.CursorShape.ArrowCursor)
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        line = self.line
        if event.button() == Qt.MouseButton.LeftButton and line is not None and line.alarm_id is not None:
            self.clicked.emit(line.alarm_id)

    def paintEvent(self, event: QPaintEvent) -> None:
        line = self.line
        if line is None:
            return
        painter = QPainter(self)
        rect = self.rect()
        if line.kind is Kind.FIRST_OUT:  # a light plate with a thin edge in the tier colour
            painter.fillRect(rect.adjusted(0, 1, 0, -1), QColor(PALETTE.hollow_fill))
            edge = TIER_LOOKS[line.tier].colour if line.tier else PALETTE.text_muted
            painter.fillRect(QRect(0, 1, 3, rect.height() - 2), QColor(edge))
        if line.kind in (Kind.CALM, Kind.HEADER):
            painter.setPen(QColor(PALETTE.text_muted if line.kind is Kind.CALM else PALETTE.text))
            painter.setFont(self._bold if line.kind is Kind.HEADER else self.font())
            painter.drawText(rect.adjusted(8, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter, line.cells[0])
            return
        if line.tier is not None:
            ratio = self.devicePixelRatioF()
            marker = self._markers.pixmap(line.tier, MARKER_SIZE, ratio)
            size = marker.deviceIndependentSize()
            painter.drawPixmap(
                round(MARKER_LEFT + (MARKER_SIZE - size.width()) / 2),
                round((rect.height() - size.height()) / 2),
                marker,
            )
        painter.setPen(QColor(PALETTE.text_muted if line.quiet else PALETTE.text))
        tier, when, area, message = line.cells
        painter.setFont(self._bold)
        self._cell(painter, 0, self._columns[1], tier)
        painter.setFont(self.font())
        self._cell(painter, 1, self._columns[2], when)
        self._cell(painter, 2, self._columns[3], area)
        if line.kind is Kind.FIRST_OUT:
            painter.setFont(self._bold)
        flag = f"  [{line.flag}]" if line.flag else ""
        flag_width = painter.fontMetrics().horizontalAdvance(flag) if flag else 0
        end = self._cell(painter, 3, rect.width() - flag_width - 4, message)
        if flag:
            painter.setPen(QColor(PALETTE.text_muted))
            painter.setFont(self.font())
            painter.drawText(
                QRect(end, 0, rect.width() - end, rect.height()), Qt.AlignmentFlag.AlignVCenter, flag
            )

    def _cell(self, painter: QPainter, column: int, right: int, text: str) -> int:
        """Draw `text` from the column's left edge, elided before `right`; returns where the text ends."""
        left = self._columns[column]
        metrics = painter.fontMetrics()
        shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, max(right - left - 8, 0))
        painter.drawText(QRect(left, 0, right - left, self.height()), Qt.AlignmentFlag.AlignVCenter, shown)
        return left + metrics.horizontalAdvance(shown)
