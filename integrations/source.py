"""What every source shares: its connection state and counters, and the sink it delivers batches to.

A source (OPC UA, MQTT, simulator, replay) turns a protocol into domain batches. The console shows each
source's `SourceStatus` in the status bar, so connection state is first-class, not a log line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

from alarms.samples import InterlockSample, TagBatch
from plant_maps.wearables import PositionBatch, VisionDetection, Vitals, WearableEvent


class ConnectionState(Enum):
    CONNECTING = "connecting"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    DISCONNECTED = "disconnected"


@dataclass
class SourceStatus:
    """Live counters of one source; mutated only on the asyncio loop thread (or under the source's lock)."""

    name: str
    url: str
    scheme: str = ""  # of the site addresses this source serves: "opcua", "mqtt"
    state: ConnectionState = ConnectionState.CONNECTING
    messages: int = 0
    errors: int = 0  # malformed or rejected input
    reconnects: int = 0
    last_error: str = ""
    error_kinds: dict[str, int] = field(default_factory=dict)
    connected_once: bool = False  # since start: a source that never connected raises its alarm in time
    tags: int = 0  # tags this source serves
    tags_in_error: dict[int, str] = field(default_factory=dict)  # tag row -> why the server refuses it
    security: str = "no security"  # the link's protection in words (policy, mode, login kind)
    secured: bool = False  # signed or encrypted (OPC UA policy, MQTT TLS): drawn with a lock
    clock_skew: dict[str, float] = field(default_factory=dict)  # device id -> its clock's offset, s

    def count_error(self, kind: str, detail: str) -> bool:
        """Count one bad input of `kind`; True the first time this kind is seen (log it once)."""
        self.errors += 1
        self.last_error = detail
        first = kind not in self.error_kinds
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1
        return first


def network_words(exc: BaseException | None, peer: str) -> str | None:
    """Why a `peer` ("server", "broker") could not be reached at the socket level; None for other causes."""
    if isinstance(exc, ConnectionRefusedError):
        return f"connection refused (no {peer} listening there)"
    if isinstance(exc, TimeoutError):
        return f"timeout (no answer from the {peer})"
    if isinstance(exc, OSError):
        return f"network error: {exc.strerror or exc}"
    return None


class Sink(Protocol):
    """Where sources deliver. Called on the asyncio loop thread only."""

    def on_tags(self, batch: TagBatch) -> None: ...
    def on_positions(self, batch: PositionBatch) -> None: ...
    def on_vitals(self, vitals: list[Vitals]) -> None: ...
    def on_wearable_events(self, events: list[WearableEvent]) -> None: ...
    def on_detections(self, detections: list[VisionDetection]) -> None: ...
    def on_interlocks(self, samples: list[InterlockSample]) -> None: ...
    def on_stale(self, tag_index: list[int], reason: str = "") -> None: ...
    def on_tag_errors(self, errors: dict[int, str]) -> None: ...
    def on_interlock_errors(self, errors: dict[str, str]) -> None: ...  # interlock id -> why, in words
    def on_device_clock(self, worker: str, offset_s: float | None) -> None: ...
    def on_status(self, status: SourceStatus, message: str) -> None: ...
