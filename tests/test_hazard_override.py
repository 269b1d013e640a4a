"""Re-admitting work over live tier-1 alarms through the core, on a manual clock and the real store: refused
without a reason (naming the alarms) and audited so; with one, done, audited and journaled with what it
overrode; the override holds for those alarms and not for a new one; refused, naming it, when an alarm is
active that the confirmation did not show; where the site says so a second person confirms with their password
(never written anywhere), and their confirmation covers only the alarms it showed them. The window's side is
tests/e2e/test_hazard_override.py.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from alarms.clock import ManualClock
from alarms.states import State
from console.server.accounts import Accounts
from console.server.core import Core
from console.server.hazard_words import unseen_refusal
from console.server.permissions import Access
from console.server.session import (
    ActivatePermit,
    CheckInGuardian,
    ConfirmSecondPerson,
    ExecuteInterlock,
    RecordGasTest,
    ResetInterlock,
    ResumePermit,
)
from integrations.storage import Store, StoreWriter
from integrations.users import LoginPolicy, UserStore
from plant_maps.alarm_zones import Hazard, Occurrence
from plant_maps.permit_lifecycle import PermitState
from plant_maps.site_file import load_site
from plant_maps.wearables import PositionBatch, WearableEvent
from tests.conftest import DEMO_SITE
from tests.support import edited_copy, wait_until_async

T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC).timestamp()
HOT_WORK, BLINDING = "PTW-HW-001", "PTW-LB-002"  # active and approved, in the compressor house
IL = "IL-CH-TRIP"  # the compressor house's trip
REASON = "W01 found unhurt by the guardian; SOS band faulty, replaced"
AT_WORK = {"W01": (330.0, 190.0), "W02": (320.0, 197.0), "W03": (340.0, 200.0)}  # inside the compressor house
SECOND_PASSWORD = "second pen 7"


def _core(database_url: str, site_file: Path = DEMO_SITE) -> tuple[Core, ManualClock, StoreWriter]:
    clock = ManualClock(T0)
    site = load_site(site_file, now=datetime.fromtimestamp(T0, UTC))
    store = Store(database_url)
    writer = StoreWriter(store, site)
    UserStore(store, "setup").add("li.wei", "Li Wei", SECOND_PASSWORD, ["shift_lead"], "admin", T0)
    access = Access(demo=True)
    accounts = Accounts(UserStore(store, "desk-1"), access, clock, LoginPolicy())
    return Core(site, clock, writer, "desk-1", access=access, accounts=accounts), clock, writer


def _place(core: Core, ts: float) -> None:
    rows = [core.site.worker_index[w] for w in AT_WORK]
    xy = np.array(list(AT_WORK.values()))
    n = len(rows)
    core.on_positions(
        PositionBatch(
            np.array(rows, np.int32),
            xy[:, 0],
            xy[:, 1],
            np.zeros(n, np.int16),
            np.ones(n, np.float32),
            np.full(n, ts),
        )
    )


def _sos(core: Core, worker: str, band_id: str) -> None:
    core.on_wearable_events([WearableEvent(id=band_id, worker=worker, type="sos", ts=core.clock.now())])


async def _ready_to_resume(core: Core, clock: ManualClock) -> None:
    """The hot work suspended by W01's SOS (a tier-1 alarm in its zone: the rule stops it), then what a
    resume needs anyway: a new passing gas test and the guardian checked in."""
    _place(core, clock.now())
    _sos(core, "W01", "band-W01-1")
    core.tick()
    await wait_until_async(lambda: core.permits.book.status(HOT_WORK).state is PermitState.SUSPENDED, 5)
    clock.advance(60)
    assert (await core.command(RecordGasTest("op", HOT_WORK, (("lel", 2.0),), "Zhou"))).ok
    assert (await core.command(CheckInGuardian("op", HOT_WORK))).ok


def _second_person_site(folder: Path) -> Path:
    """The demo site with `[hazard_override] second_person = true`."""
    return edited_copy(
        DEMO_SITE, folder, "[[interlocks]]\n", "[hazard_override]\nsecond_person = true\n\n[[interlocks]]\n"
    )


def _second_person_core(database_url: str, folder: Path) -> tuple[Core, ManualClock, StoreWriter]:
    """A core on the site asking a second person for an override, W01 to W03 at work in the compressor house
    and W01's SOS active there."""
    core, clock, writer = _core(database_url, _second_person_site(folder))
    _place(core, clock.now())
    _sos(core, "W01", "band-W01-1")
    core.tick()
    return core, clock, writer


def _seen(core: Core, permit_id: str) -> tuple[Occurrence, ...]:
    """What the confirmation of a resume or start of `permit_id` shows now, as its command names it."""
    return tuple(h.occurrence for h in core.alarms.hazards([core.permits.status(permit_id).permit.zone]))


def _reset_seen(core: Core) -> tuple[Occurrence, ...]:
    """What the confirmation of IL's armed reset shows now, as its commands name it."""
    return tuple(h.occurrence for h in core.interlocks.status(IL).overrides)


