"""An incident's danger area: who is in it and near it (with the age of their position), which permits, and
"suspend all" as one audited action through the core and the journal."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import numpy as np

from alarms.clock import ManualClock
from console.server.core import Core
from console.server.session import SuspendPermit, SuspendPermits
from integrations.storage import Store, StoreWriter
from plant_maps.danger_area import DangerArea, people_near, permits_near, running
from plant_maps.permit_lifecycle import PermitState
from plant_maps.permits import PermitBook
from plant_maps.site_file import load_site
from plant_maps.state import WorkerTable
from plant_maps.wearables import PositionBatch
from tests.conftest import DEMO_SITE

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC).timestamp()


def _core(database_url: str) -> tuple[Core, StoreWriter]:
    site = load_site(DEMO_SITE, now=datetime.fromtimestamp(NOW, UTC))
    writer = StoreWriter(Store(database_url), site)
    return Core(site, ManualClock(NOW), writer, "desk-1"), writer


def _fixes(table: WorkerTable, fixes: dict[str, tuple[float, float, float]]) -> None:
    rows = np.array([table.site.worker_index[w] for w in fixes], np.int32)
    x, y, ts = (np.array([f[i] for f in fixes.values()]) for i in range(3))
    n = len(rows)
    table.apply_positions(PositionBatch(rows, x, y, np.zeros(n, np.int16), np.ones(n, np.float32), ts))


def test_the_people_inside_come_first_then_the_nearest_each_with_the_age_of_their_position() -> None:
    site = load_site(DEMO_SITE, now=datetime.fromtimestamp(NOW, UTC))
    workers = WorkerTable(site)
    ids = [w.id for w in site.workers]
    _fixes(
        workers,
        {
            ids[0]: (340.0, 190.0, NOW - 3),  # inside the compressor house
            ids[1]: (290.0, 190.0, NOW - 40),  # 10 m west of it
            ids[2]: (200.0, 190.0, NOW - 1),  # 100 m west: not near
            ids[3]: (379.0, 229.0, NOW - 200),  # inside, an old fix
        },
    )
    area = DangerArea.of(site, "compressor_house", None, None, None)
    found = people_near(area, workers, NOW)
    assert [(p.worker, p.inside, round(p.distance_m), round(p.fix_age_s)) for p in found] == [
        (ids[0], True, 0, 3),
        (ids[3], True, 0, 200),
        (ids[1], False, 10, 40),
    ]
    circle = DangerArea.of(site, "", 200.0, 190.0, 5.0)  # a point and a 5 m radius: ids[2] inside
    assert [(p.worker, p.inside) for p in people_near(circle, workers, NOW, near_m=0)] == [(ids[2], True)]


def test_the_permits_of_the_zone_and_of_those_within_50_m_are_listed_and_only_running_work_is_suspended() -> (
    None
):
    site = load_site(DEMO_SITE, now=datetime.fromtimestamp(NOW, UTC))
    book = PermitBook(site)
    area = DangerArea.of(site, "compressor_house", None, None, None)
    found = permits_near(area, site, book.statuses())
    # its own (hot work active, lifting approved), the reactor unit's 20 m west; not the workshop's (~61 m)
    assert [(s.id, round(gap)) for s, gap in found] == [
        ("PTW-HW-001", 0),
        ("PTW-LB-002", 0),
        ("PTW-CS-003", 20),
        ("PTW-WH-004", 20),
    ]
    assert running(found) == ["PTW-HW-001", "PTW-CS-003", "PTW-WH-004"]


def test_suspend_all_stops_each_running_permit_with_one_reason_in_one_audited_action(
    database_url: str,
) -> None:
    async def run() -> None:
        core, writer = _core(database_url)
        book = core.permits.book
        assert (await core.command(SuspendPermit("op", "PTW-WH-004", "scaffold check"))).ok
        none = await core.command(SuspendPermits("li.wei", ("PTW-HW-001", "PTW-CS-003"), "  ", "INC-1"))
        assert not none.ok and "reason" in none.message
        assert book.status("PTW-HW-001").state is PermitState.ACTIVE
        asked = ("PTW-HW-001", "PTW-CS-003", "PTW-WH-004", "PTW-NOPE")
        done = await core.command(
            SuspendPermits("li.wei", asked, "gas release in the compressor house", "INC-1")
        )
        assert done.ok
        assert "suspended PTW-HW-001, PTW-CS-003" in done.message
        assert "PTW-WH-004:" in done.message and "no permit PTW-NOPE" in done.message
        for permit in ("PTW-HW-001", "PTW-CS-003"):
            assert book.status(permit).state is PermitState.SUSPENDED
        await asyncio.to_thread(writer.close)
        store = Store(database_url)
        moves = {
            e.source: e.payload
            for e in store.journal_rows(kind="permit")
            if e.actor == "li.wei" and e.payload["to"] == "suspended"
        }
        assert set(moves) == {"PTW-HW-001", "PTW-CS-003"}
        assert {m["reason"] for m in moves.values()} == {"gas release in the compressor house"}
        [audit] = [
            a for a in store.audit_rows() if a["action"] == "suspend_permits" and a["outcome"] != "refused"
        ]
        assert audit["username"] == "li.wei" and audit["target"] == " ".join(asked)
        assert json.loads(audit["new_value"])["incident_id"] == "INC-1"

    asyncio.run(run())
