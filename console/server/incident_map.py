"""The site as the after-action report draws it (ICS-201's map sketch of the impacted area): zones, equipment
and muster points in the map's ISA-101 greys, the hazard (its zone, its circle) the only colour, and the
workers where they were at one moment as dark grey dots. reportlab graphics, Qt-free.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from reportlab.graphics.shapes import Circle, Drawing, Ellipse, Line, Polygon, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from console.server.incident_report import Positions, distances_m, hazard_circle
from console.server.incidents import Incident
from plant_maps.danger_area import DangerArea
from plant_maps.site import Site

# The map's ISA-101 greys as the screen has them (widgets.common.theme.PALETTE: the server half cannot
# import the window's), and tier 1's red for the hazard alone.
GROUND = colors.HexColor("#CECECE")
FENCE = colors.HexColor("#A4A4A4")
ZONE_FILL = colors.HexColor("#DADADA")
ZONE_LINE = colors.HexColor("#9C9C9C")
EQUIPMENT_FILL = colors.HexColor("#C6C6C6")
EQUIPMENT_LINE = colors.HexColor("#6C6C6C")
TEXT = colors.HexColor("#2E2E2E")
TEXT_MUTED = colors.HexColor("#585858")
PERSON = colors.HexColor("#262626")
HAZARD = colors.HexColor("#D80000")
HAZARD_OPACITY = 0.16
LABEL_PT = 5.5
DOT_PT = 1.7  # a worker's dot radius

Place = Callable[[float, float], tuple[float, float]]  # site metres -> drawing points


def site_map(
    site: Site, incident: Incident, area: DangerArea, positions: Positions, width: float, font: str
) -> Drawing:
    """The whole site `width` points wide (its aspect kept; site y grows downwards as on screen), the
    danger area `area` of `incident` in red, the workers at `positions` (named inside the area)."""
    scale = width / site.width
    height = site.height * scale

    def at(x: float, y: float) -> tuple[float, float]:
        return x * scale, height - y * scale

    d = Drawing(width, height)
    d.add(Rect(0, 0, width, height, fillColor=GROUND, strokeColor=FENCE, strokeWidth=0.6))
    _plant(d, site, at, scale, font)
    _hazard(d, incident, area, at)
    for m in site.muster_points:
        x, y = at(m.x, m.y)
        d.add(Circle(x, y, m.radius * scale, fillColor=None, strokeColor=EQUIPMENT_LINE, strokeWidth=0.5))
        d.add(
            String(x, y - 2, "M", fontName=font, fontSize=LABEL_PT, fillColor=TEXT_MUTED, textAnchor="middle")
        )
    inside = {w for w, metres in distances_m(area, positions).items() if metres == 0.0}
    for worker, where in sorted(positions.items()):
        x, y = at(*where)
        d.add(Circle(x, y, DOT_PT, fillColor=PERSON, strokeColor=colors.white, strokeWidth=0.4))
        if worker in inside:
            label = String(
                x + DOT_PT + 0.8, y - 1.8, worker, fontName=font, fontSize=LABEL_PT - 0.5, fillColor=TEXT
            )
            d.add(label)
    _scale_bar(d, site, scale, font)
    return d


def _plant(d: Drawing, site: Site, place: Place, scale: float, font: str) -> None:
    """The zones, the equipment (rectangles, or ellipses for tanks and vessels) and the zones' names."""
    for zone in site.zones:
        points = [c for p in zone.polygon for c in place(*p)]
        d.add(Polygon(points, fillColor=ZONE_FILL, strokeColor=ZONE_LINE, strokeWidth=0.5))
    look = {"fillColor": EQUIPMENT_FILL, "strokeColor": EQUIPMENT_LINE, "strokeWidth": 0.4}
    for e in site.equipment:
        x, y = place(e.x, e.y)  # the centre
        w, h = e.width * scale, e.height * scale
        d.add(Ellipse(x, y, w / 2, h / 2, **look) if e.round else Rect(x - w / 2, y - h / 2, w, h, **look))
    for zone in site.zones:
        x, y = place(min(p[0] for p in zone.polygon), min(p[1] for p in zone.polygon))
        wide = stringWidth(
            zone.name, font, LABEL_PT
        )  # on a patch of the zone's fill: readable over equipment
        d.add(
            Rect(x + 1.5, y - LABEL_PT - 2, wide + 1, LABEL_PT + 1.5, fillColor=ZONE_FILL, strokeColor=None)
        )
        d.add(String(x + 2, y - LABEL_PT - 1, zone.name, fontName=font, fontSize=LABEL_PT, fillColor=TEXT))


def _hazard(d: Drawing, incident: Incident, area: DangerArea, place: Place) -> None:
    """The danger area (its zone, or its circle with the centre marked): a red outline over a light red wash."""
    points = [c for p in area.polygon for c in place(float(p[0]), float(p[1]))]
    d.add(Polygon(points, fillColor=HAZARD, fillOpacity=HAZARD_OPACITY, strokeColor=HAZARD, strokeWidth=1.3))
    circle = hazard_circle(incident)
    if circle is not None:
        x, y = place(circle[0], circle[1])
        d.add(Line(x - 2.5, y, x + 2.5, y, strokeColor=HAZARD, strokeWidth=0.8))
        d.add(Line(x, y - 2.5, x, y + 2.5, strokeColor=HAZARD, strokeWidth=0.8))


def _scale_bar(d: Drawing, site: Site, scale: float, font: str) -> None:
    """A bar of a round length (1, 2 or 5 times a power of ten, about a fifth of the site) at bottom left."""
    rough = site.width / 5
    power = 10 ** math.floor(math.log10(rough))
    metres = max(m * power for m in (1, 2, 5) if m * power <= rough)
    length = metres * scale
    d.add(Line(4, 4, 4 + length, 4, strokeColor=TEXT, strokeWidth=1.0))
    for x in (4, 4 + length):
        d.add(Line(x, 2.5, x, 5.5, strokeColor=TEXT, strokeWidth=0.8))
    d.add(String(6 + length, 2.5, f"{metres:g} m", fontName=font, fontSize=LABEL_PT, fillColor=TEXT))