def _audit(database_url: str, action: str) -> list[dict[str, object]]:
    rows = [r for r in Store(database_url).audit_rows() if r["action"] == action]
    return [{**r, "new_value": json.loads(str(r["new_value"]))} for r in rows]


def test_resuming_over_a_live_sos_needs_a_reason_and_the_override_holds_until_a_new_tier_1_alarm(
    database_url: str,
) -> None:
    async def run() -> None:
        core, clock, writer = _core(database_url)
        book = core.permits.book
        await _ready_to_resume(core, clock)

        refused = await core.command(ResumePermit("op", HOT_WORK, "  "))
        assert not refused.ok
        assert refused.message.startswith(
            f"resuming permit {HOT_WORK} overrides the tier-1 alarms active in Compressor house: W01.SOS ("
        )
        assert refused.message.endswith("Give a reason to override them")
        assert book.status(HOT_WORK).state is PermitState.SUSPENDED
        resumed = await core.command(ResumePermit("op", HOT_WORK, REASON, seen=_seen(core, HOT_WORK)))
        assert resumed.ok, resumed.message
        for _ in range(3):  # the rule no longer suspends it for the SOS the override named
            clock.advance(1)
            core.tick()
        assert book.status(HOT_WORK).state is PermitState.ACTIVE
        assert any("overriding tier-1 W01.SOS" in e.text and REASON in e.text for e in core.log)
        _sos(core, "W03", "band-W03-1")  # a new tier-1 alarm there: the work stops again
        core.tick()
        await wait_until_async(lambda: book.status(HOT_WORK).state is PermitState.SUSPENDED, 5)
        assert "tier-1 alarm active in Compressor house" in book.status(HOT_WORK).reason
        await asyncio.to_thread(writer.close)

    asyncio.run(run())
    refused, done = _audit(database_url, "resume_permit")
    assert refused["outcome"] == "refused" and "W01.SOS" in str(refused["reason"])
    assert [o["alarm_id"] for o in refused["new_value"]["overrides"]] == ["W01.SOS"]  # type: ignore[index]
    assert done["outcome"] == "done" and done["new_value"]["reason"] == REASON  # type: ignore[index]
    [overridden] = done["new_value"]["overrides"]  # type: ignore[index]
    assert (overridden["alarm_id"], overridden["source"], overridden["state"]) == ("W01.SOS", "W01", "unack")
    moves = [
        (e.actor, e.payload["to"], e.payload["reason"])
        for e in Store(database_url).journal_rows(kind="permit")
    ]
    assert ("op", "active", f"overriding tier-1 W01.SOS: {REASON}") in moves


def test_where_the_site_says_so_starting_work_over_a_live_alarm_needs_a_second_person(
    database_url: str, tmp_path: Path
) -> None:
    async def run() -> None:
        core, clock, writer = _second_person_core(database_url, tmp_path)
        assert (await core.command(CheckInGuardian("op", BLINDING))).ok

        def start(second: str = "", password: str = "") -> ActivatePermit:
            return ActivatePermit("op", BLINDING, REASON, second, password, _seen(core, BLINDING))

        alone = await core.command(start())
        assert not alone.ok and "needs a second person (site rule)" in alone.message
        oneself = await core.command(start("op", "anything"))
        assert not oneself.ok and "someone other than op" in oneself.message
        wrong = await core.command(start("li.wei", "not it"))
        assert not wrong.ok and "second person not confirmed: wrong user name or password" in wrong.message
        shown = _seen(core, BLINDING)  # what the second person saw giving their password; then W03's SOS
        clock.advance(5)
        _sos(core, "W03", "band-W03-1")
        await wait_until_async(lambda: len(_seen(core, BLINDING)) == 2, 5)
        unseen = await core.command(ActivatePermit("op", BLINDING, REASON, "li.wei", SECOND_PASSWORD, shown))
        assert not unseen.ok and "did not show (raised since, or again): W03.SOS (SOS" in unseen.message
        started = await core.command(start("li.wei", SECOND_PASSWORD))  # they confirm it with W03's in view
        assert started.ok, started.message
        assert core.permits.book.status(BLINDING).state is PermitState.ACTIVE
        await asyncio.to_thread(writer.close)

    asyncio.run(run())
    outcomes = [
        (r["outcome"], r["new_value"]["second_user"]) for r in _audit(database_url, "activate_permit")
    ]  # type: ignore[index]
    assert outcomes == [
        ("refused", ""),
        ("refused", "op"),
        ("refused", "li.wei"),
        ("refused", "li.wei"),
        ("done", "li.wei"),
    ]
    assert all(SECOND_PASSWORD not in json.dumps(r) for r in Store(database_url).audit_rows())


