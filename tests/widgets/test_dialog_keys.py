"""Enter submits every form dialog, as a keyboard user fills it: the focus first goes once round the whole
form (over every button, as Tab and a click on a button move it), then the fields are typed with Tab
between them, then Enter. Confirmations that guard an action keep Cancel as the default (Enter cancels)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMainWindow, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from alarms.definitions import Tier
from plant_maps.gas_tests import gas_limits
from plant_maps.site import Site
from tests.keyboard import fill, focused, press, type_text
from tests.widgets.alarms.test_alarm_table import alarm
from tests.widgets.test_translatable import interlock_lines
from widgets.alarms.shelve_dialog import ShelveDialog
from widgets.broadcasts.broadcast_dialog import BroadcastDialog
from widgets.common.text_dialog import TextDialog
from widgets.interlocks.interlock_dialog import InterlockDialog
from widgets.isolation.isolation_dialog import IsolationConfirmation, IsolationDialog
from widgets.permits.gas_test_dialog import GasTestDialog
from widgets.permits.permit_card import SuspendDialog
from widgets.sign_in.sign_in_dialogs import FirstAdminDialog, SignatureDialog, SignInDialog
from widgets.trends.trend_range import RangeDialog
from widgets.workers.wearable_response_dialogs import AssignResponderDialog, ResolveDialog

NOW = 1_796_000_000.0
ENTER, TAB, SPACE, DOWN = Qt.Key.Key_Return, Qt.Key.Key_Tab, Qt.Key.Key_Space, Qt.Key.Key_Down


@dataclass(frozen=True)
class Case:
    make: Callable[[Site, QWidget], QDialog]
    keys: Callable[[QDialog], None]  # the keyboard user's typing before Enter
    submitted: str = ""  # the signal Enter must emit; "" for the dialog accepted
    enter: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier  # Ctrl from a field of several lines


def _round_the_form(dialog: QDialog) -> None:
    """Tab once round the whole focus chain (buttons included) back to where the focus started."""
    start = focused(dialog)
    for _ in range(60):
        press(dialog, TAB)
        if focused(dialog) is start:
            return
    raise AssertionError(f"Tab never came back to {start!r}")


def _gas_test(site: Site, parent: QWidget) -> QDialog:
    permit = next(p for p in site.permits if gas_limits(p))
    return GasTestDialog(permit.id, gas_limits(permit), parent)


def _gas_test_keys(dialog: QDialog) -> None:
    assert isinstance(dialog, GasTestDialog)
    fill(dialog, *["1" if m != "o2" else "20.8" for m in dialog.edits], "Wang Qiang")


def _broadcast(site: Site, parent: QWidget) -> QDialog:
    names = {z.id: z.name for z in site.zones}
    return BroadcastDialog(site.broadcast_presets, site.pa_zones, names, parent)


def _broadcast_keys(dialog: QDialog) -> None:
    assert isinstance(dialog, BroadcastDialog)
    press(dialog, DOWN)  # the first preset, in the list the focus starts in
    while focused(dialog) is not dialog.all_zones:
        press(dialog, TAB)
    press(dialog, SPACE)  # every PA zone


def _resolve_keys(dialog: QDialog) -> None:
    press(dialog, SPACE)  # Actual incident, where the focus starts
    press(dialog, TAB)
    type_text(dialog, "Fell on the stairs, first aid given")


CASES = {
    "comment": Case(
        lambda s, p: TextDialog("Acknowledge", "Comment:", "Acknowledge", required=True, parent=p),
        lambda d: type_text(d, "checked on site"),
    ),
    "shelve": Case(
        lambda s, p: ShelveDialog(alarm("GD-CH-05.H", Tier.LOW), 8 * 3600, p),
        lambda d: type_text(d, "pump vibration, work order 4471"),
    ),
    "isolation": Case(
        lambda s, p: IsolationDialog([(z.id, z.name) for z in s.zones], "tank_farm", 8 * 3600, 200, p),
        lambda d: fill(d, "", "pump P-101 swap"),
    ),
    "gas test": Case(_gas_test, _gas_test_keys),
    "suspend": Case(lambda s, p: SuspendDialog("PTW-HW-001", p), lambda d: type_text(d, "guardian left")),
    "trend range": Case(lambda s, p: RangeDialog(NOW - 3600, NOW - 600, NOW, p), lambda d: None),
    "broadcast": Case(_broadcast, _broadcast_keys, "send_requested"),
    "assign responder": Case(
        lambda s, p: AssignResponderDialog("W01.SOS", "SOS Zhang Wei", [("W13", "Zhang Min (W13)")], p),
        lambda d: type_text(d, "Fire brigade crew 2"),
    ),
    "resolve": Case(
        lambda s, p: ResolveDialog("W01.SOS", "SOS Zhang Wei", p),
        _resolve_keys,
        enter=Qt.KeyboardModifier.ControlModifier,
    ),
    "sign in": Case(
        lambda s, p: SignInDialog("Sign in", "Sign in, please", parent=p),
        lambda d: fill(d, "li.wei", "correct horse 42"),
        "submitted",
    ),
    "first run": Case(
        lambda s, p: FirstAdminDialog(p),
        lambda d: fill(d, "admin.chen", "Chen Jie", "correct horse 42", "correct horse 42"),
        "submitted",
    ),
    "signature": Case(
        lambda s, p: SignatureDialog("Resolve W01.SOS", "SOS closed", "Li Wei (li.wei)", False, p),
        lambda d: type_text(d, "correct horse 42"),
        "submitted",
    ),
    "interlock second person": Case(
        lambda s, p: InterlockDialog(interlock_lines(s)[0], p),
        lambda d: fill(d, "zhao.min", "correct horse 42"),
        "confirm_clicked",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_enter_submits_the_dialog_filled_with_the_keyboard(qtbot: QtBot, site: Site, name: str) -> None:
    case = CASES[name]
    window = QMainWindow()
    qtbot.addWidget(window)
    window.show()
    dialog = case.make(site, window)
    dialog.open()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(dialog.isActiveWindow)
    _round_the_form(dialog)
    case.keys(dialog)
    if case.submitted:
        with qtbot.waitSignal(getattr(dialog, case.submitted), timeout=1000):
            press(dialog, ENTER, case.enter)
    else:
        press(dialog, ENTER, case.enter)
        assert dialog.result() == QDialog.DialogCode.Accepted, f"Enter did not submit the {name} dialog"


def test_enter_in_a_confirmation_that_guards_an_action_cancels(qtbot: QtBot) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    window.show()
    box = IsolationConfirmation("Tank farm", "pump swap", NOW + 3600, 12, 1, 1, window)
    box.open()
    qtbot.waitExposed(box)
    press(box, ENTER)
    assert box.clickedButton() is box.button(QMessageBox.StandardButton.Cancel) and not box.confirmed()
