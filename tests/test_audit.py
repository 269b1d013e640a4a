"""The audit trail: every command through the core goes in (done or refused, with why), in the same
transaction as the journal rows of the change it records, and `controlroom audit verify` names the first
entry edited, deleted or inserted behind the console's back. SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import asyncio
import hashlib
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from alarms.clock import ManualClock
from console.server.core import Core
from console.server.permissions import Access
from console.server.session import Acknowledge, OperatorNote, RemoveFromService
from integrations.audit_chain import GENESIS, entry_hash, link, verify
from integrations.storage import AuditEntry, Store, StoreWriter, audit_trail
from integrations.users import UserStore
from plant_maps.site_file import load_site
from tests.conftest import DEMO_SITE, REPO

T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC).timestamp()


def _core(database_url: str, access: Access | None = None) -> tuple[Core, Store, StoreWriter]:
    clock = ManualClock(T0)
    site = load_site(DEMO_SITE, now=datetime.fromtimestamp(T0, UTC))
    store = Store(database_url)
    writer = StoreWriter(store, site)
    return Core(site, clock, writer, "desk-1", access=access), store, writer


def _notes(database_url: str, count: int) -> None:
    """A trail of `count` entries: notes written by the core, each audited with its journal row."""

    async def run() -> None:
        core, store, writer = _core(database_url)
        for i in range(count):
            assert (await core.command(OperatorNote("li.wei", f"round {i}"))).ok
        await asyncio.to_thread(writer.close)
        store.close()

    asyncio.run(run())


def _audit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "console", "audit", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )


def _execute(database_url: str, sql: str, **params: Any) -> None:
    engine = sa.create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(sa.text(sql), params)
    engine.dispose()


def test_a_command_is_audited_in_the_transaction_of_its_journal_row(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def run() -> None:
        core, store, writer = _core(database_url)
        transactions: list[tuple[list, list]] = []
        real_write = store.write

        def spy(
            history: list, journal: list, alarms: list | None = None, audit: list | None = None
        ) -> list[int]:
            transactions.append((journal, audit or []))
            return real_write(history, journal, alarms, audit=audit)

        monkeypatch.setattr(store, "write", spy)
        assert (await core.command(OperatorNote("li.wei", "pump P-101 swapped"))).ok
        await asyncio.to_thread(writer.close)
        [(journal, audit)] = [t for t in transactions if t[0]]
        assert [e["payload"] for e in journal] == [{"text": "pump P-101 swapped"}]
        assert [(a["username"], a["action"], a["outcome"]) for a in audit] == [
            ("li.wei", "operator_note", "done")
        ]
        [row] = list(store.audit_rows())
        assert row["console"] == "desk-1" and json.loads(row["new_value"]) == {"text": "pump P-101 swapped"}
        assert row["prev_hash"] == GENESIS and row["hash"] == entry_hash(GENESIS, row)
        store.close()

    asyncio.run(run())


def test_a_command_the_role_does_not_allow_is_refused_by_the_core_and_audited(database_url: str) -> None:
    async def run() -> None:
        access = Access()
        access.sign_in("wang.fang", frozenset({"operator"}))
        core, store, writer = _core(database_url, access)
        refused = await core.command(RemoveFromService("wang.fang", "GD-CH-01.HH", "detector swapped"))
        assert not refused.ok
        assert refused.message == "wang.fang may not remove from service: it needs one of the roles engineer"
        stranger = await core.command(Acknowledge("intruder", (("GD-CH-01.HH", 1),)))
        assert not stranger.ok and stranger.message == "intruder is not signed in at this console"
        allowed = await core.command(OperatorNote("wang.fang", "handover done"))
        assert allowed.ok
        await asyncio.to_thread(writer.close)
        rows = [
            (r["username"], r["action"], r["target"], r["outcome"], r["reason"]) for r in store.audit_rows()
        ]
        assert rows == [
            ("wang.fang", "remove_from_service", "GD-CH-01.HH", "refused", refused.message),
            ("intruder", "acknowledge", "GD-CH-01.HH", "refused", stranger.message),
            ("wang.fang", "operator_note", "", "done", ""),
        ]
        assert core.alarms.engine.view("GD-CH-01.HH").state.value == "normal"  # nothing was taken out
        store.close()

    asyncio.run(run())


def test_verify_passes_an_untouched_trail_and_names_an_edited_entry(database_url: str) -> None:
    _notes(database_url, 6)
    intact = _audit("verify", "--database-url", database_url)
    assert intact.returncode == 0, intact.stderr
    assert intact.stdout.startswith("verified up to #6 (6 entries)")

    _execute(database_url, "UPDATE audit_trail SET new_value = :v WHERE seq = 3", v='{"text":"round 9"}')
    edited = _audit("verify", "--database-url", database_url)
    assert edited.returncode == 1
    assert edited.stdout.strip() == (
        "audit trail BROKEN at #3: its content does not match its hash (edited); intact up to #2 (2 entries)"
    )


def test_verify_names_a_deleted_entry(database_url: str) -> None:
    _notes(database_url, 6)
    _execute(database_url, "DELETE FROM audit_trail WHERE seq = 4")
    deleted = _audit("verify", "--database-url", database_url)
    assert deleted.returncode == 1
    assert deleted.stdout.startswith("audit trail BROKEN at #4: missing (deleted): the next entry is #5")


def test_verify_names_an_entry_inserted_with_sql(database_url: str) -> None:
    """The forger renumbers the entries after #3 to make room and links the new #4 to the real #3."""
    _notes(database_url, 6)
    engine = sa.create_engine(database_url)
    with engine.begin() as conn:
        later = [dict(r._mapping) for r in conn.execute(sa.select(audit_trail).where(audit_trail.c.seq > 3))]
        conn.execute(audit_trail.delete().where(audit_trail.c.seq > 3))
        conn.execute(audit_trail.insert(), [{**r, "seq": r["seq"] + 1} for r in later])
        third = conn.execute(sa.select(audit_trail.c.hash).where(audit_trail.c.seq == 3)).scalar_one()
        forged = {**later[0], "seq": 4, "reason": "", "new_value": '{"text":"all fine"}', "prev_hash": third}
        conn.execute(audit_trail.insert(), [{**forged, "hash": "f" * 64}])
    engine.dispose()
    inserted = _audit("verify", "--database-url", database_url)
    assert inserted.returncode == 1
    assert inserted.stdout.startswith("audit trail BROKEN at #4: its content does not match its hash")

    _execute(database_url, "DELETE FROM audit_trail WHERE seq > 3")  # and one slipped in before #1
    first = {**forged, "seq": 0, "prev_hash": GENESIS, "hash": "0" * 64}
    _execute(
        database_url,
        "INSERT INTO audit_trail VALUES (:seq, :ts, :username, :console, :action, :target, :old_value,"
        " :new_value, :outcome, :reason, :prev_hash, :hash)",
        **first,
    )
    before = _audit("verify", "--database-url", database_url)
    assert before.returncode == 1 and before.stdout.startswith(
        "audit trail BROKEN at #0: out of line before #1"
    )


