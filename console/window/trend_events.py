"""Journal entries as the trend's zone events: what happened in a zone (a permit activated, suspended or
closed, a gas test, an isolation, an SOS or man-down, a camera's detection) or at the console (a note).

Qt-free: the trend feed runs it on the entries it reads from the store.
"""

from __future__ import annotations

from collections.abc import Iterable

from integrations.storage import JournalEntry
from plant_maps.site import Site
from widgets.alarm_style import clock_text
from widgets.trend_pens import ZoneEvent

KINDS = ("permit", "gas_test", "zone_isolation", "wearable_event", "vision_detection", "operator_note")
_PERMIT_ACTIONS = {"activate", "suspend", "resume", "close", "expire", "cancel"}  # work on site changes
_WEARABLE = {"sos": "SOS", "fall": "fall", "no_motion": "no motion", "sos_cancel": "SOS cancelled"}


def zone_events(entries: Iterable[JournalEntry], site: Site) -> list[ZoneEvent]:
    permits = {p.id: p.zone for p in site.permits}
    out = []
    for e in entries:
        p, zone, worker = e.payload, "", ""
        if e.kind == "permit" and p.get("action") in _PERMIT_ACTIONS:
            zone = permits.get(e.source, "")
            what = f"permit {e.source} {p['action']}" + (f": {p['reason']}" if p.get("reason") else "")
        elif e.kind == "gas_test":
            zone, what = permits.get(e.source, ""), f"gas test for permit {e.source}"
        elif e.kind == "zone_isolation":
            zone = e.source
            what = f"zone isolated: {p.get('reason', '')}" if p.get("isolated") else "isolation ended"
        elif e.kind == "wearable_event":
            zone, worker = str(p.get("zone", "")), e.source
            what = f"{e.source} {_WEARABLE.get(str(p.get('type')), p.get('type'))}"
        elif e.kind == "vision_detection":
            zone, what = str(p.get("zone", "")), f"camera {e.source}: {p.get('class', '')}"
        elif e.kind == "operator_note":
            what = f"note: {p.get('text', '')}"
        else:
            continue
        if not (zone or worker) and e.kind != "operator_note":
            continue  # a zone's event without its zone: nowhere to show it
        actor = f" ({e.actor})" if e.actor else ""
        text = f"{clock_text(e.ts)} {what}{actor}"
        out.append(ZoneEvent((e.kind, e.ts, e.source), e.ts, zone, text, worker))
    return out
