"""Signing in and out at one console: the password is checked in the store on a worker thread (scrypt
takes ~50 ms and the database may be remote), then `Access` learns who is signed in with which roles.

Runs on the core's asyncio loop. Every attempt (done, failed, locked out) is audited by `UserStore` in the
same transaction as the failure count it changes. A password goes to the worker thread inside a closure,
never as an argument: qasync's executor logs a call's arguments at DEBUG (`controlroom --verbose`).
"""

from __future__ import annotations

import asyncio

from alarms.clock import Clock
from console.server.permissions import Access
from integrations.users import LoginPolicy, LoginResult, UserStore

# The first administrator also leads the shift: a site's first run has one person who must both manage the
# accounts (`controlroom users`) and work the console until the others have theirs.
FIRST_ADMIN_ROLES = ("admin", "shift_lead")


class Accounts:
    def __init__(self, users: UserStore, access: Access, clock: Clock, policy: LoginPolicy) -> None:
        self.users, self.access, self.clock, self.policy = users, access, clock, policy

    async def sign_in(self, name: str, password: str) -> LoginResult:
        now = self.clock.now()
        result = await asyncio.to_thread(lambda: self.users.login(name, password, now, self.policy))
        if result.ok and result.user is not None:
            self.access.sign_in(result.user.name, result.user.roles)
        return result

    async def verify(self, name: str, password: str) -> LoginResult:
        """Check a person's password without signing them in here (a second person's confirmation):
        counted and audited like a sign-in attempt, the lockout included."""
        return await asyncio.to_thread(self.users.login, name, password, self.clock.now(), self.policy)

    async def sign_out(self, name: str, reason: str = "") -> None:
        """Sign out (a shift change, auto-lock, closing): the user's commands are refused from now on."""
        self.access.sign_out(name)
        await asyncio.to_thread(self.users.logout, name, self.clock.now(), reason)

    async def create_first_admin(self, name: str, full_name: str, password: str) -> LoginResult:
        """The first run's administrator (only into an empty user table), then signed in; an AccountError
        says why not (a weak password, a user created meanwhile at another console)."""
        roles = FIRST_ADMIN_ROLES
        now = self.clock.now()
        await asyncio.to_thread(
            lambda: self.users.add(name, full_name, password, roles, "first-run", now, only_first=True)
        )
        return await self.sign_in(name, password)

    async def has_users(self) -> bool:
        return bool(await asyncio.to_thread(self.users.list))

    async def check_signature(self, name: str, password: str) -> LoginResult:
        """An electronic signature's password (21 CFR 11.200): counted and audited like a login when wrong."""
        now = self.clock.now()
        return await asyncio.to_thread(
            lambda: self.users.login(name, password, now, self.policy, signing=True)
        )
