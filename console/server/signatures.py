"""Electronic signatures (21 CFR Part 11): what a signer gives (`Signature`, the password, checked by the
core and written nowhere) and what is recorded and shown once the core has checked it (`SignedBy`: name,
full name, time and meaning, §11.50). The meanings are worded here, in one place, for the core and the
window's signing dialogs alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from plant_maps.wearables import Resolution


@dataclass(frozen=True, slots=True)
class Signature:
    """An electronic signature as given (21 CFR 11.200): the signer's password, which the core checks
    against their account and never journals, audits, logs or shows (hidden from repr)."""

    password: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class SignedBy:
    """A signature the core has checked, as it is recorded and shown (21 CFR 11.50): the signer's name and
    full name, the time and what the signature means."""

    name: str
    full_name: str
    meaning: str
    ts: float

    def record(self) -> dict[str, object]:
        return {"name": self.name, "full_name": self.full_name, "meaning": self.meaning, "ts": self.ts}

    def text(self) -> str:
        when = datetime.fromtimestamp(self.ts, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        return f"signed by {self.full_name} ({self.name}) at {when}: {self.meaning}"


def approval_meaning(role: str) -> str:
    """What a permit approval signed as `role` means ("approved as safety department")."""
    return f"approved as {role.replace('_', ' ')}"


def closing_meaning(alarm_id: str, resolution: Resolution) -> str:
    """What resolving a wearer's SOS or man-down means: who closes it and as what ("SOS closed by responder
    lead as actual incident"): the signer vouches for the finding, not only for the closing."""
    kind = "SOS" if alarm_id.endswith(".SOS") else "man-down"
    return f"{kind} closed by responder lead as {resolution.words}"


def handover_meaning(side: str) -> str:
    """What a lead's signature on a shift handover means: the outgoing lead hands over, the incoming takes
    over (both vouch for the snapshot they signed, named by its SHA-256 in the record)."""
    return "handed over the shift" if side == "outgoing" else "took over the shift"
