"""What people type is shown as they typed it, never as markup; and no text, however long, widens a window.

Qt takes a label's text or a tooltip as rich text when it looks like HTML: a reason typed as
`<h1 style='color:red'>` would show big and red. Labels that show data are plain (`PlainLabel`), and
tooltips that show data go through `plain_tooltip`.

A QLabel asks its layout for the width of its whole text (or of its longest word, wrapped), and a top-level
window grows to what its layouts ask for: one long outcome line once pushed the console past a 1366-pixel
screen. A label whose text can grow is an `ElidedLabel`: it asks for a few characters, shows what fits
(ending in "…"), and shows the whole text as its tooltip.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QFontMetrics, QPainter, QPaintEvent, QTextLayout, QTextOption
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import QLabel, QToolTip, QWidget

LEAST_CHARS = 6  # the least an elided label asks for: enough to tell what it is about
LINE_BREAK = "\u2028"  # Unicode's line separator: QTextLayout breaks a line there, as "\n" does in a label


class PlainLabel(QLabel):
    """A QLabel that never interprets its text as rich text."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setTextFormat(Qt.TextFormat.PlainText)


class ElidedLabel(PlainLabel):
    """A plain label that never asks for more than a few characters' width: short of room it ends in "…"
    (its start, what matters, put first, always shows); `text()` stays the whole text, shown as the tooltip
    unless the label has one of its own.

    With `lines` above 1 it wraps (at word boundaries, or anywhere in a word longer than the line) into at
    most that many lines, the last one elided; its height follows its width, never past `lines` lines. With
    `lines=None` it wraps into as many lines as the text needs (a dialog that must show it all).
    """

    def __init__(self, text: str = "", parent: QWidget | None = None, lines: int | None = 1) -> None:
        super().__init__(text, parent)
        self.lines = lines

    def minimumSizeHint(self) -> QSize:
        least = self.fontMetrics().averageCharWidth() * LEAST_CHARS + self._margin_width()
        return QSize(min(least, self.sizeHint().width()), self._height(1))

    def sizeHint(self) -> QSize:
        if self.lines == 1:
            return super().sizeHint()
        width = self.fontMetrics().horizontalAdvance(self._flat()) + self._margin_width()
        width = min(width, self.fontMetrics().averageCharWidth() * 60)  # a paragraph's measure, no more
        return QSize(width, self.heightForWidth(width))

    def hasHeightForWidth(self) -> bool:
        return self.lines != 1

    def heightForWidth(self, width: int) -> int:
        if self.lines == 1:
            return -1
        return self._height(max(1, len(self._shown_lines(width - self._margin_width()))))

    def shown_lines(self) -> list[str]:
        """The lines as painted now, the last one elided if the text goes on."""
        return self._shown_lines(self.contentsRect().width())

    def event(self, event: QEvent) -> bool:
        """The whole text as the tooltip, when the label has none of its own."""
        if event.type() == QEvent.Type.ToolTip and not self.toolTip() and self.text():
            QToolTip.showText(event.globalPos(), plain_tooltip(self.text()), self)  # type: ignore[attr-defined]
            return True
        return super().event(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        room = self.contentsRect()
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        if self.lines == 1:
            painter.drawText(room, int(self.alignment()), self._shown_lines(room.width())[0])
            return
        horizontal = self.alignment() & Qt.AlignmentFlag.AlignHorizontal_Mask
        step = self.fontMetrics().lineSpacing()
        for row, line in enumerate(self._shown_lines(room.width())):
            box = room.adjusted(0, row * step, 0, 0)
            box.setHeight(step)
            painter.drawText(box, int(horizontal | Qt.AlignmentFlag.AlignTop), line)

    def _shown_lines(self, width: int) -> list[str]:
        """The text broken into lines of `width` pixels, at most `self.lines`, the last one elided."""
        metrics = QFontMetrics(self.font())
        if self.lines == 1:
            return [metrics.elidedText(self._flat(), Qt.TextElideMode.ElideRight, width)]
        text = self.text().replace("\n", LINE_BREAK)
        layout = QTextLayout(text, self.font())
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        layout.setTextOption(option)
        layout.beginLayout()
        lines: list[str] = []
        start = 0
        while self.lines is None or len(lines) < self.lines - 1:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(max(width, 1))
            start = line.textStart() + line.textLength()
            lines.append(text[line.textStart() : start].rstrip(LINE_BREAK + " "))
        layout.endLayout()
        rest = text[start:].replace(LINE_BREAK, " ").strip()
        if rest:
            lines.append(metrics.elidedText(rest, Qt.TextElideMode.ElideRight, width))
        return lines or [""]

    def _flat(self) -> str:
        """The text on one line."""
        return " ".join(self.text().split("\n"))

    def _height(self, lines: int) -> int:
        margins = self.contentsMargins()
        return lines * self.fontMetrics().lineSpacing() + margins.top() + margins.bottom() + 2 * self.margin()

    def _margin_width(self) -> int:
        margins = self.contentsMargins()
        return margins.left() + margins.right() + 2 * self.margin()


def plain_tooltip(text: str) -> str:
    """`text` as a tooltip that shows it literally (escaped, so Qt's rich-text guess cannot misread it)."""
    return GuiQt.convertFromPlainText(text, Qt.WhiteSpaceMode.WhiteSpaceNormal)
