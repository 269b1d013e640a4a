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
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from alarms.clock import Clock
from console.server.handover_gather import LiveState, Request, gather
from console.server.handover_pdf import write_pdf
from console.server.handover_record import SIDES, Handover, Item, Lead, Snapshot, signed_by
from console.server.session import (
    ClearHandoverFlag,
    CommandResult,
    FinaliseHandover,
    FlagHandoverItem,
    HandoverCommand,
    SignHandover,
    StartHandover,
)
from console.server.signatures import SignedBy
from integrations.storage import JournalEntry, Store, StoreWriter, data_folder
from plant_maps.shifts import ShiftPattern
from plant_maps.site import Site

JOURNAL_KIND = "handover"
FLAG_KIND = "handover_flag"
FLAG_MAX_CHARS = 500
COMMIT_TIMEOUT_S = 10.0

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
        for e in entries:
            if e.kind != FLAG_KIND:
                continue
            if e.payload.get("action") == "flag":
                self.flags[e.source] = Item(e.ts, e.source, str(e.payload.get("text", "")), e.actor)
            else:
                self.flags.pop(e.source, None)

    def open(self) -> Handover | None:
        """The handover under way (the newest not finalised), if any."""
        pending = [h for h in self.handovers.values() if not h.locked]
        return max(pending, key=lambda h: h.snapshot.started) if pending else None

    async def command(self, command: HandoverCommand, signed: SignedBy | None) -> CommandResult:
        match command:
            case StartHandover():
                return await self._start(command)
            case FlagHandoverItem():
                return await self._flag(command)
            case ClearHandoverFlag():
                return await self._clear(command)
            case SignHandover():
                return await self._sign(command, signed)
            case FinaliseHandover():
                return await self._finalise(command)
        return CommandResult(False, f"unknown command {command!r}")

    def signer_refusal(self, command: SignHandover, signer: str) -> str:
        """Why `signer` may not sign `command`'s side ("" when they may): only that side's lead signs it,
        once, and only an open handover."""
        h = self.handovers.get(command.handover_id)
        if h is None:
            return f"no handover {command.handover_id}"
        if h.locked:
            return f"handover {h.id} is finalised: a correction is a new handover"
        if command.side not in SIDES:
            return f"a handover is signed as outgoing or incoming, not {command.side!r}"
        lead = h.lead(command.side)
        if signer != lead.name:
            return f"the {command.side} lead of {h.id} is {lead.full_name} ({lead.name}), not {signer}"
        if command.side in h.signatures:
            return f"{lead.full_name} has signed {h.id} already"
        return ""

    async def _start(self, command: StartHandover) -> CommandResult:
        under_way = self.open()
        if under_way is not None:
            return CommandResult(False, f"handover {under_way.id} is under way: finalise it first")
        now = self.clock.now()
        if command.since is None or command.until is None:
            since, until = self.shifts.shift_start(now), now
        else:
            since, until = command.since, command.until
        if not since < until:
            return CommandResult(False, "the handover's period must end after it starts")
        outgoing, incoming = await asyncio.gather(
            asyncio.to_thread(self.find_lead, command.actor),
            asyncio.to_thread(self.find_lead, command.incoming),
        )
        if outgoing is None:
            return CommandResult(False, f"{command.actor} is not a shift lead")
        if incoming is None:
            return CommandResult(False, f"{command.incoming or 'nobody'} is not a shift lead")
        if incoming.name == outgoing.name:
            return CommandResult(False, "the incoming lead must be someone else than the outgoing lead")
        request = Request(
            handover_id(now),
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
        await self._save(h, command.actor, {"action": "start", "sha256": snapshot.sha256})
        return CommandResult(True, f"handover {h.id} started: {outgoing.full_name} to {incoming.full_name}")

    async def _flag(self, command: FlagHandoverItem) -> CommandResult:
        text = " ".join(command.text.split())
        if not text:
            return CommandResult(False, "a flagged item needs some text")
        if len(text) > FLAG_MAX_CHARS:
            return CommandResult(False, f"a flagged item is at most {FLAG_MAX_CHARS} characters")
        flag_id = f"F-{uuid.uuid4().hex[:8]}"
        now = self.clock.now()
        payload = {"action": "flag", "text": text}
        await self._journal_flag(JournalEntry(now, FLAG_KIND, flag_id, command.actor, self.console, payload))
        self.flags[flag_id] = Item(now, flag_id, text, command.actor)
        await self._refresh_flags(command.actor)
        return CommandResult(True, f"flagged {flag_id}: it comes back at every handover until cleared")

    async def _clear(self, command: ClearHandoverFlag) -> CommandResult:
        flag = self.flags.get(command.flag_id)
        if flag is None:
            return CommandResult(False, f"no flagged item {command.flag_id}")
        payload = {"action": "clear", "text": flag.text}
        entry = JournalEntry(self.clock.now(), FLAG_KIND, flag.subject, command.actor, self.console, payload)
        await self._journal_flag(entry)
        del self.flags[command.flag_id]
        await self._refresh_flags(command.actor)
        return CommandResult(True, f"cleared {command.flag_id}")

    async def _journal_flag(self, entry: JournalEntry) -> None:
        future = self.writer.journal([entry])
        await asyncio.wait_for(asyncio.wrap_future(future), COMMIT_TIMEOUT_S)
        self._changed(["flags"])

    async def _refresh_flags(self, actor: str) -> None:
        """The handover under way shows the flags as they are until someone signs it; a signed snapshot
        stays as signed (the flags changed after go to the next handover)."""
        h = self.open()
        if h is None or h.signatures:
            return
        snapshot = replace(h.snapshot, flags=tuple(self.flags.values()))
        await self._save(replace(h, snapshot=snapshot), actor, {"action": "flags", "sha256": snapshot.sha256})

    async def _sign(self, command: SignHandover, signed: SignedBy | None) -> CommandResult:
        h = self.handovers.get(command.handover_id)
        if h is None or signed is None:
            return CommandResult(False, f"no handover {command.handover_id}")
        signatures = {**h.signatures, command.side: signed}
        payload = {"action": "sign", "side": command.side, "signature": signed.record()}
        await self._save(
            replace(h, signatures=signatures), command.actor, payload | {"sha256": h.snapshot.sha256}
        )
        return CommandResult(True, f"{h.id} {signed.text()}")

    async def _finalise(self, command: FinaliseHandover) -> CommandResult:
        h = self.handovers.get(command.handover_id)
        if h is None:
            return CommandResult(False, f"no handover {command.handover_id}")
        if h.locked:
            return CommandResult(False, f"handover {h.id} is finalised already")
        missing = h.missing_signatures()
        if missing:
            names = " and ".join(f"the {side} lead {h.lead(side).full_name}" for side in missing)
            return CommandResult(False, f"{h.id} needs the signature of {names} first")
        now = self.clock.now()
        path = (self.folder or data_folder() / "handovers") / f"{h.id}.pdf"
        done = replace(h, finalised=now, pdf=str(path))
        try:
            await asyncio.to_thread(write_pdf, done, path)
        except (OSError, ValueError) as exc:
            return CommandResult(False, f"the PDF was not written: {exc}")
        await self._save(done, command.actor, {"action": "finalise", "pdf": str(path)})
        return CommandResult(True, f"{h.id} finalised and locked; PDF: {path}")

    async def _save(self, h: Handover, actor: str, payload: dict[str, Any]) -> None:
        """Journal the step with the handover's row (and the command's audit entry), then take it."""
        entry = JournalEntry(self.clock.now(), JOURNAL_KIND, h.id, actor, self.console, payload)
        future = self.writer.journal([entry], handover_rows=[row_of(h)])
        await asyncio.wait_for(asyncio.wrap_future(future), COMMIT_TIMEOUT_S)
        self.handovers[h.id] = h
        self._changed([h.id])


def handover_id(ts: float) -> str:
    """ "HO-20261207-200512": when it started, local time, to the second."""
    return "HO-" + datetime.fromtimestamp(ts).strftime("%Y%m%d-%H%M%S")


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
