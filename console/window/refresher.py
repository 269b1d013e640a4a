"""A view's redraw rhythm: every `period_s` (countdowns and ages move on their own), and once on the next
turn of the event loop after the core said something changed (a burst of changes redraws once). Qt thread."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer


class Refresher(QObject):
    def __init__(self, parent: QObject, refresh: Callable[[], None], period_s: float) -> None:
        super().__init__(parent)
        self._soon = QTimer(self, singleShot=True, interval=0)
        self._soon.timeout.connect(refresh)
        self._timer = QTimer(self, interval=int(period_s * 1000))
        self._timer.timeout.connect(refresh)
        self._timer.start()

    def soon(self) -> None:
        """Refresh on the next turn of the event loop (once, however often it is asked before then)."""
        self._soon.start()

    def stop(self) -> None:
        self._timer.stop()
        self._soon.stop()
