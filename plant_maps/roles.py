"""The console roles: who works at a console (the GB 30871 approver roles are in `permit_grades`).

Here, below the accounts, so that a site file can name them (an interlock's `roles`) and be checked at load.
"""

from __future__ import annotations

from collections.abc import Iterable

CONSOLE_ROLES = ("operator", "shift_lead", "emergency_coordinator", "engineer", "admin")


def role_words(roles: Iterable[str]) -> str:
    """Roles as people read them, sorted: "emergency coordinator, operator, shift lead"."""
    return ", ".join(sorted(r.replace("_", " ") for r in roles))
