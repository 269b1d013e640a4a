"""How a permit looks, in one place: its GB 30871 category as a short code, its state in words and marks.

The map overlay, the permit list and the permit card all read from here, so a suspended permit looks the
same everywhere. ISA-101: only the abnormal state (suspended) takes a colour, and always with a shape and
a word as well; the other states are grey and told apart by their words (and on the map by their lines).
Words are translated where they are read (`QCoreApplication.translate`, context "PermitStyle").
The amber of a suspension is the tier-2 colour: the work is stopped, which needs attention, while the
cause itself (a gas reading, an SOS) carries its own alarm elsewhere.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

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
CATEGORY_NAMES: Mapping[str, str] = MappingProxyType(  # source texts: `category_name` translates them
    {
        "hot_work": QT_TRANSLATE_NOOP("PermitStyle", "Hot work"),
        "confined_space": QT_TRANSLATE_NOOP("PermitStyle", "Confined-space entry"),
        "line_blinding": QT_TRANSLATE_NOOP("PermitStyle", "Line blinding"),
        "work_at_height": QT_TRANSLATE_NOOP("PermitStyle", "Work at height"),
        "lifting": QT_TRANSLATE_NOOP("PermitStyle", "Lifting"),
        "temporary_electricity": QT_TRANSLATE_NOOP("PermitStyle", "Temporary electricity"),
        "excavation": QT_TRANSLATE_NOOP("PermitStyle", "Excavation"),
        "road_closure": QT_TRANSLATE_NOOP("PermitStyle", "Road closure"),
    }
)


def _tr(text: str) -> str:
    return QCoreApplication.translate("PermitStyle", text)


@dataclass(frozen=True, slots=True)
class StateLook:
    """The words are source texts (marked for lupdate), translated when read."""

    word_source: str  # on the map badge: "ACTIVE", "SUSPENDED"
    text_source: str  # in lists and on the card: "Active", "Suspended"
    rank: int  # sort order: what needs the operator first
    tier: Tier | None = None  # the tier mark shown with it (None: no mark, no colour)

    @property
    def word(self) -> str:
        return _tr(self.word_source)

    @property
    def text(self) -> str:
        return _tr(self.text_source)


STATE_LOOKS: Mapping[PermitState, StateLook] = MappingProxyType(
    {
        PermitState.SUSPENDED: StateLook(
            QT_TRANSLATE_NOOP("PermitStyle", "SUSPENDED"),
            QT_TRANSLATE_NOOP("PermitStyle", "Suspended"),
            0,
            Tier.HIGH,
        ),
        PermitState.ACTIVE: StateLook(
            QT_TRANSLATE_NOOP("PermitStyle", "ACTIVE"), QT_TRANSLATE_NOOP("PermitStyle", "Active"), 1
        ),
        PermitState.APPROVED: StateLook(
            QT_TRANSLATE_NOOP("PermitStyle", "APPROVED"), QT_TRANSLATE_NOOP("PermitStyle", "Approved"), 2
        ),
        PermitState.PENDING_APPROVAL: StateLook(
            QT_TRANSLATE_NOOP("PermitStyle", "PENDING"),
            QT_TRANSLATE_NOOP("PermitStyle", "Pending approval"),
            3,
        ),
        PermitState.DRAFT: StateLook(
            QT_TRANSLATE_NOOP("PermitStyle", "DRAFT"), QT_TRANSLATE_NOOP("PermitStyle", "Draft"), 4
        ),
        PermitState.EXPIRED: StateLook(
            QT_TRANSLATE_NOOP("PermitStyle", "EXPIRED"), QT_TRANSLATE_NOOP("PermitStyle", "Expired"), 5
        ),
        PermitState.CLOSED: StateLook(
            QT_TRANSLATE_NOOP("PermitStyle", "CLOSED"), QT_TRANSLATE_NOOP("PermitStyle", "Closed"), 6
        ),
        PermitState.CANCELLED: StateLook(
            QT_TRANSLATE_NOOP("PermitStyle", "CANCELLED"), QT_TRANSLATE_NOOP("PermitStyle", "Cancelled"), 7
        ),
    }
)


def category_code(category: str) -> str:
    """The GB 30871 category's short code ("HW"): a code, like the permit ids that carry it, not translated."""
    return CATEGORY_CODES.get(category, category[:2].upper())


def category_name(category: str) -> str:
    """ "Hot work" in the operator's language (an unknown category as the site file names it)."""
    name = CATEGORY_NAMES.get(category)
    return _tr(name) if name is not None else category


def category_text(category: str) -> str:
    """ "HW Hot work"."""
    return f"{category_code(category)} {category_name(category)}"


def graded(grade: str) -> bool:
    """The category has grades ("-" or nothing: it has none)."""
    return grade.strip() not in ("", "-")


def grade_text(grade: str) -> str:
    """The grade as written on a permit; "-" (ungraded categories) reads "none"."""
    return grade if graded(grade) else _tr("none")


def category_grade_text(category: str, grade: str) -> str:
    """ "Hot work, grade 1"."""
    return _tr("{category}, grade {grade}").format(category=category_name(category), grade=grade_text(grade))


def duration_text(seconds: float, to_the_second: bool = False) -> str:
    """A span as an operator says it: "45 s", "12 min", "5 h 12 min", "3 d 4 h"; `to_the_second` keeps the
    seconds of a span under an hour ("1 min 30 s"), for a countdown such as a time to threshold."""
    s = max(0, math.floor(seconds))
    if s < 60:
        return _tr("{s} s").format(s=s)
    if s < 3600:
        m, rest = divmod(s, 60)
        if to_the_second and rest:
            return _tr("{m} min {s} s").format(m=m, s=rest)
        return _tr("{m} min").format(m=m)
    if s < 86400:
        h, m = divmod(s // 60, 60)
        return _tr("{h} h {m} min").format(h=h, m=m) if m else _tr("{h} h").format(h=h)
    d, h = divmod(s // 3600, 24)
    return _tr("{d} d {h} h").format(d=d, h=h) if h else _tr("{d} d").format(d=d)


def remaining_text(end: float, now: float) -> str:
    """ "5 h 12 min left" or "ended 10 min ago"."""
    left = end - now
    if left > 0:
        return _tr("{span} left").format(span=duration_text(left))
    return _tr("ended {span} ago").format(span=duration_text(-left))


def ago_text(seconds: float) -> str:
    """ "12 min ago"."""
    return _tr("{span} ago").format(span=duration_text(seconds))


def day_clock_text(ts: float, now: float) -> str:
    """Local time of `ts`, with the date when it is not today: "16:30" or "11-26 16:30"."""
    here, today = time.localtime(ts), time.localtime(now)
    same_day = (here.tm_year, here.tm_yday) == (today.tm_year, today.tm_yday)
    return time.strftime("%H:%M" if same_day else "%m-%d %H:%M", here)
