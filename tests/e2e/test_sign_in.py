"""Signing in at the real window of a site that requires it: the dialog (wrong password, lockout with its
end time), the first run's administrator, switching user at a shift change (the audit trail names the new
signer), the lock after inactivity (alarms still arrive and sound; the core refuses commands until the
password is given again), greying by role with the core refusing a forced command, and no clear password
anywhere after a login."""

from __future__ import annotations

import logging
import re
import time

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from console.server.session import IsolateZone, OperatorNote
from console.window.gui import WindowedConsole
from integrations.simulator import SimulatorThread
from integrations.storage import Store, metadata
from integrations.users import LoginPolicy, UserStore
from tests.e2e.conftest import PASSWORD, until
from widgets.common.theme import PALETTE
from widgets.sign_in.sign_in_dialogs import FirstAdminDialog, SignInDialog

REQUIRED = {"login": "required", "lock_after_s": 0.0}


def trail(console: WindowedConsole) -> list[dict]:
    return list(console.app.store.audit_rows())


async def dialog_of(console: WindowedConsole, kind: type, name: str = "") -> SignInDialog:
    return await until(
        lambda: (
            isinstance(console.sign_in.dialog, kind)
            and console.sign_in.dialog.isVisible()
            and (not name or console.sign_in.dialog.objectName() == name)
            and console.sign_in.dialog
        ),
        10,
        f"the {name or kind.__name__} open",
    )


async def sign_in(qtbot: QtBot, dialog: SignInDialog, name: str, password: str) -> None:
    dialog.name_edit.setText(name)
    qtbot.keyClicks(dialog.password_edit, password)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)


