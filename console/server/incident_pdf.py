"""The incident's after-action report as a PDF, headless (reportlab, no Qt): `controlroom report incident`
and the window write it the same way (`write_incident_report`).

Page 1: the summary (what, where, who declared and closed it and when, how long, command and its
transfers, the close reason, the objectives), the first response against the seeds' 90 s (a miss marked
by tier 1's shape and a word, never colour alone: ISA-101), and the site at the declaration and at the close
(`incident_map`). Then the actions taken, the people and the permits involved, and the whole timeline (a
table that splits across pages under a repeated header).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import tzinfo
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Spacer, Table, TableStyle
from reportlab.platypus.flowables import KeepTogether

from console.server.handover_words import _, state_words
from console.server.incident_map import site_map
from console.server.incident_report import (
    IncidentReport,
    MapFrame,
    PositionsAt,
    distances_m,
    gather,
    hazard_circle,
)
from console.server.incident_words import (
    kind_words,
    response_words,
    severity_words,
    type_words,
    verdict_words,
)
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
from integrations.storage import Store
from plant_maps.site import Site

SECONDS = "%Y-%m-%d %H:%M:%S"
_MISSED_FILL = colors.HexColor("#f3d3d0")  # as a KPI far off its target on the handover
_MISSED_SHAPE = "▼ "  # tier 1's inverted triangle
_MAP_GAP = 4 * mm
_SECTION_START = 30 * mm  # room a section needs to start on a page: its heading and a few rows
_FRAME_PADDING = 6  # reportlab's Frame pads each side by 6 pt: what a flowable gets is narrower


def write_incident_report(
    store: Store,
    site: Site,
    incident_id: str,
    path: Path,
    *,
    positions_at: PositionsAt | None = None,
    timezone: str = "",
    made: float | None = None,
) -> Path:
    """Gather and write the report of `incident_id` to `path`; blocks on the database (run it on a worker
    thread from the loop). Raises StorageError (no such incident), FontMissing or OSError saying why not."""
    report = gather(store, site, incident_id, time.time() if made is None else made, positions_at, timezone)
    return write_pdf(report, path)


def write_pdf(report: IncidentReport, path: Path, font_path: Path = FONT_PATH) -> Path:
    """Write `report` to `path` (its folder created); raises FontMissing or OSError saying why not."""
    font = register_font(font_path)
    i = report.incident
    title = f"{_('After-action report')} {i.id}"
    doc = document(path, title, report.declared_by, report.site.name)
    st = Styles(font)
    zone = plant_zone(report.timezone)
    story: list[Flowable] = [
        paragraph(f"{title} — {type_words(i.type)}", st.title),
        _summary(report, st, zone),
    ]
    story += [Spacer(1, 3 * mm), _first_response(report, st, zone)]
    story += _maps(report, st, zone, doc.width - 2 * _FRAME_PADDING)
    story += _actions(report, st, zone)
    story += _people(report, st)
    story += _permits(report, st, zone)
    story += _timeline(report, st, zone)
    state = _("closed") if i.closed is not None else _("open at the report")
    foot = footer(font, f"{report.site.name} — {title} — {state}")
    doc.build(story, onFirstPage=foot, onLaterPages=foot)
    return path


def _summary(r: IncidentReport, st: Styles, zone: tzinfo | None) -> Table:
    i, site = r.incident, r.site
    where = site.zone_name(i.zone) if i.zone else ""
    circle = hazard_circle(i)
    if circle is not None:
        point = f"{_('point')} ({circle[0]:.0f}, {circle[1]:.0f}), {_('hazard radius')} {circle[2]:g} m"
        where = f"{where}; {point}" if where else point
    origin = f"{_('from alarm')} {i.origin}" if i.origin else _("by hand")
    closed = (
        f"{local_time(i.closed, zone, SECONDS)}, {_('by')} {r.closed_by}"
        if i.closed is not None
        else f"{_('still open at the report')} ({local_time(r.made, zone, SECONDS)})"
    )
    commander = i.commander
    if r.transfers:
        commander += f" ({_('declared with')} {r.transfers[0].before})"
    rows = [
        (_("Incident"), f"{i.id}: {type_words(i.type)}, {_('severity')} {severity_words(i.severity)}"),
        (_("Where"), where),
        (_("Declared"), f"{local_time(i.declared, zone, SECONDS)}, {_('by')} {r.declared_by}, {origin}"),
        (_("Timeline from"), local_time(i.since, zone, SECONDS)),
        (_("Closed"), closed),
        (_("Duration"), _duration(r.end - i.declared)),
        (_("Incident commander"), commander),
        (_("Safety officer"), i.safety_officer),
    ]
    for t in r.transfers:
        rows.append(
            (
                _("Command transferred"),
                f"{local_time(t.ts, zone, SECONDS)}: {t.before} → {t.after} ({_('by')} {t.actor}): {t.reason}",
            )
        )
    if i.closed is not None:
        rows.append((_("Close reason"), r.close_reason))
    objectives = [f"{local_time(o.ts, zone, '%H:%M:%S')} {o.actor}: {o.text}" for o in i.objectives]
    rows.append((_("Objectives"), "\n".join(objectives) or _("None.")))
    cells = [[paragraph(k, st.body), _lines(v, st.body)] for k, v in rows]
    return Table(cells, colWidths=(36 * mm, None), style=TableStyle(KEY_VALUE))


def _lines(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph keeping the text's line breaks."""
    return Paragraph("<br/>".join(escape(line) for line in text.split("\n")), style)


