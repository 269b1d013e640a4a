"""Greying by role: the gate holds back what the signed-in user's roles cannot give, on top of what the
widget itself decides, says why in the tooltip, and gives the widget its own state and tooltip back when
the next user may give the command."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QPushButton, QWidget
from pytestqt.qtbot import QtBot

from console.server.permissions import Access
from console.window.role_gate import RoleGate
from console.window.signed_in import SignedIn


def test_a_button_is_held_back_for_the_roles_and_given_back_for_the_next_user(qtbot: QtBot) -> None:
    holder = QWidget()
    qtbot.addWidget(holder)
    button, action = QPushButton("Isolate zone", holder), QAction("Start muster", holder)
    button.setToolTip("Maintenance isolation")
    user = SignedIn("desk-1", demo=False, parent=holder)
    gate = RoleGate(Access(), user, holder)
    refreshed: list[bool] = []
    gate.refreshers.append(lambda: refreshed.append(True))
    gate.guard(button, "IsolateZone")
    gate.guard(action, "StartMuster")
    assert not button.isEnabled() and button.toolTip() == "Nobody is signed in at this console"

    user.set_user("li.wei", "Li Wei", frozenset({"operator"}))
    assert not button.isEnabled() and not action.isEnabled()
    assert button.toolTip() == "Not for li.wei: it needs one of the roles engineer, shift lead"
    assert action.toolTip() == "Not for li.wei: it needs one of the roles emergency coordinator, shift lead"
    button.setEnabled(True)  # the widget's own logic says it makes sense now: still held back
    button.setToolTip("Maintenance isolation of the tank farm")
    action.setEnabled(True)
    assert not button.isEnabled() and not action.isEnabled()
    assert button.toolTip().startswith("Not for li.wei")

    user.set_user("zhao.min", "Zhao Min", frozenset({"shift_lead"}))
    assert button.isEnabled() and action.isEnabled() and refreshed
    assert button.toolTip() == "Maintenance isolation of the tank farm"  # the widget's latest, back

    user.set_locked(True)
    assert not button.isEnabled() and button.toolTip() == "The console is locked: sign in again"


def test_demo_holds_nothing_back(qtbot: QtBot) -> None:
    button = QPushButton("Take out of service")
    qtbot.addWidget(button)
    user = SignedIn("desk-1", demo=True)
    gate = RoleGate(Access(demo=True), user)
    gate.guard(button, "RemoveFromService")
    assert button.isEnabled() and button.toolTip() == ""
