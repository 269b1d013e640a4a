"""MQTT source: wearables, positioning, portable gas monitors and video AI over a broker (paho-mqtt 2).

Two threads meet here. paho's network thread receives and parses every message (see `mqtt_contract`) and
appends the result to pending lists under a lock; the first message after a flush schedules one flush onto
the asyncio loop (at most one per FLUSH_INTERVAL_S), so a burst of thousands of messages costs a few loop
wake-ups and arrives as a few large `PositionBatch`es and `TagBatch`es. Connection changes travel through
the same pending queue, so the sink always sees data and state changes in the order the network thread
saw them (values from before a drop, then the drop and the stale marks, then values from after the
reconnect).

The session is persistent (`clean_session=False`, a stable client id) and events and detections are
subscribed with QoS 1, so an SOS published while the console was away is delivered when it comes back.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import logging
import socket
import sys
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import paho.mqtt.client as mqtt

from alarms.clock import Clock
from alarms.samples import TagBatch
from integrations.device_time import DEFAULT_MAX_SKEW_S, DeviceClocks
from integrations.mqtt_contract import ContractError, Kind, MqttContract, PositionFix, SensorValue
from integrations.mqtt_security import MQTT_PORTS, MqttSecurity, failure_words, lost_words, refusal_words
from integrations.source import ConnectionState, Sink, SourceStatus
from plant_maps.site import Site
from plant_maps.wearables import PositionBatch

log = logging.getLogger(__name__)

KEEPALIVE_S = 10  # a silent broker is found dead within 1.5x this, and its tags marked stale
RECONNECT_MIN_S = 0.5
RECONNECT_MAX_S = 10
FLUSH_INTERVAL_S = 0.05  # batches per second are bounded to 20 whatever the message rate
_ERRORS = len(Kind)  # index of the rejected-message list in _Pending.items, after one list per Kind


def _never_raises(callback: Callable[..., None]) -> Callable[..., None]:
    """Wrap a paho callback: an exception would end paho's network thread and with it the whole source."""

    @functools.wraps(callback)
    def guarded(self: MqttSource, *args: Any) -> None:
        try:
            callback(self, *args)
        except Exception:
            log.exception("%s: internal error in %s", self.status.name, callback.__name__)

    return guarded


class _Pending:
    """What the network thread gathered since the last flush, closed by an optional connection change."""

    __slots__ = ("items", "state")

    def __init__(self) -> None:
        self.items: list[list[Any]] = [[] for _ in range(_ERRORS + 1)]
        self.state: tuple[ConnectionState, str, str] | None = None  # state, message, why it failed


