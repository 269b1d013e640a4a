"""Leaving the console: closing its window (asked first, naming what closing leaves unwatched; Enter keeps
it open), SIGTERM and Ctrl+C all stop the sources and the store cleanly and end with status 0."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import select
import shutil
import signal
import subprocess
import sys
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from console.config import AppConfig
from console.server.session import Acknowledge, AssignResponder, StartMuster
from console.window.gui import WindowedConsole, run_window
from console.window.main_window import MainWindow
from integrations.simulator import SimulatorThread
from integrations.storage import Store
from tests.conftest import REPO, Broker
from tests.e2e.conftest import status_text, until
from tests.e2e.test_sos_response import _band
from tests.keyboard import press
from tests.support import free_port, wait_until


def _main_window() -> MainWindow | None:
    return next(
        (w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()), None
    )


def _status(window: MainWindow, name: str) -> str:
    try:
        return window.status_bar.connection_text(name)
    except KeyError:  # not shown before the source first reports
        return ""


def _answer_close(window: MainWindow, qtbot: QtBot, button: QMessageBox.StandardButton) -> None:
    """Answer the confirmation the window shows, as the operator would: click one of its buttons."""
    box = window.findChild(QMessageBox, "CloseConfirmation")
    assert box is not None and box.isVisible(), "closing the window must ask first"
    assert "no longer show or sound alarms" in box.text()
    qtbot.mouseClick(box.button(button), Qt.MouseButton.LeftButton)


def test_closing_the_window_asks_then_shuts_down_cleanly_with_status_0(
    simulator: SimulatorThread,
    config: AppConfig,
    qasync_loop: qasync.QEventLoop,
    qtbot: QtBot,
    caplog: pytest.LogCaptureFixture,
) -> None:
    answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Close]

    async def operator() -> None:
        window = await until(_main_window, 20, "the main window")
        await until(lambda: "OPC UA: connected" in _status(window, "OPC UA"), 20)
        for answer in answers:
            # the window manager's close: a close event through the platform window, then the operator's answer
            window.windowHandle().close()
            _answer_close(window, qtbot, answer)
            if answer is QMessageBox.StandardButton.Cancel:
                before = _status(window, "OPC UA")
                await until(lambda b=before: _status(window, "OPC UA") != b, 5, "data flowing after Cancel")
                assert window.isVisible()

    async def main() -> int:
        task = asyncio.ensure_future(operator())
        status = await run_window(config)
        await task
        return status

    asyncio.set_event_loop(qasync_loop)
    try:
        with caplog.at_level(logging.INFO):
            status = qasync_loop.run_until_complete(asyncio.wait_for(main(), 60))
    finally:
        asyncio.set_event_loop(None)
    assert status == 0
    assert "console stopped cleanly" in caplog.text
    assert _main_window() is None
    store = Store(config.database_url)
    try:  # the sources stopped before the store: a clean close journals no communication alarm
        assert not [t for t in store.alarm_transitions() if t.alarm_id.endswith(".COMM")]
    finally:
        store.close()


def _console_until_it_ends(
    tmp_path: Path, broker: Broker, env: dict[str, str], act: Callable[[subprocess.Popen[bytes]], None]
) -> tuple[int, str]:
    """`controlroom` in a process of its own (its demo plant in-process, a SQLite store in `tmp_path`): once
    it runs and is connected, `act(process)`; then its exit status (within 30 s) and its log."""
    log = tmp_path / "console.log"
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path), **env}
    with log.open("w") as out:
        child = subprocess.Popen(
            [
                sys.executable, "-m", "console",
                "--opcua-url", f"opc.tcp://127.0.0.1:{free_port()}/controlroom/",
                "--mqtt-url", broker.url,
                "--database-url", f"sqlite:///{tmp_path / 'console.db'}",
            ],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            wait_until(
                lambda: "first paint" in log.read_text() and "connected to opc.tcp" in log.read_text(), 30
            )
            act(child)
            status = child.wait(30)
        finally:
            if child.poll() is None:
                child.kill()
    return status, log.read_text()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl+C"])
def test_a_signal_stops_the_console_cleanly_with_status_0(
    sig: signal.Signals, broker: Broker, tmp_path: Path
) -> None:
    env = {"QT_QPA_PLATFORM": "offscreen"}
    status, text = _console_until_it_ends(tmp_path, broker, env, lambda child: child.send_signal(sig))
    assert status == 0, text
    assert "console stopped cleanly" in text
    assert "Traceback" not in text


def test_the_close_question_names_the_alarms_responses_and_muster_it_would_leave_and_enter_cancels(
    run_console, simulator: SimulatorThread, broker: Broker
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        core, window = console.app.core, console.window
        await until(lambda: status_text(console, "MQTT").startswith("MQTT: connected"), 10)
        simulator.force("GD-LB-01", 30.0)  # tier-1 gas in the loading bay
        _band(broker, "W01", "sos", 1)
        sos = await until(lambda: (v := core.alarms.engine.view("W01.SOS")).active and v, 10, "the SOS")
        assert (await core.command(Acknowledge("tester", (("W01.SOS", sos.seq),)))).ok
        assert (await core.command(AssignResponder("tester", "W01.SOS", "W13"))).ok
        assert (await core.command(StartMuster("tester"))).ok
        await until(lambda: core.alarms.engine.view("GD-LB-01.HH").active, 15, "the tier-1 gas alarm")
        window.windowHandle().close()  # the window manager's close button
        box = window.findChild(QMessageBox, "CloseConfirmation")
        assert box is not None and box.isVisible()
        assert box.text() == "Close this console? It will no longer show or sound alarms."
        left = box.informativeText().splitlines()
        assert left[0] == "Left unwatched:"
        assert any(line.startswith("• Tier-1 alarm standing: GD-LB-01.HH — ") for line in left), left
        assert any(
            line.startswith("• Response open: W01.SOS — ")
            and line.endswith("responder Ma Lin (W13) assigned")
            for line in left
        ), left
        assert any(line.startswith("• Muster running since ") and "missing" in line for line in left), left
        assert not any("W01.SOS" in line for line in left if "Tier-1" in line)  # named once, as a response
        press(box, Qt.Key.Key_Return)  # Enter: Cancel is the default
        await until(lambda: not box.isVisible(), 5, "the question answered")
        assert window.isVisible() and box.clickedButton() is box.button(QMessageBox.StandardButton.Cancel)
        await until(lambda: status_text(console, "OPC UA").startswith("OPC UA: connected"), 5)

    run_console(scenario)


def test_a_closed_console_is_freed_with_its_core_and_store(run_console, simulator: SimulatorThread) -> None:
    """Each console closed in a process (every e2e test's) left its whole heap behind, 60-100 MB each."""
    left: list[weakref.ref[object]] = []

    async def scenario(console: WindowedConsole) -> None:
        await until(lambda: status_text(console, "OPC UA").startswith("OPC UA: connected"), 10)
        left.extend(weakref.ref(part) for part in (console, console.app, console.app.core, console.app.store))

    run_console(scenario)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # the window's deleteLater
    gc.collect()
    assert [type(part).__name__ for ref in left if (part := ref()) is not None] == []


@pytest.fixture()
def x_display() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A private X server (Xvfb) on a display number it picks itself: (DISPLAY, its process)."""
    xvfb = shutil.which("Xvfb")
    assert xvfb, "Xvfb is part of the xvfb package (scripts/setup installs it)"
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        [xvfb, "-displayfd", str(write_end), "-screen", "0", "1366x768x24", "-nolisten", "tcp"],
        pass_fds=(write_end,), stderr=subprocess.DEVNULL,
    )  # fmt: skip
    os.close(write_end)
    try:
        ready, _, _ = select.select([read_end], [], [], 20)
        assert ready, "Xvfb did not say its display within 20 s"
        display = ":" + os.read(read_end, 16).decode().strip()
        yield display, server
    finally:
        os.close(read_end)
        server.terminate()
        server.wait(10)


def _destroy_window(display: str) -> None:
    """`xdotool windowclose`: the X server destroys the console's window, no close event asked."""
    xdotool = shutil.which("xdotool")
    assert xdotool, "xdotool is part of the xdotool package (scripts/setup installs it)"
    env = {**os.environ, "DISPLAY": display}
    found = subprocess.run(
        [xdotool, "search", "--sync", "--onlyvisible", "--name", "^Control room"],
        env=env, capture_output=True, text=True, timeout=20, check=True,
    )  # fmt: skip
    for window in found.stdout.split():
        subprocess.run([xdotool, "windowclose", window], env=env, timeout=10, check=True)


@pytest.mark.parametrize("how", ["window destroyed", "display lost"])
def test_a_window_gone_under_the_console_ends_it_cleanly_with_status_1(
    how: str, x_display: tuple[str, subprocess.Popen[bytes]], broker: Broker, tmp_path: Path
) -> None:
    display, server = x_display

    def gone(_child: subprocess.Popen[bytes]) -> None:  # before: the console ran on without a window
        if how == "window destroyed":
            _destroy_window(display)
        else:
            server.kill()  # the X server dies: the connection to it is lost

    env = {"QT_QPA_PLATFORM": "xcb", "DISPLAY": display}
    status, text = _console_until_it_ends(tmp_path, broker, env, gone)
    assert status == 1, text
    why = "its window was destroyed" if how == "window destroyed" else "its display connection was lost"
    assert f"console stopped cleanly after {why}: exit status 1" in text
    assert "Traceback" not in text
    store = Store(f"sqlite:///{tmp_path / 'console.db'}")
    try:  # the sources stopped before the store: a clean stop journals no communication alarm
        assert not [t for t in store.alarm_transitions() if t.alarm_id.endswith(".COMM")]
    finally:
        store.close()
