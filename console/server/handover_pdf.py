"""The shift handover as a PDF, headless (reportlab, no Qt): `controlroom report shift`, the window and a
headless server all write it the same way.

Page 1: the header (site, period, both leads, their signatures with time and meaning, the snapshot's
SHA-256, the audit trail's verified head), then the KPI table (value, target and the light as a shape and a
word, never colour alone: ISA-101), then the sections. Every text is drawn in a CJK TrueType font
(WenQuanYi Micro Hei, which `scripts/setup` installs) so that Chinese names render; every word of our own
comes through `handover_words`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from alarms.kpis import GROUP_NAMES
from console.server.handover_record import SECTIONS, SIDES, Handover, Item, KpiLine
from console.server.handover_words import _, light_text, section_title

FONT_PATH = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
FONT = "WenQuanYiMicroHei"

# A missed KPI's light: the shape of the alarm tier it looks like on the KPI page (tier 2's amber diamond,
# tier 1's red inverted triangle) beside its word, on a muted fill; a met one stays plain (ISA-101: colour
# only for what is abnormal, and never colour alone).
_SHAPES = {"warn": "◆ ", "bad": "▼ "}
_FILLS = {"warn": "#f6ecc8", "bad": "#f3d3d0"}
_GRID = colors.HexColor("#9a9a9a")
_HEAD = colors.HexColor("#e2e2e2")
_TABLE = [
    ("GRID", (0, 0), (-1, -1), 0.4, _GRID),
    ("BACKGROUND", (0, 0), (-1, 0), _HEAD),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
]


class FontMissing(ValueError):
    """The CJK font is not installed: the message names the file and how to install it."""


@cache
def _font(path: Path = FONT_PATH) -> str:
    """Register the CJK font once per process (its first face in the .ttc collection)."""
    if not path.is_file():
        raise FontMissing(
            f"the CJK font {path} is missing: install it (scripts/setup does: apt-get install fonts-wqy-microhei)"
        )
    pdfmetrics.registerFont(TTFont(FONT, str(path), subfontIndex=0))
    return FONT


def write_pdf(handover: Handover, path: Path, font_path: Path = FONT_PATH) -> Path:
    """Write `handover` to `path` (its folder created); raises FontMissing or OSError saying why not."""
    font = _font(font_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    s = handover.snapshot
    doc = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=14 * mm,
        rightMargin=14 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=f"{_('Shift handover')} {s.id}",
        author=s.outgoing.full_name,
        subject=s.site,
    )
    styles = _Styles(font)
    story: list[Flowable] = [*_header(handover, styles), Spacer(1, 4 * mm)]
    story += _kpis(s.kpis, styles)
    for name in SECTIONS:
        story += _section(section_title(name), s.section(name), styles, _zone(s.timezone))
    doc.build(story, onFirstPage=_footer(handover, font), onLaterPages=_footer(handover, font))
    return path


class _Styles:
    def __init__(self, font: str) -> None:
        self.title = ParagraphStyle("title", fontName=font, fontSize=15, leading=19, spaceAfter=4)
        self.heading = ParagraphStyle(
            "heading", fontName=font, fontSize=11, leading=14, spaceBefore=8, spaceAfter=3, keepWithNext=1
        )
        self.body = ParagraphStyle("body", fontName=font, fontSize=8.5, leading=11)
        self.small = ParagraphStyle("small", fontName=font, fontSize=7.5, leading=9.5)
        self.font = font


def _zone(name: str) -> tzinfo | None:
    return ZoneInfo(name) if name else None


def _time(ts: float | None, zone: tzinfo | None) -> str:
    if ts is None:
        return ""
    return datetime.fromtimestamp(ts, zone).astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def _header(h: Handover, st: _Styles) -> list[Flowable]:
    s = h.snapshot
    zone = _zone(s.timezone)
    offset = datetime.fromtimestamp(s.started, zone).astimezone(zone).strftime("UTC%z")
    rows = [
        (_("Site"), s.site),
        (_("Period"), f"{_time(s.since, zone)} – {_time(s.until, zone)} ({offset})"),
        (_("Outgoing lead"), f"{s.outgoing.full_name} ({s.outgoing.name})"),
        (_("Incoming lead"), f"{s.incoming.full_name} ({s.incoming.name})"),
    ]
    for side in SIDES:
        signed = h.signatures.get(side)
        label = _("Signed (outgoing)") if side == "outgoing" else _("Signed (incoming)")
        text = (
            f"{signed.full_name} ({signed.name}), {_time(signed.ts, zone)}: {signed.meaning}"
            if signed is not None
            else _("not signed")
        )
        rows.append((label, text))
    rows += [
        (_("Finalised"), _time(h.finalised, zone) if h.locked else _("not finalised (draft)")),
        (_("Audit trail"), f"{_('verified up to')} #{s.audit_seq}, {_('hash')} {s.audit_hash}"),
        (_("Snapshot SHA-256"), s.sha256),
        (_("Started at"), f"{_time(s.started, zone)}, {_('console')} {s.console}"),
    ]
    table = Table(
        [[_p(k, st.body), _p(v, st.body)] for k, v in rows],
        colWidths=(38 * mm, None),
        style=TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, _GRID),
                ("BACKGROUND", (0, 0), (0, -1), _HEAD),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        ),
    )
    return [_p(f"{_('Shift handover')} {s.id}", st.title), table]


def _kpis(kpis: tuple[KpiLine, ...], st: _Styles) -> list[Flowable]:
    heading = _p(_("Alarm-system KPIs (ISA-18.2 / EEMUA 191)"), st.heading)
    if not kpis:
        return [heading, _p(_("No KPIs for this period."), st.body)]
    head = [_p(t, st.small) for t in (_("Group"), _("KPI"), _("Value"), _("Target"), _("Light"))]
    rows = [head]
    style = [*_TABLE, ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)]
    for i, k in enumerate(kpis, start=1):
        shape = f'<font size="9">{_SHAPES[k.light]}</font>' if k.light in _SHAPES else ""  # readable size
        rows.append(
            [
                _p(_(GROUP_NAMES[k.group]), st.small),
                _p(_(k.label), st.small),
                _p(k.text, st.small),
                _p(k.target, st.small),
                Paragraph(shape + escape(light_text(k.light, k.target)), st.small),
            ]
        )
        if k.light in _FILLS:
            style.append(("BACKGROUND", (4, i), (4, i), colors.HexColor(_FILLS[k.light])))
    table = Table(rows, colWidths=(24 * mm, 62 * mm, 32 * mm, 32 * mm, 30 * mm), repeatRows=1)
    table.setStyle(TableStyle(style))
    return [heading, table]


def _section(title: str, items: tuple[Item, ...], st: _Styles, zone: tzinfo | None) -> list[Flowable]:
    heading = _p(f"{title} ({len(items)})", st.heading)
    if not items:
        return [heading, _p(_("None."), st.body)]
    head = [_p(t, st.small) for t in (_("Since / at"), _("What"), _("Who"), _("Details"), _("Until"))]
    rows = [head] + [
        [
            _p(_time(i.ts, zone), st.small),
            _p(i.subject, st.small),
            _p(i.who, st.small),
            _p(i.text, st.small),
            _p(_time(i.until, zone), st.small),
        ]
        for i in items
    ]
    table = Table(rows, colWidths=(25 * mm, 32 * mm, 24 * mm, 76 * mm, 25 * mm), repeatRows=1)
    table.setStyle(TableStyle(_TABLE))
    return [heading, table]


def _footer(h: Handover, font: str) -> Callable[[Canvas, Any], None]:
    """Each page's foot: the handover, its state and the page number."""
    state = _("finalised") if h.locked else _("draft, not finalised")

    def draw(canvas: Canvas, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(font, 7.5)
        canvas.drawString(14 * mm, 8 * mm, f"{h.snapshot.site} — {_('Shift handover')} {h.id} — {state}")
        canvas.drawRightString(A4[0] - 14 * mm, 8 * mm, f"{_('page')} {doc.page}")
        canvas.restoreState()

    return draw