class MqttSource:
    """Subscribes to the site's MQTT topics and delivers batches to `sink` on the asyncio `loop`.

    Construct, `start()` and `stop()` on the loop thread. `status` is mutated on the loop thread only.
    """

    def __init__(
        self,
        site: Site,
        url: str,
        sink: Sink,
        loop: asyncio.AbstractEventLoop,
        clock: Clock,
        prefix: str = "site",
        client_id: str | None = None,
        name: str = "MQTT",
        max_skew_s: float = DEFAULT_MAX_SKEW_S,
        security: MqttSecurity | None = None,
    ) -> None:
        self.host, self.port = broker_address(url)
        self.security = security or MqttSecurity(tls=url.startswith("mqtts://"))
        if self.security.tls != url.startswith("mqtts://"):
            raise ValueError(f"MQTT URL {url!r}: TLS is for mqtts:// URLs and mqtts:// needs TLS")
        self.status = SourceStatus(
            name=name, url=url, scheme="mqtt", security=self.security.describe(), secured=self.security.tls
        )
        self._sink = sink
        self._loop = loop
        self._clock = clock
        self._now = clock.now
        self._contract = MqttContract(site, prefix)
        self._decode = self._contract.decode
        self._stale_rows = self._contract.sensor_rows
        self.status.tags = len(self._stale_rows)
        self._workers = [w.id for w in site.workers]
        self._sensor_ids = [s.id for s in site.sensors]
        self._wearable_clocks = DeviceClocks(self.status, max_skew_s, sink.on_device_clock)
        self._other_clocks = DeviceClocks(self.status, max_skew_s)
        self._lock = threading.Lock()
        self._open = _Pending()  # guarded by _lock, like _closed and _scheduled
        self._closed: list[_Pending] = []
        self._scheduled = False
        self._last_flush = -FLUSH_INTERVAL_S  # loop time; loop thread only
        self._stopping = False
        self._connected_since_start = False  # written on the network thread (and in start(), before it runs)
        self._subscribe_mid = -1  # network thread only
        self._session_up = False  # the broker accepted the connect; network thread only
        self._bug_logged = False  # network thread only
        # A stable id keeps the broker-side session (and the QoS 1 events queued in it) across restarts.
        # It must be unique per console: two clients with one id take the session from each other in turn.
        self.client_id = client_id or f"controlroom-{site.id}-{socket.gethostname()}"
        self._client: mqtt.Client | None = None

    # -- loop thread -------------------------------------------------------------------------------------

    def start(self) -> None:
        """Connect in the background and keep reconnecting until `stop()`. Loop thread."""
        if self._client is not None:
            raise RuntimeError(f"{self.status.name} is already started")
        self._stopping = False
        self._connected_since_start = False
        self.status.state = ConnectionState.CONNECTING
        self._sink.on_status(self.status, f"connecting to MQTT broker {self.host}:{self.port}")
        self._client = self._new_client()
        self._client.connect_async(self.host, self.port, keepalive=KEEPALIVE_S)
        self._client.loop_start()

    def stop(self) -> None:
        """Disconnect cleanly (the broker keeps the session), join the network thread, deliver what is left.

        Any thread. It blocks until the network thread ends: milliseconds when connected, up to a second
        while it waits to reconnect, up to paho's 5 s connect timeout while it dials an unreachable host;
        hence callers on the loop may run it in an executor. What was still pending and the final
        DISCONNECTED reach the sink on the loop thread: before stop() returns when called there, else soon.
        """
        self._stopping = True
        if self._client is not None:
            self._client.disconnect()
            self._client.loop_stop()
            self._client = None
        try:
            on_loop = asyncio.get_running_loop() is self._loop
        except RuntimeError:  # no loop runs on this thread
            on_loop = False
        if on_loop:
            self._finish_stop()
        else:
            self._loop.call_soon_threadsafe(self._finish_stop)

    def publish(self, topic: str, payload: bytes) -> None:
        """Send one message with QoS 1. Any thread; paho queues it while the broker is away and sends it on
        reconnect, so an escalation is not lost to a broker restart."""
        if self._client is None:
            raise RuntimeError(f"{self.status.name} is not started: cannot publish on {topic}")
        self._client.publish(topic, payload, qos=1)

    def _finish_stop(self) -> None:
        """Deliver what the network thread left and settle on DISCONNECTED. Loop thread."""
        self._drain()
        self._set_state(ConnectionState.DISCONNECTED, "stopped")

    def _new_client(self) -> mqtt.Client:
        """A fresh paho client per start(): paho leaks its wake-up socket pair when a client is restarted.

        The session lives on the broker under our client id, so a new client object resumes it.
        """
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=self.client_id, clean_session=False)
        # Typed int in paho, but it only does arithmetic with them: a float delay works.
        client.reconnect_delay_set(RECONNECT_MIN_S, RECONNECT_MAX_S)  # type: ignore[arg-type]
        self.security.apply(client)
        client.on_connect = self._on_connect
        client.on_connect_fail = self._on_connect_fail
        client.on_subscribe = self._on_subscribe
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        return client

    def _flush(self) -> None:
        """Deliver everything pending, in arrival order. Loop thread (scheduled by the network thread).

        At most one flush per FLUSH_INTERVAL_S: a lone message goes out at once, a burst in few large
        batches, and the loop thread stays off the GIL while the network thread is busy parsing.
        """
        now = self._loop.time()
        wait = self._last_flush + FLUSH_INTERVAL_S - now
        if wait > 0:
            self._loop.call_later(wait, self._flush)
            return
        self._last_flush = now
        self._drain()

    def _drain(self) -> None:
        """Deliver everything pending now. Loop thread."""
        with self._lock:
            batches = self._closed
            batches.append(self._open)
            self._closed = []
            self._open = _Pending()
            self._scheduled = False
        for pending in batches:
            self._deliver(pending)

    def _deliver(self, pending: _Pending) -> None:
        """Count, report each kind of rejection once, hand over the batches, apply the state. Loop thread."""
        items = pending.items
        status = self.status
        status.messages += sum(map(len, items))
        for kind, detail in items[_ERRORS]:
            if status.count_error(kind, detail):  # the first of its kind: log it and tell the console once
                message = f"dropped a malformed message ({kind.replace('_', ' ')}): {detail}"
                log.warning("%s: %s; more of this kind are only counted", status.name, message)
                self._sink.on_status(status, message)
        # Life-safety events first: a flood of positions must not delay an SOS by even one call. Their `ts`
        # is the receive time already; device times are judged after, for the status bar and the log.
        wearables, others = self._wearable_clocks, self._other_clocks
        if events := items[Kind.EVENT]:
            self._sink.on_wearable_events(events)
            for e in events:
                wearables.time(e.worker, e.device_ts, e.ts)
        if detections := items[Kind.DETECTION]:
            self._sink.on_detections(detections)
            for d in detections:
                others.time(d.camera, d.device_ts, d.ts)
        if positions := items[Kind.POSITION]:
            batch = _position_batch(positions)
            workers, rows = self._workers, batch.worker
            wearables.times(lambda k: workers[int(rows[k])], batch.device_ts, batch.ts)
            self._sink.on_positions(batch)
        if vitals := items[Kind.VITALS]:
            self._sink.on_vitals(vitals)
            for v in vitals:
                wearables.time(v.worker, v.device_ts, v.ts)
        if sensors := items[Kind.SENSOR]:
            batch = _tag_batch(sensors, self._clock.now())
            ids, index = self._sensor_ids, batch.index
            stamps = others.times(lambda k: ids[int(index[k])], batch.source_ts, batch.received_ts)
            self._sink.on_tags(TagBatch(batch.index, batch.value, batch.quality, stamps, batch.received_ts))
        if pending.state is not None:
            self._set_state(*pending.state)

    def _set_state(self, state: ConnectionState, message: str, error: str = "") -> None:
        """Apply a connection change; leaving CONNECTED marks the MQTT sensors stale. Loop thread.

        A failed attempt (`error`) is one warning line, whether or not the state changes; any other change is
        one info line."""
        status = self.status
        previous = status.state
        if error:
            status.last_error = error
            log.warning("%s: %s", status.name, message)
        if state is previous:
            return
        status.state = state
        if state is ConnectionState.CONNECTED:
            status.connected_once = True
        if state is ConnectionState.CONNECTED and previous is ConnectionState.RECONNECTING:
            status.reconnects += 1
        if previous is ConnectionState.CONNECTED and self._stale_rows:
            self._sink.on_stale(self._stale_rows, f"connection lost: {message}")
        if not error:
            log.info("%s: %s (%s)", status.name, state.value, message)
        self._sink.on_status(status, message)

    # -- paho network thread -----------------------------------------------------------------------------

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        """Parse one message and queue it; schedules a flush if none is pending. Network thread."""
        try:
            kind, value = self._decode(message.topic, message.payload, self._now())
        except ContractError as exc:
            kind, value = _ERRORS, (exc.kind, str(exc))
        except Exception as exc:  # a parser bug, not bad input: counted too, and never fatal to the thread
            kind, value = _ERRORS, ("internal", f"{message.topic}: {exc!r}")
            if not self._bug_logged:
                self._bug_logged = True
                log.exception("%s: internal error parsing a message on %s", self.status.name, message.topic)
        with self._lock:
            self._open.items[kind].append(value)
            if self._scheduled:
                return
            self._scheduled = True
        self._wake()

    @_never_raises
    def _on_connect(
        self,
        client: mqtt.Client,
        userdata: Any,
        flags: mqtt.ConnectFlags,
        reason_code: mqtt.ReasonCode,
        properties: mqtt.Properties | None,
    ) -> None:
        """Subscribe on every connect: a restarted broker may have forgotten us. Network thread."""
        if reason_code.is_failure:
            self._failed(refusal_words(reason_code))  # paho's disconnect that follows is not news
            return
        self._session_up = True
        if not flags.session_present and self._connected_since_start:
            log.warning(
                "%s: the broker lost the session of %s; QoS 1 events sent meanwhile are lost",
                self.status.name,
                self.client_id,
            )
        self._connected_since_start = True
        _, self._subscribe_mid = client.subscribe(self._contract.subscriptions())

    @_never_raises
    def _on_subscribe(
        self,
        client: mqtt.Client,
        userdata: Any,
        mid: int,
        reason_codes: list[mqtt.ReasonCode],
        properties: mqtt.Properties | None,
    ) -> None:
        """CONNECTED once the broker confirmed the subscriptions: data flows from then on. Network thread."""
        if mid != self._subscribe_mid:
            return
        refused = [
            f
            for (f, _), rc in zip(self._contract.subscriptions(), reason_codes, strict=True)
            if rc.is_failure
        ]
        message = f"connected to {self.host}:{self.port}"
        if refused:
            message += f"; subscriptions refused: {', '.join(refused)}"
            log.error("%s: broker refused subscriptions %s", self.status.name, refused)
        self._post_state(ConnectionState.CONNECTED, message)

    @_never_raises
    def _on_connect_fail(self, client: mqtt.Client, userdata: Any) -> None:
        """The broker could not be reached; paho retries with back-off. Network thread.

        paho passes no reason, but calls this from inside its `except OSError`: the exception being handled
        is the reason (refused, timeout, TLS, an untrusted certificate)."""
        self._failed(failure_words(sys.exc_info()[1]))

    def _failed(self, reason: str) -> None:
        """A failed attempt, saying why: one log line and the state, on the loop thread. Network thread."""
        message = f"cannot connect to MQTT broker {self.host}:{self.port}: {reason}; retrying"
        self._post_state(self._retry_state(), message, reason)

    @_never_raises
    def _on_disconnect(
        self,
        client: mqtt.Client,
        userdata: Any,
        flags: mqtt.DisconnectFlags,
        reason_code: mqtt.ReasonCode,
        properties: mqtt.Properties | None,
    ) -> None:
        """Connection lost or closed by stop(); queued behind the data received before it. Network thread.

        paho calls this after a refused connect too, which `_failed` has reported already."""
        up, self._session_up = self._session_up, False
        if self._stopping:
            self._post_state(ConnectionState.DISCONNECTED, "disconnected")
        elif up:
            self._post_state(
                ConnectionState.RECONNECTING, f"lost the MQTT broker: {lost_words(reason_code)}; reconnecting"
            )

    def _retry_state(self) -> ConnectionState:
        """CONNECTING until the first connect since start(), RECONNECTING after it. Network thread."""
        return ConnectionState.RECONNECTING if self._connected_since_start else ConnectionState.CONNECTING

    def _post_state(self, state: ConnectionState, message: str, error: str = "") -> None:
        """Close the pending batch with a connection change and schedule a flush. Network thread."""
        with self._lock:
            self._open.state = (state, message, error)
            self._closed.append(self._open)
            self._open = _Pending()
            if self._scheduled:
                return
            self._scheduled = True
        self._wake()

    def _wake(self) -> None:
        """Schedule one flush on the loop. Network thread, outside the lock."""
        try:
            self._loop.call_soon_threadsafe(self._flush)
        except RuntimeError:  # the loop is closed: the application is exiting without stop()
            log.warning("%s: the event loop is closed; MQTT input is no longer delivered", self.status.name)