def test_where_the_site_says_so_a_second_person_confirms_a_reset_again_for_an_alarm_not_shown_to_them(
    database_url: str, tmp_path: Path
) -> None:
    async def run() -> None:
        core, clock, writer = _second_person_core(database_url, tmp_path)
        assert (await core.command(ResetInterlock("op", IL))).ok

        def confirm() -> ConfirmSecondPerson:
            return ConfirmSecondPerson("op", IL, "li.wei", SECOND_PASSWORD, _reset_seen(core))

        def execute() -> ExecuteInterlock:
            return ExecuteInterlock("op", IL, REASON, _reset_seen(core))  # the operator sees every alarm

        assert (await core.command(confirm())).ok  # shown W01's SOS alone; then W03's
        clock.advance(5)
        _sos(core, "W03", "band-W03-1")
        await wait_until_async(lambda: len(_reset_seen(core)) == 2, 5)

        refused = await core.command(execute())
        assert not refused.ok
        assert refused.message.startswith(
            f"{IL}: the second person must confirm again because of W03.SOS (SOS"
        )
        assert (
            refused.message.endswith("not shown when li.wei confirmed") and "W01.SOS" not in refused.message
        )
        status = core.interlocks.status(IL)
        assert status.selection is not None and status.selection.second == "" and status.second_needed
        waits = await core.command(execute())
        assert not waits.ok and "waits for a second person" in waits.message
        assert (await core.command(confirm())).ok
        written = await core.command(execute())  # past every check, to the plant (none here: not written)
        assert written.message.startswith(f"{IL} not written: BadNotConnected"), written.message
        await asyncio.to_thread(writer.close)

    asyncio.run(run())
    refused, waits, written = _audit(database_url, "execute_interlock")
    assert refused["outcome"] == "refused" and "must confirm again because of W03.SOS" in str(
        refused["reason"]
    )
    assert [o["alarm_id"] for o in refused["new_value"]["overrides"]] == ["W01.SOS", "W03.SOS"]  # type: ignore[index]
    assert waits["outcome"] == "refused" and "not written" in str(written["reason"])
    confirmations = [r["new_value"]["seen"] for r in _audit(database_url, "confirm_second_person")]
    assert [[alarm for alarm, _ in seen] for seen in confirmations] == [["W01.SOS"], ["W01.SOS", "W03.SOS"]]
    [write] = [e for e in Store(database_url).journal_rows(kind="interlock") if e.payload["step"] == "write"]
    assert write.payload["second"] == "li.wei" and write.payload["overrides"] == ["W01.SOS", "W03.SOS"]
    assert all(SECOND_PASSWORD not in json.dumps(r) for r in Store(database_url).audit_rows())


def test_an_override_is_refused_naming_a_tier_1_alarm_raised_after_its_confirmation_was_shown(
    database_url: str,
) -> None:
    async def run() -> None:
        core, clock, writer = _core(database_url)
        book = core.permits.book
        await _ready_to_resume(core, clock)
        shown = _seen(core, HOT_WORK)  # the confirmation names W01's SOS; then, before the click, W03's
        clock.advance(5)
        _sos(core, "W03", "band-W03-1")
        await wait_until_async(lambda: len(_seen(core, HOT_WORK)) == 2, 5)

        refused = await core.command(ResumePermit("op", HOT_WORK, REASON, seen=shown))
        assert not refused.ok
        assert refused.message.startswith(
            f"resuming permit {HOT_WORK} would also override tier-1 alarms in Compressor house that its "
            "confirmation did not show (raised since, or again): W03.SOS (SOS"
        )
        assert "W01.SOS" not in refused.message and refused.message.endswith(
            "Confirm again with them in view"
        )
        assert book.status(HOT_WORK).state is PermitState.SUSPENDED
        cleared = ("W05.SOS", T0)  # shown, and cleared before the click: no matter
        again = await core.command(
            ResumePermit("op", HOT_WORK, REASON, seen=(*_seen(core, HOT_WORK), cleared))
        )
        assert again.ok, again.message
        await asyncio.to_thread(writer.close)

    asyncio.run(run())
    refused, done = _audit(database_url, "resume_permit")
    assert refused["outcome"] == "refused" and "W03.SOS (SOS" in str(refused["reason"])
    assert [o["alarm_id"] for o in refused["new_value"]["overrides"]] == ["W01.SOS", "W03.SOS"]  # type: ignore[index]
    assert [alarm for alarm, _ in refused["new_value"]["seen"]] == ["W01.SOS"]  # type: ignore[index]
    assert done["outcome"] == "done"
    assert [o["alarm_id"] for o in done["new_value"]["overrides"]] == ["W01.SOS", "W03.SOS"]  # type: ignore[index]


def test_an_alarm_raised_again_is_not_the_occurrence_the_confirmation_showed() -> None:
    def gas(since: float) -> Hazard:
        return Hazard(
            "GD-CH-01.HH", "GD-CH-01", "Combustible gas high-high", State.UNACK, "ch", 30.0, "%LEL", since
        )

    shown = (gas(T0).occurrence,)
    assert unseen_refusal("resuming permit P", "Compressor house", [gas(T0)], shown) == ""
    again = unseen_refusal("resuming permit P", "Compressor house", [gas(T0 + 40)], shown)
    assert "GD-CH-01.HH (Combustible gas high-high; now 30 %LEL; unacknowledged)" in again
    assert unseen_refusal("resuming permit P", "Compressor house", [], shown) == ""  # all cleared meanwhile
