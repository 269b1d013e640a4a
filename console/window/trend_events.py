"""Journal entries as the trend's zone events: what happened in a zone (a permit activated, suspended or
closed, a gas test, an isolation, an SOS or man-down, a camera's detection) or at the console (a note).

The trend feed runs it on the entries it reads from the store; the words are translated, the data (ids,
reasons, notes) shown as stored.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from integrations.storage import JournalEntry
from plant_maps.site import Site
from widgets.common.time_text import clock_text
from widgets.trends.trend_pens import ZoneEvent

KINDS = ("permit", "gas_test", "zone_isolation", "wearable_event", "vision_detection", "operator_note")
_PERMIT_ACTIONS = {  # work on site changes
    "activate": QT_TRANSLATE_NOOP("TrendEvents", "activated"),
    "suspend": QT_TRANSLATE_NOOP("TrendEvents", "suspended"),
    "resume": QT_TRANSLATE_NOOP("TrendEvents", "resumed"),
    "close": QT_TRANSLATE_NOOP("TrendEvents", "closed"),
    "expire": QT_TRANSLATE_NOOP("TrendEvents", "expired"),
    "cancel": QT_TRANSLATE_NOOP("TrendEvents", "cancelled"),
}
_WEARABLE = {
    "sos": QT_TRANSLATE_NOOP("TrendEvents", "SOS"),
    "fall": QT_TRANSLATE_NOOP("TrendEvents", "fall"),
    "no_motion": QT_TRANSLATE_NOOP("TrendEvents", "no motion"),
    "sos_cancel": QT_TRANSLATE_NOOP("TrendEvents", "SOS cancelled"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("TrendEvents", text)


def zone_events(entries: Iterable[JournalEntry], site: Site) -> list[ZoneEvent]:
    permits = {p.id: p.zone for p in site.permits}
    out = []
    for e in entries:
        p, zone, worker = e.payload, "", ""
        if e.kind == "permit" and p.get("action") in _PERMIT_ACTIONS:
            zone = permits.get(e.source, "")
            what = _tr("permit {permit} {done}").format(
                permit=e.source, done=_tr(_PERMIT_ACTIONS[p["action"]])
            )
            what += f": {p['reason']}" if p.get("reason") else ""
        elif e.kind == "gas_test":
            zone, what = (
                permits.get(e.source, ""),
                _tr("gas test for permit {permit}").format(permit=e.source),
            )
        elif e.kind == "zone_isolation":
            zone = e.source
            what = (
                _tr("zone isolated: {reason}").format(reason=p.get("reason", ""))
                if p.get("isolated")
                else _tr("isolation ended")
            )
        elif e.kind == "wearable_event":
            zone, worker = str(p.get("zone", "")), e.source
            kind = str(p.get("type"))
            what = f"{e.source} {_tr(_WEARABLE[kind]) if kind in _WEARABLE else kind}"
        elif e.kind == "vision_detection":
            zone = str(p.get("zone", ""))
            what = _tr("camera {camera}: {label}").format(camera=e.source, label=p.get("class", ""))
        elif e.kind == "operator_note":
            what = _tr("note: {text}").format(text=p.get("text", ""))
        else:
            continue
        if not (zone or worker) and e.kind != "operator_note":
            continue  # a zone's event without its zone: nowhere to show it
        actor = f" ({e.actor})" if e.actor else ""
        text = f"{clock_text(e.ts)} {what}{actor}"
        out.append(ZoneEvent((e.kind, e.ts, e.source), e.ts, zone, text, worker))
    return out
