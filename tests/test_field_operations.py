"""Time acting on permits through the core and the journal, driven by a manual clock (never waiting hours)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import numpy as np
import pytest
import sqlalchemy as sa

from alarms.clock import ManualClock
from alarms.definitions import EventKind
from alarms.samples import Quality, TagBatch
from alarms.states import State
from console.server.core import Core
from console.server.session import (
    AccountForWorker,
    Acknowledge,
    ActivatePermit,
    ApprovePermit,
    AssignResponder,
    CheckInGuardian,
    ClosePermit,
    RecordGasTest,
    RemoveFromService,
    ResolveWearableAlarm,
    ResponderOnScene,
    ResumePermit,
    ReturnToService,
    StartMuster,
    StopMuster,
    SubmitPermit,
    SuspendPermit,
    Topic,
)
from console.server.shown import SHOW_UNCONFIRMED_AFTER_S
from integrations.storage import Store, StoreWriter
from plant_maps.alarm_rules import wearable_alarm
from plant_maps.muster import Overdue
from plant_maps.permit_lifecycle import PermitState
from plant_maps.site_file import load_site
from plant_maps.wearables import PositionBatch, Resolution, WearableEvent
from tests.conftest import DEMO_SITE
from tests.support import wait_until_async


def _core(database_url: str) -> tuple[Core, ManualClock, StoreWriter]:
    clock = ManualClock(datetime(2026, 11, 24, 8, 0, tzinfo=UTC).timestamp())
    site = load_site(DEMO_SITE, now=datetime.fromtimestamp(clock.now(), UTC))
    writer = StoreWriter(Store(database_url), site)
    return Core(site, clock, writer, "desk-1"), clock, writer


def _fix(row: int, x: float, y: float, ts: float) -> PositionBatch:
    return PositionBatch(
        np.array([row], np.int32),
        np.array([x]),
        np.array([y]),
        np.zeros(1, np.int16),
        np.ones(1, np.float32),
        np.array([ts]),
    )


def test_a_permit_past_its_validity_expires_on_its_own_and_the_journal_says_when(database_url: str) -> None:
    async def run() -> None:
        core, clock, writer = _core(database_url)
        book = core.permits.book
        end = book.status("PTW-HW-001").end  # hot work: 8 h from 1.5 h ago
        clock.set(end - 1.0)
        core.tick()
        assert book.status("PTW-HW-001").state is PermitState.ACTIVE
        clock.set(end)
        core.tick()
        await wait_until_async(lambda: any("PTW-HW-001" in e.text for e in core.log), 5)
        assert book.status("PTW-HW-001").state is PermitState.EXPIRED
        await asyncio.to_thread(writer.close)
        [entry] = [e for e in Store(database_url).journal_rows(kind="permit") if e.source == "PTW-HW-001"]
        assert (entry.actor, entry.payload["from"], entry.payload["to"]) == ("system", "active", "expired")
        assert entry.payload["reason"].startswith("validity ended at 2026-11-24 14:30")

    asyncio.run(run())


def test_suspended_work_resumes_only_after_a_new_passing_gas_test_and_the_guardians_check_in(
    database_url: str,
) -> None:
    async def run() -> None:
        core, clock, writer = _core(database_url)
        refused = await core.command(SuspendPermit("op", "PTW-HW-001", "  "))
        assert not refused.ok and "reason" in refused.message
        done = await core.command(SuspendPermit("op", "PTW-HW-001", "welding screen blown down"))
        assert done.ok and core.permits.book.status("PTW-HW-001").state is PermitState.SUSPENDED
        again = await core.command(ResumePermit("op", "PTW-HW-001"))
        assert not again.ok and "no gas test taken since the suspension" in again.message
        clock.advance(60)
        failed = await core.command(RecordGasTest("op", "PTW-HW-001", (("lel", 14.0),), "Zhou (tester)"))
        assert failed.ok and "FAILED" in failed.message
        assert not (await core.command(ResumePermit("op", "PTW-HW-001"))).ok
        passed = await core.command(RecordGasTest("op", "PTW-HW-001", (("lel", 2.0),), "Zhou (tester)"))
        assert passed.ok and "passed" in passed.message
        guardian = core.site.worker_index["W02"]  # guarding PTW-HW-001 in the compressor house
        core.on_positions(_fix(guardian, 320.0, 197.0, clock.now()))
        assert (await core.command(CheckInGuardian("op", "PTW-HW-001"))).ok
        resumed = await core.command(ResumePermit("op", "PTW-HW-001"))
        assert resumed.ok and core.permits.book.status("PTW-HW-001").state is PermitState.ACTIVE
        await asyncio.to_thread(writer.close)
        store = Store(database_url)
        moves = [
            (e.actor, e.console, e.payload["to"], e.payload["reason"])
            for e in store.journal_rows(kind="permit")
        ]
        assert moves == [
            ("op", "desk-1", "suspended", "welding screen blown down"),
            ("op", "desk-1", "active", ""),
        ]
        tests = [e.payload["failures"] for e in store.journal_rows(kind="gas_test")]
        assert len(tests) == 2 and tests[0] and not tests[1]
        assert [e.payload["guardian"] for e in store.journal_rows(kind="guardian_check_in")] == ["W02"]

    asyncio.run(run())


def test_certificates_near_expiry_and_expired_ones_are_told_at_start(database_url: str) -> None:
    async def run() -> list[str]:
        core, _, writer = _core(database_url)
        core.field.restore([])
        await asyncio.to_thread(writer.close)
        return [e.text for e in core.log if e.source == "certificates"]

    told = asyncio.run(run())
    assert any("has EXPIRED" in t for t in told)
    assert any("expires in" in t for t in told)


def test_mustering_counts_who_reaches_a_muster_point_and_lists_the_missing_with_their_last_fix(
    database_url: str,
) -> None:
    async def run() -> None:
        core, clock, writer = _core(database_url)
        index = core.site.worker_index
        core.on_positions(_fix(index["W07"], 215.0, 200.0, clock.now()))  # in the reactor unit
        clock.advance(30)
        assert (await core.command(StartMuster("lead"))).ok
        clock.advance(20)
        core.on_positions(_fix(index["W01"], 392.0, 126.0, clock.now()))  # at the east gate
        core.tick()
        counts = core.muster.counts()
        assert (counts.accounted, counts.missing) == (1, len(core.site.workers) - 1)
        assert counts.by_point.get("MP-EAST") == 1
        missing = {m.worker: m for m in core.muster.missing(clock.now(), core.workers)}
        assert "W01" not in missing
        assert (missing["W07"].zone, missing["W07"].fix_age_s) == ("reactor_unit", 50.0)
        assert missing["W05"].fix_age_s is None  # never located
        refused = await core.command(AccountForWorker("warden", "W07", "  "))
        assert not refused.ok and "needs a reason" in refused.message
        assert core.muster.counts().accounted == 1
        done = await core.command(AccountForWorker("warden", "W07", "seen by Zhou at the east gate"))
        assert done.ok and done.message.endswith("by head count: seen by Zhou at the east gate")
        assert core.muster.counts().accounted == 2
        assert [m.overdue for m in core.muster.missing(clock.now(), core.workers) if m.worker == "W05"] == [
            Overdue.CRITICAL  # never located
        ]
        await asyncio.to_thread(writer.close)

        again, _, writer2 = _core(database_url)  # the console restarts in the middle of the muster
        again.field.restore(Store(database_url).journal_rows(kind="muster"))
        assert again.muster.active and again.muster.started_at == pytest.approx(clock.now() - 20)
        assert [(a.worker, a.by) for a in again.muster.accounted()] == [("W07", "warden")]
        [account] = [e for e in Store(database_url).journal_rows(kind="muster") if e.source == "W07"]
        assert account.payload["reason"] == "seen by Zhou at the east gate"
        await asyncio.to_thread(writer2.close)

    asyncio.run(run())


def test_ending_a_muster_journals_and_audits_who_was_still_missing(database_url: str) -> None:
    async def run() -> None:
        core, _, writer = _core(database_url)
        assert not (await core.command(StopMuster("lead"))).ok  # none to end
        assert (await core.command(StartMuster("lead"))).ok
        for worker in core.site.workers[2:]:
            assert (await core.command(AccountForWorker("warden", worker.id, "head count at the gate"))).ok
        result = await core.command(StopMuster("lead", ("W01", "W02")))
        assert result.ok and not core.muster.active
        assert result.message == "mustering ended with 2 still missing: Li Wei (W01), Zhang Min (W02)"
        assert any(e.text == result.message for e in core.log)  # the event log says it too
        await asyncio.to_thread(writer.close)

    asyncio.run(run())
    [*_, ended] = Store(database_url).journal_rows(kind="muster")
    assert (ended.actor, ended.payload) == ("lead", {"event": "stop", "missing": ["W01", "W02"]})
    stops = [r for r in Store(database_url).audit_rows() if r["action"] == "stop_muster"]
    assert [r["outcome"] for r in stops] == ["refused", "done"]
    assert json.loads(stops[-1]["new_value"]) == {"missing": ["W01", "W02"]}


def _lel(core: Core, sensor: str, value: float, ts: float) -> TagBatch:
    row = core.site.tag_index[sensor]
    return TagBatch.from_lists([row], [value], [Quality.GOOD], [ts], ts)


def test_only_a_privileged_console_takes_an_alarm_out_of_service_and_it_says_why(database_url: str) -> None:
    async def run() -> None:
        core, clock, writer = _core(database_url)
        core.on_tags(_lel(core, "GD-TF-02", 30.0, clock.now()))
        await wait_until_async(lambda: core.alarms.engine.view("GD-TF-02.HH").seq, 5)
        refused = await core.command(RemoveFromService("op", "GD-TF-02.HH", "detector replaced"))
        assert not refused.ok and "privileged" in refused.message
        core.privileged = True
        done = await core.command(RemoveFromService("op", "GD-TF-02.HH", "detector replaced, WO 4711"))
        assert done.ok and core.alarms.engine.view("GD-TF-02.HH").state is State.OUT_OF_SERVICE
        assert (await core.command(ReturnToService("op", "GD-TF-02.HH"))).ok
        await asyncio.to_thread(writer.close)
        last = Store(database_url).alarm_transitions(alarm_ids=["GD-TF-02.HH"])
        assert [(t.event.value, t.actor, t.comment) for t in last[1:2]] == [
            ("remove_from_service", "op", "detector replaced, WO 4711")
        ]

    asyncio.run(run())


def test_a_draft_is_submitted_approved_as_routed_and_keeps_its_signature_gas_test_and_check_in_after_a_restart(
    database_url: str,
) -> None:
    async def run() -> None:
        core, clock, writer = _core(database_url)
        assert (await core.command(SubmitPermit("W21", "PTW-HW-009"))).ok
        refused = await core.command(ApprovePermit("W13", "PTW-HW-009", "unit_head"))
        assert not refused.ok and "guards" in refused.message  # the guardian may not approve
        wrong = await core.command(ApprovePermit("lead", "PTW-HW-009", "plant_manager"))
        assert not wrong.ok and "still needed" in wrong.message
        role = sorted(core.permits.book.status("PTW-HW-009").pending_steps[0].roles)[0]
        assert (await core.command(ApprovePermit("lead", "PTW-HW-009", role))).ok
        assert core.permits.book.status("PTW-HW-009").state is PermitState.APPROVED
        assert (await core.command(RecordGasTest("lead", "PTW-HW-009", (("lel", 1.0),), "Zhou"))).ok
        core.on_positions(_fix(core.site.worker_index["W13"], 200.0, 70.0, clock.now()))  # in the workshop
        assert (await core.command(CheckInGuardian("lead", "PTW-HW-009"))).ok
        await asyncio.to_thread(writer.close)

        again, clock2, writer2 = _core(database_url)  # the console restarts on the same journal
        clock2.set(clock.now() + 60)
        entries = sorted(
            (
                e
                for kind in ("permit", "gas_test", "guardian_check_in")
                for e in Store(database_url).journal_rows(kind=kind)
            ),
            key=lambda e: e.ts,
        )
        again.field.restore(entries)
        status = again.permits.book.status("PTW-HW-009")
        assert status.state is PermitState.APPROVED and [a.approver for a in status.approvals] == ["lead"]
        assert status.gas_verdict is not None and status.gas_verdict.passed and status.check_in is not None
        started = await again.command(ActivatePermit("lead", "PTW-HW-009"))
        assert started.ok, started.message
        await asyncio.to_thread(writer2.close)

    asyncio.run(run())


def test_a_rules_suspension_is_shown_only_once_the_journal_has_it(database_url: str) -> None:
    async def run() -> None:
        core, clock, writer = _core(database_url)
        shown: list[str] = []
        core.subscribe(Topic.PERMITS, lambda changes: shown.extend(c.permit for c in changes))
        core.on_tags(_lel(core, "GD-CH-01", 12.0, clock.now()))  # over h = 10 %LEL in the hot-work zone
        core.field.permits.evaluate(core.workers, core.tags, frozenset())
        assert core.permits.book.status("PTW-HW-001").state is PermitState.SUSPENDED  # decided
        assert core.permits.status("PTW-HW-001").state is PermitState.ACTIVE  # not yet shown
        await wait_until_async(lambda: shown, 5)
        assert core.permits.status("PTW-HW-001").state is PermitState.SUSPENDED
        await asyncio.to_thread(writer.close)
        assert [e.source for e in Store(database_url).journal_rows(kind="permit")] == ["PTW-HW-001"]

    asyncio.run(run())


def test_a_database_that_fails_hides_neither_an_alarm_nor_a_suspension_and_nothing_shows_twice(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Journal before show, but never hide: with the database failing (the writer retries it), a tier-1 gas
    alarm and the suspension it causes are shown after SHOW_UNCONFIRMED_AFTER_S all the same; when the
    database answers again their rows are written and nothing is shown a second time."""

    async def run() -> None:
        core, clock, writer = _core(database_url)
        store = writer.store

        def down(*_rows: object, **_audit: object) -> list[int]:
            raise sa.exc.OperationalError("INSERT", {}, Exception("server closed the connection"))

        monkeypatch.setattr(store, "write", down)
        alarms: list[str] = []
        permits: list[str] = []
        core.subscribe(Topic.ALARMS, lambda transitions: alarms.extend(t.alarm_id for t in transitions))
        core.subscribe(Topic.PERMITS, lambda changes: permits.extend(c.permit for c in changes))
        core.on_tags(_lel(core, "GD-CH-01", 30.0, clock.now()))  # past hh in the hot work's zone
        core.field.permits.evaluate(core.workers, core.tags, frozenset())
        await wait_until_async(lambda: "GD-CH-01.HH" in alarms, SHOW_UNCONFIRMED_AFTER_S + 3)
        await wait_until_async(lambda: "PTW-HW-001" in permits, SHOW_UNCONFIRMED_AFTER_S + 3)
        assert core.permits.status("PTW-HW-001").state is PermitState.SUSPENDED
        monkeypatch.undo()
        assert await asyncio.to_thread(writer.flush, 30)
        assert alarms.count("GD-CH-01.HH") == 1 and permits.count("PTW-HW-001") == 1
        await asyncio.to_thread(writer.close)
        saved = Store(database_url)
        assert [e.source for e in saved.journal_rows(kind="permit")] == ["PTW-HW-001"]
        assert [t.alarm_id for t in saved.alarm_transitions(alarm_ids=["GD-CH-01.HH"])] == ["GD-CH-01.HH"]

    asyncio.run(run())


