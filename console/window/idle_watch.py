"""Inactivity at the console: a key, a click or a wheel turn in the application resets it; after `after_s`
without any, `idle` is emitted once (until the next input). Qt thread only.

Time is the monotonic clock: the console's clock may be a test's or a replay's, but idleness is how long
the person at the keyboard has really been away.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

_INPUT = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)
CHECK_MAX_MS = 1000


class IdleWatch(QObject):
    idle = Signal()

    def __init__(self, after_s: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.after_s = after_s
        self._last = time.monotonic()
        self._fired = False
        self._timer = QTimer(self, interval=min(CHECK_MAX_MS, max(50, int(after_s * 250))))
        self._timer.timeout.connect(self._check)

    def start(self) -> None:
        self.touch()
        QApplication.instance().installEventFilter(self)
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        QApplication.instance().removeEventFilter(self)

    def touch(self) -> None:
        self._last, self._fired = time.monotonic(), False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT:
            self.touch()
        return False

    def _check(self) -> None:
        if not self._fired and time.monotonic() - self._last >= self.after_s:
            self._fired = True
            self.idle.emit()
