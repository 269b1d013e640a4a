"""How an alarm looks, in one place: its tier by colour, shape and text at once; its state and flags in words.

ISA-101 / ISA-18.2: priority is coded redundantly so that a colour-blind operator reads the same display,
and the banner, the table and the shelve dialog all draw a tier from here, so it looks the same everywhere.
All functions that make pixmaps run on the Qt thread, after the QApplication exists.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtGui import QBrush, QColor, QIcon, QPen, QPixmap, QTransform

from alarms.definitions import PER_MINUTE, SECONDS, Priority, Tier
from alarms.records import AlarmView, Shelve
from alarms.states import State
from widgets.common.shapes import Shape, marker_pixmap
from widgets.common.theme import PALETTE
from widgets.common.time_text import clock_text, duration_text


@dataclass(frozen=True, slots=True)
class TierLook:
    """The words are kept as source texts (marked for lupdate) and translated when read, so a view built
    before or after the translator is installed shows the operator's language."""

    short_source: str  # in table cells: "T1"
    name_source: str  # "Tier 1"
    meaning_source: str  # what the tier stands for (DOMAIN.md, tiered response)
    marker_source: str  # the shape in words, as an operator would describe it
    shape: Shape
    inverted: bool  # drawn point down
    colour: str

    @property
    def short(self) -> str:
        return _tr(self.short_source)

    @property
    def name(self) -> str:
        return _tr(self.name_source)

    @property
    def meaning(self) -> str:
        return _tr(self.meaning_source)

    @property
    def marker(self) -> str:
        return _tr(self.marker_source)


def _tr(text: str) -> str:
    return QCoreApplication.translate("AlarmStyle", text)


TIER_LOOKS: Mapping[Tier, TierLook] = MappingProxyType(
    {
        Tier.LIFE: TierLook(
            QT_TRANSLATE_NOOP("AlarmStyle", "T1"),
            QT_TRANSLATE_NOOP("AlarmStyle", "Tier 1"),
            QT_TRANSLATE_NOOP("AlarmStyle", "life-threatening"),
            QT_TRANSLATE_NOOP("AlarmStyle", "red inverted triangle"),
            Shape.TRIANGLE,
            True,
            PALETTE.alarm_1,
        ),
        Tier.HIGH: TierLook(
            QT_TRANSLATE_NOOP("AlarmStyle", "T2"),
            QT_TRANSLATE_NOOP("AlarmStyle", "Tier 2"),
            QT_TRANSLATE_NOOP("AlarmStyle", "high"),
            QT_TRANSLATE_NOOP("AlarmStyle", "amber diamond"),
            Shape.DIAMOND,
            False,
            PALETTE.alarm_2,
        ),
        Tier.LOW: TierLook(
            QT_TRANSLATE_NOOP("AlarmStyle", "T3"),
            QT_TRANSLATE_NOOP("AlarmStyle", "Tier 3"),
            QT_TRANSLATE_NOOP("AlarmStyle", "low"),
            QT_TRANSLATE_NOOP("AlarmStyle", "yellow square"),
            Shape.SQUARE,
            False,
            PALETTE.alarm_3,
        ),
    }
)


class TierMarkers:
    """The tier shapes, painted once per (tier, size, device pixel ratio).

    Each view owns one rather than sharing a module-level cache: pixmaps must not outlive the QApplication.
    """

    def __init__(self) -> None:
        self._pixmaps: dict[tuple[Tier, int, float], QPixmap] = {}
        self._icons: dict[tuple[Tier, int], QIcon] = {}

    def pixmap(self, tier: Tier, size: int, ratio: float = 1.0) -> QPixmap:
        """A transparent pixmap with the tier's `size`-pixel shape at its centre."""
        key = (tier, size, ratio)
        pixmap = self._pixmaps.get(key)
        if pixmap is None:
            pixmap = self._pixmaps[key] = _paint(TIER_LOOKS[tier], size, ratio)
        return pixmap

    def icon(self, tier: Tier, size: int) -> QIcon:
        key = (tier, size)
        icon = self._icons.get(key)
        if icon is None:
            icon = self._icons[key] = QIcon(self.pixmap(tier, size))
            icon.addPixmap(self.pixmap(tier, size), QIcon.Mode.Selected)  # styles grey it out otherwise
        return icon


def _paint(look: TierLook, size: int, ratio: float) -> QPixmap:
    pen = QPen(QColor(PALETTE.alarm_outline), 1.0)
    pixmap = marker_pixmap(look.shape, size, pen, QBrush(QColor(look.colour)), ratio)
    if not look.inverted:
        return pixmap
    flipped = pixmap.transformed(QTransform().scale(1.0, -1.0))  # the triangle is centred on its area
    flipped.setDevicePixelRatio(ratio)
    return flipped


