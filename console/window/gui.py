"""Running the console with its window: Qt on a qasync loop, the core on the same thread."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
from collections.abc import Callable
from pathlib import Path

import qasync
from PySide6.QtCore import QEvent, QObject, QSocketNotifier
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from alarms.clock import Clock
from console.composition import Application
from console.config import AppConfig
from console.server.session import CommandResult, OperatorNote
from console.window.alarm_commands import AlarmCommands
from console.window.annunciator import Annunciator
from console.window.audit_feed import AuditFeed
from console.window.bridge import Bridge
from console.window.broadcast_view import BroadcastView
from console.window.close_question import what_closing_leaves
from console.window.command_runner import CommandRunner
from console.window.context_menus import ContextMenus
from console.window.false_detections import FalseDetections
from console.window.field_view import FieldView
from console.window.handover_view import HandoverView
from console.window.history_view import HistoryFeed
from console.window.incident_view import IncidentView
from console.window.interlock_view import InterlockView
from console.window.isolation_view import IsolationView
from console.window.kpi_feed import KpiFeed
from console.window.layout_store import LayoutStore
from console.window.main_window import MainWindow
from console.window.replay_feed import ReplayFeed
from console.window.role_gate import RoleGate, guard_commands
from console.window.sign_in import SignInFlow
from console.window.signed_in import SignedIn
from console.window.trend_feed import TrendFeed
from console.window.trend_windows import TrendWindows
from console.window.wearable_commands import WearableResponseCommands
from console.window.window_lost import WindowWatch, run_passes
from widgets.common.theme import apply_theme

log = logging.getLogger(__name__)

WINDOW_LOST = 1  # exit status when the window went without the operator closing it (a supervisor restarts)


def run_gui(config: AppConfig) -> int:
    """Start Qt, install the qasync loop, show the window, run until closed (or --run-for / --screenshot)."""
    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    apply_theme(qapp)
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    with loop:
        return run_passes(loop, run_window(config), WINDOW_LOST)


class WindowedConsole:
    """The application with its main window and bridge: what `controlroom` runs, and what e2e tests drive."""

    def __init__(self, config: AppConfig, clock: Clock | None = None) -> None:
        self.app = Application(config, clock)
        self.window = MainWindow(
            self.app.site,
            config.operator,
            config.console_name,
            self.app.clock.now,
            lambda: what_closing_leaves(self.app.core),
            config.shifts,
        )
        self.annunciator = Annunciator(parent=self.window)
        self.bridge = Bridge(self.app.core, self.window, self.annunciator, config.worker_stale_after_s)
        self.runner = CommandRunner(self.app.core)
        self.user = SignedIn(config.console_name, demo=config.login == "demo", parent=self.window)
        self.user.changed.connect(self._show_user)
        self.commands = AlarmCommands(self.runner, self.window, self.user)
        self.window.alarm_table.set_privileged(config.privileged)
        self.field = FieldView(self.app.core, self.window, self.user, self.runner)
        self.isolation = IsolationView(self.app.core, self.window, self.user, self.runner)
        self.responses = WearableResponseCommands(self.app.core, self.runner, self.window, self.user)
        self.false_detections = FalseDetections(self.app.core, self.runner, self.window, self.user)
        self.gate = RoleGate(self.app.core.access, self.user, self.window)
        self.window.permit_card.signing_roles = lambda: None if self.user.demo else self.user.roles
        guard_commands(self.gate, self.window)
        self.gate.refreshers += [
            self.window.alarm_table.update_buttons,
            self.window.permit_card.update_buttons,
            self.window.muster_panel.update_buttons,
            self.field.refresh,
        ]
        self.menus = ContextMenus(self.window, self.gate)
        self.sign_in = SignInFlow(
            self.app.accounts,
            self.user,
            self.window,
            config.operator,
            config.lock_after_s,
            self.app.core.add_log,
        )
        self.interlocks = InterlockView(
            self.app.core, self.window, self.user, self.runner, self.app.core.access.roles_of
        )
        self.broadcast = BroadcastView(
            self.app.core,
            self.app.core.broadcasts,
            self.window,
            self.user,
            self.runner,
            self.annunciator.speaker.say,
        )
        self.gate.refreshers.append(self.interlocks.refresh)
        self.handover = HandoverView(
            self.app.core, self.window, self.user, self.runner, self.gate, self.app.accounts.users.list
        )
        self.incidents = IncidentView(
            self.app.core, self.window, self.user, self.runner, self.gate, config.shifts.timezone
        )
        if self.user.demo:
            self.window.set_demo()
        self.window.switch_user_requested.connect(self.sign_in.switch_user)
        self.window.lock_requested.connect(self.sign_in.lock)
        self.audit = AuditFeed(self.app.store, self.window.audit_view, self.window.chain_label, self.window)
        self.kpis = KpiFeed(
            self.app.store, self.window.kpi_view, config.shifts, self.app.clock.now, self.window
        )
        self.history = HistoryFeed(self.app.store, self.window.history_view, self.window)
        self.trends = TrendFeed(self.app.core, self.app.store, self.window.trend_view)
        self.replay = ReplayFeed(self.app.core, self.app.store, self.window, config.worker_stale_after_s)
        self.trend_windows = TrendWindows(self.app.core, self.app.store, self.app.clock.now)
        trend_view = self.window.trend_view
        trend_view.pop_out_requested.connect(lambda: self.trend_windows.open(trend_view.state()))
        self.window.trend_window_requested.connect(self.trend_windows.open)
        banner = self.window.alarm_banner
        banner.silence_requested.connect(self.annunciator.silence)
        self.annunciator.state_changed.connect(banner.set_sound_state)
        banner.set_sound_state(self.annunciator.sound_state)
        banner.set_speech_status(self.annunciator.speaker.status)
        self.window.note_requested.connect(
            lambda text: self.runner.send(OperatorNote(self.user.name, text), self._noted)
        )
        self.layout = LayoutStore(config.console_name)
        self.window.layout_reset_requested.connect(self._reset_layout)
        self._first_paint = _FirstPaint(self.window)
        self.bridge.first_data.connect(_log_first_data)
        self._show()
        self.window.plant_map.fit_site()
        trend = self.layout.trend_state()
        if trend:
            trend_view.restore_state(trend)  # the last trend of this console
        self._show_user()
        self.sign_in.start()
        self.audit.start()

    def _show_user(self) -> None:
        user = self.user
        self.window.show_user(
            user.name,
            user.full_name,
            user.roles if user.name else None,
            user.console,
            user.demo,
            user.locked,
        )

    def _show(self) -> None:
        """The saved layout of this console, or the default one: the whole screen on a real display (a
        control-room monitor), 1600x1000 where there is none (offscreen: tests, screenshots)."""
        window = self.window
        window.layout_restored = self.layout.restore(window)
        if window.layout_restored:
            window.show()
        elif QGuiApplication.platformName() == "offscreen":
            window.resize(1600, 1000)
            window.show()
        else:
            window.showMaximized()

    def _reset_layout(self) -> None:
        self.layout.forget()
        self.window.default_layout()

    def _noted(self, result: CommandResult) -> None:
        self.window.statusBar().showMessage(result.message, 10_000)

    async def close(self) -> None:
        self._first_paint.remove()
        await self.runner.wait_idle()
        await self.sign_in.close()
        await self.audit.close()
        await self.kpis.close()
        await self.history.close()
        self.field.close()
        self.broadcast.close()
        self.handover.close()
        self.incidents.close()
        self.interlocks.close()
        self.bridge.close()
        self.trends.close()
        self.replay.close()
        self.trend_windows.close_all()
        self.annunciator.close()
        self.layout.save(self.window)
        self.layout.save_trend(self.window.trend_view.state())
        await self.app.stop()
        self.window.allow_close()
        self.window.close()
        self.window.deleteLater()  # Qt frees it once its pending events are handled, not the Python GC


async def run_window(config: AppConfig) -> int:
    """The console's life on a running qasync loop: until the operator confirms closing the window, SIGINT
    or SIGTERM arrives, --run-for / --screenshot are done, or the window is gone without a close (destroyed
    under the console, its display lost); then the clean shutdown (commands still being journaled,
    sources, store), and 0, or WINDOW_LOST when the window went without the operator closing it."""
    QApplication.instance().setQuitOnLastWindowClosed(False)  # the console quits after its shutdown, not Qt
    console = WindowedConsole(config)
    window = console.window
    done = asyncio.Event()
    lost: list[str] = []  # why the window went without a close

    def gone(why: str) -> None:
        if not done.is_set():  # not once the console shuts down of its own
            lost.append(why)
            done.set()

    window.closed.connect(done.set)
    watch = WindowWatch(window, gone)
    loop = asyncio.get_running_loop()
    signals = _StopOnSignals(lambda: loop.call_soon_threadsafe(done.set))
    try:
        await _run_until_done(console, config, done)
    finally:
        signals.remove()
        watch.remove()
    if lost:
        log.error("console stopped cleanly after %s: exit status %d", lost[0], WINDOW_LOST)
        return WINDOW_LOST
    log.info("console stopped cleanly")
    return 0


async def _run_until_done(console: WindowedConsole, config: AppConfig, done: asyncio.Event) -> None:
    window = console.window
    loop = asyncio.get_running_loop()
    try:
        await console.app.start()
    except BaseException:
        await console.close()
        raise
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


class _StopOnSignals(QObject):
    """SIGINT (Ctrl+C) and SIGTERM end the console like a confirmed close.

    Python runs a signal handler only when the interpreter runs; while Qt waits in C the signal would wait
    too. So the signal's byte on a wake-up socket (`signal.set_wakeup_fd`) wakes a QSocketNotifier, which
    lets Python run the handler at once.
    """

    def __init__(self, stop: Callable[[], None]) -> None:
        super().__init__()
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno())
        self._previous = {
            sig: signal.signal(sig, lambda *_: stop()) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._drain)

    def _drain(self) -> None:
        with contextlib.suppress(OSError):
            self._reader.recv(64)

    def remove(self) -> None:
        self._notifier.setEnabled(False)
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        signal.set_wakeup_fd(self._previous_fd)
        self._reader.close()
        self._writer.close()


def process_age_s() -> float:
    """Seconds since this process was started (Linux /proc), for the start-up figure."""
    stat = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
    uptime = float(Path("/proc/uptime").read_text().split()[0])
    return uptime - int(stat[19]) / os.sysconf("SC_CLK_TCK")


def _log_first_data() -> None:
    """The start-up figure that matters (benchmarks/ingest.py reads it): the plant's values drawn."""
    log.info("first data on screen %.2f s after process start", process_age_s())


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
