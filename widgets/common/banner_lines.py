"""Standing lines under the alarm banner (isolated zones, requested interlocks): one row per notice, rebuilt
only when the notices change, hidden while there is none; grey like the banner, a rule under the last line.
Runs on the Qt thread."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from widgets.common.theme import PALETTE


class BannerLines(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._notices: tuple[Any, ...] = ()
        self._rows: list[Any] = []  # the subclass's row widgets, one per notice
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(4, 2, 8, 3)
        self._layout.setSpacing(0)
        self.hide()

    def _replace(self, notices: Sequence[Any], make_row: Callable[[Any], QWidget]) -> bool:
        """Show one row per notice (made by `make_row`), unless these are the notices shown already; True
        when the rows were made anew."""
        notices = tuple(notices)
        if notices == self._notices:
            return False
        self._notices = notices
        for row in self._rows:
            self._layout.removeWidget(row)
            row.deleteLater()
        self._rows = [make_row(n) for n in notices]
        for row in self._rows:
            self._layout.addWidget(row)
        self.setVisible(bool(notices))
        return True

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(PALETTE.panel))
        painter.setPen(QColor(PALETTE.line))
        painter.drawLine(0, self.height() - 1, self.width(), self.height() - 1)
