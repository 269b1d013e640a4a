"""A small test plant with known geometry, and helpers to build permits and to place workers on it.

Zones (metres): A (0-100, 0-100), B touching A on the east (100-200), C far east (400-500), D 30 m north
of A (0-100, 130-230). Certificates: W5 expires today, W6 in 20 days, W7 in 60 days, W8 expired yesterday.
"""

from __future__ import annotations

import tomllib
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alarms.samples import Quality
from plant_maps.gas_tests import GasTest
from plant_maps.permit_lifecycle import PermitChange, PermitRefusal
from plant_maps.permits import PermitBook
from plant_maps.site import GasTestRequirement, Permit, Site
from plant_maps.site_file import parse_site
from plant_maps.state import TagTable, WorkerTable

START = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
T0 = START.timestamp()
MIN, HOUR = 60.0, 3600.0

_SITE = """
[site]
id = "test"
width_m = 600
height_m = 300

[[zones]]
id = "A"
name = "Zone A"
polygon = [[0, 0], [100, 0], [100, 100], [0, 100]]
[[zones]]
id = "B"
name = "Zone B"
polygon = [[100, 0], [200, 0], [200, 100], [100, 100]]
[[zones]]
id = "C"
name = "Zone C"
polygon = [[400, 0], [500, 0], [500, 100], [400, 100]]
[[zones]]
id = "D"
name = "Zone D"
polygon = [[0, 130], [100, 130], [100, 230], [0, 230]]

[[sensors]]
id = "LEL-A"
measure = "lel"
zone = "A"
x = 50
y = 50
range = [0, 100]
limits = { h = 10, hh = 25 }
[[sensors]]
id = "O2-A"
measure = "o2"
zone = "A"
x = 50
y = 50
range = [0, 25]
normal = 20.9
limits = { hh = 23.5, l = 19.5, ll = 18 }
[[sensors]]
id = "TEMP-A"
measure = "temperature"
zone = "A"
x = 50
y = 50
range = [0, 200]
limits = { h = 60 }
[[sensors]]
id = "LEL-C"
measure = "lel"
zone = "C"
x = 450
y = 50
range = [0, 100]
limits = { h = 10, hh = 25 }

[[muster_points]]
id = "M1"
name = "North gate"
x = 300
y = 280
radius_m = 10
[[muster_points]]
id = "M2"
name = "West gate"
x = -50
y = 50
radius_m = 5
"""

_CERT_DAYS = {"W5": 0, "W6": 20, "W7": 60, "W8": -1}


def _workers() -> str:
    out = []
    for i in range(1, 11):
        wid = f"W{i}"
        days = _CERT_DAYS.get(wid, 400)
        out.append(
            f'[[workers]]\nid = "{wid}"\nname = "Worker {i}"\ncompany = "Plant"\nwearable = "WB-{i}"\nhome = [0, 0]\n'
            f'certificates = [{{ type = "trade", number = "T-{i}", expires_in_days = {days} }}]\n'
        )
    return "\n".join(out)


def make_site() -> Site:
    return parse_site(tomllib.loads(_SITE + _workers()), Path("test-site.toml"), START)


def permit(
    pid: str = "P1",
    category: str = "hot_work",
    grade: str = "1",
    zone: str = "A",
    workers: tuple[str, ...] = ("W1", "W2"),
    guardian: str = "W3",
    start: float = T0,
    hours: float = 8.0,
    state: str = "draft",
    gas_tests: tuple[GasTestRequirement, ...] = (),
    attachments: tuple[str, ...] = ("JSA-1",),
) -> Permit:
    begin = datetime.fromtimestamp(start, UTC)
    return Permit(
        id=pid,
        category=category,
        grade=grade,
        zone=zone,
        title="",
        applicant="W10",
        guardian=guardian,
        workers=workers,
        valid_from=begin,
        valid_to=begin + timedelta(hours=hours),
        state=state,
        gas_tests=gas_tests,
        attachments=attachments,
    )


def site_with(*permits: Permit) -> Site:
    return replace(make_site(), permits=permits)


def positions(site: Site, now: float, **at: tuple[float, float]) -> WorkerTable:
    """A worker table with the named workers fixed at `now` where given; everyone else never located."""
    table = WorkerTable(site)
    for worker, (x, y) in at.items():
        row = site.worker_index[worker]
        table.x[row], table.y[row], table.fix_ts[row] = x, y, now
    return table


def readings(site: Site, **values: float) -> TagTable:
    """Good readings for the named sensors (use `_` for `-` in ids), NaN and stale elsewhere."""
    table = TagTable(len(site.sensors))
    for name, value in values.items():
        row = site.tag_index[name.replace("_", "-")]
        table.value[row] = value
        table.quality[row] = int(Quality.GOOD)
    return table


def clean_air(site: Site) -> TagTable:
    return readings(site, LEL_A=0.0, O2_A=20.9, LEL_C=0.0)


def ok(outcome: PermitChange | PermitRefusal) -> PermitChange:
    assert isinstance(outcome, PermitChange), outcome
    return outcome


def refused(outcome: object) -> str:
    assert isinstance(outcome, PermitRefusal), outcome
    return outcome.reason


def activate(book: PermitBook, pid: str, now: float, readings_: dict[str, float] | None = None) -> None:
    """Take a draft all the way to active the way the control room does, at `now`."""
    status = book.status(pid)
    ok(book.submit(pid, "W10", now))
    approvers = iter(("A1", "A2", "A3", "A4"))
    for step in status.route:
        ok(book.approve(pid, next(approvers), sorted(step.roles)[0], now))
    book.record_gas_test(pid, GasTest(now, readings_ or {"lel": 0.0, "o2": 20.9, "h2s": 0.0, "co": 0.0}))
    zone = book.site.zone(status.permit.zone).polygon[0]
    book.check_in_guardian(pid, status.permit.guardian, zone[0], zone[1], now)
    ok(book.activate(pid, "W10", now))
