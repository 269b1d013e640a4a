"""Who may do what: the one table of command -> roles, and who is signed in at this console.

The core asks `Access.refusal(command)` before carrying out any command, so a role without the permission
is refused by the core itself, whatever the window shows. The table is overridable per site from the app
config (`[permissions] Acknowledge = ["operator", "shift_lead"]`).

In DEMO mode (the demo plant, and every console until a site configures login) every actor holds every
role: nothing is refused for want of a role, and the window must say DEMO plainly.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from console.server.session import ApprovePermit, Command
from integrations.users import ROLES
from plant_maps.permit_grades import APPROVER_ROLES
from plant_maps.roles import CONSOLE_ROLES, role_words

_WATCH = frozenset({"operator", "shift_lead", "emergency_coordinator"})  # the people on the alarm screens
_PERMIT_DESK = frozenset({"operator", "shift_lead"})
_LEADS = frozenset({"shift_lead", "emergency_coordinator"})
_CONSOLE = frozenset(CONSOLE_ROLES)
_SHIFT_LEAD = frozenset({"shift_lead"})

PERMISSIONS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "OperatorNote": _WATCH | {"engineer"},
        "Acknowledge": _WATCH,
        "Shelve": _WATCH,
        "Unshelve": _WATCH,
        "ResetAlarm": _WATCH,
        "IsolateZone": frozenset({"shift_lead", "engineer"}),
        "RemoveFromService": frozenset({"engineer"}),  # ISA-18.2 out of service: engineering's act
        "ReturnToService": frozenset({"engineer"}),
        "MarkFalseDetection": _WATCH,  # the watch looks at the camera; the mark feeds the AI false-alarm rate
        "SuspendPermit": _WATCH,  # anyone watching may stop work
        "SuspendPermits": _WATCH,
        "ResumePermit": _PERMIT_DESK,
        "ClosePermit": _PERMIT_DESK,
        "SubmitPermit": _PERMIT_DESK,
        "ApprovePermit": APPROVER_ROLES,  # and the signer must hold the step's role (see `refusal`)
        "RecordGasTest": _PERMIT_DESK,
        "CheckInGuardian": _PERMIT_DESK,
        "ActivatePermit": _PERMIT_DESK,
        "AssignResponder": _WATCH,
        "ResponderOnScene": _WATCH,
        "ResolveWearableAlarm": _WATCH,
        "StartMuster": _LEADS,
        "StopMuster": _LEADS,
        "AccountForWorker": _WATCH,
        "Broadcast": _WATCH,  # speaking to the plant is the watch's; engineers ask them
        # any console role here: each interlock's own `roles` (site file) decide, checked by the interlock
        # service in the core; a site narrowing these here narrows every interlock
        "ArmInterlock": _CONSOLE,
        "ResetInterlock": _CONSOLE,
        "ExecuteInterlock": _CONSOLE,
        "CancelInterlock": _CONSOLE,
        "ConfirmSecondPerson": _CONSOLE,
        "DismissInterlockRequest": _CONSOLE,
        "StartHandover": _SHIFT_LEAD,  # the shift handover is the shift leads' (issue 16)
        "FlagHandoverItem": _SHIFT_LEAD,
        "ClearHandoverFlag": _SHIFT_LEAD,
        "SignHandover": _SHIFT_LEAD,  # and the signer must be that side's lead (console.server.handover)
        "FinaliseHandover": _SHIFT_LEAD,
        # incidents (issue 17): the leads declare, command, set objectives and close; the watch adds notes
        "DeclareIncident": _LEADS,
        "TransferIncidentCommand": _LEADS,
        "AddIncidentObjective": _LEADS,
        "AddIncidentNote": _WATCH,
        "CloseIncident": _LEADS,
        "ReopenIncident": _LEADS,
    }
)


def permission_table(overrides: Mapping[str, frozenset[str]]) -> Mapping[str, frozenset[str]]:
    """The default table with a site's overrides; an unknown command or role is refused by name."""
    unknown = set(overrides) - set(PERMISSIONS)
    if unknown:
        raise ValueError(f"no such command {', '.join(sorted(unknown))} (commands: {', '.join(PERMISSIONS)})")
    for command, roles in overrides.items():
        bad = roles - ROLES
        if bad:
            raise ValueError(f"{command}: unknown roles {', '.join(sorted(bad))}")
    return MappingProxyType({**PERMISSIONS, **overrides})


class Access:
    """Who is signed in at this console with which roles, and what the table lets them do.

    Loop thread only (the core's and the window's): plain dicts, no lock.
    """

    def __init__(self, table: Mapping[str, frozenset[str]] = PERMISSIONS, *, demo: bool = False) -> None:
        self.table, self.demo = table, demo
        self._signed_in: dict[str, frozenset[str]] = {}

    def sign_in(self, user: str, roles: frozenset[str]) -> None:
        self._signed_in[user] = roles

    def sign_out(self, user: str) -> None:
        self._signed_in.pop(user, None)

    def roles_of(self, user: str) -> frozenset[str] | None:
        """The user's roles here; None when they are not signed in at this console."""
        if self.demo:
            return ROLES
        return self._signed_in.get(user)

    def missing_role(self, command_name: str, roles: frozenset[str]) -> str:
        """What someone holding `roles` lacks to give `command_name` ("" when nothing): the core's refusal
        and the window's greyed buttons say the same."""
        if self.demo:
            return ""
        allowed = self.table.get(command_name, frozenset())
        if roles & allowed:
            return ""
        needed = role_words(allowed) or "nobody"
        return f"it needs one of the roles {needed}"

    def refusal(self, command: Command) -> str:
        """Why `command` may not be carried out for its actor ("" when it may)."""
        if self.demo:
            return ""
        name = type(command).__name__
        roles = self.roles_of(command.actor)
        if roles is None:
            return f"{command.actor or 'nobody'} is not signed in at this console"
        missing = self.missing_role(name, roles)
        if missing:
            return f"{command.actor} may not {_verb(name)}: {missing}"
        if isinstance(command, ApprovePermit) and command.role not in roles:
            return f"{command.actor} does not hold the role {command.role} to sign as"
        return ""


def _verb(command_name: str) -> str:
    """'RemoveFromService' -> 'remove from service'."""
    return "".join(f" {c.lower()}" if c.isupper() else c for c in command_name).strip()
