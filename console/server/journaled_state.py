"""The plant's state as the journal has it: what a console restores after a restart, and what a headless
`controlroom report shift` freezes into its handover without a running core (nothing is written back).

Blocking on the database: a worker thread, or a command-line report.
"""

from __future__ import annotations

from alarms.clock import Clock
from console.server.alarm_service import site_engine
from console.server.field_operations import MUSTER_JOURNAL
from console.server.handover_gather import LiveState
from console.server.permit_service import CHECK_IN_KIND, GAS_TEST_KIND, PermitService
from console.server.permit_service import JOURNAL_KIND as PERMIT_JOURNAL
from console.server.wearable_response import JOURNAL_KIND as RESPONSE_JOURNAL
from console.server.wearable_response import WearableResponses
from console.server.zone_isolation import ISOLATION_JOURNAL, journaled
from integrations.storage import JournalEntry, Store, StoreWriter
from plant_maps.site import Site

FIELD_KINDS = (
    PERMIT_JOURNAL,
    GAS_TEST_KIND,
    CHECK_IN_KIND,
    RESPONSE_JOURNAL,
    ISOLATION_JOURNAL,
    MUSTER_JOURNAL,
)


def field_journal(store: Store) -> list[JournalEntry]:
    """The permit changes, gas tests, check-ins, wearable responses, isolations and muster steps journaled
    so far, oldest first."""
    return sorted(
        (e for kind in FIELD_KINDS for e in store.journal_rows(kind=kind)),
        key=lambda e: (e.ts, e.seq or 0),
    )


def journaled_state(store: Store, writer: StoreWriter, site: Site, clock: Clock) -> LiveState:
    """The alarms, permits, open responses and isolations as the journal has them now, replayed the way a
    console restores them; `writer` only satisfies the services' constructors: nothing is written."""
    engine = site_engine(site, clock)
    engine.restore(store.latest_alarm_transitions())
    entries = field_journal(store)
    permits = PermitService(site, clock, writer, "", lambda changes: None)
    permits.restore(entries)
    responses = WearableResponses(clock, writer, "")
    responses.restore(entries)
    return LiveState(
        tuple(engine.active()),
        permits.statuses(),
        tuple(responses.open.values()),
        tuple(i for i in journaled(entries, site.alarms.max_shelve_s) if i.until > clock.now()),
    )
