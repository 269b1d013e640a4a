"""How an alarm looks, in one place: its tier by colour, shape and text at once; its state and flags in words.

ISA-101 / ISA-18.2: priority is coded redundantly so that a colour-blind operator reads the same display,
and the banner, the table and the shelve dialog all draw a tier from here, so it looks the same everywhere.
All functions that make pixmaps run on the Qt thread, after the QApplication exists.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from PySide6.QtGui import QBrush, QColor, QIcon, QPen, QPixmap, QTransform

from alarms.definitions import Priority, Tier
from alarms.records import AlarmView, Shelve
from alarms.states import State
from widgets.shapes import Shape, marker_pixmap
from widgets.theme import PALETTE


@dataclass(frozen=True, slots=True)
class TierLook:
    short: str  # in table cells: "T1"
    name: str  # "Tier 1"
    meaning: str  # what the tier stands for (DOMAIN.md, tiered response)
    marker: str  # the shape in words, as an operator would describe it
    shape: Shape
    inverted: bool  # drawn point down
    colour: str


TIER_LOOKS: Mapping[Tier, TierLook] = MappingProxyType(
    {
        Tier.LIFE: TierLook(
            "T1", "Tier 1", "life-threatening", "red inverted triangle", Shape.TRIANGLE, True, PALETTE.alarm_1
        ),
        Tier.HIGH: TierLook("T2", "Tier 2", "high", "amber diamond", Shape.DIAMOND, False, PALETTE.alarm_2),
        Tier.LOW: TierLook("T3", "Tier 3", "low", "yellow square", Shape.SQUARE, False, PALETTE.alarm_3),
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


def priority_text(tier: Tier, priority: Priority) -> str:
    """ "T1 High": the tier's short text and the ISA-18.2 priority."""
    return f"{TIER_LOOKS[tier].short} {priority.name.title()}"


def clock_text(ts: float, seconds: bool = True) -> str:
    """Local wall-clock time of an epoch timestamp, as the operator reads the control-room clock."""
    return time.strftime("%H:%M:%S" if seconds else "%H:%M", time.localtime(ts))


_STATE_TEXTS = {
    State.NORMAL: "Normal",
    State.UNACK: "Active, unacknowledged",
    State.ACKED: "Active, acknowledged",
    State.RTN_UNACK: "Returned, unacknowledged",
    State.LATCHED: "Latched, reset needed",
    State.SHELVED: "Shelved",
    State.SUPPRESSED: "Suppressed by design",
    State.OUT_OF_SERVICE: "Out of service",
}


def state_text(view: AlarmView) -> str:
    """The ISA-18.2 state in words; a shelved alarm says until when (a one-shot shelve: until it clears)."""
    if view.state is State.SHELVED and view.shelve is not None:
        return f"Shelved {_shelve_end(view.shelve)}"
    return _STATE_TEXTS[view.state]


def flag_texts(view: AlarmView, first_out: bool) -> list[str]:
    """What else the operator should know of an alarm beyond its state (noise control, shelving)."""
    flags = []
    if view.chattering:
        flags.append("chattering — shelve?" if view.suggest_shelve else "chattering")
    if first_out:
        flags.append("first out")
    if view.group:
        flags.append(f"grouped under {view.group}")
    if view.shelve is not None and view.state is not State.SHELVED:  # e.g. suppressed while shelved
        flags.append(f"shelved {_shelve_end(view.shelve)}")
    return flags


def _shelve_end(shelve: Shelve) -> str:
    return "until it clears" if shelve.one_shot else f"until {clock_text(shelve.until, False)}"
