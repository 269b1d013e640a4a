"""Device clocks judged against the console's: a device time is information, never a trigger (DESIGN: Time).

Every sample keeps the device's time next to the console's receive time. A device time further than
`max_skew_s` from the receive time is flagged (per device, in the source's status, logged once per device)
and replaced by the receive time wherever a time is used, so that a band whose clock runs an hour fast, or
says year 9999, can neither delay nor hasten anything the console times.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable

import numpy as np

from integrations.source import SourceStatus

log = logging.getLogger(__name__)

DEFAULT_MAX_SKEW_S = 300.0


class DeviceClocks:
    """Per-device clock judgement for one source; loop thread only (it mutates the source's status).

    `on_change(device, offset_s | None)` is told when a device's clock goes wrong or right again.
    """

    def __init__(
        self,
        status: SourceStatus,
        max_skew_s: float = DEFAULT_MAX_SKEW_S,
        on_change: Callable[[str, float | None], None] | None = None,
    ) -> None:
        self.status = status
        self.max_skew_s = max_skew_s
        self._on_change = on_change
        self._logged: set[str] = set()

    def time(self, device: str, device_ts: float, received: float) -> float:
        """The time to use for one sample: the device's if it is within the skew, else the receive time."""
        offset = device_ts - received
        if math.isfinite(offset) and abs(offset) <= self.max_skew_s:
            if device in self.status.clock_skew:
                self._recovered(device)
            return device_ts
        self._wrong(device, offset)
        return received

    def times(
        self,
        device_of: Callable[[int], str],
        device_ts: np.ndarray,
        received: np.ndarray | float,
        first: np.ndarray | None = None,
    ) -> np.ndarray:
        """`time` over arrays (a batch of positions or tag values; `device_of(k)` names sample k's device):
        one vector test, a loop only while some device is wrong. `first` marks a subscription's first
        sample of an item (OPC UA's current value on subscribing): its time is that of the value's last
        change, however long ago, so an old one says nothing of the clock; it is replaced by the receive
        time (the value holds now) without flagging the device. Only a time in the future counts then."""
        offset = device_ts - received
        good = np.abs(offset) <= self.max_skew_s  # NaN compares False: not good
        steady = np.zeros_like(good) if first is None else first & (offset < -self.max_skew_s)
        skew = self.status.clock_skew
        if good.all() and not skew:
            return device_ts
        for k in np.flatnonzero(~good & ~steady).tolist():
            self._wrong(device_of(k), float(offset[k]))
        if skew:
            for k in np.flatnonzero(good).tolist():
                if device_of(k) in skew:
                    self._recovered(device_of(k))
        return np.where(good, device_ts, received)

    def _wrong(self, device: str, offset: float) -> None:
        first = device not in self.status.clock_skew
        self.status.clock_skew[device] = offset
        if device not in self._logged:
            self._logged.add(device)
            log.warning(
                "%s: %s's clock is %s against the console's (limit %g s); its times are shown but the "
                "console times everything of it by when it receives it",
                self.status.name,
                device,
                describe_offset(offset),
                self.max_skew_s,
            )
        if first and self._on_change is not None:
            self._on_change(device, offset)

    def _recovered(self, device: str) -> None:
        del self.status.clock_skew[device]
        if self._on_change is not None:
            self._on_change(device, None)


def describe_offset(offset: float) -> str:
    """`3600 s fast`, `1.9e+09 s slow`, `not a time` for NaN."""
    if not math.isfinite(offset):
        return "not a time"
    return f"{abs(offset):.4g} s {'fast' if offset > 0 else 'slow'}"
