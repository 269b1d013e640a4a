"""`controlroom report shift` as a shift lead types it, headless: the KPIs with targets and lights on standard
output and the handover PDF (a draft nobody signed) with the leads' Chinese names; a stored, finalised
handover written again by its id; a missing CJK font named in the error. SQLite and (when configured)
PostgreSQL."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from alarms.clock import ManualClock
from console.server.accounts import Accounts
from console.server.core import Core
from console.server.handover_pdf import write_pdf
from console.server.handover_record import Handover, Lead, Snapshot
from console.server.pdf_parts import FontMissing
from console.server.permissions import Access
from console.server.session import FinaliseHandover, OperatorNote, Shelve, SignHandover, StartHandover
from integrations.storage import Store, StoreWriter
from integrations.users import LoginPolicy, UserStore
from plant_maps.site_file import load_site
from tests.conftest import DEMO_SITE, REPO
from tests.support import wait_until_async
from tests.test_field_operations import _lel
from tests.test_handover import pdf_text

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC).timestamp()


def controlroom(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "console", *args], capture_output=True, text=True, cwd=REPO, timeout=120
    )


def _shift(database_url: str, folder: Path) -> str:
    """A morning's journal with a shelved alarm and a note, and a handover signed and finalised (DEMO)."""

    async def run() -> str:
        clock = ManualClock(T0)
        site = load_site(DEMO_SITE, now=datetime.fromtimestamp(T0, UTC))
        store = Store(database_url)
        users = UserStore(store, "desk-1")
        users.add("wang.fang", "王芳", "outgoing pen 1", ["shift_lead"], "setup", T0)
        users.add("li.ming", "李明", "incoming pen 2", ["shift_lead"], "setup", T0)
        writer = StoreWriter(store, site)
        accounts = Accounts(users, Access(demo=True), clock, LoginPolicy())
        core = Core(site, clock, writer, "desk-1", accounts=accounts, handover_folder=folder)
        core.on_tags(_lel(core, "GD-TF-02", 12.0, clock.now()))  # H only: tier 2
        await wait_until_async(lambda: core.alarms.engine.view("GD-TF-02.H").seq, 5)
        assert (await core.command(Shelve("wang.fang", "GD-TF-02.H", "calibration drift", 3600.0))).ok
        assert (await core.command(OperatorNote("wang.fang", "冷却水泵 P-101 已切换"))).ok
        clock.advance(1800)
        assert (await core.command(StartHandover("wang.fang", "li.ming", T0 - 3600, T0 + 1800))).ok
        h = core.handovers.open()
        assert h is not None
        for side, signer in (("outgoing", "wang.fang"), ("incoming", "li.ming")):
            assert (await core.command(SignHandover("wang.fang", h.id, side, signer))).ok
        assert (await core.command(FinaliseHandover("wang.fang", h.id))).ok
        await asyncio.to_thread(writer.close)
        store.close()
        return h.id

    return asyncio.run(run())


def test_report_shift_prints_the_kpis_and_writes_the_handover_pdf(database_url: str, tmp_path: Path) -> None:
    stored = _shift(database_url, tmp_path / "handovers")
    out = tmp_path / "shift.pdf"
    since, until = (datetime.fromtimestamp(t, UTC).isoformat() for t in (T0 - 3600, T0 + 1800))
    done = controlroom(
        "report", "shift", "--database-url", database_url, "--since", since, "--until", until,
        "--out", str(out), "--outgoing", "wang.fang", "--incoming", "li.ming",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Alarms per 10 min (average)" in done.stdout and "(target <= 1 / 10 min)" in done.stdout
    assert "[met]" in done.stdout and "[no data]" in done.stdout
    assert done.stdout.strip().endswith(f"PDF: {out}")
    text = pdf_text(out)
    for words in ("王芳", "李明", "Alarms per 10 min (average)", "GD-TF-02.H", "calibration drift"):
        assert words in text, words
    assert "冷却水泵 P-101 已切换" in text and "not signed" in text and "draft, not finalised" in text

    again = tmp_path / "stored.pdf"
    done = controlroom(
        "report", "shift", "--database-url", database_url, "--handover", stored, "--out", str(again)
    )
    assert done.returncode == 0, done.stderr
    text = pdf_text(again)
    assert "handed over the shift" in text and "took over the shift" in text and "draft" not in text
    assert "王芳 (wang.fang)" in text  # DEMO signs with the account's full name

    missing = controlroom("report", "shift", "--database-url", database_url, "--handover", "HO-nothing")
    assert missing.returncode == 2 and "no handover HO-nothing" in missing.stderr


def test_a_missing_cjk_font_is_an_error_naming_the_font_file(tmp_path: Path) -> None:
    snapshot = Snapshot(
        "HO-1", "Demo", "desk-1", "", T0, T0, T0 + 60, Lead("a", "A"), Lead("b", "B"), (), 0, ""
    )
    nowhere = tmp_path / "no-such-font.ttc"
    with pytest.raises(FontMissing, match=f"the CJK font {nowhere} is missing: install it"):
        write_pdf(Handover(snapshot), tmp_path / "x.pdf", nowhere)
