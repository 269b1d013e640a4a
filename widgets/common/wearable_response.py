"""The response to a wearer's SOS or man-down in words: where it stands and what it needs next.

DOMAIN `Wearables`: acknowledge → assign a responder → on scene → resolved with a reason and notes. The
alarm list, the banner and the worker's details all read the step from here, so the operator sees the same
state and the same next button everywhere; the core decides (a greyed step here is refused there alike).
Runs on the Qt thread (the texts go through Qt's translation).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from alarms.records import AlarmView
from alarms.states import UNACKNOWLEDGED, State
from plant_maps.alarm_rules import wearable_worker
from plant_maps.wearables import Response, Step

_OPEN = frozenset({State.ACKED, State.LATCHED})  # acknowledged, not yet resolved


@dataclass(frozen=True, slots=True)
class NextStep:
    """The one button the response needs now: its step, its text, and why it cannot be taken yet."""

    step: Step
    label: str
    reason: str = ""  # "" when it can be taken

    @property
    def enabled(self) -> bool:
        return not self.reason


def _tr(text: str) -> str:
    return QCoreApplication.translate("WearableResponse", text)


# The core names a wearer's tier-1 alert in these words (console.server.field_operations); the window shows
# them in the operator's language.
ALERT_WORDS = (
    QT_TRANSLATE_NOOP("WearableResponse", "SOS"),
    QT_TRANSLATE_NOOP("WearableResponse", "MAN DOWN"),
)


def alert_word(alert: str) -> str:
    """A wearable alert as the core names it ("SOS", "MAN DOWN"), in the operator's words ("" stays "")."""
    return _tr(alert) if alert else ""


def awaiting_response(view: AlarmView) -> bool:
    """An acknowledged SOS or man-down whose response is not resolved yet (it must stay in sight)."""
    return view.state in _OPEN and wearable_worker(view.id) is not None


def next_step(view: AlarmView, response: Response | None) -> NextStep:
    """What the response to this wearable alarm needs next; greyed with the reason until it is acknowledged."""
    step = response.step if response is not None else None
    if step is None:
        target, label = Step.ASSIGNED, _tr("Assign responder…")
    elif step is Step.ASSIGNED:
        target, label = Step.ON_SCENE, _tr("Responder on scene")
    else:
        target, label = Step.RESOLVED, _tr("Resolve…")
    reason = "" if view.acked else _tr("Acknowledge the alarm first")
    return NextStep(target, label, reason)


def response_text(view: AlarmView, response: Response | None) -> str:
    """Where the response stands: "acknowledged, no responder", "responder Zhang Min (W13) assigned"…"""
    if not view.acked:
        return _tr("unacknowledged")
    step = response.step if response is not None else None
    if response is None or step is None:
        return _tr("acknowledged, no responder")
    if step is Step.ASSIGNED:
        return _tr("responder {name} assigned").format(name=response.responder_name)
    return _tr("responder {name} on scene").format(name=response.responder_name)


def related_unacknowledged(alarm_ids: Collection[str], views: Iterable[AlarmView]) -> list[AlarmView]:
    """The other unacknowledged SOS / man-down alarms of the wearers of `alarm_ids`: a fall then no motion,
    or an SOS and a man-down, of one person are one event, acknowledged together (DOMAIN `Wearables`)."""
    wearers = {w for w in map(wearable_worker, alarm_ids) if w is not None}
    return [
        v
        for v in views
        if v.id not in alarm_ids and v.state in UNACKNOWLEDGED and wearable_worker(v.id) in wearers
    ]


def worker_alarm(
    worker: str, views: Iterable[AlarmView], responses: Mapping[str, Response]
) -> AlarmView | None:
    """The wearable alarm of `worker` the operator should act on first: an unacknowledged one, else the one
    whose response is least advanced, else the oldest."""

    def order(view: AlarmView) -> tuple[bool, int, float]:
        response = responses.get(view.id)
        stage = 0 if response is None or response.step is None else 1 + (response.step is Step.ON_SCENE)
        return (view.acked, stage, view.ts)

    mine = [v for v in views if wearable_worker(v.id) == worker and v.state is not State.NORMAL]
    return min(mine, key=order, default=None)
