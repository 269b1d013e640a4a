"""The permit card as the operator uses it: what it says of a permit, and commands only where the lifecycle
allows them, a suspension never without a reason, a close never without confirmation."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from plant_maps.gas_tests import GasTest, GasVerdict, gas_limits, judge
from plant_maps.permit_lifecycle import Approval, PermitAction, PermitState, allowed_actions
from plant_maps.permits import GuardianCheckIn, PermitBook, PermitStatus
from plant_maps.site import Site
from tests.widgets.support import Clock, colour_count, pixels, themed
from widgets.common.theme import PALETTE
from widgets.permits.permit_card import PermitCard


@pytest.fixture()
def book(site: Site) -> PermitBook:
    return PermitBook(site)


@pytest.fixture()
def clock(book: PermitBook) -> Clock:
    return Clock(book.status("PTW-HW-001").since + 30 * 60)  # half an hour into the hot work


@pytest.fixture()
def card(qtbot: QtBot, site: Site, clock: Clock) -> PermitCard:
    card = PermitCard(site, clock)
    qtbot.addWidget(card)
    themed(card)
    card.resize(560, 700)
    card.show()
    qtbot.waitExposed(card)
    return card


def in_state(book: PermitBook, permit_id: str, state: PermitState, reason: str = "") -> PermitStatus:
    return replace(book.status(permit_id), state=state, reason=reason)


def resumable(book: PermitBook, permit_id: str, now: float) -> PermitStatus:
    """Suspended ten minutes ago; since then a passing gas test and the guardian's check-in (GB 30871)."""
    s = in_state(book, permit_id, PermitState.SUSPENDED, "gas alarm nearby")
    clean = {m: 0.0 for m in gas_limits(s.permit)} | ({"o2": 20.9} if "o2" in gas_limits(s.permit) else {})
    verdict = judge(GasTest(now - 60, clean, "Zhou Li"), gas_limits(s.permit))
    check_in = GuardianCheckIn(s.permit.guardian, 0.0, 0.0, 3.0, now - 30)
    return replace(s, since=now - 600, gas_verdict=verdict, check_in=check_in)


@pytest.mark.parametrize("state", list(PermitState))
def test_every_command_is_enabled_exactly_when_the_book_would_carry_it_out_else_greyed_with_the_reason(
    card: PermitCard, book: PermitBook, clock: Clock, state: PermitState
) -> None:
    """STYLE: enablement declared once, with the reason. No command is offered that the book would refuse,
    none greyed that it would carry out, and none greyed without its reason."""
    status = in_state(book, "PTW-HW-001", state)
    card.set_permit(status)
    checks = book.checks
    expected = {
        card.submit_button: checks.why_not(status, PermitAction.SUBMIT, clock.now),
        card.approve_button: checks.why_not(status, PermitAction.SIGN, clock.now),
        card.gas_test_button: checks.gas_test(status),
        card.check_in_button: checks.check_in(status),
        card.activate_button: checks.why_not(status, PermitAction.ACTIVATE, clock.now),
        card.suspend_button: checks.why_not(status, PermitAction.SUSPEND, clock.now),
        card.resume_button: checks.why_not(status, PermitAction.RESUME, clock.now),
        card.close_button: checks.why_not(status, PermitAction.CLOSE, clock.now),
        card.map_button: [],
        card.broadcast_button: [],
    }
    for button, why in expected.items():
        assert button.isEnabled() == (not why), button.text()
        if why:
            assert button.toolTip() == "Not possible now: " + "; ".join(str(w) for w in why)
        else:
            assert button.toolTip() and not button.toolTip().startswith("Not possible")
    assert card.suspend_button.isEnabled() == (PermitAction.SUSPEND in allowed_actions(state))


def test_resume_is_greyed_with_the_reason_until_a_new_passing_gas_test_and_check_in(
    card: PermitCard, book: PermitBook, clock: Clock
) -> None:
    card.set_permit(
        replace(in_state(book, "PTW-HW-001", PermitState.SUSPENDED, "gas"), since=clock.now - 600)
    )
    assert not card.resume_button.isEnabled()
    assert card.resume_button.toolTip() == (
        "Not possible now: no gas test taken since the suspension; "
        "guardian W02 has not checked in at Compressor house again since the suspension"
    )
    failed = judge(
        GasTest(clock.now - 60, {"lel": 14.0}, "Zhou Li"),
        {"lel": gas_limits(book.status("PTW-HW-001").permit)["lel"]},
    )
    card.set_permit(replace(resumable(book, "PTW-HW-001", clock.now), gas_verdict=failed))
    assert (
        card.resume_button.toolTip()
        == "Not possible now: gas test failed: LEL 14 %LEL above 10 %LEL (permit)"
    )
    card.set_permit(resumable(book, "PTW-HW-001", clock.now))
    assert card.resume_button.isEnabled()
    assert card.resume_button.toolTip().startswith("Restart the work")