def test_wrong_password_then_lockout_with_its_end_then_another_user_signs_in(
    run_console, simulator: SimulatorThread, people: str, qtbot: QtBot
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        dialog = await dialog_of(console, SignInDialog)
        await sign_in(qtbot, dialog, "li.wei", "not my password")
        await until(lambda: dialog.message.text() == "wrong user name or password", 10, "the refusal")
        await until(dialog.ok_button.isEnabled, 5)
        await sign_in(qtbot, dialog, "li.wei", "still not it")
        await until(lambda: dialog.message.text().startswith("locked until"), 10, "the lockout")
        assert re.fullmatch(r"locked until \d\d:\d\d after 2 failed tries", dialog.message.text())
        await until(dialog.ok_button.isEnabled, 5)
        await sign_in(qtbot, dialog, "li.wei", PASSWORD)  # right, but locked out
        await until(lambda: dialog.ok_button.isEnabled() and "Checking" not in dialog.message.text(), 10)
        assert dialog.message.text().startswith("locked until") and console.user.name == ""
        await sign_in(qtbot, dialog, "zhao.min", PASSWORD + "!")
        await until(lambda: console.user.name == "zhao.min", 10, "zhao.min signed in")
        assert console.sign_in.dialog is None  # closed
        label = console.window.user_label.text()
        assert label == f"zhao.min (Zhao Min)@{console.user.console} — engineer, shift lead"
        actions = [(r["username"], r["action"], r["outcome"]) for r in trail(console)]
        assert ("system", "lockout", "done") in actions and actions[-1] == ("zhao.min", "login", "done")

    run_console(scenario, **REQUIRED, login_policy=LoginPolicy(max_failures=2, lockout_s=600))


def test_the_first_run_creates_the_administrator_who_is_then_signed_in(
    run_console, simulator: SimulatorThread, qtbot: QtBot
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        dialog = await dialog_of(console, FirstAdminDialog)
        dialog.name_edit.setText("admin.chen")
        dialog.full_name_edit.setText("Chen Jie")
        qtbot.keyClicks(dialog.password_edit, PASSWORD)
        qtbot.keyClicks(dialog.again_edit, PASSWORD + "x")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        assert dialog.message.text() == "The two passwords differ: type them again."
        qtbot.keyClicks(dialog.again_edit, PASSWORD)
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        await until(lambda: console.user.name == "admin.chen", 10, "the administrator signed in")
        assert console.user.roles == {"admin", "shift_lead"} and console.user.full_name == "Chen Jie"
        assert "admin.chen (Chen Jie)@" in console.window.user_label.text()
        actions = [(r["username"], r["action"], r["target"]) for r in trail(console)]
        assert ("first-run", "user_add", "admin.chen") in actions
        assert actions[-1] == ("admin.chen", "login", "admin.chen")

    run_console(scenario, **REQUIRED)


def test_the_demo_starts_signed_in_and_signs_commands_with_the_demo_user(
    run_console, simulator: SimulatorThread
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        assert console.user.name == "tester" and console.user.demo and console.sign_in.dialog is None
        assert console.window.user_label.text().startswith("DEMO — tester@")
        assert not console.window.switch_user_action.isEnabled()  # nothing to switch or lock, said why
        assert console.window.lock_action.toolTip().startswith("DEMO: the demo user is signed in")
        console.window.note_requested.emit("demo shift starts")
        await until(lambda: any(r["action"] == "operator_note" for r in trail(console)), 10, "the note")
        assert [r["username"] for r in trail(console) if r["action"] == "operator_note"] == ["tester"]

    run_console(scenario)


def test_switch_user_signs_the_next_command_with_the_new_user(
    run_console, simulator: SimulatorThread, people: str, qtbot: QtBot
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        await sign_in(qtbot, await dialog_of(console, SignInDialog), "li.wei", PASSWORD)
        await until(lambda: console.user.name == "li.wei", 10)
        console.window.note_requested.emit("night shift hands over")
        await until(lambda: console.window.statusBar().currentMessage() == "note saved", 10)
        console.window.switch_user_action.trigger()  # Ctrl+Shift+U
        dialog = await dialog_of(console, SignInDialog)
        assert dialog.windowTitle() == "Switch user"
        await sign_in(qtbot, dialog, "zhao.min", PASSWORD + "!")
        await until(lambda: console.user.name == "zhao.min", 10, "zhao.min took over")
        console.window.note_requested.emit("day shift takes over")
        await until(lambda: [r for r in trail(console) if r["action"] == "operator_note"][1:], 10)
        rows = [(r["username"], r["action"], r["reason"]) for r in trail(console)]
        notes = [u for u, a, _ in rows if a == "operator_note"]
        assert notes == ["li.wei", "zhao.min"]
        assert ("li.wei", "logout", "switched to zhao.min") in rows
        assert console.app.core.access.roles_of("li.wei") is None  # signed out in the core too
        shift = [e.text for e in console.app.core.log if e.source in ("li.wei", "zhao.min")]
        assert "signed in (Zhao Min; engineer, shift lead)" in shift  # the event log tells the room

        console.window.lock_action.trigger()  # Ctrl+Shift+L; then the next user signs in at the lock
        lock = await dialog_of(console, SignInDialog, "LockDialog")
        assert lock.name_edit.text() == "zhao.min"
        await sign_in(qtbot, lock, "li.wei", PASSWORD)
        await until(lambda: console.user.name == "li.wei" and not console.user.locked, 10, "li.wei took over")
        assert console.app.core.access.roles_of("zhao.min") is None
        rows = [(r["username"], r["action"], r["reason"]) for r in trail(console)]
        assert rows[-2:] == [("zhao.min", "logout", "console locked"), ("li.wei", "login", "")]

    run_console(scenario, **REQUIRED)


def test_the_console_locks_when_idle_alarms_go_on_and_the_core_refuses_until_the_password(
    run_console, simulator: SimulatorThread, people: str, qtbot: QtBot
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        await sign_in(qtbot, await dialog_of(console, SignInDialog), "li.wei", PASSWORD)
        await until(lambda: console.user.name == "li.wei", 10)
        lock = await dialog_of(console, SignInDialog, "LockDialog")
        await until(lambda: console.app.core.access.roles_of("li.wei") is None, 5, "signed out in the core")
        assert "LOCKED — li.wei" in console.window.user_label.text()
        lock.reject()  # Escape does not open a locked console
        assert lock.isVisible()
        simulator.force("GD-LB-01", 30.0)  # an alarm while locked: listed and sounding
        await until(lambda: console.window.alarm_table.model.row_of("GD-LB-01.HH") is not None, 15)
        await until(lambda: console.annunciator.tone == 1, 5, "the tier-1 tone")
        refused = await console.app.core.command(OperatorNote("li.wei", "while locked"))
        assert not refused.ok and refused.message == "li.wei is not signed in at this console"
        assert trail(console)[-1]["outcome"] == "refused"
        await sign_in(qtbot, lock, "li.wei", PASSWORD)
        await until(lambda: not console.user.locked, 10, "unlocked")
        done = await console.app.core.command(OperatorNote("li.wei", "back at the desk"))
        assert done.ok, done.message
        reasons = [(r["action"], r["reason"]) for r in trail(console) if r["username"] == "li.wei"]
        assert ("logout", "console locked") in reasons

    run_console(scenario, login="required", lock_after_s=1.0)


def test_a_command_the_role_cannot_give_is_greyed_and_refused_by_the_core(
    run_console, simulator: SimulatorThread, people: str, qtbot: QtBot
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        window = console.window
        assert not window.isolate_button.isEnabled()  # nobody signed in yet
        await sign_in(qtbot, await dialog_of(console, SignInDialog), "li.wei", PASSWORD)
        await until(lambda: console.user.name == "li.wei", 10)
        assert not window.isolate_button.isEnabled() and not window.muster_action.isEnabled()
        assert window.isolate_button.toolTip() == (
            "Not for li.wei: it needs one of the roles engineer, shift lead"
        )
        assert window.note_action.isEnabled()
        forced = await console.app.core.command(IsolateZone("li.wei", "tank_farm", True, "pump swap", 600))
        assert not forced.ok and "needs one of the roles engineer, shift lead" in forced.message
        last = trail(console)[-1]
        assert (last["username"], last["action"], last["outcome"]) == ("li.wei", "isolate_zone", "refused")
        pumps = IsolateZone("zhao.min", "tank_farm", True, "pump swap", 600)
        console.app.core.access.sign_in("zhao.min", frozenset({"engineer"}))  # at another desk, as it were
        assert (await console.app.core.command(pumps)).ok
        end = await until(lambda: window.isolation_strip.end_buttons(), 5, "the isolation's line")
        assert not end[0].isEnabled() and end[0].toolTip().startswith("Not for li.wei")
        window.switch_user_action.trigger()
        await sign_in(qtbot, await dialog_of(console, SignInDialog), "zhao.min", PASSWORD + "!")
        await until(lambda: console.user.name == "zhao.min", 10)
        assert window.isolate_button.isEnabled() and window.muster_action.isEnabled()
        assert window.isolate_button.toolTip().startswith("Maintenance isolation")
        assert window.isolation_strip.end_buttons()[0].isEnabled()
        card = window.permit_card  # no permit picked: its commands stay greyed, as the card wants
        assert not card.submit_button.isEnabled() and not card.suspend_button.isEnabled()

    run_console(scenario, **REQUIRED)


def test_the_audit_view_filters_and_the_status_bar_shows_a_broken_chain(
    run_console, simulator: SimulatorThread, people: str, qtbot: QtBot
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        window, view = console.window, console.window.audit_view
        dialog = await dialog_of(console, SignInDialog)
        await sign_in(qtbot, dialog, "li.wei", "wrong one")
        await until(lambda: dialog.message.text() == "wrong user name or password", 10)
        await sign_in(qtbot, dialog, "li.wei", PASSWORD)
        await until(lambda: console.user.name == "li.wei", 10)
        await until(lambda: window.chain_label.text().startswith("audit verified up to #"), 10)
        window.audit_action.trigger()
        assert window.audit_dock.isVisible()
        view.user_edit.setText("li.wei")
        qtbot.mouseClick(view.apply_button, Qt.MouseButton.LeftButton)
        await until(lambda: view.rows_shown() and view.rows_shown()[0][4] == "login", 10, "li.wei's rows")
        assert {r[2] for r in view.rows_shown()} == {"li.wei"}
        view.action_combo.setCurrentIndex(view.action_combo.findData("login_failed"))
        qtbot.mouseClick(view.apply_button, Qt.MouseButton.LeftButton)
        await until(lambda: [r[4] for r in view.rows_shown()] == ["login_failed"], 10, "the failed login")
        view.since_edit.setDateTime(view.since_edit.dateTime().currentDateTime().addSecs(3600))
        qtbot.mouseClick(view.apply_button, Qt.MouseButton.LeftButton)
        await until(lambda: view.page_label.text() == "no entries match", 10, "nothing in the next hour")
        with console.app.store.engine.begin() as conn:
            conn.execute(sa.text("UPDATE audit_trail SET reason = 'nothing happened' WHERE seq = 3"))
        qtbot.mouseClick(view.verify_button, Qt.MouseButton.LeftButton)
        await until(lambda: window.chain_label.text() == "audit BROKEN at #3", 10, "the broken chain")
        assert PALETTE.alarm_1 in window.chain_label.styleSheet()  # abnormal: the alarm colour

    run_console(scenario, **REQUIRED)


def test_no_clear_password_in_the_database_the_log_or_the_audit_after_a_login(
    run_console, simulator: SimulatorThread, people: str, qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "Zz-unique-secret-907"
    store = Store(people)
    UserStore(store, "setup").set_password("li.wei", secret, "setup", time.time())
    store.close()

    async def scenario(console: WindowedConsole) -> None:
        dialog = await dialog_of(console, SignInDialog)
        await sign_in(qtbot, dialog, secret, "li.wei")  # the password typed into the user field
        await until(lambda: dialog.message.text() == "wrong user name or password", 10)
        await until(dialog.ok_button.isEnabled, 5)
        await sign_in(qtbot, dialog, "li.wei", secret + "?")  # a wrong one, near the real one
        await until(lambda: [r for r in trail(console) if r["action"] == "login_failed"][1:], 10)
        await until(dialog.ok_button.isEnabled, 5)
        await sign_in(qtbot, dialog, "li.wei", secret)
        assert dialog.password_edit.text() == ""  # emptied as it is sent
        await until(lambda: console.user.name == "li.wei", 10)
        with console.app.store.engine.connect() as conn:
            stored = " ".join(
                str(tuple(row)) for table in metadata.sorted_tables for row in conn.execute(table.select())
            )
        assert "li.wei" in stored and secret not in stored
        assert secret not in " ".join(str(r) for r in trail(console))

    with caplog.at_level(logging.DEBUG):
        run_console(scenario, **REQUIRED)
    assert caplog.records and secret not in caplog.text
    if people.startswith("sqlite:///"):
        database = people.removeprefix("sqlite:///")
        for suffix in ("", "-wal"):
            try:
                with open(database + suffix, "rb") as f:
                    assert secret.encode() not in f.read()
            except FileNotFoundError:
                assert suffix
