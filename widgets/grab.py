"""A window's picture with its open dialog drawn where it stands (offscreen, a dialog is a window of its
own and `QWidget.grab` leaves it out): for screenshots of a window mid-action."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtGui import QPainter, QPixmap
from PySide6.QtWidgets import QDialog, QWidget


def grab_with_dialog(window: QWidget, dialog: QDialog | None) -> QPixmap:
    shot = window.grab()
    if dialog is None or not dialog.isVisible():
        return shot
    frame = dialog.grab()
    offset = dialog.geometry().topLeft() - window.geometry().topLeft()
    x = min(max(offset.x(), 0), max(shot.width() - frame.width(), 0))
    y = min(max(offset.y(), 0), max(shot.height() - frame.height(), 0))
    painter = QPainter(shot)
    painter.drawPixmap(QPoint(x, y), frame)
    painter.drawRect(x - 1, y - 1, frame.width() + 1, frame.height() + 1)  # the dialog's edge
    painter.end()
    return shot