def test_a_gas_test_is_greyed_on_a_draft_and_activation_once_the_test_is_too_old(
    qtbot: QtBot, card: PermitCard, book: PermitBook, clock: Clock
) -> None:
    card.set_permit(book.status("PTW-HW-009"))  # a draft in the demo
    assert not card.gas_test_button.isEnabled()
    assert card.gas_test_button.toolTip() == (
        "Not possible now: PTW-HW-009 is draft: a gas test is taken once it is approved"
    )
    approved = replace(resumable(book, "PTW-HW-001", clock.now), state=PermitState.APPROVED)
    card.set_permit(approved)  # tested a minute ago, the guardian checked in
    assert card.activate_button.isEnabled()
    clock.now += 30 * 60  # the test is 31 minutes old now: the card notices by itself
    qtbot.waitUntil(lambda: not card.activate_button.isEnabled(), timeout=2500)
    assert card.activate_button.toolTip() == (
        "Not possible now: gas test is 31 min old (at most 30 min before work)"
    )


def test_a_suspension_without_a_reason_is_refused(qtbot: QtBot, card: PermitCard, book: PermitBook) -> None:
    card.set_permit(book.status("PTW-HW-001"))
    qtbot.mouseClick(card.suspend_button, Qt.MouseButton.LeftButton)
    dialog = card.suspend_dialog
    assert dialog is not None and dialog.isVisible()
    assert not dialog.ok_button.isEnabled()
    with qtbot.assertNotEmitted(card.suspend_requested):
        dialog.accept()  # even accepted programmatically
        qtbot.keyClicks(dialog.reason_edit, "   ")
        assert not dialog.ok_button.isEnabled()
        dialog.accept()
    assert dialog.isVisible()
    dialog.reason_edit.lineEdit().clear()
    qtbot.keyClicks(dialog.reason_edit, "Hot work sparks near open drain ")
    assert dialog.ok_button.isEnabled()
    with qtbot.waitSignal(card.suspend_requested, timeout=1000) as suspended:
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert suspended.args == ["PTW-HW-001", "Hot work sparks near open drain"]
    assert card.suspend_dialog is None


def test_a_suspension_reason_may_be_picked_and_cancelling_sends_nothing(
    qtbot: QtBot, card: PermitCard, book: PermitBook
) -> None:
    card.set_permit(book.status("PTW-HW-001"))
    qtbot.mouseClick(card.suspend_button, Qt.MouseButton.LeftButton)
    dialog = card.suspend_dialog
    assert dialog is not None
    dialog.reason_edit.setCurrentIndex(0)
    assert dialog.reason() == "Gas alarm in the work zone" and dialog.ok_button.isEnabled()
    with qtbot.assertNotEmitted(card.suspend_requested):
        dialog.reject()
    qtbot.mouseClick(card.suspend_button, Qt.MouseButton.LeftButton)
    dialog = card.suspend_dialog
    assert dialog is not None
    dialog.reason_edit.setCurrentIndex(1)
    with qtbot.waitSignal(card.suspend_requested, timeout=1000) as suspended:
        dialog.accept()
    assert suspended.args == ["PTW-HW-001", "SOS or man-down in the work zone"]


