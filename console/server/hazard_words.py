"""How the core says an override of live tier-1 alarms: in a refusal, the journal and the event log.

Plain functions of the hazards (`plant_maps.alarm_zones.Hazard`), shared by the core's check
(`console.server.hazard_override`) and the services that carry the command out, so all of them name the
alarms alike. Qt-free, stateless.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from plant_maps.alarm_zones import Hazard, Occurrence

REASON_MAX_CHARS = 200  # an override's reason: one line, like a shelve's


def override_ids(hazards: Sequence[Hazard]) -> str:
    return ", ".join(h.alarm_id for h in hazards)


def override_words(hazards: Sequence[Hazard], reason: str) -> str:
    """For a journal or event-log line: "overriding tier-1 A, B: why" ("" with no hazard)."""
    return f"overriding tier-1 {override_ids(hazards)}: {reason}" if hazards else ""


def reason_refusal(what: str, zone_name: str, hazards: Sequence[Hazard], reason: str) -> str:
    """Why `what` may not override `hazards` with `reason` ("" when it may): every alarm is named in words,
    and the reason is required, plain and at most REASON_MAX_CHARS."""
    if not hazards:
        return ""
    reason = reason.strip()
    if not reason:
        alarms = "; ".join(h.text() for h in hazards)
        return (
            f"{what} overrides the tier-1 alarms active in {zone_name}: {alarms}. "
            "Give a reason to override them"
        )
    if len(reason) > REASON_MAX_CHARS:
        return f"an override's reason is at most {REASON_MAX_CHARS} characters; this one has {len(reason)}"
    if not reason.isprintable():
        return "an override's reason is one line of plain text"
    return ""


def unseen_refusal(what: str, zone_name: str, hazards: Sequence[Hazard], seen: Collection[Occurrence]) -> str:
    """Why `what` may not override `hazards` when its confirmation showed only `seen` ("" when it showed them
    all): an alarm raised since, or raised again, is named in words; one that cleared meanwhile is no matter."""
    unseen = [h for h in hazards if h.occurrence not in seen]
    if not unseen:
        return ""
    alarms = "; ".join(h.text() for h in unseen)
    return (
        f"{what} would also override tier-1 alarms in {zone_name} that its confirmation did not show "
        f"(raised since, or again): {alarms}. Confirm again with them in view"
    )


def reconfirm_refusal(what: str, second: str, hazards: Sequence[Hazard]) -> str:
    """Why `what` may not override `hazards` on `second`'s confirmation: it did not show them (raised since,
    or again), and a second person vouches only for what they saw."""
    alarms = "; ".join(h.text() for h in hazards)
    return (
        f"{what}: the second person must confirm again because of {alarms}, not shown when {second} confirmed"
    )