def test_export_writes_the_window_as_csv_and_jsonl(database_url: str) -> None:
    _notes(database_url, 3)
    jsonl = _audit("export", "--format", "jsonl", "--database-url", database_url)
    assert jsonl.returncode == 0, jsonl.stderr
    rows = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert [(r["seq"], r["action"], r["username"]) for r in rows] == [
        (i, "operator_note", "li.wei") for i in (1, 2, 3)
    ]
    csv = _audit("export", "--until", "2026-11-24T07:00:00+00:00", "--database-url", database_url)
    assert csv.stdout.splitlines() == [
        "time,seq,ts,username,console,action,target,old_value,new_value,outcome,reason,prev_hash,hash"
    ]


def test_the_console_audits_the_config_and_site_files_it_loads_by_sha256(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'controlroom.db'}"
    config = tmp_path / "console.toml"
    config.write_text(
        f'[database]\nurl = "{url}"\n[console]\nname = "desk-7"\n[simulator]\nenabled = false\n'
        '[opcua]\nurl = "opc.tcp://127.0.0.1:1/none"\n[mqtt]\nurl = "mqtt://127.0.0.1:1"\n'
    )
    run = subprocess.run(
        [sys.executable, "-m", "console", "--headless", "--config", str(config), "--run-for", "0.5"],
        capture_output=True, text=True, cwd=REPO, timeout=60,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    exported = _audit("export", "--format", "jsonl", "--config", str(config))
    loads = [json.loads(line) for line in exported.stdout.splitlines()][:2]
    assert [(r["action"], r["target"], r["console"], json.loads(r["new_value"])) for r in loads] == [
        ("config_load", str(config), "desk-7", {"sha256": hashlib.sha256(config.read_bytes()).hexdigest()}),
        (
            "site_load",
            str(DEMO_SITE),
            "desk-7",
            {"sha256": hashlib.sha256(DEMO_SITE.read_bytes()).hexdigest()},
        ),
    ]


def test_an_incremental_check_goes_on_from_the_last_verdict_and_notices_its_head_changed() -> None:
    rows = link([AuditEntry(T0 + i, "li.wei", "desk-1", "operator_note").row() for i in range(5)], 0, GENESIS)
    first = verify(rows[:3])
    assert first.intact and (first.count, first.last_seq) == (3, 3)
    later = verify(rows[2:], since=first)  # from the last verified entry on
    assert later.intact and (later.count, later.last_seq, later.last_hash) == (5, 5, rows[4]["hash"])
    assert verify([{**rows[2], "reason": "edited"}, *rows[3:]], since=first).broken_seq == 3
    assert verify(rows[3:], since=first).broken_seq == 3  # the verified head deleted
    assert verify([*rows[2:4], {**rows[4], "target": "edited"}], since=first).broken_seq == 5


def test_an_entry_timed_with_a_whole_number_still_verifies(store: Store) -> None:
    """A whole-second time (an int) is stored as a float: it must hash as it reads back, or the status bar
    would cry "audit BROKEN at #1" over an untouched trail."""
    UserStore(store, "setup").add(
        "li.wei", "Li Wei", "whole-second-pw-1", ["operator"], "admin", 1_700_000_000
    )
    verdict = verify(store.audit_rows(from_seq=0))
    assert verdict.intact and verdict.last_seq == 1, verdict.why
