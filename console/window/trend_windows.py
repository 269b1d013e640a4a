"""Pop-up trend windows: a trend of its own beside the main window (another monitor, a comparison), with
its own view and feed; closing the window stops its feed.

Opened from a trend's "Pop out" (with that trend's pens, time and layout) or the main window's Layout
menu ("New trend window", empty). Runs on the Qt thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from console.server.session import Session
from console.window.trend_feed import TrendFeed
from integrations.storage import Store
from widgets.trends.trend_view import TrendView


class TrendWindow(QWidget):
    closed = Signal()

    def __init__(self, core: Session, store: Store, now: Callable[[], float]) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.setWindowTitle(self.tr("Trend"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.view = TrendView(core.site, now, core.site.trend_sets)
        self.feed = TrendFeed(core, store, self.view)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.feed.close()
        self.closed.emit()
        super().closeEvent(event)


class TrendWindows:
    """The open pop-up trends of a console."""

    def __init__(self, core: Session, store: Store, now: Callable[[], float]) -> None:
        self.core, self.store, self.now = core, store, now
        self.windows: list[TrendWindow] = []

    def open(self, state: dict[str, Any] | None = None) -> TrendWindow:
        """A new trend window, with `state` (a view's `state()`: pens, time, stacked) if given."""
        window = TrendWindow(self.core, self.store, self.now)
        self.windows.append(window)
        window.closed.connect(lambda: self.windows.remove(window))
        window.view.pop_out_requested.connect(lambda: self.open(window.view.state()))
        window.resize(1000, 520)
        window.show()
        if state:
            window.view.restore_state(state)
        return window

    def close_all(self) -> None:
        for window in list(self.windows):
            window.close()
