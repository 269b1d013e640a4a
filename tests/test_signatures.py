"""Electronic signatures in the core (21 CFR 11.50/11.200): outside DEMO a signed command needs the signer's
password, checked against their account; a missing or wrong one is refused and audited; a right one puts
the signer's full name, the time and the meaning on the audit entry and the permit's approval. The password
is in no repr, journal row or audit entry. SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

from alarms.clock import ManualClock
from console.server.accounts import Accounts
from console.server.core import Core
from console.server.permissions import Access
from console.server.session import ApprovePermit, SubmitPermit
from console.server.signatures import Signature
from integrations.storage import Store, StoreWriter
from integrations.users import ROLES, LoginPolicy, UserStore
from plant_maps.site_file import load_site
from tests.conftest import DEMO_SITE

T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC).timestamp()
PASSWORD = "approver pen 3"
PERMIT = "PTW-HW-009"


def test_a_signed_command_needs_the_signers_password_and_records_name_time_and_meaning(
    database_url: str,
) -> None:
    async def run() -> None:
        clock = ManualClock(T0)
        site = load_site(DEMO_SITE, now=datetime.fromtimestamp(T0, UTC))
        store = Store(database_url)
        writer = StoreWriter(store, site)
        users = UserStore(store, "desk-1")
        users.add("chen.jie", "Chen Jie", PASSWORD, ROLES - {"admin"}, "setup", T0)
        access = Access()
        accounts = Accounts(users, access, clock, LoginPolicy(max_failures=3))
        core = Core(site, clock, writer, "desk-1", access=access, accounts=accounts)
        assert (await accounts.sign_in("chen.jie", PASSWORD)).ok
        assert (await core.command(SubmitPermit("chen.jie", PERMIT))).ok
        role = sorted(core.permits.book.status(PERMIT).pending_steps[0].roles)[0]
        meaning = f"approved as {role.replace('_', ' ')}"

        unsigned = await core.command(ApprovePermit("chen.jie", PERMIT, role))
        assert not unsigned.ok
        assert unsigned.message == f"{meaning} is an electronic signature: it needs the signer's password"
        wrong = await core.command(ApprovePermit("chen.jie", PERMIT, role, Signature("approver pen 4")))
        assert not wrong.ok and wrong.message == "signature refused: wrong user name or password"
        assert PASSWORD not in repr(ApprovePermit("chen.jie", PERMIT, role, Signature(PASSWORD)))

        clock.advance(30)
        signed = await core.command(ApprovePermit("chen.jie", PERMIT, role, Signature(PASSWORD)))
        assert signed.ok, signed.message
        [approval] = core.permits.status(PERMIT).approvals
        assert (approval.approver, approval.signer, approval.meaning, approval.ts) == (
            "chen.jie",
            "Chen Jie",
            meaning,
            T0 + 30,
        )
        await asyncio.to_thread(writer.close)
        rows = list(store.audit_rows())
        outcomes = [(r["action"], r["outcome"]) for r in rows if r["username"] == "chen.jie"]
        assert outcomes[-4:] == [
            ("approve_permit", "refused"),
            ("signature_failed", "refused"),
            ("approve_permit", "refused"),
            ("approve_permit", "done"),
        ]
        signature = json.loads(rows[-1]["new_value"])["signature"]
        assert signature == {"name": "chen.jie", "full_name": "Chen Jie", "meaning": meaning, "ts": T0 + 30}
        journal = [e.payload for e in store.journal_rows(kind="permit")]
        assert (
            journal[-1]["approval"]["signer"] == "Chen Jie" and journal[-1]["approval"]["meaning"] == meaning
        )
        everything = " ".join(map(str, rows)) + " ".join(map(str, journal))
        assert PASSWORD not in everything and "approver pen 4" not in everything
        store.close()

    asyncio.run(run())
