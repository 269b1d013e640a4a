"""Small pieces of the panels' look shared by the permit card, the worker details and the muster board.

A command the lifecycle does not allow stays in place and reads as unavailable (ISA-101: grey, not
hidden; the style sheet greys disabled widgets). Runs on the Qt thread.
"""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QPushButton, QWidget


def command_button(text: str, tooltip: str = "") -> QPushButton:
    button = QPushButton(text)
    if tooltip:
        button.setToolTip(tooltip)
    return button


def heading_font(widget: QWidget) -> QFont:
    """Bold and a little larger than the widget's font: a card's or panel's title."""
    font = QFont(widget.font())
    font.setBold(True)
    font.setPixelSize(max(15, round(widget.fontMetrics().height() * 1.1)))
    return font


def set_bold(label: QLabel, bold: bool) -> None:
    font = label.font()
    font.setBold(bold)
    label.setFont(font)


def section_heading(text: str) -> QLabel:
    label = QLabel(text)
    set_bold(label, True)
    label.setContentsMargins(0, 8, 0, 0)
    return label
