"""The shift handover through the core (issue 16): start freezes a snapshot of the shift (KPIs with their
lights, standing and shelved alarms, suspended permits, notes, flags, the audit head); flags come back at
every handover until cleared; only shift leads act, each lead signs their own side with their password;
finalising after both signatures locks it and writes the PDF, whose text holds the KPIs and the leads'
Chinese names. SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from alarms.clock import ManualClock
from console.server.accounts import Accounts
from console.server.core import Core
from console.server.handover import FLAG_KIND, handover_id, handover_of
from console.server.permissions import Access
from console.server.session import (
    ClearHandoverFlag,
    FinaliseHandover,
    FlagHandoverItem,
    OperatorNote,
    Shelve,
    SignHandover,
    StartHandover,
    SuspendPermit,
)
from console.server.signatures import Signature
from integrations.storage import Store, StoreWriter
from integrations.users import LoginPolicy, UserStore
from plant_maps.shifts import ShiftPattern
from plant_maps.site_file import load_site
from tests.conftest import DEMO_SITE
from tests.support import wait_until_async
from tests.test_field_operations import _lel

T0 = datetime(2026, 11, 24, 19, 0, tzinfo=UTC).timestamp()  # an hour before the 20:00 UTC shift change
OUT_PW, IN_PW = "outgoing pen 1", "incoming pen 2"
SHIFTS = ShiftPattern(timezone="UTC")


def _core(
    database_url: str, folder: Path, users: bool = True
) -> tuple[Core, ManualClock, StoreWriter, Accounts]:
    """A core on the store, with two shift leads and an operator (added once: `users`)."""
    clock = ManualClock(T0)
    site = load_site(DEMO_SITE, now=datetime.fromtimestamp(T0, UTC))
    store = Store(database_url)
    user_store = UserStore(store, "desk-1")
    if users:
        user_store.add("wang.fang", "王芳", OUT_PW, ["shift_lead"], "setup", T0)
        user_store.add("li.ming", "李明", IN_PW, ["shift_lead"], "setup", T0)
        user_store.add("zhao.op", "Zhao Lei", "operator pen 3", ["operator"], "setup", T0)
    access = Access()
    accounts = Accounts(user_store, access, clock, LoginPolicy(max_failures=5))
    core = Core(
        site,
        clock,
        StoreWriter(store, site),
        "desk-1",
        access=access,
        accounts=accounts,
        shifts=SHIFTS,
        handover_folder=folder,
    )
    return core, clock, core.writer, accounts


def test_a_handover_is_frozen_signed_by_both_leads_finalised_locked_and_written_as_a_pdf(
    database_url: str, tmp_path: Path
) -> None:
    async def run() -> None:
        core, clock, writer, accounts = _core(database_url, tmp_path / "handovers")
        assert (await accounts.sign_in("wang.fang", OUT_PW)).ok
        assert (await accounts.sign_in("zhao.op", "operator pen 3")).ok
        core.on_tags(_lel(core, "GD-TF-02", 30.0, clock.now()))  # HH (tier 1) and H (tier 2)
        await wait_until_async(lambda: core.alarms.engine.view("GD-TF-02.H").seq, 5)
        clock.advance(60)
        assert (await core.command(Shelve("wang.fang", "GD-TF-02.H", "detector being recalibrated", 7200))).ok
        assert (await core.command(OperatorNote("zhao.op", "pump P-101 swapped to standby"))).ok
        active = next(s.id for s in core.permits.statuses() if s.state.value == "active")
        assert (await core.command(SuspendPermit("wang.fang", active, "gas alarm in the tank farm"))).ok
        assert (await core.command(FlagHandoverItem("wang.fang", "K-301 seal leaks: check every round"))).ok
        refused = await core.command(StartHandover("zhao.op", "li.ming"))
        assert not refused.ok and "shift lead" in refused.message
        not_a_lead = await core.command(StartHandover("wang.fang", "zhao.op"))
        assert not not_a_lead.ok and not_a_lead.message == "zhao.op is not a shift lead"

        clock.advance(600)
        started = await core.command(StartHandover("wang.fang", "li.ming"))
        assert started.ok, started.message
        h = core.handovers.open()
        assert h is not None and started.message == f"handover {h.id} started: 王芳 to 李明"
        s = h.snapshot
        assert (s.since, s.until) == (datetime(2026, 11, 24, 8, 0, tzinfo=UTC).timestamp(), clock.now())
        assert (s.outgoing.full_name, s.incoming.full_name) == ("王芳", "李明")
        assert {k.key for k in s.kpis} >= {"alarms_per_10min_avg", "flood_time_pct", "ack_median_s"}
        assert [i.subject for i in s.standing] == ["GD-TF-02.HH"]
        [shelved] = s.hidden
        assert (shelved.subject, shelved.who, shelved.until) == ("GD-TF-02.H", "wang.fang", T0 + 60 + 7200)
        assert "detector being recalibrated" in shelved.text
        assert any(i.subject == active and "gas alarm in the tank farm" in i.text for i in s.permits)
        assert any(i.subject == active and "permit suspended" in i.text for i in s.events)
        assert any(i.subject == "GD-TF-02.HH" for i in s.events)  # a tier-1 alarm of the shift
        assert [(i.who, i.text) for i in s.notes] == [("zhao.op", "pump P-101 swapped to standby")]
        [flag] = s.flags
        assert flag.text == "K-301 seal leaks: check every round"
        audited = list(core.writer.store.audit_rows())
        assert 0 < s.audit_seq <= len(audited) and s.audit_hash == audited[s.audit_seq - 1]["hash"]

        early = await core.command(FinaliseHandover("wang.fang", h.id))
        assert (
            not early.ok
            and "needs the signature of the outgoing lead 王芳 and the incoming lead 李明" in (early.message)
        )
        wrong_side = await core.command(SignHandover("wang.fang", h.id, "incoming", "", Signature(OUT_PW)))
        assert not wrong_side.ok and "the incoming lead of" in wrong_side.message
        bad_pw = await core.command(SignHandover("wang.fang", h.id, "outgoing", "", Signature("nope")))
        assert not bad_pw.ok and bad_pw.message.startswith("signature refused")
        clock.advance(30)
        assert (await core.command(SignHandover("wang.fang", h.id, "outgoing", "", Signature(OUT_PW)))).ok
        # the incoming lead signs at the same console, with their own password
        assert (
            await core.command(SignHandover("wang.fang", h.id, "incoming", "li.ming", Signature(IN_PW)))
        ).ok
        h = core.handovers.handovers[h.id]
        assert {side: (x.full_name, x.meaning) for side, x in h.signatures.items()} == {
            "outgoing": ("王芳", "handed over the shift"),
            "incoming": ("李明", "took over the shift"),
        }
        done = await core.command(FinaliseHandover("wang.fang", h.id))
        assert done.ok, done.message
        pdf = Path(core.handovers.handovers[h.id].pdf)
        assert pdf.is_file() and done.message.endswith(str(pdf))
        again = await core.command(SignHandover("wang.fang", h.id, "outgoing", "", Signature(OUT_PW)))
        assert not again.ok and "finalised: a correction is a new handover" in again.message

        # the flag comes back at the next handover until it is cleared
        assert (await core.command(StartHandover("wang.fang", "li.ming"))).ok
        assert [f.text for f in core.handovers.open().snapshot.flags] == [flag.text]  # type: ignore[union-attr]
        assert (await core.command(ClearHandoverFlag("wang.fang", flag.subject))).ok
        assert core.handovers.open().snapshot.flags == ()  # type: ignore[union-attr]
        await asyncio.to_thread(writer.close)

        store = writer.store
        [first, second] = store.stored_handovers()
        assert first["finalised"] is not None and first["pdf"] == str(pdf)
        assert first["sha256"] == s.sha256  # what both signed is what was stored
        assert handover_of(first).snapshot.sha256 == s.sha256  # and reads back to the very same
        assert second["finalised"] is None
        # after a restart the handover under way and the flags come back as the journal left them
        restarted, _clock, restarted_writer, _accounts = _core(
            database_url, tmp_path / "handovers", users=False
        )
        restarted.handovers.restore(
            store.stored_handovers(open_only=True), store.journal_rows(kind=FLAG_KIND)
        )
        assert restarted.handovers.open() == handover_of(second) and restarted.handovers.flags == {}
        await asyncio.to_thread(restarted_writer.close)
        signed = [
            json.loads(r["new_value"])["signature"]["meaning"]
            for r in store.audit_rows()
            if r["action"] == "sign_handover" and r["outcome"] == "done"
        ]
        assert signed == ["handed over the shift", "took over the shift"]
        assert [e.payload["action"] for e in store.journal_rows(kind=FLAG_KIND)] == ["flag", "clear"]
        text = pdf_text(pdf)
        for words in ("Shift handover", "王芳", "李明", "Alarms per 10 min (average)", "<= 1 / 10 min"):
            assert words in text, words
        assert "handed over the shift" in text and "K-301 seal leaks" in text
        assert pdf_pages(pdf, tmp_path) >= 1
        store.close()

    asyncio.run(run())


def test_a_handover_started_in_the_second_of_another_gets_an_id_of_its_own() -> None:
    first = handover_id(T0)
    assert first == "HO-" + datetime.fromtimestamp(T0).strftime("%Y%m%d-%H%M%S")
    assert handover_id(T0, taken={first}) == f"{first}-2"
    assert handover_id(T0, taken={first, f"{first}-2"}) == f"{first}-3"


def pdf_text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_pages(pdf: Path, folder: Path) -> int:
    """Render every page with pdftoppm (as a reader would see them); how many came out."""
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(folder / "page")], check=True, timeout=60)
    return len(list(folder.glob("page*.png")))
