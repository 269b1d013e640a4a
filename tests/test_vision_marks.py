"""An operator marks a camera detection false through the core: journaled beside the detection, audited,
told in the event log, role-gated, at most once, and still possible after a restart. SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from alarms.clock import ManualClock
from console.server.core import Core
from console.server.permissions import Access
from console.server.session import MarkFalseDetection
from console.server.vision_marks import VISION_FALSE_KIND
from integrations.storage import Store, StoreWriter
from plant_maps.site_file import load_site
from plant_maps.wearables import VisionDetection
from tests.conftest import DEMO_SITE

T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC).timestamp()
SHADOW = VisionDetection("det-17", "CAM-LB-1", "person_under_load", 0.64, "loading_bay", T0)
REASON = "shadow of the crane boom; nobody under the load"


def _core(database_url: str, access: Access | None = None, now: float = T0) -> tuple[Core, StoreWriter]:
    site = load_site(DEMO_SITE, now=datetime.fromtimestamp(T0, UTC))
    writer = StoreWriter(Store(database_url), site)
    return Core(site, ManualClock(now), writer, "desk-1", access=access), writer


def test_a_detection_marked_false_is_journaled_by_the_camera_audited_and_told(database_url: str) -> None:
    async def run() -> None:
        core, writer = _core(database_url)
        core.on_detections([SHADOW])
        assert core.vision.latest("VISION.loading_bay.person_under_load") == SHADOW
        assert core.vision.latest("VISION.reactor_unit.no_harness") is None
        core.clock.advance(90)  # type: ignore[attr-defined]
        done = await core.command(MarkFalseDetection("chen.hui", "det-17", f"  {REASON} "))
        assert done.ok, done.message
        assert done.message == "person under load in Loading bay (CAM-LB-1) marked as a false detection"
        line = core.log[-1]
        assert (line.severity, line.source) == ("action", "chen.hui") and REASON in line.text
        again = await core.command(MarkFalseDetection("li.wei", "det-17", "a second look"))
        assert not again.ok and "already, by chen.hui" in again.message
        await asyncio.to_thread(writer.close)

    asyncio.run(run())
    store = Store(database_url)
    [mark] = store.journal_rows(kind=VISION_FALSE_KIND)
    assert (mark.ts, mark.source, mark.actor, mark.console) == (T0 + 90, "CAM-LB-1", "chen.hui", "desk-1")
    assert mark.payload == {
        "detection": "det-17",
        "zone": "loading_bay",
        "class": "person_under_load",
        "reason": REASON,
    }
    audited = [(r["action"], r["target"], r["outcome"]) for r in store.audit_rows()]
    assert audited == [
        ("mark_false_detection", "det-17", "done"),
        ("mark_false_detection", "det-17", "refused"),
    ]


def test_a_mark_needs_a_known_detection_a_reason_and_a_watch_role(database_url: str) -> None:
    async def run() -> None:
        access = Access()
        access.sign_in("chen.hui", frozenset({"operator"}))
        access.sign_in("wu.gang", frozenset({"engineer"}))
        core, writer = _core(database_url, access)
        core.on_detections([SHADOW])
        unknown = await core.command(MarkFalseDetection("chen.hui", "det-99", REASON))
        assert not unknown.ok and "no detection det-99 seen in the last 24 h" in unknown.message
        blank = await core.command(MarkFalseDetection("chen.hui", "det-17", "   "))
        assert not blank.ok and "needs a reason" in blank.message
        engineer = await core.command(MarkFalseDetection("wu.gang", "det-17", REASON))
        assert not engineer.ok and "may not mark false detection" in engineer.message
        assert (await core.command(MarkFalseDetection("chen.hui", "det-17", REASON))).ok
        await asyncio.to_thread(writer.close)

    asyncio.run(run())
    assert len(Store(database_url).journal_rows(kind=VISION_FALSE_KIND)) == 1


def test_after_a_restart_the_last_days_detections_can_be_marked_and_a_mark_stays_made(
    database_url: str,
) -> None:
    old = VisionDetection("det-1", "CAM-RX-2", "no_harness", 0.9, "reactor_unit", T0 - 25 * 3600)

    async def before() -> None:
        core, writer = _core(database_url, now=T0 - 25 * 3600)
        core.on_detections([old])
        core.clock.set(T0)  # type: ignore[attr-defined]
        core.on_detections([SHADOW, VisionDetection("det-18", "CAM-LB-1", "smoke", 0.5, "loading_bay", T0)])
        assert (await core.command(MarkFalseDetection("chen.hui", "det-18", "steam from the drain"))).ok
        await asyncio.to_thread(writer.close)

    async def after() -> None:
        core, writer = _core(database_url, now=T0 + 3600)
        store = Store(database_url)
        since = T0 + 3600 - 24 * 3600
        kinds = ("vision_detection", VISION_FALSE_KIND)
        core.vision.restore(
            sorted((e for k in kinds for e in store.journal_rows(since=since, kind=k)), key=lambda e: e.ts)
        )
        assert (await core.command(MarkFalseDetection("chen.hui", "det-17", REASON))).ok
        twice = await core.command(MarkFalseDetection("chen.hui", "det-18", "steam"))
        assert not twice.ok and "already" in twice.message
        too_old = await core.command(MarkFalseDetection("chen.hui", "det-1", "a reflection"))
        assert not too_old.ok and "no detection det-1" in too_old.message
        await asyncio.to_thread(writer.close)

    asyncio.run(before())
    asyncio.run(after())
