"""User accounts: roles, scrypt-hashed passwords that never appear in clear, lockout after N wrong
passwords, `controlroom users` with the password from a pipe, and signing in letting the core carry out a
command it refused before. SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from alarms.clock import ManualClock
from console.server.accounts import Accounts
from console.server.permissions import Access
from console.server.session import OperatorNote
from integrations.storage import Store
from integrations.users import AccountError, LoginPolicy, UserStore
from tests.conftest import REPO
from tests.test_audit import T0, _core

PASSWORD = "Sunflower-7421"


@pytest.fixture()
def accounts(database_url: str) -> Iterator[UserStore]:
    store = Store(database_url)
    users = UserStore(store, "desk-1")
    users.add("li.wei", "Li Wei", PASSWORD, ["operator", "safety_department"], "admin", T0)
    yield users
    store.close()


def _trail(users: UserStore) -> list[tuple[str, str, str, str]]:
    store = Store(str(users.engine.url))
    try:
        return [(r["username"], r["action"], r["outcome"], r["reason"]) for r in store.audit_rows()]
    finally:
        store.close()


def test_lockout_after_the_configured_wrong_passwords_then_open_again(accounts: UserStore) -> None:
    policy = LoginPolicy(max_failures=3, lockout_s=600)
    assert accounts.login("li.wei", PASSWORD, T0, policy).ok
    for i in range(2):
        refused = accounts.login("li.wei", f"guess-{i}", T0 + i, policy)
        assert not refused.ok and refused.reason == "wrong user name or password"
    third = accounts.login("li.wei", "guess-2", T0 + 2, policy)
    assert not third.ok and re.fullmatch(r"locked until \d\d:\d\d after 3 failed tries", third.reason)
    locked = accounts.login("li.wei", PASSWORD, T0 + 10, policy)  # the right one, but too late
    assert not locked.ok and locked.reason == third.reason
    assert accounts.login("li.wei", PASSWORD, T0 + 2 + 600, policy).ok  # M minutes later
    unknown = accounts.login("nobody", PASSWORD, T0, policy)
    assert unknown.reason == "wrong user name or password"  # never tells whether the name exists
    assert [(a, o, r) for _, a, o, r in _trail(accounts)] == [
        ("user_add", "done", ""),
        ("login", "done", ""),
        ("login_failed", "refused", "wrong password (1)"),
        ("login_failed", "refused", "wrong password (2)"),
        ("login_failed", "refused", "wrong password (3)"),
        ("lockout", "done", "3 wrong passwords"),
        ("login_failed", "refused", "locked out"),
        ("login", "done", ""),
        ("login_failed", "refused", "unknown user"),
    ]
    assert _trail(accounts)[-1][0] == "(unknown)"  # not the name as typed: it may be a password


def test_roles_and_disabling_are_audited_and_checked(accounts: UserStore) -> None:
    with pytest.raises(AccountError, match="unknown roles wizard"):
        accounts.set_roles("li.wei", ["operator", "wizard"], "admin", T0)
    with pytest.raises(AccountError, match="at least 8 characters"):
        accounts.set_password("li.wei", "short", "admin", T0)
    accounts.set_roles("li.wei", ["shift_lead", "engineer"], "admin", T0 + 1)
    assert accounts.get("li.wei").roles == {"shift_lead", "engineer"}
    accounts.set_disabled("li.wei", True, "admin", T0 + 2)
    refused = accounts.login("li.wei", PASSWORD, T0 + 3, LoginPolicy())
    assert not refused.ok and "disabled" in refused.reason
    assert [(u, a) for u, a, _, _ in _trail(accounts)][1:] == [
        ("admin", "user_roles"),
        ("admin", "user_disable"),
        ("li.wei", "login_failed"),
    ]


def test_signing_in_lets_the_core_carry_out_what_it_refused_and_signing_out_stops_it(
    database_url: str,
) -> None:
    async def run() -> None:
        access = Access()
        core, store, writer = _core(database_url, access)
        users = UserStore(store, "desk-1")
        await asyncio.to_thread(users.add, "li.wei", "Li Wei", PASSWORD, ["operator"], "admin", T0)
        desk = Accounts(users, access, ManualClock(T0), LoginPolicy())
        assert not (await core.command(OperatorNote("li.wei", "before"))).ok
        assert (await desk.sign_in("li.wei", PASSWORD)).ok
        assert (await core.command(OperatorNote("li.wei", "signed in"))).ok
        await desk.sign_out("li.wei", "shift change")
        assert not (await core.command(OperatorNote("li.wei", "after"))).ok
        await asyncio.to_thread(writer.close)
        assert [(a, o) for _, a, o, _ in _trail(users)][1:] == [
            ("operator_note", "refused"),
            ("login", "done"),
            ("operator_note", "done"),
            ("logout", "done"),
            ("operator_note", "refused"),
        ]
        store.close()

    asyncio.run(run())


def test_the_clear_password_is_nowhere_after_a_login(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """`controlroom users add` reads it from a pipe; then a login, a wrong one; then grep every file."""
    url = f"sqlite:///{tmp_path / 'controlroom.db'}"
    added = subprocess.run(
        [sys.executable, "-m", "console", "users", "add", "li.wei", "--roles", "operator,shift_lead",
         "--full-name", "Li Wei", "--database-url", url],
        input=f"{PASSWORD}\n", capture_output=True, text=True, cwd=REPO, timeout=60,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "added li.wei (operator, shift_lead)"
    with caplog.at_level(logging.DEBUG):
        store = Store(url)
        users = UserStore(store, "desk-1")
        assert users.login("li.wei", PASSWORD, T0, LoginPolicy()).ok
        assert not users.login("li.wei", PASSWORD + "x", T0, LoginPolicy()).ok
        store.close()
    listed = subprocess.run(
        [sys.executable, "-m", "console", "users", "list", "--database-url", url],
        capture_output=True, text=True, cwd=REPO, timeout=60,
    )  # fmt: skip
    assert listed.stdout.strip() == "li.wei\tLi Wei\toperator shift_lead"
    exported = subprocess.run(
        [sys.executable, "-m", "console", "audit", "export", "--format", "jsonl", "--database-url", url],
        capture_output=True, text=True, cwd=REPO, timeout=60,
    )  # fmt: skip
    files = list(tmp_path.iterdir())
    assert files  # the database (and its WAL) are there to search
    for text in (*(f.read_bytes() for f in files), *(t.encode() for t in (caplog.text, exported.stdout,
                 added.stdout, added.stderr, listed.stdout))):  # fmt: skip
        assert PASSWORD.encode() not in text
    assert b"scrypt$" in (tmp_path / "controlroom.db").read_bytes()