def broker_address(url: str) -> tuple[str, int]:
    """(host, port) from `mqtt://host[:port]` or `mqtts://host[:port]` (TLS; standard ports by default);
    ValueError naming the URL otherwise. A password in a URL would show on command lines and in logs: the
    user and password belong in the config (`[mqtt] username`, `password_file`)."""
    parts = urlsplit(url)
    try:
        port = parts.port or MQTT_PORTS.get(parts.scheme, 0)
    except ValueError:
        port = 0
    if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname or not port or "@" in parts.netloc:
        shown = url.split("://", 1)[0] + "://" + parts.netloc.rpartition("@")[2] + parts.path
        raise ValueError(
            f"MQTT broker URL {shown!r} must look like mqtt://host[:port] or mqtts://host[:port] (no user or password)"
        )
    return parts.hostname, port


def _position_batch(fixes: list[PositionFix]) -> PositionBatch:
    rows = _table(fixes)
    return PositionBatch(
        worker=rows[:, 0].astype(np.int32),
        x=rows[:, 1].copy(),
        y=rows[:, 2].copy(),
        floor=rows[:, 3].astype(np.int16),
        accuracy=rows[:, 4].astype(np.float32),
        ts=rows[:, 5].copy(),
        device_ts=rows[:, 6].copy(),
    )


def _tag_batch(values: list[SensorValue], received_ts: float) -> TagBatch:
    rows = _table(values)
    return TagBatch(
        index=rows[:, 0].astype(np.int32),
        value=rows[:, 1].copy(),
        quality=rows[:, 2].astype(np.int8),
        source_ts=rows[:, 3].copy(),
        received_ts=received_ts,
    )


def _table(tuples: list[Any]) -> np.ndarray:
    """Equal-length tuples of numbers (at least one) as a float64 array, one row each, in one C-level pass
    (a third of what `np.array` costs on a list of tuples); the caller splits the columns."""
    width = len(tuples[0])
    flat = itertools.chain.from_iterable(tuples)
    return np.fromiter(flat, dtype=np.float64, count=len(tuples) * width).reshape(-1, width)
