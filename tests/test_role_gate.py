"""Greying by role: the gate holds back what the signed-in user's roles cannot give, on top of what the
widget itself decides, says why in the tooltip, and gives the widget its own state and tooltip back when
the next user may give the command."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QPushButton, QWidget
from pytestqt.qtbot import QtBot

from console.server.permissions import Access
from console.window.incident_view import guard_panel
from console.window.role_gate import RoleGate
from console.window.signed_in import SignedIn
from plant_maps.gas_tests import GasTest, gas_limits, judge
from plant_maps.permit_lifecycle import PermitState
from plant_maps.permits import GuardianCheckIn, PermitBook
from plant_maps.site import Site
from widgets.incidents.incident_panel import IncidentPanel
from widgets.permits.permit_card import PermitCard


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


def test_the_permit_card_and_the_gate_together_show_the_reason_that_applies(qtbot: QtBot, site: Site) -> None:
    """The role gate greys by role on top of the card's own greying by the permit's state; the tooltip gives
    the role's reason while the role forbids, then the permit's reason, then what the command does."""
    book = PermitBook(site)
    stopped = replace(book.status("PTW-HW-001"), state=PermitState.SUSPENDED, reason="gas")
    now = stopped.since + 1800
    card = PermitCard(site, lambda: now)
    qtbot.addWidget(card)
    user = SignedIn("desk-1", demo=False, parent=card)
    gate = RoleGate(Access(), user, card)
    gate.refreshers.append(card.update_buttons)
    gate.guard(card.resume_button, "ResumePermit")
    card.set_permit(replace(stopped, since=now - 600))
    user.set_user("wu.qiang", "Wu Qiang", frozenset({"emergency_coordinator"}))
    resume = card.resume_button
    assert not resume.isEnabled()
    assert resume.toolTip() == "Not for wu.qiang: it needs one of the roles operator, shift lead"

    user.set_user("li.wei", "Li Wei", frozenset({"operator"}))  # may resume, but the permit may not yet
    assert not resume.isEnabled()
    assert resume.toolTip() == (
        "Not possible now: no gas test taken since the suspension; "
        "guardian W02 has not checked in at Compressor house again since the suspension"
    )
    tested = judge(GasTest(now - 60, {"lel": 0.0}, "Zhou Li"), gas_limits(stopped.permit))
    check_in = GuardianCheckIn("W02", 0.0, 0.0, 3.0, now - 30)
    card.set_permit(replace(stopped, since=now - 600, gas_verdict=tested, check_in=check_in))
    assert resume.isEnabled() and resume.toolTip().startswith("Restart the work")

    user.set_user("wu.qiang", "Wu Qiang", frozenset({"emergency_coordinator"}))
    assert not resume.isEnabled() and resume.toolTip().startswith("Not for wu.qiang")


def test_the_incident_tab_greys_by_role_and_a_closed_incident_takes_only_a_reopening(qtbot: QtBot) -> None:
    panel = IncidentPanel()
    qtbot.addWidget(panel)
    user = SignedIn("desk-1", demo=False, parent=panel)
    guard_panel(RoleGate(Access(), user, panel), panel)
    panel.show_header({"id": "INC-1"}, is_open=True)
    user.set_user("li.wei", "Li Wei", frozenset({"operator"}))
    assert panel.note_button.isEnabled()  # the watch adds notes
    for button in (panel.transfer_button, panel.close_button):
        assert not button.isEnabled() and button.toolTip().startswith(
            "Not for li.wei: it needs one of the roles"
        )

    user.set_user("zhao.min", "Zhao Min", frozenset({"shift_lead"}))
    assert panel.transfer_button.isEnabled() and panel.close_button.isEnabled()
    assert (
        not panel.reopen_button.isEnabled()
        and panel.reopen_button.toolTip() == "Not possible: the incident is open"
    )
    panel.show_header({"state": "closed"}, is_open=False)
    assert panel.reopen_button.isEnabled() and not panel.note_button.isEnabled()
    assert "closed and read-only" in panel.note_button.toolTip()
