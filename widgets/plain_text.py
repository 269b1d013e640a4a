"""What people type is shown as they typed it, never as markup.

Qt takes a label's text or a tooltip as rich text when it looks like HTML: a reason typed as
`<h1 style='color:red'>` would show big and red. Labels that show data are plain (`PlainLabel`), and
tooltips that show data go through `plain_tooltip`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import QLabel, QWidget


class PlainLabel(QLabel):
    """A QLabel that never interprets its text as rich text."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setTextFormat(Qt.TextFormat.PlainText)


class ElidedLabel(PlainLabel):
    """A plain label that, short of room, ends in "…": its start (what matters, put first) always shows;
    `text()` stays the whole text."""

    def paintEvent(self, event: QPaintEvent) -> None:
        room = self.contentsRect()
        shown = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, room.width())
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(room, int(self.alignment()), shown)


def plain_tooltip(text: str) -> str:
    """`text` as a tooltip that shows it literally (escaped, so Qt's rich-text guess cannot misread it)."""
    return GuiQt.convertFromPlainText(text, Qt.WhiteSpaceMode.WhiteSpaceNormal)