def _duration(seconds: float) -> str:
    whole = max(0, round(seconds))
    hours, rest = divmod(whole, 3600)
    return f"{hours:d}:{rest // 60:02d}:{rest % 60:02d}"


def _first_response(r: IncidentReport, st: Styles, zone: tzinfo | None) -> Flowable:
    f = r.first_response
    target = f"{_('target')} ≤ {f.target_s:g} s ({_('the seeds: alarm to first response')})"
    if not f.alarm:
        text = f"{_('First response')}: {_('declared by hand, no alarm to answer')}; {target}"
        return paragraph(text, st.body)
    if f.raised is None:
        text = f"{_('First response')}: {f.alarm} {_('raised before the journal began')}; {target}"
        return paragraph(text, st.body)
    verdict = verdict_words(f.met, f.answered is not None)
    seconds = f.seconds or 0.0
    if f.answered is not None:
        at = local_time(f.answered, zone, "%H:%M:%S")
        answer = f"{seconds:.0f} s, {response_words(f.how)} {_('by')} {f.by} {_('at')} {at}"
    else:
        answer = f"{_('not answered after')} {seconds:.0f} s"
    raised = f"{f.alarm} {_('raised at')} {local_time(f.raised, zone, '%H:%M:%S')}"
    text = f"{_('First response')}: {answer} ({raised}); {target}: "
    missed = f.met is False
    shape = f'<font size="10">{_MISSED_SHAPE}</font>' if missed else ""
    cell = Paragraph(f"{escape(text)}{shape}<b>{escape(verdict.upper())}</b>", st.body)
    style = [("BOX", (0, 0), (-1, -1), 0.6, colors.HexColor("#6c6c6c"))]
    if missed:
        style.append(("BACKGROUND", (0, 0), (-1, -1), _MISSED_FILL))
    return Table([[cell]], style=TableStyle(style))


def _maps(r: IncidentReport, st: Styles, zone: tzinfo | None, width: float) -> list[Flowable]:
    each = (width - _MAP_GAP) / 2
    drawings = [site_map(r.site, r.incident, r.area, m.positions, each, st.font) for m in r.maps]
    captions = [_map_caption(r, m, zone) for m in r.maps]
    table = Table(
        [drawings, [paragraph(c, st.small) for c in captions]],
        colWidths=(each + _MAP_GAP / 2, each + _MAP_GAP / 2),
        style=TableStyle(
            [
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), _MAP_GAP / 2),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        ),
    )
    legend = _(
        "Red: the hazard area (its zone, its circle); dark grey dots: workers, named inside the hazard area; "
        "M: a muster point."
    )
    heading = paragraph(_("The site at the declaration and at the close"), st.heading)
    return [KeepTogether([heading, table, paragraph(legend, st.small)])]


