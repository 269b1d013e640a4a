"""The periods a shift lead asks about, on a day and a night shift in the plant's own time zone."""

from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from console.config import load_config
from plant_maps.shifts import Period, ShiftPattern

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI).timestamp()


PATTERN = ShiftPattern((time(8, 0), time(20, 0)), "Asia/Shanghai")


@pytest.mark.parametrize(
    ("now", "which", "since", "until"),
    [
        ("2026-12-07 10:30", Period.THIS_SHIFT, "2026-12-07 08:00", "2026-12-07 10:30"),
        ("2026-12-07 10:30", Period.LAST_SHIFT, "2026-12-06 20:00", "2026-12-07 08:00"),
        ("2026-12-07 02:00", Period.THIS_SHIFT, "2026-12-06 20:00", "2026-12-07 02:00"),
        ("2026-12-07 02:00", Period.LAST_SHIFT, "2026-12-06 08:00", "2026-12-06 20:00"),
        ("2026-12-07 20:00", Period.THIS_SHIFT, "2026-12-07 20:00", "2026-12-07 20:00"),
        ("2026-12-07 10:30", Period.LAST_24_H, "2026-12-06 10:30", "2026-12-07 10:30"),
        ("2026-12-07 10:30", Period.LAST_7_D, "2026-11-30 10:30", "2026-12-07 10:30"),
    ],
)
def test_periods_follow_the_plant_clock(now: str, which: Period, since: str, until: str) -> None:
    assert PATTERN.period(which, at(now)) == (at(since), at(until))


def test_a_shift_ends_when_the_next_one_starts() -> None:
    assert PATTERN.next_start(at("2026-12-07 10:30")) == at("2026-12-07 20:00")
    assert PATTERN.next_start(at("2026-12-07 21:00")) == at("2026-12-08 08:00")


def test_three_shifts_a_day_from_the_config_file(tmp_path: Path) -> None:
    path = tmp_path / "console.toml"
    path.write_text(
        '[shifts]\nstarts = ["00:00", "08:00", "16:00"]\ntimezone = "Asia/Shanghai"\noperator_positions = 2\n'
    )
    shifts = load_config(path).shifts
    assert shifts.operator_positions == 2
    assert shifts.period(Period.LAST_SHIFT, at("2026-12-07 17:00")) == (
        at("2026-12-07 08:00"),
        at("2026-12-07 16:00"),
    )
