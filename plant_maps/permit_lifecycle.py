"""The permit lifecycle: the one transition table, and the records every change and refusal produce.

draft -> pending_approval -> approved -> active <-> suspended -> closed, with expired and cancelled as the
other ends. A (state, action) pair the table lacks is not allowed; the permit book asks `next_state`
and never moves a permit any other way, so the table is the whole truth about which moves exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType


class PermitState(StrEnum):
    """The values match `plant_maps.site.PERMIT_STATES`, so a site file's `state` parses into this enum."""

    DRAFT = "draft"
    PENDING_APPROVAL = "pending_approval"
    APPROVED = "approved"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    CLOSED = "closed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class PermitAction(StrEnum):
    SUBMIT = "submit"
    SIGN = "sign"  # one approval step signed, others still needed
    APPROVE = "approve"  # the last approval step signed
    REJECT = "reject"  # an approver sends the permit back to the applicant
    ACTIVATE = "activate"
    SUSPEND = "suspend"
    RESUME = "resume"
    CLOSE = "close"
    EXPIRE = "expire"
    CANCEL = "cancel"


TERMINAL = frozenset({PermitState.CLOSED, PermitState.EXPIRED, PermitState.CANCELLED})
LIVE = frozenset({PermitState.APPROVED, PermitState.ACTIVE, PermitState.SUSPENDED})  # work may be on site

_S, _A = PermitState, PermitAction
TRANSITIONS: Mapping[tuple[PermitState, PermitAction], PermitState] = MappingProxyType(
    {
        (_S.DRAFT, _A.SUBMIT): _S.PENDING_APPROVAL,
        (_S.PENDING_APPROVAL, _A.SIGN): _S.PENDING_APPROVAL,
        (_S.PENDING_APPROVAL, _A.APPROVE): _S.APPROVED,
        (_S.PENDING_APPROVAL, _A.REJECT): _S.DRAFT,
        (_S.APPROVED, _A.ACTIVATE): _S.ACTIVE,
        (_S.ACTIVE, _A.SUSPEND): _S.SUSPENDED,
        (_S.SUSPENDED, _A.RESUME): _S.ACTIVE,
        (_S.ACTIVE, _A.CLOSE): _S.CLOSED,
        (_S.SUSPENDED, _A.CLOSE): _S.CLOSED,
        # GB 30871 validity: at the end of its window every permit not yet finished ends by itself
        **{(state, _A.EXPIRE): _S.EXPIRED for state in _S if state not in TERMINAL},
        # withdrawn before or between work, never while work runs (an active permit is closed instead)
        **{
            (state, _A.CANCEL): _S.CANCELLED
            for state in (_S.DRAFT, _S.PENDING_APPROVAL, _S.APPROVED, _S.SUSPENDED)
        },
    }
)


def next_state(state: PermitState, action: PermitAction) -> PermitState | None:
    """The table's target, or None when the action is not allowed in the state."""
    return TRANSITIONS.get((state, action))


def allowed_actions(state: PermitState) -> tuple[PermitAction, ...]:
    """What may be done to a permit in this state (for the permit panel's buttons and refusal texts)."""
    return tuple(a for (s, a) in TRANSITIONS if s is state)


@dataclass(frozen=True, slots=True)
class Approval:
    """One signature: who, for which step and role, when and from where (the store chains it tamper-evident)."""

    step: str
    role: str
    approver: str
    ts: float
    where: str = ""
    signer: str = ""  # the approver's full name, from their account (21 CFR 11.50)
    meaning: str = ""  # what the signature means ("approved as safety department")


@dataclass(frozen=True, slots=True)
class PermitChange:
    """One permit state change, made by an operator or by a rule (`actor` is `system` then); journal it."""

    permit: str
    from_state: PermitState
    to_state: PermitState
    action: PermitAction
    actor: str
    reason: str
    ts: float
    approval: Approval | None = None  # on SIGN and APPROVE


@dataclass(frozen=True, slots=True)
class PermitRefusal:
    """A permit command not carried out, with the reason to show the operator (commands never raise)."""

    permit: str
    action: str
    reason: str