_PRIORITY_NAMES = {
    Priority.LOW: QT_TRANSLATE_NOOP("AlarmStyle", "Low"),
    Priority.MEDIUM: QT_TRANSLATE_NOOP("AlarmStyle", "Medium"),
    Priority.HIGH: QT_TRANSLATE_NOOP("AlarmStyle", "High"),
    Priority.URGENT: QT_TRANSLATE_NOOP("AlarmStyle", "Urgent"),
}


def priority_text(tier: Tier, priority: Priority) -> str:
    """ "T1 High": the tier's short text and the ISA-18.2 priority."""
    return _tr("{tier} {priority}").format(
        tier=TIER_LOOKS[tier].short, priority=_tr(_PRIORITY_NAMES[priority])
    )


def value_text(value: float, unit: str) -> str:
    """An alarm's value as the list shows it, with the unit its definition gives: "25.06 %LEL"; a rate, a
    slope estimated over a window, to three digits ("1.83 %LEL/min"); a time in whole seconds as an operator
    says it ("2 s", "1 min 30 s"); "—" when it has no value."""
    if not math.isfinite(value):
        return "—"
    if unit.endswith(PER_MINUTE):
        return f"{value:.3g} {unit}"
    if unit != SECONDS:
        return measured_text(value, unit)
    seconds = round(value)
    text = duration_text(abs(seconds), to_the_second=True)
    return f"-{text}" if seconds < 0 else text  # a wearable clock's offset may be either way


def measured_text(value: float, unit: str) -> str:
    """The value to four digits with its unit, as the journal keeps it: "2.237 s", "25.06 %LEL"."""
    return f"{value:.4g} {unit}".rstrip()


_STATE_TEXTS = {
    State.NORMAL: QT_TRANSLATE_NOOP("AlarmStyle", "Normal"),
    State.UNACK: QT_TRANSLATE_NOOP("AlarmStyle", "Active, unacknowledged"),
    State.ACKED: QT_TRANSLATE_NOOP("AlarmStyle", "Active, acknowledged"),
    State.RTN_UNACK: QT_TRANSLATE_NOOP("AlarmStyle", "Returned, unacknowledged"),
    State.LATCHED: QT_TRANSLATE_NOOP("AlarmStyle", "Latched, reset needed"),
    State.SHELVED: QT_TRANSLATE_NOOP("AlarmStyle", "Shelved"),
    State.SUPPRESSED: QT_TRANSLATE_NOOP("AlarmStyle", "Suppressed by design"),
    State.OUT_OF_SERVICE: QT_TRANSLATE_NOOP("AlarmStyle", "Out of service"),
}


def state_name(state: State) -> str:
    """The ISA-18.2 state in words: "Returned, unacknowledged"."""
    return _tr(_STATE_TEXTS[state])


def state_text(view: AlarmView) -> str:
    """The ISA-18.2 state in words; a shelved alarm says until when (a one-shot shelve: until it clears)."""
    if view.state is State.SHELVED and view.shelve is not None:
        return _tr("Shelved {until}").format(until=_shelve_end(view.shelve))
    return state_name(view.state)


def flag_texts(view: AlarmView, first_out: bool) -> list[str]:
    """What else the operator should know of an alarm beyond its state (noise control, shelving)."""
    flags = []
    if view.chattering:
        flags.append(_tr("chattering — shelve?") if view.suggest_shelve else _tr("chattering"))
    if first_out:
        flags.append(_tr("first out"))
    if view.group:
        flags.append(_tr("grouped under {group}").format(group=view.group))
    if view.shelve is not None and view.state is not State.SHELVED:  # e.g. suppressed while shelved
        flags.append(_tr("shelved {until}").format(until=_shelve_end(view.shelve)))
    if view.acked_by_unshelve:  # ISA-18.2: a manual unshelve returns it acknowledged
        flags.append(_tr("acknowledged by unshelve ({user})").format(user=view.ack_by))
    return flags


def ack_text(view: AlarmView) -> str:
    """Who acknowledged the alarm's current occurrence, and how ("" while nobody has)."""
    if view.ack_ts is None or not view.ack_by:
        return ""
    if view.acked_by_unshelve:
        return _tr("{user} unshelved it at {time}: acknowledged by unshelve").format(
            user=view.ack_by, time=clock_text(view.ack_ts)
        )
    return _tr("acknowledged by {user} at {time}").format(user=view.ack_by, time=clock_text(view.ack_ts))


def _shelve_end(shelve: Shelve) -> str:
    if shelve.one_shot:
        return _tr("until it clears")
    return _tr("until {time}").format(time=clock_text(shelve.until, False))
