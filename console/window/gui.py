"""Running the console with its window: Qt on a qasync loop, the core on the same thread."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from pathlib import Path

import qasync
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QWidget

from console.composition import Application
from console.config import AppConfig
from console.window.alarm_commands import AlarmCommands
from console.window.annunciator import Annunciator
from console.window.bridge import Bridge
from console.window.command_runner import CommandRunner
from console.window.field_view import FieldView
from console.window.main_window import MainWindow
from console.window.wearable_commands import WearableResponseCommands
from widgets.theme import apply_theme

log = logging.getLogger(__name__)


def run_gui(config: AppConfig) -> int:
    """Start Qt, install the qasync loop, show the window, run until closed (or --run-for / --screenshot)."""
    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    apply_theme(qapp)
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    with loop:
        return loop.run_until_complete(_gui(config))


class WindowedConsole:
    """The application with its main window and bridge: what `controlroom` runs, and what e2e tests drive."""

    def __init__(self, config: AppConfig) -> None:
        self.app = Application(config)
        self.window = MainWindow(self.app.site, config.operator, config.console_name, self.app.clock.now)
        self.annunciator = Annunciator(parent=self.window)
        self.bridge = Bridge(self.app.core, self.window, self.annunciator, config.worker_stale_after_s)
        self.runner = CommandRunner(self.app.core)
        self.commands = AlarmCommands(self.runner, self.window, config.operator)
        self.window.alarm_table.set_privileged(config.privileged)
        self.field = FieldView(self.app.core, self.window, config.operator, self.runner)
        self.responses = WearableResponseCommands(self.app.core, self.runner, self.window, config.operator)
        banner = self.window.alarm_banner
        banner.silence_requested.connect(self.annunciator.silence)
        self.annunciator.state_changed.connect(banner.set_sound_state)
        banner.set_sound_state(self.annunciator.sound_state)
        banner.set_speech_status(self.annunciator.speaker.status)
        self.window.resize(1600, 1000)
        self._first_paint = _FirstPaint(self.window)
        self.window.show()
        self.window.plant_map.fit_site()

    async def close(self) -> None:
        self._first_paint.remove()
        await self.runner.wait_idle()
        self.field.close()
        self.bridge.close()
        self.annunciator.close()
        await self.app.stop()
        self.window.close()
        self.window.deleteLater()  # Qt frees it once its pending events are handled, not the Python GC


async def _gui(config: AppConfig) -> int:
    console = WindowedConsole(config)
    window = console.window
    done = asyncio.Event()
    window.closed.connect(done.set)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, done.set)
    await console.app.start()
    if config.screenshot is not None:
        target = config.screenshot

        def save() -> None:
            # One more flush period so the first values are painted, not just received.
            loop.call_later(0.5, lambda: (_save_screenshot(window, target), done.set()))

        console.bridge.first_data.connect(save)
    if config.run_for is not None:
        loop.call_later(config.run_for, done.set)
    await done.wait()
    await console.close()
    return 0


def process_age_s() -> float:
    """Seconds since this process was started (Linux /proc), for the start-up figure."""
    stat = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
    uptime = float(Path("/proc/uptime").read_text().split()[0])
    return uptime - int(stat[19]) / os.sysconf("SC_CLK_TCK")


class _FirstPaint(QObject):
    """Logs how long after process start the window was first painted (benchmarks/ingest.py reads it)."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            log.info("first paint %.2f s after process start", process_age_s())
            self.remove()
        return False

    def remove(self) -> None:
        self.window.removeEventFilter(self)


def _save_screenshot(window: QWidget, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if window.grab().save(str(target)):
        log.info("screenshot saved to %s", target)
    else:
        log.error("could not save screenshot to %s", target)
