"""Leaving the console: closing its window (asked first), SIGTERM and Ctrl+C all stop the sources and the
store cleanly and end with status 0."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from console.config import AppConfig
from console.window.gui import run_window
from console.window.main_window import MainWindow
from integrations.simulator import SimulatorThread
from integrations.storage import Store
from tests.conftest import REPO, Broker
from tests.e2e.conftest import until
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


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl+C"])
def test_a_signal_stops_the_console_cleanly_with_status_0(
    sig: signal.Signals, broker: Broker, tmp_path: Path
) -> None:
    log = tmp_path / "console.log"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_DATA_HOME": str(tmp_path)}
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
            child.send_signal(sig)
            status = child.wait(30)
        finally:
            if child.poll() is None:
                child.kill()
    text = log.read_text()
    assert status == 0, text
    assert "console stopped cleanly" in text
    assert "Traceback" not in text
