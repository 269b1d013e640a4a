"""`controlroom report shift`: the shift's KPIs on standard output and, with --out, the handover PDF, headless
(no window, no running console): the same snapshot and PDF a handover in the window makes.

A period's handover made here is a draft: nobody signed it (the PDF says so on every page). `--handover ID`
writes a stored handover (signed, finalised) again instead. The standing state (alarms, permits, responses,
isolations, flags) is as the journal has it when the report runs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TextIO

from alarms.clock import Clock
from console.config import AppConfig
from console.server.handover import FLAG_KIND, handover_id, handover_of, lead_finder, open_flags
from console.server.handover_gather import Request, gather
from console.server.handover_record import Handover, Lead
from console.server.handover_words import _, light_text
from console.server.journaled_state import journaled_state
from integrations.storage import StorageError, Store, StoreWriter, require_existing
from integrations.users import UserStore
from plant_maps.site_file import load_site


@dataclass(frozen=True, slots=True)
class ShiftReport:
    """What to report: a period (None: this shift until now) and its leads, or a stored handover by id."""

    since: float | None = None
    until: float | None = None
    outgoing: str = ""
    incoming: str = ""
    handover: str = ""


def make(config: AppConfig, url: str, asked: ShiftReport) -> Handover:
    """The handover the report shows; raises StorageError (the database, or no such stored handover)."""
    store = Store(require_existing(url))
    try:
        if asked.handover:
            return _stored(store, asked.handover)
        site = load_site(config.site_file)
        now = time.time()
        since = asked.since if asked.since is not None else config.shifts.shift_start(now)
        until = asked.until if asked.until is not None else now
        # a name the accounts know reads as its full name; any other as typed (a report names, never signs)
        find = lead_finder(UserStore(store, config.console_name).get, demo=True)
        writer = StoreWriter(store, site)
        try:
            live = journaled_state(store, writer, site, Clock())
        finally:
            writer.close()
        request = Request(
            handover_id(now),
            since,
            until,
            _lead(find(asked.outgoing), asked.outgoing),
            _lead(find(asked.incoming), asked.incoming),
            config.console_name,
            now,
            tuple(open_flags(store.journal_rows(kind=FLAG_KIND)).values()),
            config.shifts.operator_positions,
            config.shifts.timezone,
        )
        return Handover(gather(store, site, live, request))
    finally:
        store.close()


def _stored(store: Store, wanted: str) -> Handover:
    for row in store.stored_handovers():
        if row["id"] == wanted:
            return handover_of(row)
    raise StorageError(f"no handover {wanted} in {store.place.where}")


def _lead(found: Lead | None, name: str) -> Lead:
    return found or Lead(name, name or "—")


def print_kpis(h: Handover, out: TextIO) -> None:
    """One line per KPI: label, value, target and light in words (the PDF's table as text)."""
    s = h.snapshot
    out.write(f"{_('Shift handover')} {s.id} — {s.site}\n")
    width = max((len(_(k.label)) for k in s.kpis), default=0)
    for k in s.kpis:
        target = f"  ({_('target')} {k.target})" if k.target else ""
        out.write(f"{_(k.label):<{width}}  {k.text}{target}  [{light_text(k.light, k.target)}]\n")