def test_gas_test_entries_that_are_no_test_at_all_are_refused_and_not_journaled(database_url: str) -> None:
    async def run() -> None:
        core, _, writer = _core(database_url)
        confined = "PTW-CS-003"  # O2, LEL, H2S and CO required
        cases = {
            (("o2", 20.9), ("lel", 1.0)): "missing readings: h2s, co",
            (
                ("o2", 209.0),
                ("lel", 1.0),
                ("h2s", 0.0),
                ("co", 0.0),
            ): "o2 209 %vol is not a plausible reading",
            (("o2", 20.9), ("lel", -2.0), ("h2s", 0.0), ("co", 0.0)): "lel -2 %LEL is not a plausible",
            (("o2", 20.9), ("lel", float("nan")), ("h2s", 0.0), ("co", 0.0)): "lel nan",
        }
        for readings, why in cases.items():
            refused = await core.command(RecordGasTest("op", confined, readings, "Zhou Li"))
            assert not refused.ok and why in refused.message, refused.message
        complete = (("o2", 20.9), ("lel", 1.0), ("h2s", 0.0), ("co", 0.0))
        nameless = await core.command(RecordGasTest("op", confined, complete, "  "))
        assert not nameless.ok and "the tester's name is required" in nameless.message
        assert core.permits.status(confined).gas_verdict is None
        passed = await core.command(RecordGasTest("op", confined, complete, " Zhou Li "))
        assert passed.ok and "passed" in passed.message
        await asyncio.to_thread(writer.close)
        [entry] = Store(database_url).journal_rows(kind="gas_test")
        assert entry.payload["tester"] == "Zhou Li"

    asyncio.run(run())