def _map_caption(r: IncidentReport, m: MapFrame, zone: tzinfo | None) -> str:
    when = f"{m.title}, {_clock(r, zone)(m.ts)}"
    if not m.positions:
        return f"{when}: {_('worker positions not known for this moment')}"
    inside = sum(metres == 0.0 for metres in distances_m(r.area, m.positions).values())
    return f"{when}: {len(m.positions)} {_('workers placed')}, {inside} {_('in the hazard area')}"


def _section(
    title: str, head: Sequence[str], rows: list[list[str]], widths: Sequence[float], st: Styles
) -> list[Flowable]:
    """A heading and its table, which splits across pages under its header: the heading starts a new page
    only when fewer than a few rows would fit under it (keeping it with the whole table would push a long
    one to the next page)."""
    heading = paragraph(f"{title} ({len(rows)})", ParagraphStyle("section", st.heading, keepWithNext=0))
    if not rows:
        return [CondPageBreak(_SECTION_START), heading, paragraph(_("None."), st.body)]
    cells = [[paragraph(h, st.small) for h in head]] + [[_lines(c, st.small) for c in row] for row in rows]
    table = Table(cells, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle([*TABLE, ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)])
    )
    return [CondPageBreak(_SECTION_START), heading, table]


def _clock(r: IncidentReport, zone: tzinfo | None) -> Callable[[float], str]:
    """Times of the day, with the date when the incident spans more than one."""
    one_day = local_time(r.incident.since, zone, "%Y-%m-%d") == local_time(r.end, zone, "%Y-%m-%d")
    fmt = "%H:%M:%S" if one_day else SECONDS
    return lambda ts: local_time(ts, zone, fmt)


def _actor(actor: str) -> str:
    return actor or _("system")


def _actions(r: IncidentReport, st: Styles, zone: tzinfo | None) -> list[Flowable]:
    at = _clock(r, zone)
    rows = [[at(a.ts), _actor(a.actor), a.text] for a in r.actions]
    return _section(_("Actions taken"), (_("Time"), _("By"), _("What")), rows, (22 * mm, 26 * mm, None), st)


def _people(r: IncidentReport, st: Styles) -> list[Flowable]:
    rows = [[p.worker, p.name, "; ".join(p.how)] for p in r.people]
    return _section(
        _("People involved"), (_("Worker"), _("Name"), _("How involved")), rows, (18 * mm, 30 * mm, None), st
    )


def _permits(r: IncidentReport, st: Styles, zone: tzinfo | None) -> list[Flowable]:
    at = _clock(r, zone)
    rows = []
    for p in r.permits:
        changes = "\n".join(
            f"{at(c.ts)} {state_words(c.before)} → {state_words(c.after)} ({_actor(c.actor)})"
            + (f": {c.reason}" if c.reason else "")
            for c in p.changes
        )
        title = f"{p.permit.title} ({p.permit.category.replace('_', ' ')}, {p.zone})"
        rows.append([p.permit.id, title, state_words(p.state_before), changes or _("no change")])
    head = (_("Permit"), _("Work"), _("State at the start"), _("Changes during the incident"))
    return _section(_("Permits involved"), head, rows, (22 * mm, 48 * mm, 24 * mm, None), st)


def _timeline(r: IncidentReport, st: Styles, zone: tzinfo | None) -> list[Flowable]:
    at = _clock(r, zone)
    rows = [[at(e.ts), _actor(e.actor), kind_words(e.kind), e.text] for e in r.timeline]
    head = (_("Time"), _("Actor"), _("Kind"), _("What happened"))
    return _section(_("Timeline"), head, rows, (18 * mm, 22 * mm, 22 * mm, None), st)
