"""How a permit looks, in one place: its GB 30871 category as a short code, its state in words and marks.

The map overlay, the permit list and the permit card all read from here, so a suspended permit looks the
same everywhere. ISA-101: only the abnormal state (suspended) takes a colour, and always with a shape and
a word as well; the other states are grey and told apart by their words (and on the map by their lines).
The amber of a suspension is the tier-2 colour: the work is stopped, which needs attention, while the
cause itself (a gas reading, an SOS) carries its own alarm elsewhere.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from alarms.definitions import Tier
from plant_maps.permit_lifecycle import PermitState

# GB 30871 categories: the short code written on the map and in the lists.
CATEGORY_CODES: Mapping[str, str] = MappingProxyType(
    {
        "hot_work": "HW",
        "confined_space": "CS",
        "line_blinding": "BL",
        "work_at_height": "WH",
        "lifting": "LF",
        "temporary_electricity": "TE",
        "excavation": "EX",
        "road_closure": "RC",
    }
)
CATEGORY_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "hot_work": "Hot work",
        "confined_space": "Confined-space entry",
        "line_blinding": "Line blinding",
        "work_at_height": "Work at height",
        "lifting": "Lifting",
        "temporary_electricity": "Temporary electricity",
        "excavation": "Excavation",
        "road_closure": "Road closure",
    }
)


@dataclass(frozen=True, slots=True)
class StateLook:
    word: str  # on the map badge: "ACTIVE", "SUSPENDED"
    text: str  # in lists and on the card: "Active", "Suspended"
    rank: int  # sort order: what needs the operator first
    tier: Tier | None  # the tier mark shown with it (None: no mark, no colour)


STATE_LOOKS: Mapping[PermitState, StateLook] = MappingProxyType(
    {
        PermitState.SUSPENDED: StateLook("SUSPENDED", "Suspended", 0, Tier.HIGH),
        PermitState.ACTIVE: StateLook("ACTIVE", "Active", 1, None),
        PermitState.APPROVED: StateLook("APPROVED", "Approved", 2, None),
        PermitState.PENDING_APPROVAL: StateLook("PENDING", "Pending approval", 3, None),
        PermitState.DRAFT: StateLook("DRAFT", "Draft", 4, None),
        PermitState.EXPIRED: StateLook("EXPIRED", "Expired", 5, None),
        PermitState.CLOSED: StateLook("CLOSED", "Closed", 6, None),
        PermitState.CANCELLED: StateLook("CANCELLED", "Cancelled", 7, None),
    }
)


def category_code(category: str) -> str:
    return CATEGORY_CODES.get(category, category[:2].upper())


def category_text(category: str) -> str:
    """ "HW Hot work"."""
    return f"{category_code(category)} {CATEGORY_NAMES.get(category, category)}"


def grade_text(grade: str) -> str:
    """The grade as written on a permit; "-" (ungraded categories) reads "none"."""
    return "none" if grade.strip() in ("", "-") else grade


def duration_text(seconds: float) -> str:
    """A span as an operator says it: "45 s", "12 min", "5 h 12 min", "3 d 4 h"."""
    s = max(0, math.floor(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min"
    if s < 86400:
        h, m = divmod(s // 60, 60)
        return f"{h} h {m} min" if m else f"{h} h"
    d, h = divmod(s // 3600, 24)
    return f"{d} d {h} h" if h else f"{d} d"


def remaining_text(end: float, now: float) -> str:
    """ "5 h 12 min left" or "ended 10 min ago"."""
    left = end - now
    return f"{duration_text(left)} left" if left > 0 else f"ended {duration_text(-left)} ago"


def day_clock_text(ts: float, now: float) -> str:
    """Local time of `ts`, with the date when it is not today: "16:30" or "11-26 16:30"."""
    here, today = time.localtime(ts), time.localtime(now)
    same_day = (here.tm_year, here.tm_yday) == (today.tm_year, today.tm_yday)
    return time.strftime("%H:%M" if same_day else "%m-%d %H:%M", here)
