"""Zoned broadcasts: a call (a preset or typed text, a priority, repetitions, PA zones) sent to each zone's PA
gateway and to the wearables of the workers there, and followed zone by zone until it was played or not.

Bosch PRAESENSA's rules: a higher priority pre-empts a lower one in the same zone (the console sends the new
call and marks the old one "pre-empted"); a call of equal or lower priority waits behind the one playing
("queued"); an emergency call waits behind nothing, not even another emergency (the latest wins, so a stuck
call cannot block). Zenitel's proof of delivery: a zone counts as reached once its gateway says "playing";
a gateway that says nothing within `timeout_s` is "not answered". The zones not reached (failed or not
answered) are named in the event log, and for an emergency or evacuation call each raises its PA zone's
tier-2 alarm (`<PA zone>.NOT_REACHED`) until a later call reaches the zone.

Runs on the core's loop thread. Each call is journaled (with its audit entry) before anything is sent; its
outcome per zone is journaled once every zone has one.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from alarms.clock import Clock
from console.server.alarm_service import AlarmService
from console.server.session import Broadcast, CommandResult, Topic
from integrations.mqtt_contract import ContractError
from integrations.pa_contract import MessageAck, PaContract, announcement, wearable_message
from integrations.storage import JournalEntry, StoreWriter
from plant_maps.broadcast_presets import MAX_BROADCAST_CHARS, MAX_REPEAT
from plant_maps.site import BROADCAST_LANGUAGES, BROADCAST_PRIORITIES, Site
from plant_maps.state import WorkerTable

JOURNAL_KIND = "broadcast"  # a call as sent
DELIVERY_KIND = "broadcast_delivery"  # its outcome per PA zone, once every zone has one
COMMIT_TIMEOUT_S = 10.0
DEFAULT_TIMEOUT_S = 10.0  # a gateway silent this long after the call is "not answered"
PLAY_LIMIT_S = 600.0  # playing this long without "done": not answered either (the zone is freed)
ALERTING = frozenset({"emergency", "evacuation"})  # a zone these do not reach raises its alarm
KEEP_CALLS = 100  # finished calls kept for the views


class ZoneState(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    PLAYING = "playing"
    DONE = "done"
    FAILED = "failed"
    NOT_ANSWERED = "not answered"
    PREEMPTED = "pre-empted"


ENDED = frozenset({ZoneState.DONE, ZoneState.FAILED, ZoneState.NOT_ANSWERED, ZoneState.PREEMPTED})
NOT_REACHED = frozenset({ZoneState.FAILED, ZoneState.NOT_ANSWERED})


@dataclass(slots=True)
class ZoneDelivery:
    pa_zone: str
    state: ZoneState
    since: float  # console clock, when it reached this state
    reason: str = ""


@dataclass(slots=True)
class BroadcastCall:
    """One call as the console follows it; changed only on the loop thread."""

    id: str
    actor: str
    text: str
    lang: str
    priority: str
    repeat: int
    preset: str
    started: float
    zones: dict[str, ZoneDelivery]
    wearables: dict[str, float | None] = field(default_factory=dict)  # worker -> time acknowledged
    closed: bool = False  # its outcome is journaled and summarised

    @property
    def rank(self) -> int:
        """0 for emergency, the highest."""
        return BROADCAST_PRIORITIES.index(self.priority)

    @property
    def finished(self) -> bool:
        return all(d.state in ENDED for d in self.zones.values())

    def in_state(self, *states: ZoneState) -> list[ZoneDelivery]:
        return [d for d in self.zones.values() if d.state in states]

    @property
    def acknowledged(self) -> int:
        return sum(ts is not None for ts in self.wearables.values())

    def summary(self, names: Mapping[str, str]) -> str:
        """One line for the event log: where it was played, and the zones not reached, by name (`names`: PA
        zone id -> name) and why."""
        parts = []
        if done := self.in_state(ZoneState.DONE, ZoneState.PLAYING):
            parts.append("played in " + ", ".join(names[d.pa_zone] for d in done))
        if missed := self.in_state(*NOT_REACHED):
            parts.append(
                "NOT REACHED: " + ", ".join(f"{names[d.pa_zone]} ({d.state}: {d.reason})" for d in missed)
            )
        if cut := self.in_state(ZoneState.PREEMPTED):
            parts.append("pre-empted in " + ", ".join(names[d.pa_zone] for d in cut))
        if self.wearables:
            parts.append(f"wearables {self.acknowledged} of {len(self.wearables)} acknowledged")
        return f"broadcast {self.id} ({self.priority}): " + "; ".join(parts)


class BroadcastService:
    """Sends and follows the calls. `attach` gives it the PA link; until then a call is refused."""

    def __init__(
        self,
        site: Site,
        clock: Clock,
        writer: StoreWriter,
        console: str,
        workers: WorkerTable,
        alarms: AlarmService,
        publish: Callable[[Topic, Any], None],
        log_line: Callable[[str, str, str], object],
    ) -> None:
        self.site, self._clock, self._writer, self._console = site, clock, writer, console
        self._workers, self._alarms, self._publish, self._log = workers, alarms, publish, log_line
        self._names = {p.id: p.name for p in site.pa_zones}
        self._zone_rows = {
            p.id: frozenset(site.zone_index[z] for z in p.zones if z in site.zone_index)
            for p in site.pa_zones
        }
        self._presets = {p.id: p for p in site.broadcast_presets}
        self.timeout_s = DEFAULT_TIMEOUT_S
        self.contract: PaContract | None = None
        self._send: Callable[[str, bytes], None] | None = None
        self.calls: dict[str, BroadcastCall] = {}  # oldest first
        self._active: dict[str, str] = {}  # PA zone -> the call sent or playing there
        self._queued: dict[str, list[str]] = {p: [] for p in self._names}  # waiting, highest priority first

    def attach(self, contract: PaContract, send: Callable[[str, bytes], None], timeout_s: float) -> None:
        """The PA link: `send(topic, payload)` publishes with QoS 1 (any thread); replies go to `on_reply`."""
        self.contract, self._send, self.timeout_s = contract, send, timeout_s

    # -- commands (loop thread) ----------------------------------------------------------------------

    async def send(self, command: Broadcast) -> CommandResult:
        """Journal the call, then send it to every zone (or queue it there) and to the wearables there."""
        refusal, text = self._check(command)
        if refusal:
            return CommandResult(False, f"broadcast refused: {refusal}")
        now = self._clock.now()
        zones = command.zones or tuple(self._names)
        call = BroadcastCall(
            f"BC-{uuid.uuid4().hex[:8]}",
            command.actor,
            text,
            command.lang,
            command.priority,
            command.repeat,
            command.preset,
            now,
            {},
        )
        call.wearables = dict.fromkeys(self._workers_in(zones))
        payload = {
            "text": text,
            "lang": call.lang,
            "priority": call.priority,
            "repeat": call.repeat,
            "preset": call.preset,
            "zones": list(zones),
            "wearables": list(call.wearables),
        }
        entry = JournalEntry(now, JOURNAL_KIND, call.id, command.actor, self._console, payload)
        await asyncio.wait_for(asyncio.wrap_future(self._writer.journal([entry])), COMMIT_TIMEOUT_S)
        self.calls[call.id] = call
        for zone in zones:
            self._route(call, zone, now)
        assert self.contract is not None and self._send is not None
        message = wearable_message(call.id, text, call.lang, call.priority, now)
        for worker in call.wearables:
            self._send(self.contract.message_topic(worker), message)
        self._log(
            "action",
            command.actor,
            f"broadcast {call.id} ({call.priority}, x{call.repeat}) to {self._named(zones)}: {text}",
        )
        self._changed(call)
        queued = call.in_state(ZoneState.QUEUED)
        waiting = f"; queued in {self._named(d.pa_zone for d in queued)}" if queued else ""
        return CommandResult(
            True,
            f"broadcast {call.id} sent to {len(zones) - len(queued)} PA zones and "
            f"{len(call.wearables)} wearables{waiting}",
        )

    def _named(self, pa_zones: Iterable[str]) -> str:
        return ", ".join(self._names[z] for z in pa_zones)

    def _check(self, c: Broadcast) -> tuple[str, str]:
        """(why the call cannot be sent or "", the text to play)."""
        if self._send is None:
            return "this console has no PA link (MQTT)", ""
        if c.priority not in BROADCAST_PRIORITIES:
            return f"priority {c.priority!r} is not one of {', '.join(BROADCAST_PRIORITIES)}", ""
        if c.lang not in BROADCAST_LANGUAGES:
            return f"language {c.lang!r} is not one of {', '.join(BROADCAST_LANGUAGES)}", ""
        if not 1 <= c.repeat <= MAX_REPEAT:
            return f"repetitions must be 1 to {MAX_REPEAT}, not {c.repeat}", ""
        unknown = [z for z in c.zones if z not in self._names]
        if unknown:
            return f"no PA zone {', '.join(unknown)} on this site", ""
        if not self._names:
            return "this site has no PA zones", ""
        if c.preset and c.text:
            return "a preset or a typed text, not both", ""
        if c.preset:
            preset = self._presets.get(c.preset)
            return ("", preset.text(c.lang)) if preset else (f"no preset {c.preset!r} on this site", "")
        text = " ".join(c.text.split())  # plain text on one line, as a PA plays it
        if not text:
            return "say something: a preset or a text", ""
        if len(text) > MAX_BROADCAST_CHARS:
            return f"the text has {len(text)} characters, at most {MAX_BROADCAST_CHARS}", ""
        return "", text

    def _workers_in(self, zones: tuple[str, ...]) -> list[str]:
        rows = frozenset().union(*(self._zone_rows[z] for z in zones))
        zone_of = self._workers.zone
        return [w.id for i, w in enumerate(self.site.workers) if int(zone_of[i]) in rows]

    # -- per zone (loop thread) ----------------------------------------------------------------------

    def _route(self, call: BroadcastCall, zone: str, now: float) -> None:
        """Send now, pre-empting a lower (or an emergency) call playing there, or queue behind it."""
        current = self._active.get(zone)
        if current is not None:
            old = self.calls[current]
            if call.rank < old.rank or call.priority == "emergency":
                self._end(old, zone, ZoneState.PREEMPTED, f"by {call.id} ({call.priority})", now, free=False)
            else:
                call.zones[zone] = ZoneDelivery(
                    zone, ZoneState.QUEUED, now, f"behind {old.id} ({old.priority})"
                )
                queue = self._queued[zone]
                queue.append(call.id)
                queue.sort(key=lambda i: (self.calls[i].rank, self.calls[i].started))
                return
        self._start(call, zone, now)

    def _start(self, call: BroadcastCall, zone: str, now: float) -> None:
        assert self.contract is not None and self._send is not None
        self._active[zone] = call.id
        call.zones[zone] = ZoneDelivery(zone, ZoneState.SENT, now)
        payload = announcement(call.id, call.text, call.lang, call.priority, call.repeat, now)
        self._send(self.contract.announce_topic(zone), payload)

    def _end(
        self, call: BroadcastCall, zone: str, state: ZoneState, reason: str, now: float, free: bool = True
    ) -> None:
        """The zone's part of the call is over; the next call queued there starts (unless `free` is False:
        a pre-empting call takes the zone itself)."""
        delivery = call.zones[zone]
        delivery.state, delivery.since, delivery.reason = state, now, reason
        if self._active.get(zone) == call.id:
            del self._active[zone]
        if state in NOT_REACHED:
            self._not_reached(call, zone, state, reason)
        if free:
            queue = self._queued[zone]
            if queue and zone not in self._active:
                self._start(self.calls[queue.pop(0)], zone, now)
                self._changed(self.calls[self._active[zone]])
        self._changed(call)

    def _not_reached(self, call: BroadcastCall, zone: str, state: ZoneState, reason: str) -> None:
        text = f"{call.priority} broadcast {call.id} did not reach {self._names[zone]}: {state}, {reason}"
        self._log("error" if call.priority in ALERTING else "warning", "PA", text)
        if call.priority in ALERTING:
            self._alarms.on_pa_zone(zone, False, text)

    def _reached(self, call: BroadcastCall, zone: str) -> None:
        self._alarms.on_pa_zone(zone, True, f"{self._names[zone]} reached again by {call.id}")

    # -- replies and time (loop thread) --------------------------------------------------------------

    def on_reply(self, topic: str, payload: bytes) -> None:
        """A gateway's status or a wearable's acknowledgement; a malformed one is named in the event log and
        dropped. Replies to calls this console did not send (another console's, or before a restart) are
        not ours to follow."""
        if self.contract is None:
            return
        try:
            reply = self.contract.decode(topic, payload)
        except ContractError as exc:
            self._log("error", "PA", f"dropped a malformed message ({exc.kind.replace('_', ' ')}): {exc}")
            return
        call = self.calls.get(reply.id)
        if call is None:
            return
        now = self._clock.now()
        if isinstance(reply, MessageAck):
            if reply.worker in call.wearables and call.wearables[reply.worker] is None:
                call.wearables[reply.worker] = now
                self._changed(call)
            return
        delivery = call.zones.get(reply.pa_zone)
        if delivery is None or delivery.state in (ZoneState.QUEUED, ZoneState.PREEMPTED, ZoneState.DONE):
            return  # never sent there, cut off, or over: a late or repeated status changes nothing
        if delivery.state is ZoneState.NOT_ANSWERED:
            self._log("warning", "PA", f"{self._names[reply.pa_zone]} answered {call.id} late: {reply.state}")
        if reply.state == "failed":
            if delivery.state is not ZoneState.FAILED:
                self._end(call, reply.pa_zone, ZoneState.FAILED, reply.reason, now)
        else:
            self._reached(call, reply.pa_zone)
            if reply.state == "done":
                self._end(call, reply.pa_zone, ZoneState.DONE, reply.reason, now)
            elif delivery.state is not ZoneState.PLAYING:
                delivery.state, delivery.since, delivery.reason = ZoneState.PLAYING, now, reply.reason
                self._changed(call)

    def tick(self) -> None:
        """A gateway silent for `timeout_s` (or playing for PLAY_LIMIT_S without "done") is not answered."""
        now = self._clock.now()
        for zone, call_id in list(self._active.items()):
            call = self.calls[call_id]
            delivery = call.zones[zone]
            if delivery.state is ZoneState.SENT and now - delivery.since >= self.timeout_s:
                self._end(call, zone, ZoneState.NOT_ANSWERED, f"no answer within {self.timeout_s:g} s", now)
            elif delivery.state is ZoneState.PLAYING and now - delivery.since >= PLAY_LIMIT_S:
                self._end(call, zone, ZoneState.NOT_ANSWERED, f"no 'done' within {PLAY_LIMIT_S:g} s", now)

    def _changed(self, call: BroadcastCall) -> None:
        """Tell the views; once every zone has its outcome, log the summary and journal it."""
        if call.finished and not call.closed:
            call.closed = True
            missed = call.in_state(*NOT_REACHED)
            self._log("error" if missed else "info", "PA", call.summary(self._names))
            outcome = {
                "zones": {
                    d.pa_zone: {"state": str(d.state), "reason": d.reason} for d in call.zones.values()
                },
                "wearables": {w: ts is not None for w, ts in call.wearables.items()},
            }
            entry = JournalEntry(self._clock.now(), DELIVERY_KIND, call.id, "", self._console, outcome)
            self._writer.journal([entry])
            self._forget_old()
        self._publish(Topic.BROADCASTS, [call])

    def _forget_old(self) -> None:
        closed = [i for i, c in self.calls.items() if c.closed]
        for call_id in closed[: max(0, len(closed) - KEEP_CALLS)]:
            del self.calls[call_id]
