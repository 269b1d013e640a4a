"""No dead end on the way into a console that requires sign-in: the first-run dialog and the sign-in are
filled and submitted with the keyboard alone (Enter, also after the mouse used the button once); a user
added meanwhile at a terminal turns the first run into the sign-in; and a sign-in left with Escape during a
live alarm is offered again by the window (the user line says how, User → Sign in… does it)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMenu, QToolButton
from pytestqt.qtbot import QtBot

from console.window.gui import WindowedConsole
from integrations.simulator import SimulatorThread
from tests.conftest import REPO
from tests.e2e.conftest import PASSWORD, until
from tests.e2e.test_sign_in import REQUIRED, dialog_of
from tests.keyboard import fill, press
from widgets.sign_in.sign_in_dialogs import FirstAdminDialog, SignInDialog


def test_the_first_run_is_filled_and_submitted_with_the_keyboard_alone(
    run_console, simulator: SimulatorThread
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        dialog = await dialog_of(console, FirstAdminDialog)
        press(dialog, Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)  # round the form: over the button
        press(dialog, Qt.Key.Key_Tab)
        fill(dialog, "admin.chen", "Chen Jie", PASSWORD, PASSWORD)
        press(dialog, Qt.Key.Key_Return)
        await until(lambda: console.user.name == "admin.chen", 10, "the administrator signed in by Enter")
        assert console.sign_in.dialog is None

    run_console(scenario, **REQUIRED)


def test_enter_signs_in_after_a_try_with_the_mouse(
    run_console, simulator: SimulatorThread, people: str, qtbot: QtBot
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        dialog = await dialog_of(console, SignInDialog)
        fill(dialog, "li.wei", "not my password")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        await until(lambda: dialog.message.text() == "wrong user name or password", 10, "the refusal")
        await until(dialog.ok_button.isEnabled, 5)
        qtbot.mouseClick(dialog.password_edit, Qt.MouseButton.LeftButton)  # back into the password
        fill(dialog, PASSWORD)
        press(dialog, Qt.Key.Key_Enter)  # the keypad's Enter
        await until(lambda: console.user.name == "li.wei", 10, "li.wei signed in by Enter")

    run_console(scenario, **REQUIRED)


def _users_add(database_url: str, name: str, password: str) -> None:
    """`controlroom users add` at a terminal of the same site (the password from a pipe)."""
    done = subprocess.run(
        [sys.executable, "-m", "console", "users", "add", name, "--roles", "operator,shift_lead",
         "--full-name", "Li Wei", "--database-url", database_url],
        cwd=REPO, input=f"{password}\n{password}\n", text=True, capture_output=True, timeout=60,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_a_user_added_meanwhile_at_a_terminal_turns_the_first_run_into_the_sign_in(
    run_console, simulator: SimulatorThread, database_url: str
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        first = await dialog_of(console, FirstAdminDialog)
        await asyncio.to_thread(_users_add, database_url, "li.wei", PASSWORD)
        fill(first, "admin.chen", "Chen Jie", PASSWORD + "?", PASSWORD + "?")
        press(first, Qt.Key.Key_Return)
        dialog = await dialog_of(console, SignInDialog)  # not a dead end: the sign-in instead
        assert "added meanwhile" in dialog.intro.text()
        fill(dialog, "li.wei", PASSWORD)
        press(dialog, Qt.Key.Key_Return)
        await until(lambda: console.user.name == "li.wei", 10, "li.wei signed in")

    run_console(scenario, **REQUIRED)


def _user_menu(console: WindowedConsole) -> QMenu:
    """The toolbar's User menu, opened as a click on its button opens it."""
    [button] = [b for b in console.window.findChildren(QToolButton) if b.text() == "User"]
    menu = button.menu()
    menu.popup(button.mapToGlobal(QPoint(0, button.height())))
    return menu


def test_a_sign_in_left_during_a_live_alarm_is_offered_again_by_the_window(
    run_console, simulator: SimulatorThread, people: str, qtbot: QtBot
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        window, table = console.window, console.window.alarm_table
        simulator.force("GD-LB-01", 30.0)  # tier-1 gas while nobody is signed in
        dialog = await dialog_of(console, SignInDialog)
        press(dialog, Qt.Key.Key_Escape)  # left: the window stays, the alarm comes in
        await until(lambda: console.sign_in.dialog is None, 5, "the sign-in left")
        await until(lambda: table.select_alarm("GD-LB-01.HH"), 15, "the tier-1 alarm listed")
        label = window.user_label.text()
        assert label.startswith("NOT SIGNED IN: commands are refused; sign in with User → Sign in…"), label
        assert not table.acknowledge_button.isEnabled()  # greyed: nobody is signed in
        menu = _user_menu(console)
        await until(menu.isVisible, 5, "the User menu open")
        [entry] = [a for a in menu.actions() if a.text() == "Sign in…"]
        qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(entry).center())
        dialog = await dialog_of(console, SignInDialog)
        fill(dialog, "li.wei", PASSWORD)
        press(dialog, Qt.Key.Key_Return)
        await until(lambda: console.user.name == "li.wei", 10, "li.wei signed in")
        assert menu.actions()[0].text() == "Switch user…"
        await until(table.acknowledge_button.isEnabled, 5, "Acknowledge no longer greyed")
        qtbot.mouseClick(table.acknowledge_button, Qt.MouseButton.LeftButton)
        await until(lambda: console.app.core.alarms.engine.view("GD-LB-01.HH").acked, 10, "acknowledged")

    run_console(scenario, **REQUIRED)
