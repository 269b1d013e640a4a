"""The site's permits at work in the core: the rules every tick, the operator's commands, the journal.

Runs on the core's asyncio loop thread. Every change (by a rule or an operator) is journaled with its
actor and reason, and shown (`on_changed`) only once committed, like the alarms; after a restart the
permits come back in the state the journal last recorded.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass

from alarms.clock import Clock
from console.server.shown import show_when_committed
from console.server.signatures import SignedBy
from integrations.storage import JournalEntry, StoreWriter
from plant_maps.gas_tests import GasTest, GasVerdict, entry_problems, gas_limits
from plant_maps.permit_lifecycle import Approval, PermitChange, PermitRefusal, PermitState
from plant_maps.permit_watch import Positions, Readings
from plant_maps.permits import GuardianCheckIn, PermitBook, PermitStatus
from plant_maps.site import Site
from plant_maps.words import joined

log = logging.getLogger(__name__)

JOURNAL_KIND = "permit"
GAS_TEST_KIND = "gas_test"
CHECK_IN_KIND = "guardian_check_in"
COMMIT_TIMEOUT_S = 10.0


@dataclass(frozen=True, slots=True)
class RecordedGasTest:
    """A gas test as journaled: its verdict, and the suspension of the running work it stopped (GB 30871: a
    failed analysis stops the work), None when it stopped none."""

    verdict: GasVerdict
    suspension: PermitChange | None = None


def journal_entry(change: PermitChange, console: str) -> JournalEntry:
    return JournalEntry(
        change.ts,
        JOURNAL_KIND,
        change.permit,
        change.actor,
        console,
        {
            "from": change.from_state.value,
            "to": change.to_state.value,
            "action": change.action.value,
            "reason": change.reason,
            "approval": None if change.approval is None else _approval_record(change.approval),
        },
    )


class PermitService:
    """The permit book plus the journal discipline around it."""

    def __init__(
        self,
        site: Site,
        clock: Clock,
        writer: StoreWriter,
        console: str,
        on_changed: Callable[[list[PermitChange]], None],
    ) -> None:
        self.book = PermitBook(site)
        # What the operator is shown: the book as of its latest journaled change (journal before show).
        self._shown = {s.id: s for s in self.book.statuses()}
        self._site = site
        self._clock, self._writer, self._console = clock, writer, console
        self._on_changed = on_changed

    def restore(self, entries: Iterable[JournalEntry]) -> int:
        """Replay the journal (oldest first): each permit's latest state with the signatures since its last
        submission, its latest gas test and guardian check-in; returns how many permits it moved."""
        latest: dict[str, JournalEntry] = {}
        approvals: dict[str, list[Approval]] = {}
        tests: dict[str, GasTest] = {}
        check_ins: dict[str, GuardianCheckIn] = {}
        for e in entries:
            if e.kind == JOURNAL_KIND:
                latest[e.source] = e
                if e.payload.get("action") in ("submit", "reject"):
                    approvals[e.source] = []
                if e.payload.get("approval"):
                    approvals.setdefault(e.source, []).append(Approval(**e.payload["approval"]))
            elif e.kind == GAS_TEST_KIND:
                tests[e.source] = GasTest(e.ts, dict(e.payload["readings"]), str(e.payload.get("tester", "")))
            elif e.kind == CHECK_IN_KIND:
                p = e.payload
                check_ins[e.source] = GuardianCheckIn(p["guardian"], p["x"], p["y"], p["distance_m"], e.ts)
        moved = 0
        for permit_id, e in latest.items():
            moved += self.book.restore(
                permit_id,
                PermitState(e.payload["to"]),
                e.ts,
                str(e.payload.get("reason", "")),
                approvals=tuple(approvals.get(permit_id, ())),
            )
        for permit_id, test in tests.items():
            self.book.record_gas_test(permit_id, test)
        for permit_id, check_in in check_ins.items():
            self.book.restore_check_in(permit_id, check_in)
        self._shown = {s.id: s for s in self.book.statuses()}
        return moved

    def statuses(self) -> tuple[PermitStatus, ...]:
        """The permits as journaled: a rule's change shows once its row is committed."""
        return tuple(self._shown.values())

    def status(self, permit_id: str) -> PermitStatus:
        return self._shown[permit_id]

    def evaluate(self, positions: Positions, readings: Readings, tier1_zones: Collection[str]) -> None:
        """Expiry and automatic suspension (GB 30871); the changes are journaled, then shown."""
        changes = self.book.evaluate(self._clock.now(), positions, readings, tier1_zones)
        if changes:
            self._journal(changes).add_done_callback(_log_failure)

    async def submit(self, permit_id: str, actor: str) -> PermitChange | PermitRefusal:
        return await self._carry_out(self.book.submit(permit_id, actor, self._clock.now()))

    async def approve(
        self, permit_id: str, actor: str, role: str, signed: SignedBy | None = None
    ) -> PermitChange | PermitRefusal:
        """Sign a step; `signed` (the core's checked signature) puts the signer's full name and the
        signature's meaning on the approval, as the card shows it."""
        signer, meaning = (signed.full_name, signed.meaning) if signed is not None else ("", "")
        return await self._carry_out(
            self.book.approve(permit_id, actor, role, self._clock.now(), self._console, signer, meaning)
        )

    async def activate(self, permit_id: str, actor: str, reason: str = "") -> PermitChange | PermitRefusal:
        return await self._carry_out(self.book.activate(permit_id, actor, self._clock.now(), reason))

    async def record_gas_test(
        self,
        permit_id: str,
        actor: str,
        readings: dict[str, float],
        tester: str,
        judged: Callable[[RecordedGasTest], None] = lambda _recorded: None,
    ) -> RecordedGasTest | PermitRefusal:
        """Judge and keep a gas test; journaled (with its verdict) before it is reported. Entries that are no
        test at all (a required reading missing, an implausible number, no tester) are refused, not judged.

        A failed test is audited as failed, and stops running work: the permit is suspended in the same
        transaction and shown as the rules' suspensions are (`on_changed`, once committed, or once the database
        has been silent too long). `judged` hears the verdict as soon as the rows are queued, before the
        commit: a failed test's alarm never waits on the database (and the audit row rides the test's rows)."""
        statuses = {s.id: s for s in self.book.statuses()}
        if permit_id in statuses:
            s = statuses[permit_id]
            why = joined(self.book.checks.gas_test(s)) or "; ".join(
                entry_problems(gas_limits(s.permit), readings, tester)
            )
            if why:
                return PermitRefusal(permit_id, "gas_test", why)
        now, tester = self._clock.now(), tester.strip()
        verdict = self.book.record_gas_test(permit_id, GasTest(now, readings, tester))
        if isinstance(verdict, PermitRefusal):
            return verdict
        suspension = self.book.stop_for_failed_test(permit_id, verdict, now)
        payload = {"readings": readings, "tester": tester, "failures": list(verdict.failures)}
        entry = JournalEntry(now, GAS_TEST_KIND, permit_id, actor, self._console, payload)
        outcome = None if verdict.passed else ("failed", _failed_test_reason(verdict, suspension))
        changes = [suspension] if suspension is not None else []
        committed = self._journal(changes, [entry], outcome, also=permit_id)
        recorded = RecordedGasTest(verdict, suspension)
        judged(recorded)
        await asyncio.wait_for(committed, COMMIT_TIMEOUT_S)
        return recorded

    async def check_in_guardian(
        self, permit_id: str, actor: str, positions: Positions
    ) -> GuardianCheckIn | PermitRefusal:
        """Check the guardian in at their wearable's last position; journaled before it is reported."""
        if permit_id not in {s.id for s in self.book.statuses()}:
            return PermitRefusal(permit_id, "check_in", f"no permit {permit_id}")
        guardian = self.book.status(permit_id).permit.guardian
        row = self._site.worker_index[guardian]
        x, y = float(positions.x[row]), float(positions.y[row])
        outcome = self.book.check_in_guardian(permit_id, guardian, x, y, self._clock.now())
        if isinstance(outcome, GuardianCheckIn):
            payload = {"guardian": guardian, "x": x, "y": y, "distance_m": outcome.distance_m}
            await self._record(
                JournalEntry(outcome.ts, CHECK_IN_KIND, permit_id, actor, self._console, payload)
            )
            self._shown[permit_id] = self.book.status(permit_id)
        return outcome

    async def _record(self, entry: JournalEntry) -> None:
        await asyncio.wait_for(asyncio.wrap_future(self._writer.journal([entry])), COMMIT_TIMEOUT_S)

    async def suspend(self, permit_id: str, actor: str, reason: str) -> PermitChange | PermitRefusal:
        return await self._carry_out(self.book.suspend(permit_id, actor, reason, self._clock.now()))

    async def suspend_all(
        self, permit_ids: Sequence[str], actor: str, reason: str
    ) -> tuple[list[PermitChange], list[PermitRefusal]]:
        """Suspend each permit with one reason, all journaled in one transaction (with the command's audit
        row); one that may not be suspended (no longer active, say) is refused and the others still stop."""
        if not reason.strip():
            return [], [PermitRefusal(p, "suspend", "a suspension needs a reason") for p in permit_ids]
        now, known = self._clock.now(), {s.id for s in self.book.statuses()}
        changes, refused = [], []
        for permit_id in dict.fromkeys(permit_ids):
            if permit_id not in known:
                refused.append(PermitRefusal(permit_id, "suspend", f"no permit {permit_id}"))
                continue
            outcome = self.book.suspend(permit_id, actor, reason, now)
            (changes if isinstance(outcome, PermitChange) else refused).append(outcome)
        if changes:
            await asyncio.wait_for(self._journal(changes), COMMIT_TIMEOUT_S)
        return changes, refused

    async def resume(self, permit_id: str, actor: str, reason: str = "") -> PermitChange | PermitRefusal:
        return await self._carry_out(self.book.resume(permit_id, actor, self._clock.now(), reason))

    async def close(self, permit_id: str, actor: str, reason: str) -> PermitChange | PermitRefusal:
        return await self._carry_out(self.book.close(permit_id, actor, self._clock.now(), reason))

    async def _carry_out(self, outcome: PermitChange | PermitRefusal) -> PermitChange | PermitRefusal:
        if isinstance(outcome, PermitChange):
            await asyncio.wait_for(self._journal([outcome]), COMMIT_TIMEOUT_S)
        return outcome

    def _journal(
        self,
        changes: list[PermitChange],
        before: Sequence[JournalEntry] = (),
        outcome: tuple[str, str] | None = None,
        also: str | None = None,
    ) -> asyncio.Future[list[int]]:
        """Commit (after `before`, in the same transaction; `outcome` for the command's audit row), then show
        the changes (and the permit `also`, a gas test's): once the rows are in the database, or once it has
        been silent too long (`console.server.shown`): a suspension is never hidden by the store. The future
        returned resolves with the commit, after the showing."""
        loop = asyncio.get_running_loop()
        entries = [*before, *(journal_entry(c, self._console) for c in changes)]
        future = self._writer.journal(entries, outcome)
        show_when_committed(future, loop, lambda error: self._show(changes, also, error))
        return asyncio.wrap_future(future, loop=loop)

    def _show(self, changes: list[PermitChange], also: str | None, error: BaseException | None) -> None:
        if error is not None:
            log.error("permit changes shown NOT journaled: %s", error)
        for permit_id in {*(c.permit for c in changes), *((also,) if also else ())}:
            self._shown[permit_id] = self.book.status(permit_id)
        if changes:
            self._on_changed(changes)


def _log_failure(done: asyncio.Future[list[int]]) -> None:
    if done.exception() is not None:
        log.error("permit changes were NOT journaled: %s", done.exception())


def _failed_test_reason(verdict: GasVerdict, suspension: PermitChange | None) -> str:
    """What a failed test's audit row says: the readings and their limits, and the work it stopped."""
    stopped = f"; {suspension.permit} suspended: the work stops" if suspension is not None else ""
    return "; ".join(verdict.failures) + stopped


def _approval_record(a: Approval) -> dict[str, object]:
    return {
        "step": a.step,
        "role": a.role,
        "approver": a.approver,
        "ts": a.ts,
        "where": a.where,
        "signer": a.signer,
        "meaning": a.meaning,
    }
