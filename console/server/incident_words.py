"""Every word of the incident's after-action report that is not the plant's own data, in one place: the
incident's type and severity, the timeline's kinds, the first-response verdict, how a person or a permit
was involved, the actions taken.

Through the Qt-free half's gettext `_` (`handover_words`): English as written until issue 20 installs
catalogues (Babel extracts the `_()` calls of this module, `incident_report` and `incident_pdf` too).
"""

from __future__ import annotations

from typing import Any

from console.server.handover_words import _, state_words


def type_words(kind: str) -> str:
    words = {
        "gas_release": _("gas release"),
        "fire": _("fire"),
        "injury_sos": _("injury / SOS"),
        "confined_space_rescue": _("confined-space rescue"),
        "evacuation": _("evacuation"),
    }
    return words.get(kind, kind.replace("_", " "))


def severity_words(severity: str) -> str:
    words = {"low": _("low"), "moderate": _("moderate"), "high": _("high"), "critical": _("critical")}
    return words.get(severity, severity)


def kind_words(kind: str) -> str:
    """A timeline entry's kind (console.server.incident_timeline.KINDS)."""
    words = {
        "alarm": _("alarm"),
        "sos": _("SOS response"),
        "permit": _("permit"),
        "broadcast": _("broadcast"),
        "delivery": _("PA delivery"),
        "interlock": _("interlock"),
        "muster": _("muster"),
        "note": _("operator note"),
        "incident": _("incident"),
        "refused": _("refused"),
    }
    return words.get(kind, kind)


def response_words(how: str) -> str:
    """How an alarm was first answered: its acknowledgement, or a step of its SOS response."""
    words = {
        "acknowledge": _("acknowledged"),
        "assigned": _("responder assigned"),
        "on_scene": _("responder on scene"),
        "resolved": _("resolved"),
    }
    return words.get(how, how.replace("_", " "))


def verdict_words(met: bool | None, answered: bool) -> str:
    """The first response against its target: met, missed, or not answered yet (still within it)."""
    if met is None:
        return _("not answered yet")
    if met:
        return _("met")
    return _("missed") if answered else _("missed (not answered)")


def permit_action(p: dict[str, Any], permit: str) -> str:
    reason = f": {p['reason']}" if p.get("reason") else ""
    return f"{_('permit')} {permit} {state_words(str(p.get('from', '')))} → {state_words(str(p.get('to', '')))}{reason}"


def broadcast_action(p: dict[str, Any], call: str) -> str:
    zones = ", ".join(p.get("zones", ())) or _("all PA zones")
    return f"{_('broadcast')} {call} ({p.get('priority', '')}, {zones}): {p.get('text', '')}"


def interlock_action(p: dict[str, Any], interlock: str) -> str:
    step = p.get("step")
    if step == "request":
        return f"{_('interlock requested')} {interlock}: {p.get('reason', '')}"
    if step == "write":
        value = _("trip") if p.get("value") else _("return to normal")
        return f"{_('interlock written')} {interlock}: {value} ({p.get('status', '')})"
    followed = _("followed") if p.get("followed") else _("did NOT follow")
    return f"{_('interlock feedback')} {interlock}: {followed} ({p.get('seconds', '')} s)"


def muster_action(p: dict[str, Any], worker: str) -> str:
    event = p.get("event")
    if event == "start":
        return _("mustering started")
    if event == "stop":
        missing = ", ".join(p.get("missing", ())) or _("nobody")
        return f"{_('mustering ended; missing')}: {missing}"
    return f"{_('accounted for by head count')}: {worker}"


def response_action(p: dict[str, Any], alarm: str) -> str:
    who = p.get("responder_name") or p.get("responder") or ""
    step = response_words(str(p.get("step", "")))
    found = f", {str(p['resolution']).replace('_', ' ')}" if p.get("resolution") else ""
    return f"{alarm}: {step}" + (f" ({who})" if who else "") + found
