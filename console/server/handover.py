"""The shift handover (issue 16, after Hexagon j5): start freezes a snapshot; items flagged come back at every
handover until cleared; both leads sign with their electronic signatures; finalising locks it and writes
its PDF. A finalised handover never changes: a correction is a new handover.

Runs on the core's asyncio loop; the snapshot is gathered and the PDF written on worker threads. Every
change is a journal entry (kind "handover" or "handover_flag") committed with the handover's row and the
command's audit entry in one transaction, and shown (`on_changed`) only once committed.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Collection, Iterable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from alarms.clock import Clock
from console.server.handover_gather import LiveState, Request, gather
from console.server.handover_record import SIDES, Handover, Item, Lead, Snapshot, signed_by
from console.server.signatures import SignedBy
from integrations.storage import JournalEntry, Store, StoreWriter, data_folder
from plant_maps.shifts import ShiftPattern
from plant_maps.site import Site

JOURNAL_KIND = "handover"
FLAG_KIND = "handover_flag"
FLAG_MAX_CHARS = 500
COMMIT_TIMEOUT_S = 10.0

Outcome = tuple[bool, str]  # done or not, and what the lead is told (the core makes it a CommandResult)

# The lead a user name stands for (their full name from the accounts; None: no such shift lead). Blocking.
FindLead = Callable[[str], Lead | None]


class HandoverService:
    """The open handovers and the standing flags; see the module docstring."""

    def __init__(
        self,
        site: Site,
        clock: Clock,
        writer: StoreWriter,
        console: str,
        live: Callable[[], LiveState],
        *,
        shifts: ShiftPattern,
        folder: Path | None,
        find_lead: FindLead,
        on_changed: Callable[[list[str]], None],
    ) -> None:
        self.site, self.clock, self.writer, self.console = site, clock, writer, console
        self._live, self.shifts, self.folder = live, shifts, folder
        self.find_lead, self._changed = find_lead, on_changed
        self.handovers: dict[str, Handover] = {}  # open ones, and the ones finalised since the start
        self.flags: dict[str, Item] = {}  # by flag id (Item.subject)

    @property
    def store(self) -> Store:
        return self.writer.store

    def restore(self, rows: Iterable[dict[str, Any]], entries: Iterable[JournalEntry]) -> None:
        """After a restart: the open handovers (from their rows) and the flags not cleared (journal, oldest
        first)."""
        for row in rows:
            self.handovers[row["id"]] = handover_of(row)
        self.flags = open_flags(entries)

    def open(self) -> Handover | None:
        """The handover under way (the newest not finalised), if any."""
        pending = [h for h in self.handovers.values() if not h.locked]
        return max(pending, key=lambda h: h.snapshot.started) if pending else None

    def signer_refusal(self, handover_id: str, side: str, signer: str) -> str:
        """Why `signer` may not sign `side` of the handover ("" when they may): only that side's lead signs
        it, once, and only while it is open."""
        h = self.handovers.get(handover_id)
        if h is None:
            return f"no handover {handover_id}"
        if h.locked:
            return f"handover {h.id} is finalised: a correction is a new handover"
        if side not in SIDES:
            return f"a handover is signed as outgoing or incoming, not {side!r}"
        lead = h.lead(side)
        if signer != lead.name:
            return f"the {side} lead of {h.id} is {lead.full_name} ({lead.name}), not {signer}"
        if side in h.signatures:
            return f"{lead.full_name} has signed {h.id} already"
        return ""

    async def start(
        self, actor: str, incoming_name: str, since: float | None, until: float | None
    ) -> Outcome:
        """Freeze the handover from `actor` to `incoming_name` for since..until (None: this shift until now)."""
        under_way = self.open()
        if under_way is not None:
            return False, f"handover {under_way.id} is under way: finalise it first"
        now = self.clock.now()
        if since is None or until is None:
            since, until = self.shifts.shift_start(now), now
        if not since < until:
            return False, "the handover's period must end after it starts"
        outgoing, incoming = await asyncio.gather(
            asyncio.to_thread(self.find_lead, actor),
            asyncio.to_thread(self.find_lead, incoming_name),
        )
        if outgoing is None:
            return False, f"{actor} is not a shift lead"
        if incoming is None:
            return False, f"{incoming_name or 'nobody'} is not a shift lead"
        if incoming.name == outgoing.name:
            return False, "the incoming lead must be someone else than the outgoing lead"
        request = Request(
            handover_id(now, taken=self.handovers),
            since,
            until,
            outgoing,
            incoming,
            self.console,
            now,
            tuple(self.flags.values()),
            self.shifts.operator_positions,
            self.shifts.timezone,
        )
        live = self._live()
        snapshot = await asyncio.to_thread(gather, self.store, self.site, live, request)
        h = Handover(snapshot)
        await self._save(h, actor, {"action": "start", "sha256": snapshot.sha256})
        return True, f"handover {h.id} started: {outgoing.full_name} to {incoming.full_name}"

    async def flag(self, actor: str, typed: str) -> Outcome:
        """An item that comes back at every handover until cleared."""
        text = " ".join(typed.split())
        if not text:
            return False, "a flagged item needs some text"
        if len(text) > FLAG_MAX_CHARS:
            return False, f"a flagged item is at most {FLAG_MAX_CHARS} characters"
        flag_id = f"F-{uuid.uuid4().hex[:8]}"
        now = self.clock.now()
        payload = {"action": "flag", "text": text}
        await self._journal_flag(JournalEntry(now, FLAG_KIND, flag_id, actor, self.console, payload))
        self.flags[flag_id] = Item(now, flag_id, text, actor)
        self._changed(["flags"])
        await self._refresh_flags(actor)
        return True, f"flagged {flag_id}: it comes back at every handover until cleared"

    async def clear(self, actor: str, flag_id: str) -> Outcome:
        flag = self.flags.get(flag_id)
        if flag is None:
            return False, f"no flagged item {flag_id}"
        payload = {"action": "clear", "text": flag.text}
        entry = JournalEntry(self.clock.now(), FLAG_KIND, flag_id, actor, self.console, payload)
        await self._journal_flag(entry)
        del self.flags[flag_id]
        self._changed(["flags"])
        await self._refresh_flags(actor)
        return True, f"cleared {flag_id}"

    async def _journal_flag(self, entry: JournalEntry) -> None:
        future = self.writer.journal([entry])
        await asyncio.wait_for(asyncio.wrap_future(future), COMMIT_TIMEOUT_S)

    async def _refresh_flags(self, actor: str) -> None:
        """The handover under way shows the flags as they are until someone signs it; a signed snapshot
        stays as signed (the flags changed after go to the next handover)."""
        h = self.open()
        if h is None or h.signatures:
            return
        snapshot = replace(h.snapshot, flags=tuple(self.flags.values()))
        await self._save(replace(h, snapshot=snapshot), actor, {"action": "flags", "sha256": snapshot.sha256})

    async def sign(self, actor: str, handover_id: str, side: str, signed: SignedBy) -> Outcome:
        """Put `signed` (checked by the core, after `signer_refusal`) on `side` of the handover."""
        h = self.handovers[handover_id]
        signatures = {**h.signatures, side: signed}
        payload = {"action": "sign", "side": side, "signature": signed.record(), "sha256": h.snapshot.sha256}
        await self._save(replace(h, signatures=signatures), actor, payload)
        return True, f"{h.id} {signed.text()}"

    async def finalise(self, actor: str, handover_id: str) -> Outcome:
        """Lock a handover both leads signed and write its PDF."""
        h = self.handovers.get(handover_id)
        if h is None:
            return False, f"no handover {handover_id}"
        if h.locked:
            return False, f"handover {h.id} is finalised already"
        missing = h.missing_signatures()
        if missing:
            names = " and ".join(f"the {side} lead {h.lead(side).full_name}" for side in missing)
            return False, f"{h.id} needs the signature of {names} first"
        from console.server.handover_pdf import write_pdf  # reportlab, loaded when a PDF is written

        now = self.clock.now()
        path = (self.folder or data_folder() / "handovers") / f"{h.id}.pdf"
        done = replace(h, finalised=now, pdf=str(path))
        try:
            await asyncio.to_thread(write_pdf, done, path)
        except (OSError, ValueError) as exc:
            return False, f"the PDF was not written: {exc}"
        await self._save(done, actor, {"action": "finalise", "pdf": str(path)})
        return True, f"{h.id} finalised and locked; PDF: {path}"

    async def _save(self, h: Handover, actor: str, payload: dict[str, Any]) -> None:
        """Journal the step with the handover's row (and the command's audit entry), then take it."""
        entry = JournalEntry(self.clock.now(), JOURNAL_KIND, h.id, actor, self.console, payload)
        future = self.writer.journal([entry], handover_rows=[row_of(h)])
        await asyncio.wait_for(asyncio.wrap_future(future), COMMIT_TIMEOUT_S)
        self.handovers[h.id] = h
        self._changed([h.id])


def open_flags(entries: Iterable[JournalEntry]) -> dict[str, Item]:
    """The flags the journal (oldest first) leaves standing, by id."""
    flags: dict[str, Item] = {}
    for e in entries:
        if e.kind != FLAG_KIND:
            continue
        if e.payload.get("action") == "flag":
            flags[e.source] = Item(e.ts, e.source, str(e.payload.get("text", "")), e.actor)
        else:
            flags.pop(e.source, None)
    return flags


def handover_id(ts: float, taken: Collection[str] = ()) -> str:
    """ "HO-20261207-200512": when it started, local time, to the second ("-2", "-3"... after one `taken`: a
    correction started in the second its handover was finalised)."""
    base = found = "HO-" + datetime.fromtimestamp(ts).strftime("%Y%m%d-%H%M%S")
    n = 1
    while found in taken:
        n += 1
        found = f"{base}-{n}"
    return found


def row_of(h: Handover) -> dict[str, Any]:
    s = h.snapshot
    return {
        "id": s.id,
        "started": s.started,
        "since": s.since,
        "until": s.until,
        "outgoing": s.outgoing.name,
        "incoming": s.incoming.name,
        "console": s.console,
        "snapshot": s.record(),
        "sha256": s.sha256,
        "signatures": {side: signed.record() for side, signed in h.signatures.items()},
        "finalised": h.finalised,
        "pdf": h.pdf,
    }


def handover_of(row: dict[str, Any]) -> Handover:
    signatures = {side: signed_by(r) for side, r in row["signatures"].items()}
    return Handover(Snapshot.from_record(row["snapshot"]), signatures, row["finalised"], row["pdf"])


def lead_finder(find_user: Callable[[str], Any] | None, demo: bool) -> FindLead:
    """Who a user name stands for: in DEMO anyone (their name as full name, no accounts to ask); otherwise an
    enabled account holding the shift_lead role."""

    def find(name: str) -> Lead | None:
        name = name.strip()
        if not name:
            return None
        user = find_user(name) if find_user is not None else None
        if user is not None and not user.disabled and (demo or "shift_lead" in user.roles):
            return Lead(user.name, user.full_name)
        return Lead(name, name) if demo and user is None else None

    return find
