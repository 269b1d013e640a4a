"""A window's picture with its open dialog drawn where it stands (offscreen, a dialog is a window of its
own and `QWidget.grab` leaves it out, and there is no window manager to draw its title bar): for screenshots
of a window mid-action."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import QDialog, QWidget

TITLE_PX = 26  # the title bar drawn over the dialog, as a window manager would


def grab_with_dialog(window: QWidget, dialog: QDialog | None) -> QPixmap:
    shot = window.grab()
    if dialog is None or not dialog.isVisible():
        return shot
    frame = dialog.grab()
    offset = dialog.geometry().topLeft() - window.geometry().topLeft()
    x = min(max(offset.x(), 0), max(shot.width() - frame.width(), 0))
    y = min(max(offset.y(), TITLE_PX), max(shot.height() - frame.height(), TITLE_PX))
    painter = QPainter(shot)
    painter.fillRect(x - 1, y - TITLE_PX, frame.width() + 2, frame.height() + TITLE_PX + 1, QColor("#505050"))
    painter.setPen(QColor("white"))
    painter.drawText(
        x + 8, y - TITLE_PX, frame.width() - 16, TITLE_PX, Qt.AlignmentFlag.AlignVCenter, dialog.windowTitle()
    )
    painter.drawPixmap(QPoint(x, y), frame)
    painter.end()
    return shot
