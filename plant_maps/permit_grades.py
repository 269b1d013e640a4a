"""GB 30871 permit categories, their grades, how long each grade may run and who must approve it.

Pure tables and lookups, so that the lifecycle, the forms and the tests read the same numbers. Where
DOMAIN.md gives no number for a category, the table says so rather than inventing one (see `MAX_VALIDITY_S`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from plant_maps.site import PERMIT_CATEGORIES

UNGRADED = "-"  # categories the standard does not grade (the site file writes "-")

# GB 30871 grading: hot work special / 1 / 2; work at height I (2-5 m) .. IV (> 30 m); lifting
# grade 1 (> 100 t), 2 (40-100 t), 3 (< 40 t); the other categories have no grade.
GRADES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "hot_work": ("special", "1", "2"),
        "work_at_height": ("I", "II", "III", "IV"),
        "lifting": ("1", "2", "3"),
        **{c: (UNGRADED,) for c in PERMIT_CATEGORIES if c not in ("hot_work", "work_at_height", "lifting")},
    }
)
_ALIASES = {"特级": "special", "一级": "1", "二级": "2", "三级": "3", "": UNGRADED}

_HOUR = 3600.0
# GB 30871 hot-work validity: special and grade 1 at most 8 h, grade 2 at most 72 h. DOMAIN.md gives no
# limit for the other categories: they run to the end of the window written on the permit.
MAX_VALIDITY_S: Mapping[tuple[str, str], float] = MappingProxyType(
    {("hot_work", "special"): 8 * _HOUR, ("hot_work", "1"): 8 * _HOUR, ("hot_work", "2"): 72 * _HOUR}
)

# GB 30871 grading: hot work goes up one level at night and on holidays.
_NIGHT_HOT_WORK = {"2": "1", "1": "special", "special": "special"}


def normalise_grade(category: str, grade: str) -> str:
    """The canonical grade of a category; ValueError naming the allowed grades otherwise."""
    if category not in GRADES:
        raise ValueError(f"unknown permit category {category!r} (one of {', '.join(PERMIT_CATEGORIES)})")
    text = grade.strip()
    text = _ALIASES.get(text, text)
    allowed = GRADES[category]
    for candidate in allowed:
        if text.lower() == candidate.lower():
            return candidate
    raise ValueError(f"{category} grade must be one of {', '.join(allowed)}, got {grade!r}")


def night_or_holiday_grade(category: str, grade: str) -> str:
    """GB 30871 hot-work grading: the grade a hot-work permit takes when the work runs at night or on a holiday.

    The caller (the permit form) decides what counts as night and holiday; other categories keep their grade.
    """
    canonical = normalise_grade(category, grade)
    return _NIGHT_HOT_WORK[canonical] if category == "hot_work" else canonical


def max_validity_s(category: str, grade: str) -> float | None:
    """Longest validity window of the grade in seconds, or None where DOMAIN.md sets no limit."""
    return MAX_VALIDITY_S.get((category, normalise_grade(category, grade)))


@dataclass(frozen=True, slots=True)
class ApprovalStep:
    """One signature a permit needs; any one of `roles` may give it (e.g. plant manager or chief engineer)."""

    name: str
    roles: frozenset[str]


def _step(name: str, *roles: str) -> ApprovalStep:
    return ApprovalStep(name, frozenset(roles or (name,)))


UNIT = _step("unit")
SAFETY = _step("safety_department")
PRODUCTION = _step("production_manager")
EXECUTIVE = _step("responsible_executive")
PLANT_HEAD = _step("plant_manager_or_chief_engineer", "plant_manager", "chief_engineer")
COUNTERSIGN = (_step("utilities"), _step("fire"), SAFETY)

# GB 30871 approval routing (table B.1 as DOMAIN.md quotes it). The unit approves whatever the table
# does not send higher; excavation and road closure are approved by the unit and counter-signed.
_ROUTES: Mapping[tuple[str, str], tuple[ApprovalStep, ...]] = MappingProxyType(
    {
        ("hot_work", "2"): (UNIT,),
        ("hot_work", "1"): (SAFETY, PRODUCTION),
        ("hot_work", "special"): (EXECUTIVE,),
        ("work_at_height", "IV"): (PLANT_HEAD,),
        ("lifting", "1"): (PLANT_HEAD,),
        ("excavation", UNGRADED): (UNIT, *COUNTERSIGN),
        ("road_closure", UNGRADED): (UNIT, *COUNTERSIGN),
    }
)


def approval_route(category: str, grade: str) -> tuple[ApprovalStep, ...]:
    """The signatures a permit of this category and grade needs, in the order they are asked for."""
    return _ROUTES.get((category, normalise_grade(category, grade)), (UNIT,))


# Every role a GB 30871 route can ask to sign: the approver roles a user account may hold.
APPROVER_ROLES = frozenset(
    role for route in (*_ROUTES.values(), (UNIT,)) for step in route for role in step.roles
)
