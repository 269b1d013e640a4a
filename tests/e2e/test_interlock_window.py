"""Interlocks as an operator works them in the real window, against the simulator's PLC over OPC UA: the
panel's Arm and the confirmation's Execute, the map's zone menu, the second person's dialog, and the
request a no-permit entry puts under the banner."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from console.server.session import ArmInterlock
from console.window.gui import WindowedConsole
from integrations.simulator import SimulatorThread
from integrations.storage import Store
from integrations.users import UserStore
from tests.e2e.conftest import until
from widgets.common.grab import grab_with_dialog

IL, TWO = "IL-CH-TRIP", "IL-TF-ESDV"
SHOTS = Path(tempfile.gettempdir()) / "controlroom-interlock-shots"  # to look at (docs/: make_screenshots)


def _actions(database_url: str) -> list[tuple[str, str, str]]:
    rows = Store(database_url).audit_rows()
    return [(r["username"], r["action"], r["outcome"]) for r in rows if str(r["target"]).startswith("IL-")]


def save_with_dialog(console: WindowedConsole, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    assert grab_with_dialog(console.window, console.interlocks.dialog).save(str(path))


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_arm_and_execute_from_the_panel_and_the_feedback_follows(
    run_console, simulator: SimulatorThread, database_url: str, qtbot: QtBot, size: tuple[int, int]
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        window, panel = console.window, console.window.interlock_panel
        window.resize(*size)
        await until(lambda: panel.line(IL).feedback is False, 15, "the feedback read")
        window.show_interlock(IL)
        assert panel.selected() == IL and panel.arm_button.isEnabled()
        assert not panel.execute_button.isEnabled() and panel.execute_button.toolTip() == "arm it first"
        qtbot.mouseClick(panel.arm_button, Qt.MouseButton.LeftButton)
        dialog = await until(lambda: console.interlocks.dialog, 5, "the confirmation")
        await until(dialog.isVisible, 5, "the confirmation shown")
        assert dialog.does.text() == "trips compressors K-301/K-302; compressor house power off"
        assert dialog.feedback.text() == "command OFF, feedback OFF"
        assert dialog.who.text() == "emergency coordinator, operator, shift lead"
        selection = dialog.selection.text()
        assert selection.startswith("armed to trip: ") and selection.endswith(" s by tester")
        assert not dialog.second_box.isVisible()
        rows = {r[0]: r for r in panel.rows()}
        assert rows[IL][3].startswith("armed to trip: ") and rows[IL][4].startswith("tester ")
        save_with_dialog(console, SHOTS / f"interlock-armed-{size[0]}x{size[1]}.png")
        qtbot.mouseClick(dialog.execute_button, Qt.MouseButton.LeftButton)
        await until(lambda: panel.line(IL).state == "tripped", 10, "the trip confirmed by its feedback")
        assert console.interlocks.dialog is None
        row = {r[0]: r for r in panel.rows()}[IL]
        assert row[1:4] == ("ON", "ON", "tripped") and "feedback ON followed in" in row[4]
        assert panel.reset_button.isEnabled() and not panel.arm_button.isEnabled()
        assert panel.arm_button.toolTip() == "it is tripped: Reset… returns it to normal"
        await until(lambda: len(_actions(database_url)) >= 4, 5, "the feedback audited")

    run_console(scenario)
    assert _actions(database_url) == [
        ("tester", "arm_interlock", "done"),
        ("tester", "interlock_write", "done"),
        ("tester", "execute_interlock", "done"),
        ("tester", "interlock_feedback", "done"),
    ]


def test_the_zone_menu_arms_an_interlock_and_closing_its_confirmation_cancels_it(
    run_console, simulator: SimulatorThread, database_url: str
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        panel = console.window.interlock_panel
        await until(lambda: panel.line(IL).feedback is False, 15, "the feedback read")
        menu = console.menus.zone_menu("compressor_house")
        [entry] = [a for a in menu.actions() if a.text() == f"Interlock {IL}…"]
        entry.trigger()
        dialog = await until(lambda: console.interlocks.dialog, 5, "the confirmation")
        assert panel.selected() == IL and console.window.interlock_dock.isVisible()
        dialog.reject()  # Esc: nothing is written, the selection does not stay armed unseen
        await until(lambda: console.app.core.interlocks.status(IL).selection is None, 5, "the cancel")
        assert panel.line(IL).state == "normal"

    run_console(scenario)
    assert _actions(database_url) == [
        ("tester", "arm_interlock", "done"),
        ("tester", "cancel_interlock", "done"),
    ]


def test_the_second_person_confirms_in_the_dialog_and_the_same_person_is_refused(
    run_console, simulator: SimulatorThread, database_url: str, qtbot: QtBot
) -> None:
    UserStore(Store(database_url), "setup").add(
        "li.wei", "Li Wei", "second-person-pw-2", ["shift_lead"], "admin", 0
    )

    async def scenario(console: WindowedConsole) -> None:
        window, panel = console.window, console.window.interlock_panel
        window.resize(1366, 768)
        await until(lambda: panel.line(TWO).feedback is False, 15, "the feedback read")
        window.show_interlock(TWO)
        qtbot.mouseClick(panel.arm_button, Qt.MouseButton.LeftButton)
        dialog = await until(lambda: console.interlocks.dialog, 5, "the confirmation")
        await until(dialog.isVisible, 5, "the confirmation shown")
        assert dialog.second_box.isVisible() and not dialog.execute_button.isEnabled()
        assert dialog.execute_button.toolTip() == "waits for the second person"
        qtbot.keyClicks(dialog.second_name, "tester")
        qtbot.keyClicks(dialog.password, "whatever-it-is")
        qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
        await until(lambda: "someone other than tester" in dialog.outcome.text(), 5, "the refusal")
        assert dialog.password.text() == ""  # never kept once sent
        dialog.second_name.clear()
        qtbot.keyClicks(dialog.second_name, "li.wei")
        qtbot.keyClicks(dialog.password, "second-person-pw-2")
        qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
        await until(dialog.execute_button.isEnabled, 10, "Execute enabled once confirmed")
        assert dialog.confirm_button.text() == "Confirmed by li.wei"
        save_with_dialog(console, SHOTS / "interlock-two-person-1366x768.png")
        qtbot.mouseClick(dialog.execute_button, Qt.MouseButton.LeftButton)
        await until(lambda: panel.line(TWO).state == "tripped", 10, "the valve closed")

    run_console(scenario)
    confirms = [outcome for _, a, outcome in _actions(database_url) if a == "confirm_second_person"]
    assert confirms == ["refused", "done"]


def test_a_no_permit_entry_requests_the_trip_on_the_banner_and_execute_performs_it(
    run_console, plant: SimulatorThread, database_url: str, qtbot: QtBot
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        window, strip = console.window, console.window.interlock_requests
        await until(lambda: window.interlock_panel.line(IL).feedback is False, 15, "the feedback read")
        plant.set_scenario("no-permit-entry")
        await until(strip.lines, 40, "the request on the banner")
        [line] = strip.lines()
        assert line.startswith(f"{IL} requested at ")
        assert "W16" in line and "without being on its permit (Compressor house)" in line
        assert strip.isVisible()
        assert console.app.core.interlocks.status(IL).command is False  # a request writes nothing
        execute, _dismiss = strip.buttons(IL)
        qtbot.mouseClick(execute, Qt.MouseButton.LeftButton)
        dialog = await until(lambda: console.interlocks.dialog, 5, "the confirmation")
        qtbot.mouseClick(dialog.execute_button, Qt.MouseButton.LeftButton)
        await until(lambda: window.interlock_panel.line(IL).state == "tripped", 10, "the trip")
        assert strip.lines() == [] and not strip.isVisible()

    run_console(scenario)
    actions = _actions(database_url)
    assert actions[0] == ("system", "interlock_request", "done")
    assert ("tester", "interlock_write", "done") in actions


def test_the_commands_are_greyed_for_a_role_that_may_not_and_the_core_refuses_anyway(
    run_console, simulator: SimulatorThread, database_url: str
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        panel = console.window.interlock_panel
        console.app.core.access.sign_in("tester", frozenset({"engineer"}))  # as the sign-in dialog does
        console.user.set_user("tester", "Tester", frozenset({"engineer"}))
        await until(lambda: panel.line(IL).feedback is False, 15, "the feedback read")
        console.window.show_interlock(IL)
        why = "needs one of the roles emergency coordinator, operator, shift lead"
        for button in (panel.arm_button, panel.reset_button, panel.execute_button, panel.cancel_button):
            assert not button.isEnabled() and button.toolTip() == why
        refused = await console.app.core.command(ArmInterlock("tester", IL))
        assert not refused.ok and "tester may not act on IL-CH-TRIP" in refused.message

    run_console(scenario, login="required")
    assert _actions(database_url) == [("tester", "arm_interlock", "refused")]
