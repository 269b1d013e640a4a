"""Perform and verify (GE iFIX): a second person confirms someone's act with their own password.

One check for every act that asks for one: a two-person interlock's selection, and an override of live
tier-1 alarms where the site asks for a second person (`console.server.hazard_override`). The password is
checked in the user store like a sign-in, lockout included, and never audited or logged. Runs on the
core's loop thread.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from typing import Protocol

from integrations.users import LoginResult
from plant_maps.roles import role_words

Verify = Callable[[str, str], Awaitable[LoginResult]]  # (user, password) -> checked on a worker thread


class Roles(Protocol):
    """Who holds which roles at this console (`permissions.Access`)."""

    demo: bool

    def roles_of(self, user: str) -> frozenset[str] | None: ...


async def second_person_refusal(
    verify: Verify | None,
    access: Roles,
    second: str,
    password: str,
    *,
    others: Collection[str],
    roles: frozenset[str],
    what: str,
) -> str:
    """Why `second` cannot confirm `what` ("" when they can): they must be none of `others` (who acts), give
    their own password right and hold one of `roles` (in DEMO, their roles at this console)."""
    second = second.strip()
    if not second or not password:
        return "name the second person and give their password"
    if second.casefold() in {o.casefold() for o in others}:
        return f"the second person must be someone other than {' or '.join(dict.fromkeys(others))}"
    if verify is None:
        return "no user store to check the second person's password"
    result = await verify(second, password)
    if not result.ok or result.user is None:
        return f"second person not confirmed: {result.reason}"
    held = access.roles_of(second) if access.demo else result.user.roles
    if not (held or frozenset()) & roles:
        return f"{second} may not confirm {what}: it needs one of the roles {role_words(roles)}"
    return ""
