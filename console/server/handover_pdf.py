"""The shift handover as a PDF, headless (reportlab, no Qt): `controlroom report shift`, the window and a
headless server all write it the same way.

Page 1: the header (site, period, both leads, their signatures with time and meaning, the snapshot's
SHA-256, the audit trail's verified head), then the KPI table (value, target and the light as a shape and a
word, never colour alone: ISA-101), then the sections. The CJK font and the table look come from `pdf_parts`;
every word of our own comes through `handover_words`.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from alarms.kpis import GROUP_NAMES
from console.server.handover_record import SECTIONS, SIDES, Handover, Item, KpiLine
from console.server.handover_words import _, light_text, section_title
from console.server.pdf_parts import (
    FONT_PATH,
    KEY_VALUE,
    TABLE,
    Styles,
    document,
    footer,
    local_time,
    paragraph,
    plant_zone,
    register_font,
)

# A missed KPI's light: the shape of the alarm tier it looks like on the KPI page (tier 2's amber diamond,
# tier 1's red inverted triangle) beside its word, on a muted fill; a met one stays plain (ISA-101: colour
# only for what is abnormal, and never colour alone).
_SHAPES = {"warn": "◆ ", "bad": "▼ "}
_FILLS = {"warn": "#f6ecc8", "bad": "#f3d3d0"}


def write_pdf(handover: Handover, path: Path, font_path: Path = FONT_PATH) -> Path:
    """Write `handover` to `path` (its folder created); raises FontMissing or OSError saying why not."""
    font = register_font(font_path)
    s = handover.snapshot
    doc = document(path, f"{_('Shift handover')} {s.id}", s.outgoing.full_name, s.site)
    styles = Styles(font)
    story: list[Flowable] = [*_header(handover, styles), Spacer(1, 4 * mm)]
    story += _kpis(s.kpis, styles)
    for name in SECTIONS:
        story += _section(section_title(name), s.section(name), styles, plant_zone(s.timezone))
    state = _("finalised") if handover.locked else _("draft, not finalised")
    foot = footer(font, f"{s.site} — {_('Shift handover')} {handover.id} — {state}")
    doc.build(story, onFirstPage=foot, onLaterPages=foot)
    return path


def _header(h: Handover, st: Styles) -> list[Flowable]:
    s = h.snapshot
    zone = plant_zone(s.timezone)
    offset = datetime.fromtimestamp(s.started, zone).astimezone(zone).strftime("UTC%z")
    rows = [
        (_("Site"), s.site),
        (_("Period"), f"{local_time(s.since, zone)} – {local_time(s.until, zone)} ({offset})"),
        (_("Outgoing lead"), f"{s.outgoing.full_name} ({s.outgoing.name})"),
        (_("Incoming lead"), f"{s.incoming.full_name} ({s.incoming.name})"),
    ]
    for side in SIDES:
        signed = h.signatures.get(side)
        label = _("Signed (outgoing)") if side == "outgoing" else _("Signed (incoming)")
        text = (
            f"{signed.full_name} ({signed.name}), {local_time(signed.ts, zone)}: {signed.meaning}"
            if signed is not None
            else _("not signed")
        )
        rows.append((label, text))
    rows += [
        (_("Finalised"), local_time(h.finalised, zone) if h.locked else _("not finalised (draft)")),
        (_("Audit trail"), f"{_('verified up to')} #{s.audit_seq}, {_('hash')} {s.audit_hash}"),
        (_("Snapshot SHA-256"), s.sha256),
        (_("Started at"), f"{local_time(s.started, zone)}, {_('console')} {s.console}"),
    ]
    table = Table(
        [[paragraph(k, st.body), paragraph(v, st.body)] for k, v in rows],
        colWidths=(38 * mm, None),
        style=TableStyle(KEY_VALUE),
    )
    return [paragraph(f"{_('Shift handover')} {s.id}", st.title), table]


def _kpis(kpis: tuple[KpiLine, ...], st: Styles) -> list[Flowable]:
    heading = paragraph(_("Alarm-system KPIs (ISA-18.2 / EEMUA 191)"), st.heading)
    if not kpis:
        return [heading, paragraph(_("No KPIs for this period."), st.body)]
    head = [paragraph(t, st.small) for t in (_("Group"), _("KPI"), _("Value"), _("Target"), _("Light"))]
    rows = [head]
    style = [*TABLE, ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)]
    for i, k in enumerate(kpis, start=1):
        shape = f'<font size="9">{_SHAPES[k.light]}</font>' if k.light in _SHAPES else ""  # readable size
        rows.append(
            [
                paragraph(_(GROUP_NAMES[k.group]), st.small),
                paragraph(_(k.label), st.small),
                paragraph(k.text, st.small),
                paragraph(k.target, st.small),
                Paragraph(shape + escape(light_text(k.light, k.target)), st.small),
            ]
        )
        if k.light in _FILLS:
            style.append(("BACKGROUND", (4, i), (4, i), colors.HexColor(_FILLS[k.light])))
    table = Table(rows, colWidths=(24 * mm, 62 * mm, 32 * mm, 32 * mm, 30 * mm), repeatRows=1)
    table.setStyle(TableStyle(style))
    return [heading, table]


def _section(title: str, items: tuple[Item, ...], st: Styles, zone: tzinfo | None) -> list[Flowable]:
    heading = paragraph(f"{title} ({len(items)})", st.heading)
    if not items:
        return [heading, paragraph(_("None."), st.body)]
    head = [paragraph(t, st.small) for t in (_("Since / at"), _("What"), _("Who"), _("Details"), _("Until"))]
    rows = [head] + [
        [
            paragraph(local_time(i.ts, zone), st.small),
            paragraph(i.subject, st.small),
            paragraph(i.who, st.small),
            paragraph(i.text, st.small),
            paragraph(local_time(i.until, zone), st.small),
        ]
        for i in items
    ]
    table = Table(rows, colWidths=(25 * mm, 32 * mm, 24 * mm, 76 * mm, 25 * mm), repeatRows=1)
    table.setStyle(TableStyle(TABLE))
    return [heading, table]
