"""Signing in and out at one console: the password is checked in the store on a worker thread (scrypt
takes ~50 ms and the database may be remote), then `Access` learns who is signed in with which roles.

Runs on the core's asyncio loop. Every attempt (done, failed, locked out) is audited by `UserStore` in the
same transaction as the failure count it changes.
"""

from __future__ import annotations

import asyncio

from alarms.clock import Clock
from console.server.permissions import Access
from integrations.users import LoginPolicy, LoginResult, UserStore


class Accounts:
    def __init__(self, users: UserStore, access: Access, clock: Clock, policy: LoginPolicy) -> None:
        self.users, self.access, self.clock, self.policy = users, access, clock, policy

    async def sign_in(self, name: str, password: str) -> LoginResult:
        result = await asyncio.to_thread(self.users.login, name, password, self.clock.now(), self.policy)
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
