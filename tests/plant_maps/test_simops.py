"""SIMOPS: dangerous pairs of live permits side by side are flagged with the reason, harmless ones are not."""

from __future__ import annotations

import numpy as np
import pytest

from plant_maps.permit_lifecycle import PermitState
from plant_maps.permits import PermitBook
from plant_maps.proximity import distance_to_polygon, polygon_gap
from plant_maps.simops import ZoneGaps, simops_flags
from tests.plant_maps.builders import make_site, permit, site_with

SQUARE = np.array([[0, 0], [10, 0], [10, 10], [0, 10]], dtype=float)


def test_distance_to_a_zone_is_zero_inside_and_metres_outside() -> None:
    d = distance_to_polygon(np.array([5.0, 13.0, 13.0, np.nan]), np.array([5.0, 5.0, 14.0, 0.0]), SQUARE)
    assert d[:3].tolist() == [0.0, 3.0, 5.0] and np.isnan(d[3])


@pytest.mark.parametrize(
    ("offset", "gap"),
    [((5, 5), 0.0), ((10, 0), 0.0), ((13, 0), 3.0), ((13, 14), 5.0)],
)
def test_gap_between_zones(offset: tuple[float, float], gap: float) -> None:
    assert polygon_gap(SQUARE, SQUARE + np.array(offset, dtype=float)) == gap


def test_crossing_zones_with_no_corner_inside_the_other_overlap() -> None:
    wide = np.array([[-5, 4], [15, 4], [15, 6], [-5, 6]], dtype=float)
    tall = np.array([[4, -5], [6, -5], [6, 15], [4, 15]], dtype=float)
    assert polygon_gap(wide, tall) == 0.0


_LIVE = PermitState.ACTIVE


@pytest.mark.parametrize(
    ("a", "b", "rule"),
    [
        (("hot_work", "A"), ("line_blinding", "A"), "hot_work+line_blinding"),
        (("confined_space", "A"), ("hot_work", "B"), "hot_work+confined_space"),  # touching zones
        (("lifting", "A"), ("work_at_height", "A"), "lifting_over_permit"),
        (("road_closure", "A"), ("lifting", "A"), "lifting_over_permit"),
    ],
)
def test_dangerous_pairs_are_flagged(a: tuple[str, str], b: tuple[str, str], rule: str) -> None:
    gaps = ZoneGaps(make_site().zones)
    p1, p2 = permit("P1", category=a[0], zone=a[1]), permit("P2", category=b[0], zone=b[1])
    [flag] = simops_flags([(p1, _LIVE), (p2, _LIVE)], gaps)
    assert flag.rule == rule


def test_the_flag_explains_the_pair_in_words() -> None:
    gaps = ZoneGaps(make_site().zones)
    hot, blind = permit("HW", category="hot_work", zone="A"), permit("LB", category="line_blinding", zone="A")
    [flag] = simops_flags([(blind, _LIVE), (hot, PermitState.APPROVED)], gaps)
    assert (flag.first, flag.second) == ("HW", "LB")
    assert flag.explanation == (
        "HW (hot_work) and LB (line_blinding) both in Zone A: "
        "opening a line can release flammable product onto the hot work"
    )


@pytest.mark.parametrize(
    ("a", "b", "state_b"),
    [
        (("hot_work", "A"), ("line_blinding", "C"), _LIVE),  # far apart
        (("hot_work", "A"), ("line_blinding", "D"), _LIVE),  # 30 m apart: beyond 15 m
        (("hot_work", "A"), ("work_at_height", "A"), _LIVE),  # not a dangerous combination
        (("hot_work", "A"), ("line_blinding", "A"), PermitState.CLOSED),  # finished
        (("lifting", "A"), ("excavation", "A"), PermitState.DRAFT),  # not yet approved
    ],
)
def test_harmless_pairs_are_not_flagged(a: tuple[str, str], b: tuple[str, str], state_b: PermitState) -> None:
    gaps = ZoneGaps(make_site().zones)
    p1, p2 = permit("P1", category=a[0], zone=a[1]), permit("P2", category=b[0], zone=b[1])
    assert simops_flags([(p1, _LIVE), (p2, state_b)], gaps) == []


def test_a_wider_margin_reaches_the_zone_30_m_away() -> None:
    gaps = ZoneGaps(make_site().zones)
    p1, p2 = permit("P1", zone="A"), permit("P2", category="confined_space", zone="D")
    [flag] = simops_flags([(p1, _LIVE), (p2, _LIVE)], gaps, adjacent_m=30.0)
    assert "in Zone A and Zone D, 30 m apart" in flag.explanation


def test_the_book_flags_its_live_permits() -> None:
    site = site_with(
        permit("HW", state="active"),
        permit("CS", category="confined_space", grade="-", state="approved"),
        permit("LF", category="lifting", grade="2", zone="C", state="active"),
    )
    assert [(f.first, f.second) for f in PermitBook(site).simops()] == [("HW", "CS")]
