"""Electronic signatures in the real window (21 CFR 11.50/11.200): approving a permit asks the signer's
password in the signature dialog; a wrong one is refused there by the core (and audited, counted towards the
lockout); the right one signs, and the permit card and the audit entry carry the signer's full name, the
time and the meaning — never the password."""

from __future__ import annotations

import json
import time

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from console.server.session import SubmitPermit
from console.window.gui import WindowedConsole
from integrations.simulator import SimulatorThread
from integrations.storage import Store
from integrations.users import UserStore
from plant_maps.permit_grades import APPROVER_ROLES
from tests.e2e.conftest import until
from tests.e2e.test_sign_in import dialog_of, sign_in
from widgets.sign_in.sign_in_dialogs import SignInDialog

PASSWORD = "signing pen 7"
PERMIT = "PTW-HW-009"  # a draft in the demo plant


@pytest.fixture()
def approver(database_url: str) -> str:
    store = Store(database_url)
    roles = [*APPROVER_ROLES, "operator"]
    UserStore(store, "setup").add("sun.li", "Sun Li", PASSWORD, roles, "setup", time.time())
    store.close()
    return database_url


def test_approving_a_permit_is_signed_with_the_password_name_time_and_meaning(
    run_console, simulator: SimulatorThread, approver: str, qtbot: QtBot
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        await sign_in(qtbot, await dialog_of(console, SignInDialog), "sun.li", PASSWORD)
        await until(lambda: console.user.name == "sun.li", 10)
        assert (await console.app.core.command(SubmitPermit("sun.li", PERMIT))).ok
        card = console.window.permit_card
        console.window.show_permit(PERMIT)
        await until(card.approve_button.isEnabled, 5, "the approval offered")
        entry = card.approve_menu.actions()[0]
        role = console.app.core.permits.status(PERMIT).pending_steps[0].roles
        entry.trigger()
        signing = await until(lambda: console.field.signature, 5, "the signature dialog")
        meaning = next(
            f"approved as {r.replace('_', ' ')}" for r in role if r.replace("_", " ") in entry.text()
        )
        assert f"Signed by Sun Li (sun.li), now, meaning: {meaning}." in signing.intro.text()
        qtbot.keyClicks(signing.password_edit, "not the pen")
        qtbot.mouseClick(signing.ok_button, Qt.MouseButton.LeftButton)
        await until(lambda: signing.message.text().startswith("signature refused"), 10, "the refusal")
        assert signing.message.text() == "signature refused: wrong user name or password"
        assert not console.app.core.permits.status(PERMIT).approvals
        qtbot.keyClicks(signing.password_edit, PASSWORD)
        qtbot.mouseClick(signing.ok_button, Qt.MouseButton.LeftButton)
        await until(lambda: console.app.core.permits.status(PERMIT).approvals, 10, "the signature taken")
        await until(lambda: "signed by Sun Li (sun.li)" in card.field_text("Approvals"), 5, "on the card")
        assert (
            card.field_text("Approvals").split("\n")[0].endswith(f", {meaning}, from {console.user.console}")
        )
        rows = list(console.app.store.audit_rows())
        failed = [r for r in rows if r["action"] == "signature_failed"]
        assert [(r["username"], r["outcome"]) for r in failed] == [("sun.li", "refused")]
        [signed] = [r for r in rows if r["action"] == "approve_permit" and r["outcome"] == "done"]
        signature = json.loads(signed["new_value"])["signature"]
        assert (signature["name"], signature["full_name"], signature["meaning"]) == (
            "sun.li",
            "Sun Li",
            meaning,
        )
        assert abs(signature["ts"] - time.time()) < 60
        assert not any(PASSWORD in str(r) or "not the pen" in str(r) for r in rows)
        journal = " ".join(str(e.payload) for e in console.app.store.journal_rows(kind="permit"))
        assert "Sun Li" in journal and PASSWORD not in journal

    run_console(scenario, login="required", lock_after_s=0.0)
