"""What every PDF the console writes shares (the shift handover, the incident's after-action report): the
CJK font, the paragraph styles, the ISA-101 grey table look, the plant's local time and the page's foot.

Every text is drawn in a CJK TrueType font (WenQuanYi Micro Hei, which `scripts/setup` installs) so that
Chinese names render.
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
from reportlab.platypus import Paragraph, SimpleDocTemplate

from console.server.handover_words import _

FONT_PATH = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
FONT = "WenQuanYiMicroHei"
MARGIN = 14 * mm

GRID = colors.HexColor("#9a9a9a")
HEAD = colors.HexColor("#e2e2e2")
TABLE = [
    ("GRID", (0, 0), (-1, -1), 0.4, GRID),
    ("BACKGROUND", (0, 0), (-1, 0), HEAD),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
]
KEY_VALUE = [  # a two-column table of labels (shaded) and their values
    ("GRID", (0, 0), (-1, -1), 0.4, GRID),
    ("BACKGROUND", (0, 0), (0, -1), HEAD),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
]


class FontMissing(ValueError):
    """The CJK font is not installed: the message names the file and how to install it."""


@cache
def register_font(path: Path = FONT_PATH) -> str:
    """Register the CJK font once per process (its first face in the .ttc collection)."""
    if not path.is_file():
        raise FontMissing(
            f"the CJK font {path} is missing: install it (scripts/setup does: apt-get install fonts-wqy-microhei)"
        )
    pdfmetrics.registerFont(TTFont(FONT, str(path), subfontIndex=0))
    return FONT


class Styles:
    def __init__(self, font: str) -> None:
        self.title = ParagraphStyle("title", fontName=font, fontSize=15, leading=19, spaceAfter=4)
        self.heading = ParagraphStyle(
            "heading", fontName=font, fontSize=11, leading=14, spaceBefore=8, spaceAfter=3, keepWithNext=1
        )
        self.body = ParagraphStyle("body", fontName=font, fontSize=8.5, leading=11)
        self.small = ParagraphStyle("small", fontName=font, fontSize=7.5, leading=9.5)
        self.font = font


def document(path: Path, title: str, author: str, subject: str) -> SimpleDocTemplate:
    """An A4 document at `path` (its folder created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author=author,
        subject=subject,
    )


def plant_zone(name: str) -> tzinfo | None:
    """The plant's time zone (IANA name; "": the machine's)."""
    return ZoneInfo(name) if name else None


def local_time(ts: float | None, zone: tzinfo | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if ts is None:
        return ""
    return datetime.fromtimestamp(ts, zone).astimezone(zone).strftime(fmt)


def paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def footer(font: str, left: str) -> Callable[[Canvas, Any], None]:
    """Each page's foot: `left` (what the document is) and the page number."""

    def draw(canvas: Canvas, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(font, 7.5)
        canvas.drawString(MARGIN, 8 * mm, left)
        canvas.drawRightString(A4[0] - MARGIN, 8 * mm, f"{_('page')} {doc.page}")
        canvas.restoreState()

    return draw
