"""The ISA-101 high-performance palette and the application style sheet.

Grey, low-contrast surroundings so that colour means one thing only: something is abnormal. Alarm colours
are always paired with a shape and text, bad quality is magenta (never an alarm colour) and stale is
hollow grey, so a colour-blind operator reads the same display.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from string import Template

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

STYLE_SHEET = Path(__file__).resolve().parents[2] / "resources" / "theme" / "isa101.qss"


@dataclass(frozen=True, slots=True)
class Palette:
    """Every colour of the console; the style sheet refers to these names as `$name`."""

    background: str = "#C8C8C8"  # window and map surroundings
    panel: str = "#D4D4D4"  # tables, bars, docks
    panel_alt: str = "#CDCDCD"  # alternate table rows
    ground: str = "#CECECE"  # inside the site fence
    fence: str = "#A4A4A4"
    zone_fill: str = "#DADADA"
    zone_line: str = "#9C9C9C"
    equipment_fill: str = "#C6C6C6"
    equipment_line: str = "#6C6C6C"
    line: str = "#A8A8A8"  # widget borders, grid
    selection: str = "#A9B4BE"  # a muted grey-blue: selection is not an alarm
    text: str = "#2E2E2E"
    text_muted: str = "#585858"
    text_disabled: str = "#8A8A8A"
    marker: str = "#787878"  # a detector in its normal state
    marker_line: str = "#505050"
    person: str = "#262626"  # workers
    hollow_fill: str = "#E2E2E2"  # inside hollow (stale) markers
    alarm_1: str = "#D80000"  # tier 1: red, inverted triangle (widgets.common.tiers.TIER_LOOKS)
    alarm_2: str = "#F28C00"  # tier 2: amber, diamond
    alarm_3: str = "#F2D500"  # tier 3: yellow, square
    alarm_outline: str = "#1A1A1A"  # dark edge so alarm shapes read on any fill
    bad_quality: str = "#C800C8"  # magenta: the value cannot be trusted
    stale: str = "#707070"  # hollow, dashed: the value is old


PALETTE = Palette()

# Trend pens: dark and muted so that they read on the grey plot, never an alarm or quality colour
TREND_PENS = ("#1F3A68", "#2E2E2E", "#2F6B4F", "#6B3E26", "#4F3F7A", "#1F6670", "#6A5A1E", "#5A5A5A")

MAP_FONT_PX = 11  # map labels keep their pixel size at every zoom
MAP_SMALL_FONT_PX = 10


def style_sheet() -> str:
    """The QSS with the palette's colours filled in (a missing name raises KeyError, never a silent gap)."""
    return Template(STYLE_SHEET.read_text(encoding="utf-8")).substitute(asdict(PALETTE))


def qt_palette() -> QPalette:
    """The same colours as a QPalette, for whatever the style sheet does not reach (dialogs, plots)."""
    p, role = PALETTE, QPalette.ColorRole
    palette = QPalette()
    for roles, colour in (
        ((role.Window, role.Button), p.background),
        ((role.Base, role.ToolTipBase), p.panel),
        ((role.AlternateBase,), p.panel_alt),
        ((role.WindowText, role.Text, role.ButtonText, role.ToolTipText, role.HighlightedText), p.text),
        ((role.Highlight,), p.selection),
        ((role.PlaceholderText,), p.text_disabled),
    ):
        for r in roles:
            palette.setColor(r, QColor(colour))
    for r in (role.WindowText, role.Text, role.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, r, QColor(p.text_disabled))
    return palette


def apply_theme(app: QApplication) -> None:
    """Style the whole application; call once, before the first window is shown."""
    app.setPalette(qt_palette())
    app.setStyleSheet(style_sheet())
