"""What the operator can do to the selected alarms, and in words why not: one answer for the alarm list's
buttons, its right-click menu and the keyboard shortcuts, so that a command is offered only when it can
succeed and otherwise greyed with the reason (the engine would refuse it for the same reason).

Pure functions of the alarm views; the reasons are translated (context "AlarmActions").
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from enum import Enum

from PySide6.QtCore import QCoreApplication

from alarms.definitions import Tier
from alarms.records import AlarmView
from alarms.states import Event, State, allows
from widgets.common.tiers import state_text


class AlarmAction(Enum):
    ACKNOWLEDGE = "acknowledge"
    ACKNOWLEDGE_WITH_COMMENT = "acknowledge_with_comment"
    SHELVE = "shelve"
    UNSHELVE = "unshelve"
    RESET = "reset"
    SHOW_ON_MAP = "show_on_map"
    REMOVE_FROM_SERVICE = "remove_from_service"
    RETURN_TO_SERVICE = "return_to_service"


def acknowledgeable(view: AlarmView) -> bool:
    """ISA-18.2: only an unacknowledged alarm (active or returned) takes an acknowledgement."""
    return allows(view.state, Event.ACKNOWLEDGE)


def comment_required(views: Sequence[AlarmView], tiers: Collection[Tier]) -> bool:
    """The site asks for a comment when acknowledging alarms of these tiers (e.g. tier 1)."""
    return any(acknowledgeable(v) and v.tier in tiers for v in views)


def _tr(text: str) -> str:
    return QCoreApplication.translate("AlarmActions", text)


def why_not(action: AlarmAction, views: Sequence[AlarmView]) -> str | None:
    """None when `action` can be done to `views`; otherwise the reason, for a tooltip or a menu entry."""
    if not views:
        return _tr("no alarm is selected")
    return _CHECKS[action](views)


def _acknowledge(views: Sequence[AlarmView]) -> str | None:
    if any(acknowledgeable(v) for v in views):
        return None
    return (
        _tr("already acknowledged")
        if len(views) == 1
        else _tr("none of the selected alarms is unacknowledged")
    )


def _one(check: Callable[[AlarmView], str | None]) -> Callable[[Sequence[AlarmView]], str | None]:
    """A command on exactly one alarm."""

    def checked(views: Sequence[AlarmView]) -> str | None:
        return check(views[0]) if len(views) == 1 else _tr("select one alarm")

    return checked


def _shelve(view: AlarmView) -> str | None:
    if view.latched:
        return _tr("a latched alarm stays until it is reset: it cannot be shelved")
    if view.state is State.SHELVED:
        return _tr("already shelved")
    if not allows(view.state, Event.SHELVE):
        return _tr("an alarm that is {state} cannot be shelved").format(state=state_text(view).lower())
    return None


def _unshelve(view: AlarmView) -> str | None:
    return None if view.state is State.SHELVED else _tr("it is not shelved")


def _reset(view: AlarmView) -> str | None:
    if view.state is State.LATCHED:
        return None
    if view.latched:
        return _tr("a latched alarm is reset once it has returned to normal and been acknowledged")
    return _tr("only a latched alarm needs a reset")


def _remove(view: AlarmView) -> str | None:
    return None if allows(view.state, Event.REMOVE_FROM_SERVICE) else _tr("already out of service")


def _return(view: AlarmView) -> str | None:
    return None if view.state is State.OUT_OF_SERVICE else _tr("it is in service")


_CHECKS: dict[AlarmAction, Callable[[Sequence[AlarmView]], str | None]] = {
    AlarmAction.ACKNOWLEDGE: _acknowledge,
    AlarmAction.ACKNOWLEDGE_WITH_COMMENT: _acknowledge,
    AlarmAction.SHELVE: _one(_shelve),
    AlarmAction.UNSHELVE: _one(_unshelve),
    AlarmAction.RESET: _one(_reset),
    AlarmAction.SHOW_ON_MAP: _one(lambda view: None),
    AlarmAction.REMOVE_FROM_SERVICE: _one(_remove),
    AlarmAction.RETURN_TO_SERVICE: _one(_return),
}
