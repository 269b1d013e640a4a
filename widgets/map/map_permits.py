"""The map's permit layer: every live GB 30871 permit drawn over its zone, with a badge saying what and how.

Live means approved, active or suspended (`permit_lifecycle.LIVE`): work is about to start, running, or
stopped with its equipment still on site. The zone gets an outline and a hatch by state: approved a thin
dashed grey line, active a solid grey line and a light grey hatch, suspended a thick dashed amber line and
an amber cross-hatch (ISA-101: only the abnormal state takes a colour, and line and hatch tell it without
colour too); a zone with several permits takes the look of the most severe. A badge per permit at the zone's top-right corner carries the category code and the state
in words ("HW ACTIVE", "BL SUSPENDED").

Two items: `PermitLayer` lies on the zones, under equipment, detectors and workers, so markers stay on
top and clickable; its `badges` lie above the static layers and show and hide with it. Both paint in
device pixels (hatch spacing and badges keep their size at every zoom); a site has tens of permits, so
one paint is a few hundred lines. All methods run on the Qt thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QPainter, QPainterPath, QPen, QPolygonF, QTransform
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from plant_maps.permit_lifecycle import LIVE, PermitState
from plant_maps.permits import PermitStatus
from plant_maps.site import Site
from widgets.common.permit_look import STATE_LOOKS, category_code, category_grade_text
from widgets.common.plain_text import plain_tooltip
from widgets.common.theme import MAP_SMALL_FONT_PX, PALETTE
from widgets.common.time_text import clock_text
from widgets.map.map_declutter import PERMIT, SUSPENDED, Candidate, LabelBoard
from widgets.map.map_static import PaintedAbove, map_font, name_margin, zone_name_sizes

BADGE_PAD_PX = 4.0  # from the zone's corner, and between a badge's edge and its text
BADGE_GAP_PX = 2.0  # between stacked badges


@dataclass(frozen=True, slots=True)
class OverlayLook:
    line: QPen
    hatch: QPen | None
    hatch_spacing_px: float
    cross: bool  # hatch in both directions
    plate: QBrush  # badge fill
    plate_line: QPen
    bold: bool  # the state word


def _pen(colour: str, width: float, dash: list[float] | None = None) -> QPen:
    pen = QPen(QColor(colour), width)
    pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
    if dash:
        pen.setDashPattern(dash)
    return pen


def permit_looks() -> dict[PermitState, OverlayLook]:
    p = PALETTE
    return {
        PermitState.APPROVED: OverlayLook(
            _pen(p.text_muted, 1.5, [4.0, 3.0]),
            None,
            0.0,
            False,
            QBrush(QColor(p.hollow_fill)),
            _pen(p.text_muted, 1.0, [3.0, 2.0]),
            False,
        ),
        PermitState.ACTIVE: OverlayLook(
            _pen(p.equipment_line, 2.0),
            _pen(p.zone_line, 1.0),
            14.0,
            False,
            QBrush(QColor(p.panel)),
            _pen(p.equipment_line, 1.0),
            False,
        ),
        PermitState.SUSPENDED: OverlayLook(
            _pen(p.alarm_2, 3.0, [3.0, 2.0]),
            _pen(p.alarm_2, 1.0),
            18.0,
            True,
            QBrush(QColor(p.alarm_2)),
            _pen(p.alarm_outline, 1.0),
            True,
        ),
    }


@dataclass(frozen=True, slots=True)
class _Entry:
    status: PermitStatus
    code: str
    word: str
    code_width: float  # pixels
    width: float  # the whole badge, pixels


BADGES = "badges"  # this layer's name on the label board


class PermitLayer(QGraphicsItem):
    """Overlays of the live permits on their zones; `badges` is the companion item with their labels."""

    def __init__(self, site: Site, bounds: QRectF, z: float, badges_z: float) -> None:
        super().__init__()
        self.setZValue(z)
        self.site = site
        self._bounds = bounds
        self._polygons = {zone.id: QPolygonF([QPointF(x, y) for x, y in zone.polygon]) for zone in site.zones}
        self._looks = permit_looks()
        self._name_sizes = zone_name_sizes(site)  # a badge at the top-right corner leaves room for the name
        self._font = map_font(MAP_SMALL_FONT_PX)
        self._bold = map_font(MAP_SMALL_FONT_PX, bold=True)
        self._metrics, self._bold_metrics = QFontMetricsF(self._font), QFontMetricsF(self._bold)
        self._entries: dict[str, _Entry] = {}
        self._by_zone: dict[str, list[_Entry]] = {}  # most severe first, then by id
        self.badges = PaintedAbove(self.paint_badges, bounds, badges_z)
        self.board = LabelBoard()  # the view's: where each badge goes this repaint

    # --- data in ---------------------------------------------------------------------------------------

    def set_permits(self, statuses: Sequence[PermitStatus]) -> None:
        """Draw the live ones among `statuses` (the whole book or just the live permits; others are ignored)."""
        entries = {}
        for s in statuses:
            if s.state not in LIVE or s.permit.zone not in self._polygons:
                continue
            code, look = category_code(s.permit.category), STATE_LOOKS[s.state]
            metrics = self._bold_metrics if self._looks[s.state].bold else self._metrics
            code_width = self._bold_metrics.horizontalAdvance(code) + 2 * BADGE_PAD_PX
            width = code_width + metrics.horizontalAdvance(look.word) + 2 * BADGE_PAD_PX
            entries[s.id] = _Entry(s, code, look.word, code_width, width)
        self._entries = entries
        by_zone: dict[str, list[_Entry]] = {}
        for e in sorted(entries.values(), key=lambda e: (STATE_LOOKS[e.status.state].rank, e.status.id)):
            by_zone.setdefault(e.status.permit.zone, []).append(e)
        self._by_zone = by_zone
        self.update()
        self.badges.update()

    # --- what the operator sees -------------------------------------------------------------------------

    def style_name(self, permit_id: str) -> str:
        """How a permit is drawn: "approved", "active", "suspended", or "" when it is not on the map."""
        entry = self._entries.get(permit_id)
        return entry.status.state.value if entry else ""

    def badge_text(self, permit_id: str) -> str:
        """What a permit's badge reads: "HW ACTIVE", "CS SUSPENDED" ("" when not drawn)."""
        entry = self._entries.get(permit_id)
        return f"{entry.code} {entry.word}" if entry else ""

    def drawn(self) -> list[str]:
        """The permits on the map, by zone, most severe first."""
        return [e.status.id for entries in self._by_zone.values() for e in entries]

    def zone_of(self, permit_id: str) -> str | None:
        entry = self._entries.get(permit_id)
        return entry.status.permit.zone if entry else None

    def badge_rect(self, permit_id: str) -> QRectF | None:
        """Where a permit's badge was drawn in the last repaint, in viewport pixels (None: not drawn)."""
        return self.board.placed(BADGES, permit_id)

    def hit(self, scene_pos: QPointF, viewport_pos: QPointF, transform: QTransform) -> str | None:
        """The permit under a point: its badge, else the most severe live permit of the zone it lies in."""
        badge = self.badge_at(viewport_pos)
        if badge is not None:
            return badge
        for zone_id, entries in self._by_zone.items():
            if self._polygons[zone_id].containsPoint(scene_pos, Qt.FillRule.OddEvenFill):
                return entries[0].status.id
        return None

    def badge_at(self, viewport_pos: QPointF) -> str | None:
        for permit_id in self.board.keys(BADGES):
            rect = self.board.placed(BADGES, permit_id)
            if rect is not None and rect.contains(viewport_pos):
                return str(permit_id)
        return None

    def label_candidates(self, transform: QTransform) -> list[Candidate]:
        """Each badge where it belongs, else a row or two further down the zone; a suspended permit's first."""
        if not self.isVisible():
            return []
        out = []
        for rect, e in self.badge_rects(transform):
            step = rect.height() + BADGE_GAP_PX
            places = tuple(rect.translated(0, k * step) for k in range(3))
            priority = SUSPENDED if e.status.state is PermitState.SUSPENDED else PERMIT
            out.append(Candidate(BADGES, e.status.id, priority, places))
        return out

    def describe(self, permit_id: str) -> str:
        """Tooltip: what, where, who guards it, until when, and why it is stopped (plain text: the title and
        the reason are shown as typed)."""

        def tr(text: str) -> str:
            return QCoreApplication.translate("PermitLayer", text)

        s = self._entries[permit_id].status
        p, site = s.permit, self.site
        guardian = site.workers[site.worker_index[p.guardian]].name if p.guardian in site.worker_index else ""
        lines = [
            f"{p.id} — {category_grade_text(p.category, p.grade)}",
            p.title,
            tr("{state} in {zone}, valid to {time}").format(
                state=STATE_LOOKS[s.state].text, zone=site.zone(p.zone).name, time=clock_text(s.end, False)
            ),
            tr("Guardian {name} ({id}), {n} workers").format(name=guardian, id=p.guardian, n=len(p.workers)),
        ]
        if s.state is PermitState.SUSPENDED and s.reason:
            lines.append(tr("Suspended: {reason}").format(reason=s.reason))
        return plain_tooltip("\n".join(line for line in lines if line))

    # --- painting ----------------------------------------------------------------------------------------

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        if not self._by_zone:
            return
        transform = painter.worldTransform()
        area = QRectF(painter.viewport())
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        # One overlay per zone, in the look of its most severe permit (its badges list every permit there).
        for zone_id, entries in self._by_zone.items():
            look = self._looks[entries[0].status.state]
            polygon = transform.map(self._polygons[zone_id])
            if look.hatch is not None:
                _hatch(painter, polygon, name_margin(self.board, zone_id), area, look)
            painter.setPen(look.line)
            painter.drawPolygon(polygon)
        painter.restore()

    def badge_rects(self, transform: QTransform) -> list[tuple[QRectF, _Entry]]:
        """Every badge's rectangle in viewport pixels: stacked down from the zone's top-right corner, or
        from below the zone's name where the widest badge would cover it (a narrow zone, zoomed out)."""
        height = self._bold_metrics.height() + 2.0
        out = []
        for zone_id, entries in self._by_zone.items():
            box = transform.mapRect(self._polygons[zone_id].boundingRect())
            name_width, name_height = self._name_sizes[zone_id]
            widest = max(e.width for e in entries)
            covers_name = box.right() - BADGE_PAD_PX - widest < box.left() + name_width
            top = box.top() + (name_height if covers_name else 0.0) + BADGE_PAD_PX
            for e in entries:
                out.append((QRectF(box.right() - BADGE_PAD_PX - e.width, top, e.width, height), e))
                top += height + BADGE_GAP_PX
        return out

    def paint_badges(self, painter: QPainter) -> None:
        painter.save()
        painter.resetTransform()
        for permit_id in self.board.keys(BADGES):
            rect, e = self.board.placed(BADGES, permit_id), self._entries.get(str(permit_id))
            if rect is None or e is None:
                continue
            look = self._looks[e.status.state]
            painter.setPen(look.plate_line)
            painter.setBrush(look.plate)
            painter.drawRect(rect)
            painter.setPen(QPen(QColor(PALETTE.text)))
            code_rect = QRectF(rect.left(), rect.top(), e.code_width, rect.height())
            painter.setFont(self._bold)
            painter.drawText(code_rect, Qt.AlignmentFlag.AlignCenter, e.code)
            painter.setPen(look.plate_line)
            painter.drawLine(QLineF(code_rect.topRight(), code_rect.bottomRight()))
            painter.setPen(QPen(QColor(PALETTE.text)))
            painter.setFont(self._bold if look.bold else self._font)
            word_rect = QRectF(code_rect.right(), rect.top(), rect.right() - code_rect.right(), rect.height())
            painter.drawText(word_rect, Qt.AlignmentFlag.AlignCenter, e.word)
        painter.restore()

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: object) -> object:
        if change == QGraphicsItem.GraphicsItemChange.ItemVisibleHasChanged:
            self.badges.setVisible(self.isVisible())  # one layer for the operator
        return super().itemChange(change, value)


def _hatch(painter: QPainter, polygon: QPolygonF, spare: QRectF, area: QRectF, look: OverlayLook) -> None:
    """Diagonal lines (both diagonals when `look.cross`) inside `polygon` but not over `spare` (the zone's
    name), all in device pixels."""
    box = polygon.boundingRect().intersected(area)
    if box.isEmpty() or look.hatch is None:
        return
    path, name = QPainterPath(), QPainterPath()
    path.addPolygon(polygon)
    name.addRect(spare)
    path = path.subtracted(name)
    painter.save()
    painter.setClipPath(path)
    painter.setPen(look.hatch)
    step, span = look.hatch_spacing_px, box.height()
    # Anchor the lines to the polygon, so that the hatch moves with the zone when the map pans.
    origin = polygon.boundingRect().left()
    start = box.left() - span - ((box.left() - span - origin) % step)
    lines = []
    x = start
    while x <= box.right():
        lines.append(QLineF(x, box.bottom(), x + span, box.top()))
        if look.cross:
            lines.append(QLineF(x, box.top(), x + span, box.bottom()))
        x += step
    painter.drawLines(lines)
    painter.restore()