def test_resume_emits_and_close_asks_first(
    qtbot: QtBot, card: PermitCard, book: PermitBook, clock: Clock
) -> None:
    card.set_permit(resumable(book, "PTW-CS-003", clock.now))
    with qtbot.waitSignal(card.resume_requested, timeout=1000) as resumed:
        qtbot.mouseClick(card.resume_button, Qt.MouseButton.LeftButton)
    assert resumed.args == ["PTW-CS-003"]
    with qtbot.assertNotEmitted(card.close_requested):
        qtbot.mouseClick(card.close_button, Qt.MouseButton.LeftButton)
        box = card.close_dialog
        assert box is not None and box.isVisible()
        qtbot.mouseClick(box.button(QMessageBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    assert card.close_dialog is None
    qtbot.mouseClick(card.close_button, Qt.MouseButton.LeftButton)
    box = card.close_dialog
    assert box is not None
    [confirm] = [b for b in box.buttons() if b.text() == "Close permit"]
    with qtbot.waitSignal(card.close_requested, timeout=1000) as closed:
        qtbot.mouseClick(confirm, Qt.MouseButton.LeftButton)
    assert closed.args == ["PTW-CS-003"]


def test_show_on_map_emits_the_permit(qtbot: QtBot, card: PermitCard, book: PermitBook) -> None:
    card.set_permit(book.status("PTW-LF-005"))
    with qtbot.waitSignal(card.show_on_map_requested, timeout=1000) as shown:
        qtbot.mouseClick(card.map_button, Qt.MouseButton.LeftButton)
    assert shown.args == ["PTW-LF-005"]


def test_the_card_tells_what_where_who_and_until_when(card: PermitCard, book: PermitBook) -> None:
    card.set_permit(book.status("PTW-HW-001"), book.simops())
    assert card.title_label.text() == "PTW-HW-001  Weld bracket on K-301 suction line"
    assert card.code_label.text() == "HW"
    assert card.field_text("Category") == "Hot work, grade 1"
    assert card.field_text("Zone") == "Compressor house"
    assert card.field_text("Applicant") == "He Jun (W17)"
    assert card.field_text("Guardian") == "Zhang Min (W02) — not checked in"
    assert card.field_text("Workers") == "Li Wei (W01), Wang Fang (W03)"
    assert card.field_text("Valid").endswith("· 7 h 30 min left")  # 8 h at most for grade 1, 30 min in
    assert card.field_text("Gas limits") == "LEL <= 10 %LEL (permit)"
    assert card.field_text("Latest gas test") == "none recorded"
    assert card.field_text("State").startswith("Active since")
    assert not card.state_marked()
    assert card.field_text("Reason") == ""  # hidden while the permit runs
    assert "PTW-LB-002 (line_blinding)" in card.field_text("SIMOPS")
    assert card.field_text("Approvals") == "safety department: on record\nproduction manager: on record"


def test_a_suspended_permit_shows_why_with_a_mark_and_a_failed_gas_test_in_bold(
    card: PermitCard, book: PermitBook, clock: Clock
) -> None:
    test = GasTest(clock.now - 120, {"lel": 14.0}, "W02")
    status = replace(
        in_state(book, "PTW-HW-001", PermitState.SUSPENDED, "LEL 14 %LEL at the work point"),
        gas_verdict=GasVerdict(test, ("lel 14 %LEL outside <= 10 %LEL (permit)",)),
    )
    card.set_permit(status)
    assert card.state_marked()
    assert card.fields["State"].font().bold()
    assert card.field_text("Reason") == "LEL 14 %LEL at the work point"
    assert card.field_text("Latest gas test").startswith("FAILED, taken")
    assert "by Zhang Min (W02): lel 14 %LEL outside" in card.field_text("Latest gas test")
    assert card.fields["Latest gas test"].font().bold()


def test_approvals_show_who_signed_and_who_is_awaited(
    card: PermitCard, book: PermitBook, clock: Clock
) -> None:
    status = replace(
        book.status("PTW-HW-001"),
        state=PermitState.PENDING_APPROVAL,
        restored=False,
        approvals=(Approval("safety_department", "safety_department", "W22", clock.now, "control room"),),
    )
    card.set_permit(status)
    lines = card.field_text("Approvals").split("\n")
    assert lines[0].startswith("safety department: signed by Liang Yu (W22) ")
    assert lines[0].endswith(", from control room")
    assert lines[1] == "production manager: waiting"


def test_the_time_left_counts_down_with_the_clock(
    qtbot: QtBot, card: PermitCard, book: PermitBook, clock: Clock
) -> None:
    card.set_permit(book.status("PTW-HW-001"))
    clock.now += 3 * 3600
    qtbot.waitUntil(lambda: card.field_text("Valid").endswith("· 4 h 30 min left"), timeout=2500)
    clock.now += 5 * 3600
    qtbot.waitUntil(lambda: "· ended 30 min ago" in card.field_text("Valid"), timeout=2500)


def test_the_outcome_line_makes_a_refusal_bold(card: PermitCard, book: PermitBook) -> None:
    card.set_permit(book.status("PTW-HW-001"))
    card.set_status("Refused: guardian W02 has not checked in at Compressor house", refused=True)
    assert card.status_label.font().bold()
    card.set_status("Suspended")
    assert not card.status_label.font().bold()
    card.set_permit(book.status("PTW-LB-002"))
    assert card.status_label.text() == ""  # another permit: the last outcome was not about it


def test_a_running_permit_is_grey_and_a_suspended_one_carries_amber(
    card: PermitCard, book: PermitBook, tmp_path: Path
) -> None:
    card.set_permit(book.status("PTW-HW-001"))
    shown = pixels(card, tmp_path / "permit_card.png")
    saturation = shown.max(axis=2).astype(int) - shown.min(axis=2)
    assert saturation.max() <= 24
    card.set_permit(in_state(book, "PTW-HW-001", PermitState.SUSPENDED, "gas"))
    assert colour_count(pixels(card, tmp_path / "permit_card_suspended.png"), PALETTE.alarm_2) >= 20


def test_a_gas_test_starts_empty_and_records_only_every_required_reading_and_the_tester(
    qtbot: QtBot, card: PermitCard, book: PermitBook, tmp_path: Path
) -> None:
    card.set_permit(in_state(book, "PTW-TE-006", PermitState.ACTIVE))  # temporary electricity: no gas test
    assert not card.gas_test_button.isEnabled() and card.check_in_button.isEnabled()
    card.set_permit(in_state(book, "PTW-CS-003", PermitState.SUSPENDED))  # confined space: O2, LEL, toxics
    assert card.gas_test_button.isEnabled()
    qtbot.mouseClick(card.gas_test_button, Qt.MouseButton.LeftButton)
    dialog = card.gas_test_dialog
    assert dialog is not None and set(dialog.edits) == {"o2", "lel", "h2s", "co"}
    assert all(edit.text() == "" for edit in dialog.edits.values()) and dialog.readings() == {}
    sent: list[tuple[object, ...]] = []
    card.gas_test_requested.connect(lambda *args: sent.append(args))
    qtbot.keyClicks(dialog.tester_edit, "Zhou Li")
    qtbot.keyClicks(dialog.edits["lel"], "3.5")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)  # three readings missing
    assert dialog.isVisible() and sent == []
    assert dialog.problem_label.isVisible()
    assert dialog.problem_label.text() == "Missing readings: O2, H2S, CO."
    dialog.grab().save(str(tmp_path / "gas_test_refused.png"))
    qtbot.keyClicks(dialog.edits["o2"], "209")  # a typing error, not a reading
    qtbot.keyClicks(dialog.edits["h2s"], "abc")
    qtbot.keyClicks(dialog.edits["co"], "0")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and sent == []
    assert dialog.problem_label.text().splitlines() == [
        "O2: “209” is not a plausible reading (0 to 25 %vol).",
        "H2S: “abc” is not a plausible reading (0 to 1000000 ppm).",
    ]
    dialog.edits["o2"].setText("")
    qtbot.keyClicks(dialog.edits["o2"], "20.9")
    dialog.edits["h2s"].setText("")
    qtbot.keyClicks(dialog.edits["h2s"], "1")
    with qtbot.waitSignal(card.gas_test_requested):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert sent == [("PTW-CS-003", {"o2": 20.9, "lel": 3.5, "h2s": 1.0, "co": 0.0}, "Zhou Li")]


def test_a_draft_is_submitted_and_a_pending_permit_approved_as_one_of_its_routed_roles(
    qtbot: QtBot, card: PermitCard, book: PermitBook
) -> None:
    card.set_permit(book.status("PTW-HW-009"))  # a draft in the demo
    assert card.submit_button.isEnabled() and not card.approve_button.isEnabled()
    with qtbot.waitSignal(card.submit_requested) as submitted:
        card.submit_button.click()
    assert submitted.args == ["PTW-HW-009"]
    card.set_permit(in_state(book, "PTW-HW-009", PermitState.PENDING_APPROVAL))
    assert not card.submit_button.isEnabled() and card.approve_button.isEnabled()
    roles = book.status("PTW-HW-009").pending_steps[0].roles
    actions = card.approve_menu.actions()
    assert len(actions) == len(roles) and all("unit step" in a.text() for a in actions)
    with qtbot.waitSignal(card.approve_requested) as approved:
        actions[0].trigger()
    assert approved.args[0] == "PTW-HW-009" and approved.args[1] in roles


def test_a_signer_is_offered_only_the_roles_they_hold(
    qtbot: QtBot, card: PermitCard, book: PermitBook
) -> None:
    pending = in_state(book, "PTW-HW-009", PermitState.PENDING_APPROVAL)
    [role] = sorted(pending.pending_steps[0].roles)[:1]
    card.signing_roles = lambda: frozenset({"operator"})  # an operator is no approver of this step
    card.set_permit(pending)
    [entry] = card.approve_menu.actions()[:1]
    assert not entry.isEnabled()
    assert entry.toolTip() == f"Not yours to sign: you do not hold the role {role}"
    card.signing_roles = lambda: frozenset({"operator", role})  # another user signed in
    card.update_buttons()
    [entry] = card.approve_menu.actions()[:1]
    assert entry.isEnabled()
    with qtbot.waitSignal(card.approve_requested) as approved:
        entry.trigger()
    assert approved.args == ["PTW-HW-009", role]
