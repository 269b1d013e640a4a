"""How a permit looks, in one place: its GB 30871 category as a short code, its state in words and marks.

The map overlay, the permit list and the permit card all read from here, so a suspended permit looks the
same everywhere. ISA-101: only the abnormal state (suspended) takes a colour, and always with a shape and
a word as well; the other states are grey and told apart by their words (and on the map by their lines).
Words are translated where they are read (`QCoreApplication.translate`, context "PermitStyle").
The amber of a suspension is the tier-2 colour: the work is stopped, which needs attention, while the
cause itself (a gas reading, an SOS) carries its own alarm elsewhere.
"""

from __future__ import annotations

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
