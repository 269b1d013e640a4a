"""Gas analysis before work starts: which limits a permit's test must meet, and whether a test meets them.

A permit's own `gas_tests` requirements are what the approver signed, so they win for the measures they
name; the category defaults below fill in the measures the permit leaves out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from plant_maps.site import MEASURES, Permit

# GB 30871 gas analysis: taken at most 30 min before work starts (or resumes).
GAS_TEST_MAX_AGE_S = 30 * 60.0

# Seed rule: hot work is blocked at >= 10 %LEL (0.5 %vol of a gas whose LEL is 5 %).
HOT_WORK_MAX_LEL = 10.0
# GB 30871 confined space: O2 between 19.5 and 21 %vol.
O2_MIN, O2_MAX = 19.5, 21.0
# Toxic occupational limits (DOMAIN.md names H2S and CO without numbers): GBZ 2.1 MAC H2S 10 mg/m3 and
# PC-TWA CO 20 mg/m3, converted to ppm at 20 °C and rounded down.
H2S_MAX_PPM = 7.0
CO_MAX_PPM = 17.0

# What a gas tester's instrument can read, by measure: a value outside is a typing error, never a reading
# (%LEL 0-100; O2 0-25 %vol, above enriched air's 23.5; a ppm reading at most the whole atmosphere).
PLAUSIBLE_RANGES: Mapping[str, tuple[float, float]] = MappingProxyType(
    {"lel": (0.0, 100.0), "o2": (0.0, 25.0), "h2s": (0.0, 1e6), "co": (0.0, 1e6)}
)
MAX_TESTER_CHARS = 80  # a person's name, or a name and a role


@dataclass(frozen=True, slots=True)
class GasLimit:
    """What one measure must read for a test to pass (inclusive bounds) and where the limit comes from."""

    measure: str
    min: float | None = None
    max: float | None = None
    source: str = "permit"

    def describe(self) -> str:
        unit = MEASURES[self.measure]
        if self.min is not None and self.max is not None:
            return f"{self.min:g}-{self.max:g} {unit}"
        if self.max is not None:
            return f"<= {self.max:g} {unit}"
        return f">= {self.min:g} {unit}"


_LEL = GasLimit("lel", max=HOT_WORK_MAX_LEL, source="GB 30871 hot-work gas analysis")
CATEGORY_LIMITS: Mapping[str, tuple[GasLimit, ...]] = MappingProxyType(
    {
        "hot_work": (_LEL,),
        "confined_space": (
            GasLimit("o2", min=O2_MIN, max=O2_MAX, source="GB 30871 confined-space oxygen"),
            GasLimit("lel", max=HOT_WORK_MAX_LEL, source="GB 30871 confined-space combustibles"),
            GasLimit("h2s", max=H2S_MAX_PPM, source="GBZ 2.1 H2S limit"),
            GasLimit("co", max=CO_MAX_PPM, source="GBZ 2.1 CO limit"),
        ),
    }
)


def gas_limits(permit: Permit) -> dict[str, GasLimit]:
    """The limits a gas test for this permit must meet, by measure (empty: the permit needs no gas test)."""
    limits = {limit.measure: limit for limit in CATEGORY_LIMITS.get(permit.category, ())}
    for req in permit.gas_tests:
        limits[req.measure] = GasLimit(req.measure, min=req.min, max=req.max, source="permit")
    return limits


@dataclass(frozen=True, slots=True)
class GasTest:
    """One gas analysis at the work location: readings by measure (%LEL, ppm, %vol), who took it and when."""

    taken_at: float  # epoch seconds
    readings: Mapping[str, float]
    tester: str = ""


@dataclass(frozen=True, slots=True)
class GasVerdict:
    """Whether a test meets a permit's limits; `failures` says which measure failed and why, in words."""

    test: GasTest
    failures: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.failures


def judge(test: GasTest, limits: Mapping[str, GasLimit]) -> GasVerdict:
    """Check every required measure; a measure missing from the test or not a number fails it. Each failure
    names the reading and the limit it broke: "O2 18.5 %vol below 19.5 %vol (permit)"."""
    failures = []
    for measure, limit in limits.items():
        value = test.readings.get(measure)
        unit, name = MEASURES[measure], measure.upper()
        if value is None or math.isnan(value):
            failures.append(f"{name} not measured (needs {limit.describe()})")
        elif limit.max is not None and value > limit.max:
            failures.append(f"{name} {value:g} {unit} above {limit.max:g} {unit} ({limit.source})")
        elif limit.min is not None and value < limit.min:
            failures.append(f"{name} {value:g} {unit} below {limit.min:g} {unit} ({limit.source})")
    return GasVerdict(test, tuple(failures))


def readings_text(readings: Mapping[str, float]) -> str:
    """A test's readings as the tester called them in: "O2 20.9 %vol, LEL 0 %LEL"."""
    return ", ".join(f"{m.upper()} {value:g} {MEASURES.get(m, '')}".rstrip() for m, value in readings.items())


def fresh_enough(test: GasTest, now: float, max_age_s: float = GAS_TEST_MAX_AGE_S) -> bool:
    """GB 30871 gas analysis: taken no more than `max_age_s` before `now` (and not in the future)."""
    return 0.0 <= now - test.taken_at <= max_age_s


def plausible_range(measure: str) -> tuple[float, float]:
    """The readings a tester's instrument can give for `measure` (any number for a measure not listed)."""
    return PLAUSIBLE_RANGES.get(measure, (-math.inf, math.inf))


def is_plausible(measure: str, value: float) -> bool:
    low, high = plausible_range(measure)
    return math.isfinite(value) and low <= value <= high


def entry_problems(limits: Mapping[str, GasLimit], readings: Mapping[str, float], tester: str) -> list[str]:
    """Why these entries cannot be recorded as a gas test at all (as opposed to a test that fails): a
    required reading missing, a reading that is no plausible number, no tester or not plain text."""
    problems = []
    missing = [m for m in limits if m not in readings]
    if missing:
        problems.append(f"missing readings: {', '.join(missing)}")
    for measure, value in readings.items():
        if not is_plausible(measure, value):
            low, high = plausible_range(measure)
            unit = MEASURES.get(measure, "")
            problems.append(
                f"{measure} {value:g} {unit} is not a plausible reading ({low:.10g}-{high:.10g} {unit})"
            )
    name = tester.strip()
    if not name:
        problems.append("the tester's name is required")
    elif len(name) > MAX_TESTER_CHARS or not name.isprintable():
        problems.append(f"the tester's name must be plain text of at most {MAX_TESTER_CHARS} characters")
    return problems
