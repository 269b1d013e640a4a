"""The console roles: who works at a console (the GB 30871 approver roles are in `permit_grades`).

Here, below the accounts, so that a site file can name them (an interlock's `roles`) and be checked at load.
"""

from __future__ import annotations

CONSOLE_ROLES = ("operator", "shift_lead", "emergency_coordinator", "engineer", "admin")