def _press(core: Core, worker: str, kind: EventKind, ts: float) -> str:
    """The wearer's band sends `kind` (SOS, fall, no motion); returns the alarm it raises."""
    core.on_wearable_events([WearableEvent(f"band-{worker}-{kind}-{ts}", worker, kind.value, ts)])
    return wearable_alarm(worker, kind)


async def _acknowledge(core: Core, *alarm_ids: str) -> None:
    views = [core.alarms.engine.view(a) for a in alarm_ids]
    assert (await core.command(Acknowledge("op", tuple((v.id, v.seq) for v in views)))).ok


def test_an_sos_inside_a_permit_zone_is_a_tier1_alarm_there_and_suspends_the_permit(
    database_url: str,
) -> None:
    async def run() -> None:
        core, clock, writer = _core(database_url)
        book, index = core.permits.book, core.site.worker_index
        core.on_positions(_fix(index["W01"], 330.0, 190.0, clock.now()))  # welding at K-301 (PTW-HW-001)
        sos = _press(core, "W01", EventKind.SOS, clock.now())
        view = core.alarms.engine.view(sos)
        assert (view.area, view.tier.value) == ("compressor_house", 1)  # not "Site-wide"
        core.tick()
        status = book.status("PTW-HW-001")
        assert status.state is PermitState.SUSPENDED
        assert status.reason == "tier-1 alarm active in Compressor house"
        assert book.status("PTW-TE-006").state is PermitState.ACTIVE  # the workshop goes on
        await wait_until_async(lambda: core.permits.status("PTW-HW-001").state is PermitState.SUSPENDED, 5)
        await asyncio.to_thread(writer.close)
        [journaled] = Store(database_url).alarm_transitions(alarm_ids=[sos])
        assert journaled.area == "compressor_house"

    asyncio.run(run())


