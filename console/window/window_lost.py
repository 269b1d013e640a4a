"""The console's window gone without the operator closing it: destroyed under it (`xdotool windowclose`, a
window manager or X client killing it) or its display lost (the X server died, the connection cut). Qt
sends no close event then: the window would vanish while the console ran on, showing and sounding
nothing. `WindowWatch` notices both, so that the console shuts down cleanly and says why.

- Destroyed: the X server tells every client whose window goes with a DestroyNotify event; Qt ignores it
  for its own windows, so it is read here from Qt's native (xcb) events.
- Display lost: Qt ends its event loop itself (`aboutToQuit`), and again at every pass while the display
  stays lost; `run_passes` runs the loop on, one pass at a time, until the shutdown is done.

Other platforms than X11 (offscreen, Wayland) deliver no xcb events: there only the display's loss is
seen. Qt thread.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import sys
import time
from collections.abc import Callable, Coroutine
from typing import Any

import qasync
from PySide6.QtCore import (
    QAbstractNativeEventFilter,
    QByteArray,
    QCoreApplication,
    QMessageLogContext,
    QtMsgType,
    qInstallMessageHandler,
)
from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)

XCB_EVENT = b"xcb_generic_event_t"
XCB_DESTROY_NOTIFY = (
    17  # xcb_destroy_notify_event_t: response_type (u8), pad, sequence, event, window (u32 @ 8)
)
WINDOW_AT = 8
LOST_SHUTDOWN_S = 60.0  # the shutdown's own timeouts end well before: only a hang would reach this


class WindowWatch(QAbstractNativeEventFilter):
    """Calls `lost(why)` once when `window` is destroyed by the X server or the display connection is lost."""

    def __init__(self, window: QWidget, lost: Callable[[str], None]) -> None:
        super().__init__()
        self.window, self._lost = window, lost
        self._told = False
        app = QCoreApplication.instance()
        app.installNativeEventFilter(self)
        app.aboutToQuit.connect(self._display_lost)

    def remove(self) -> None:
        """The console is shutting down of its own: Qt may end its loop and destroy the window now."""
        app = QCoreApplication.instance()
        app.removeNativeEventFilter(self)
        app.aboutToQuit.disconnect(self._display_lost)

    def nativeEventFilter(self, event_type: QByteArray | bytes, message: int) -> tuple[bool, int]:
        """Qt thread, for every native event: a few bytes read, nothing else."""
        if bytes(event_type) == XCB_EVENT and not self._told:
            destroyed = _destroyed_window(int(message))
            if destroyed is not None and destroyed == int(self.window.winId()):
                self._tell("its window was destroyed")
        return False, 0

    def _display_lost(self) -> None:
        self._tell("its display connection was lost")

    def _tell(self, why: str) -> None:
        if not self._told:
            self._told = True
            log.error("the console's window is gone: %s", why)
            self._lost(why)


def _destroyed_window(address: int) -> int | None:
    """The X window an xcb event at `address` says was destroyed (None: another kind of event)."""
    kind = ctypes.c_uint8.from_address(address).value & 0x7F  # the top bit: sent by another client
    return ctypes.c_uint32.from_address(address + WINDOW_AT).value if kind == XCB_DESTROY_NOTIFY else None


def run_passes(loop: qasync.QEventLoop, life: Coroutine[Any, Any, int], status_if_stuck: int) -> int:
    """Run `life` on the qasync loop to its end. When Qt ends its event loop under it (the display lost),
    run the loop again, one pass each time, until the console's shutdown is done; a Qt message repeated at
    every pass is shown once. (Not `run_until_complete`: after a stop it processes events once more with no
    running asyncio loop, and a shutdown step run there fails.)"""
    task = asyncio.ensure_future(life, loop=loop)
    task.add_done_callback(lambda _task: loop.stop())
    loop.run_forever()
    if task.done():
        return task.result()
    previous = qInstallMessageHandler(_OncePerMessage())
    try:
        deadline = time.monotonic() + LOST_SHUTDOWN_S
        while not task.done() and time.monotonic() < deadline:
            loop.run_forever()
    finally:
        qInstallMessageHandler(previous)
    if task.done():
        return task.result()
    log.error("the shutdown without a display did not end within %.0f s", LOST_SHUTDOWN_S)
    return status_if_stuck


class _OncePerMessage:
    """A Qt message handler that writes each distinct message once (to stderr, as Qt does)."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def __call__(self, _kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
        if message not in self.seen:
            self.seen.add(message)
            print(message, file=sys.stderr)
