"""User accounts in the store: names, roles, salted password hashes, lockout; every change audited in the
same transaction as the change itself.

Blocking (it talks to the database): call it from a worker thread, the command line or a test, never on the
asyncio loop or the GUI thread. Passwords go in as clear text and straight into `integrations.passwords`;
they are never stored, logged or audited.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from integrations.passwords import check_password, hash_password, weakness
from integrations.storage import AuditEntry, Store, append_audit, users
from plant_maps.permit_grades import APPROVER_ROLES
from plant_maps.roles import CONSOLE_ROLES

ROLES = frozenset(CONSOLE_ROLES) | APPROVER_ROLES
NAME_MAX_CHARS = 64
UNKNOWN = "(unknown)"  # who a failed sign-in with a name no account has is audited as
_UNUSABLE = hash_password("\0 never a password \0")  # checked against when the name is unknown: same time


class AccountError(ValueError):
    """A user command that cannot be carried out; the message says why."""


@dataclass(frozen=True, slots=True)
class User:
    name: str
    full_name: str
    roles: frozenset[str]
    disabled: bool = False
    failed_logins: int = 0
    locked_until: float | None = None


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    """Lockout after `max_failures` wrong passwords in a row, for `lockout_s` (21 CFR 11.300(d))."""

    max_failures: int = 5
    lockout_s: float = 15 * 60


@dataclass(frozen=True, slots=True)
class LoginResult:
    ok: bool
    reason: str = ""  # for the person at the keyboard: never says whether the name exists
    user: User | None = None


def check_roles(roles: Iterable[str]) -> frozenset[str]:
    """The roles as a set; unknown ones refused by name."""
    roles = frozenset(r.strip() for r in roles if r.strip())
    unknown = roles - ROLES
    if unknown:
        raise AccountError(f"unknown roles {', '.join(sorted(unknown))} (known: {', '.join(sorted(ROLES))})")
    return roles


class UserStore:
    """The `users` table of a store; each method one transaction with its audit row."""

    def __init__(self, store: Store, console: str) -> None:
        self.engine, self.console = store.engine, console

    def get(self, name: str) -> User | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(users).where(users.c.name == name)).first()
        return _user(row) if row else None

    def list(self) -> list[User]:
        with self.engine.connect() as conn:
            return [_user(r) for r in conn.execute(sa.select(users).order_by(users.c.name))]

    def has_admin(self) -> bool:
        return any("admin" in u.roles and not u.disabled for u in self.list())

    def add(
        self,
        name: str,
        full_name: str,
        password: str,
        roles: Iterable[str],
        actor: str,
        now: float,
        *,
        only_first: bool = False,
    ) -> User:
        """Add a user; with `only_first`, only into an empty table (the window's first-run dialog: two
        consoles starting at once cannot both create "the first" administrator)."""
        name = name.strip()
        if not name or len(name) > NAME_MAX_CHARS or any(c.isspace() for c in name):
            raise AccountError(f"a user name is 1 to {NAME_MAX_CHARS} characters without spaces")
        checked = check_roles(roles)
        _refuse_weak(password)
        user = User(name, full_name.strip() or name, checked)
        with self.engine.begin() as conn:
            if only_first and conn.execute(sa.select(users.c.name).limit(1)).first():
                raise AccountError("a user exists already: sign in, or ask an administrator")
            if conn.execute(sa.select(users.c.name).where(users.c.name == name)).first():
                raise AccountError(f"user {name} exists already")
            conn.execute(
                users.insert(),
                {
                    "name": name,
                    "full_name": user.full_name,
                    "password_hash": hash_password(password),
                    "roles": _text(checked),
                    "disabled": False,
                    "failed_logins": 0,
                    "locked_until": None,
                    "changed_ts": now,
                },
            )
            new = {"full_name": user.full_name, "roles": sorted(checked)}
            self._audit(conn, now, actor, "user_add", name, None, new)
        return user

    def set_password(self, name: str, password: str, actor: str, now: float) -> None:
        _refuse_weak(password)
        with self.engine.begin() as conn:
            self._require(conn, name)
            values = {"password_hash": hash_password(password), "failed_logins": 0, "locked_until": None}
            conn.execute(users.update().where(users.c.name == name).values(changed_ts=now, **values))
            self._audit(conn, now, actor, "password_change", name, None, None)

    def set_roles(self, name: str, roles: Iterable[str], actor: str, now: float) -> None:
        checked = check_roles(roles)
        with self.engine.begin() as conn:
            old = self._require(conn, name)
            conn.execute(
                users.update().where(users.c.name == name).values(roles=_text(checked), changed_ts=now)
            )
            self._audit(conn, now, actor, "user_roles", name, sorted(old.roles), sorted(checked))

    def set_disabled(self, name: str, disabled: bool, actor: str, now: float) -> None:
        with self.engine.begin() as conn:
            old = self._require(conn, name)
            conn.execute(users.update().where(users.c.name == name).values(disabled=disabled, changed_ts=now))
            action = "user_disable" if disabled else "user_enable"
            self._audit(conn, now, actor, action, name, old.disabled, disabled)

    def login(
        self, name: str, password: str, now: float, policy: LoginPolicy, *, signing: bool = False
    ) -> LoginResult:
        """Check a login; failures counted, the account locked after `policy.max_failures`; all audited.

        With `signing` it checks an electronic signature's password (21 CFR 11.200): failures count and
        are audited as `signature_failed`; a success writes nothing here, the signed command's own audit
        entry carries the signature."""
        refused = LoginResult(False, "wrong user name or password")
        failed = "signature_failed" if signing else "login_failed"
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(users).where(users.c.name == name)).first()
            if row is None:
                check_password(password, _UNUSABLE)
                # not the name as typed: it may be a password typed into the user field
                self._audit(conn, now, UNKNOWN, failed, UNKNOWN, outcome="refused", reason="unknown user")
                return refused
            user = _user(row)
            if user.disabled:
                self._audit(conn, now, name, failed, name, outcome="refused", reason="account disabled")
                return LoginResult(False, "this account is disabled: ask an administrator")
            if user.locked_until is not None and now < user.locked_until:
                self._audit(conn, now, name, failed, name, outcome="refused", reason="locked out")
                return LoginResult(False, _locked_text(user.locked_until, policy.max_failures))
            if check_password(password, row.password_hash):
                conn.execute(
                    users.update().where(users.c.name == name).values(failed_logins=0, locked_until=None)
                )
                if not signing:
                    self._audit(conn, now, name, "login", name, new=sorted(user.roles))
                return LoginResult(True, user=user)
            failures = user.failed_logins + 1
            locked = now + policy.lockout_s if failures >= policy.max_failures else None
            conn.execute(
                users.update()
                .where(users.c.name == name)
                .values(failed_logins=0 if locked else failures, locked_until=locked)
            )
            self._audit(
                conn,
                now,
                name,
                failed,
                name,
                outcome="refused",
                reason=f"wrong password ({failures})",
            )
            if locked is not None:
                self._audit(
                    conn, now, "system", "lockout", name, new=locked, reason=f"{failures} wrong passwords"
                )
                return LoginResult(False, _locked_text(locked, failures))
        return refused

    def logout(self, name: str, now: float, reason: str = "") -> None:
        with self.engine.begin() as conn:
            self._audit(conn, now, name, "logout", name, reason=reason)

    def _require(self, conn: sa.Connection, name: str) -> User:
        row = conn.execute(sa.select(users).where(users.c.name == name)).first()
        if row is None:
            raise AccountError(f"no user {name}")
        return _user(row)

    def _audit(
        self,
        conn: sa.Connection,
        now: float,
        actor: str,
        action: str,
        target: str,
        old: object = None,
        new: object = None,
        *,
        outcome: str = "done",
        reason: str = "",
    ) -> None:
        append_audit(
            conn, [AuditEntry(now, actor, self.console, action, target, old, new, outcome, reason).row()]
        )


def _locked_text(until: float, failures: int) -> str:
    """The lockout as the person at the keyboard reads it: until when (local time), and why."""
    at = datetime.fromtimestamp(until, UTC).astimezone().strftime("%H:%M")
    return f"locked until {at} after {failures} failed tries"


def _refuse_weak(password: str) -> None:
    why = weakness(password)
    if why:
        raise AccountError(why)


def _text(roles: frozenset[str]) -> str:
    return " ".join(sorted(roles))


def _user(row: sa.Row) -> User:
    return User(
        row.name,
        row.full_name,
        frozenset(row.roles.split()),
        row.disabled,
        row.failed_logins,
        row.locked_until,
    )