def test_an_sos_of_a_wearer_located_only_afterwards_counts_where_the_wearer_is(database_url: str) -> None:
    async def run() -> None:
        core, clock, writer = _core(database_url)
        sos = _press(core, "W03", EventKind.SOS, clock.now())  # no fix yet: the alarm cannot say where
        assert core.alarms.engine.view(sos).area == "site"
        core.tick()
        assert core.permits.book.status("PTW-HW-001").state is PermitState.ACTIVE
        clock.advance(2)
        core.on_positions(_fix(core.site.worker_index["W03"], 360.0, 200.0, clock.now()))
        core.tick()
        assert core.permits.book.status("PTW-HW-001").state is PermitState.SUSPENDED
        await asyncio.to_thread(writer.close)

    asyncio.run(run())


def test_a_fall_then_no_motion_is_one_event_with_one_response_resolved_with_a_reason(
    database_url: str,
) -> None:
    async def run() -> None:
        core, clock, writer = _core(database_url)
        fall = _press(core, "W07", EventKind.FALL, clock.now())
        clock.advance(120)
        still = _press(core, "W07", EventKind.NO_MOTION, clock.now())
        early = await core.command(AssignResponder("op", fall, "W13"))
        assert not early.ok and early.message == f"acknowledge {fall} first"
        await _acknowledge(core, fall, still)
        on_scene = await core.command(ResponderOnScene("op", fall))
        assert not on_scene.ok and "assign a responder first" in on_scene.message
        too_long = await core.command(AssignResponder("op", fall, "x" * 81))
        assert not too_long.ok and "at most 80 characters" in too_long.message
        assigned = await core.command(AssignResponder("op", fall, "Fire crew 2\n\x07(east gate)"))
        assert assigned.ok, assigned.message
        assert assigned.message == f"{fall}, {still}: responder Fire crew 2 (east gate) assigned"
        assert {a: r.responder_name for a, r in core.responses.open.items()} == {
            fall: "Fire crew 2 (east gate)",
            still: "Fire crew 2 (east gate)",
        }
        assert (await core.command(ResponderOnScene("op", still))).ok
        empty = await core.command(ResolveWearableAlarm("op", fall, "  ", Resolution.ACTUAL_INCIDENT))
        assert not empty.ok and "needs notes" in empty.message
        resolved = await core.command(
            ResolveWearableAlarm("op", fall, "Fainted from heat; to the clinic", Resolution.ACTUAL_INCIDENT)
        )
        assert resolved.ok, resolved.message
        assert [core.alarms.engine.view(a).state for a in (fall, still)] == [State.NORMAL, State.NORMAL]
        assert core.responses.open == {}
        await asyncio.to_thread(writer.close)
        store = Store(database_url)
        steps = [
            (e.source, e.actor, e.payload["step"], e.payload["resolution"])
            for e in store.journal_rows(kind="wearable_response")
        ]
        assert steps == [
            (fall, "op", "assigned", ""),
            (still, "op", "assigned", ""),
            (still, "op", "on_scene", ""),
            (fall, "op", "on_scene", ""),
            (fall, "op", "resolved", "actual_incident"),
            (still, "op", "resolved", "actual_incident"),
        ]
        reset = store.alarm_transitions(alarm_ids=[still])[-1]
        assert reset.comment == (  # DEMO signs with the actor's name (no account to check a password)
            "actual incident: Fainted from heat; to the clinic; "
            "signed by op (op) at 2026-11-24 08:02:00 UTC: man-down closed by responder lead as actual incident"
        )

    asyncio.run(run())


