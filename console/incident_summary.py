"""`controlroom report incident ID`: an incident's after-action report, headless (no window, no running
console): a few lines on standard output and, with --out, the PDF the window writes (its maps place the
workers from the map replay's position history).
"""

from __future__ import annotations

import time
from typing import TextIO

from console.config import AppConfig
from console.server.handover_words import _
from console.server.incident_report import IncidentReport, gather
from console.server.incident_words import response_words, type_words, verdict_words
from integrations.storage import Store, require_existing
from plant_maps.site_file import load_site


def make(config: AppConfig, url: str, incident_id: str) -> IncidentReport:
    """The report as of now; raises StorageError (the database, or no such incident)."""
    store = Store(require_existing(url))
    try:
        site = load_site(config.site_file)
        return gather(store, site, incident_id, time.time(), timezone=config.shifts.timezone)
    finally:
        store.close()


def print_summary(r: IncidentReport, out: TextIO) -> None:
    """What the PDF's first lines say: the incident, its state, its first response and its timeline's size."""
    i, f = r.incident, r.first_response
    where = r.site.zone_name(i.zone) if i.zone else f"({i.x:.0f}, {i.y:.0f})"
    state = _("closed") if i.closed is not None else _("open")
    out.write(f"{_('After-action report')} {i.id} — {type_words(i.type)}, {where}, {state}\n")
    if f.seconds is not None:
        how = response_words(f.how) if f.answered is not None else _("not answered")
        verdict = verdict_words(f.met, f.answered is not None)
        out.write(
            f"{_('First response')}: {f.seconds:.0f} s ({how}), {_('target')} {f.target_s:g} s: {verdict}\n"
        )
    out.write(f"{_('Timeline')}: {len(r.timeline)}, {_('actions')}: {len(r.actions)}, ")
    out.write(f"{_('people')}: {len(r.people)}, {_('permits')}: {len(r.permits)}\n")