FAILING_O2 = (("o2", 18.5), ("lel", 1.0), ("h2s", 0.0), ("co", 0.0))  # PTW-CS-003 needs O2 19.5-21 %vol
CLEAN_AIR = (("o2", 20.9), ("lel", 1.0), ("h2s", 0.0), ("co", 0.0))


def test_a_failed_gas_test_stops_running_work_raises_a_tier1_alarm_and_is_audited_as_failed(
    database_url: str,
) -> None:
    """GB 30871 gas analysis: a failed test stops the work. The permit is suspended as a detector trip suspends
    it (journaled by the rule, told to subscribers), its tier-1 alarm names the reading and its limit, the
    event log says so, and the audit trail records the test as failed, not done."""

    async def run() -> None:
        core, clock, writer = _core(database_url)
        told: list[tuple[str, str]] = []
        core.subscribe(
            Topic.PERMITS, lambda changes: told.extend((c.permit, c.to_state.value) for c in changes)
        )
        result = await core.command(RecordGasTest("op", "PTW-CS-003", FAILING_O2, "Zhou Li"))
        assert result.ok and "FAILED" in result.message and "SUSPENDED" in result.message, result.message
        status = core.permits.status("PTW-CS-003")  # shown at once: journaled before the command returns
        assert status.state is PermitState.SUSPENDED
        assert status.reason == "gas test failed: O2 18.5 %vol below 19.5 %vol (permit)"
        assert told == [("PTW-CS-003", "suspended")]
        alarm = "PTW-CS-003.GAS_TEST"
        view = await wait_until_async(
            lambda: core.alarms.engine.view(alarm).active and core.alarms.engine.view(alarm), 5
        )
        assert (view.tier.value, view.area, view.state) == (1, "reactor_unit", State.UNACK)
        assert view.message == "PTW-CS-003 gas test failed: O2 18.5 %vol below 19.5 %vol (permit)"
        assert ("warning", result.message) in [(e.severity, e.text) for e in core.log]
        await wait_until_async(  # told once journaled, with the tier's mark
            lambda: any(e.severity == "tier1" and view.message in e.text for e in core.log), 5
        )

        clock.advance(60)  # a passing test returns the alarm; the work stays stopped until resumed
        passed = await core.command(RecordGasTest("op", "PTW-CS-003", CLEAN_AIR, "Zhou Li"))
        assert passed.ok and passed.message.startswith(
            "gas test for PTW-CS-003 passed (tester Zhou Li): O2 20.9"
        )
        await wait_until_async(lambda: not core.alarms.engine.view(alarm).active, 5)
        assert core.permits.status("PTW-CS-003").state is PermitState.SUSPENDED
        await asyncio.to_thread(writer.close)

        store = Store(database_url)
        [moved] = store.journal_rows(kind="permit")
        assert (moved.actor, moved.payload["to"], moved.payload["reason"]) == (
            "system",
            "suspended",
            "gas test failed: O2 18.5 %vol below 19.5 %vol (permit)",
        )
        tests = [e.payload["failures"] for e in store.journal_rows(kind="gas_test")]
        assert tests == [["O2 18.5 %vol below 19.5 %vol (permit)"], []]
        audited = [
            (r["outcome"], r["reason"]) for r in store.audit_rows() if r["action"] == "record_gas_test"
        ]
        assert audited == [
            ("failed", "O2 18.5 %vol below 19.5 %vol (permit); PTW-CS-003 suspended: the work stops"),
            ("done", ""),
        ]

    asyncio.run(run())


def test_a_failed_gas_test_before_work_starts_blocks_it_without_an_alarm(database_url: str) -> None:
    """Nobody works under a permit not yet active: a gas test on a draft is refused saying why (the card greys
    it with the same words), and a failing one on an approved permit keeps the work from starting, is audited
    as failed and logged, and raises no alarm."""

    async def run() -> None:
        core, _, writer = _core(database_url)
        draft = await core.command(RecordGasTest("op", "PTW-HW-009", (("lel", 1.0),), "Zhou Li"))
        assert not draft.ok and draft.message == (
            "permit PTW-HW-009: PTW-HW-009 is draft: a gas test is taken once it is approved"
        )
        assert ("warning", f"record gas test PTW-HW-009 refused: {draft.message}") in [
            (e.severity, e.text) for e in core.log
        ]
        assert (await core.command(SubmitPermit("W21", "PTW-HW-009"))).ok
        role = sorted(core.permits.book.status("PTW-HW-009").pending_steps[0].roles)[0]
        assert (await core.command(ApprovePermit("lead", "PTW-HW-009", role))).ok
        failed = await core.command(RecordGasTest("op", "PTW-HW-009", (("lel", 14.0),), "Zhou Li"))
        assert failed.ok and failed.message == (
            "gas test for PTW-HW-009 FAILED (tester Zhou Li): LEL 14 %LEL above 10 %LEL (permit)"
        )
        assert core.permits.status("PTW-HW-009").state is PermitState.APPROVED
        refused = await core.command(ActivatePermit("op", "PTW-HW-009"))
        assert not refused.ok and "gas test failed: LEL 14 %LEL above 10 %LEL" in refused.message
        await asyncio.to_thread(writer.close)
        assert not core.alarms.engine.view("PTW-HW-009.GAS_TEST").seq  # never raised
        audited = [
            (r["outcome"], r["reason"])
            for r in Store(database_url).audit_rows()
            if r["action"] == "record_gas_test"
        ]
        assert audited == [
            ("refused", draft.message),
            ("failed", "LEL 14 %LEL above 10 %LEL (permit)"),
        ]

    asyncio.run(run())


def test_a_permit_closed_after_a_failed_gas_test_returns_its_alarm(database_url: str) -> None:
    async def run() -> None:
        core, _, writer = _core(database_url)
        assert (await core.command(RecordGasTest("op", "PTW-CS-003", FAILING_O2, "Zhou Li"))).ok
        engine = core.alarms.engine
        await wait_until_async(lambda: engine.view("PTW-CS-003.GAS_TEST").active, 5)
        assert (await core.command(ClosePermit("op", "PTW-CS-003", "entry abandoned"))).ok
        await wait_until_async(lambda: not engine.view("PTW-CS-003.GAS_TEST").active, 5)
        await asyncio.to_thread(writer.close)

    asyncio.run(run())
