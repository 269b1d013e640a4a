"""OPC UA client source: subscribes to every `opcua://` tag of the site and delivers TagBatches, and to
every interlock's command and feedback nodes and delivers InterlockSamples.

One supervisor task owns the connection: connect, subscribe, wait for loss, mark tags and interlocks stale,
back off, reconnect and re-subscribe, for as long as the console runs. A whole publish response becomes one
batch (no per-item tasks or callbacks), which is what lets a plant's burst reach the core intact.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from asyncua import Client, ua
from asyncua.common.subscription import Subscription

from alarms.clock import Clock
from alarms.samples import InterlockSample, TagBatch
from integrations.device_time import DEFAULT_MAX_SKEW_S, DeviceClocks
from integrations.opcua_errors import failure_words, quiet_asyncua_logs, status_words
from integrations.opcua_nodes import needs_namespaces, resolve
from integrations.opcua_security import OpcUaSecurity, apply_security, pki_folder
from integrations.opcua_write import WriteOutcome, write_command
from integrations.source import ConnectionState, Sink, SourceStatus
from plant_maps.opcua_address import parse_opcua_address
from plant_maps.site import Site

log = logging.getLogger(__name__)

# Spread large tag sets over several subscriptions: asyncua slows past a few thousand items in one.
ITEMS_PER_SUBSCRIPTION = 2000
# Asked for on the first connect; later connects ask for what the server granted, so that no server has to
# revise it (asyncua warned on every connect). A client that dies holds a server session this long at most.
SESSION_TIMEOUT_MS = 60_000
_GOOD, _UNCERTAIN, _BAD = 0, 1, 2
COMMAND, FEEDBACK = 0, 1  # interlock i's signals have keys 2 * i + COMMAND and 2 * i + FEEDBACK


def quality_of(status: ua.StatusCode | None) -> int:
    """OPC UA StatusCode severity bits (Part 4 §7.39) → alarms.samples.Quality value."""
    if status is None:
        return _GOOD
    severity = (status.value >> 30) & 0b11
    return _GOOD if severity == 0 else _UNCERTAIN if severity == 1 else _BAD


def epoch_of(ts: datetime | None, default: float) -> float:
    """OPC UA timestamps arrive as naive UTC datetimes; a missing one takes the receive time."""
    if ts is None:
        return default
    return (ts if ts.tzinfo else ts.replace(tzinfo=UTC)).timestamp()


class _KeyedSubscription(Subscription):
    """A subscription whose monitored items each stand for an int key of the source (tag row, interlock
    signal). Runs on the asyncio loop thread (asyncua's publish loop calls `publish_callback`)."""

    def __init__(
        self,
        client: Client,
        params: ua.CreateSubscriptionParameters,
        source: OpcUaSource,
        key_of_node: dict[ua.NodeId, int],
    ) -> None:
        super().__init__(client.uaclient.session, params, handler=None, queue_maxsize=1)
        self._source = source
        self._key_of_node = key_of_node
        self._key_of_handle: dict[int, int] = {}
        self._heard: set[int] = (
            set()
        )  # keys with a sample in this subscription (the first: its current value)

    def _key(self, handle: int) -> int | None:
        """The key of a monitored item's client handle.

        Resolved on first sight, not after `subscribe_data_change` returns: the server sends each item's
        initial value in a publish that can arrive before that call does, and a tag that never changes
        again would otherwise never get a value at all.
        """
        key = self._key_of_handle.get(handle)
        if key is None:
            item = self._monitored_items.get(handle)
            if item is None or item.node is None:
                return None
            key = self._key_of_handle[handle] = self._key_of_node[item.node.nodeid]
        return key


class BatchSubscription(_KeyedSubscription):
    """A subscription of tags (key: tag row) that turns each whole publish response into one TagBatch."""

    async def publish_callback(self, publish_result: ua.PublishResult) -> None:
        data = publish_result.NotificationMessage.NotificationData
        if not data:
            return
        received = self._source.clock.now()
        rows: list[int] = []
        values: list[float] = []
        qualities: list[int] = []
        stamps: list[float] = []
        refused: dict[int, str] = {}
        first: list[bool] = []
        heard = self._heard
        row_of = self._key
        for notification in data:
            if not isinstance(notification, ua.DataChangeNotification):
                continue
            for item in notification.MonitoredItems:
                row = row_of(item.ClientHandle)
                if row is None:
                    continue
                dv = item.Value
                raw = dv.Value.Value if dv.Value is not None else None
                value = _number(raw)
                quality = quality_of(dv.StatusCode)
                if quality == _BAD:
                    refused[row] = status_words(dv.StatusCode)
                elif (
                    value != value and raw is not None and not isinstance(raw, float)
                ):  # a NaN from a non-number
                    quality = _BAD
                    refused[row] = f"the value is a {type(raw).__name__}, not a number"
                rows.append(row)
                values.append(value)
                qualities.append(quality)
                stamps.append(epoch_of(dv.SourceTimestamp, received))
                first.append(row not in heard)
                heard.add(row)
        if rows:
            batch = TagBatch.from_lists(rows, values, qualities, stamps, received)
            self._source.deliver(batch, refused, np.asarray(first))


class InterlockSubscription(_KeyedSubscription):
    """A subscription of the interlocks' command and feedback nodes (key: `2 * interlock + FEEDBACK`); each
    publish response goes to the source as one list of (key, value, quality)."""

    async def publish_callback(self, publish_result: ua.PublishResult) -> None:
        data = publish_result.NotificationMessage.NotificationData
        if not data:
            return
        received = self._source.clock.now()
        changes: list[tuple[int, Any, int]] = []
        for notification in data:
            if not isinstance(notification, ua.DataChangeNotification):
                continue
            for item in notification.MonitoredItems:
                key = self._key(item.ClientHandle)
                if key is not None:
                    dv = item.Value
                    changes.append(
                        (key, dv.Value.Value if dv.Value is not None else None, quality_of(dv.StatusCode))
                    )
        if changes:
            self._source.deliver_interlocks(changes, received)


def _number(value: Any) -> float:
    """A tag value as float; NaN for anything that is not a number (its quality says bad)."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    return float("nan")


class OpcUaSource:
    """Owns one OPC UA connection for the site's `opcua://` tags and interlocks.

    `run()` is a long-lived task on the console's asyncio loop; `stop()` ends it. Connection changes go to
    the sink as status messages; on loss every tag of this source is reported stale, and every interlock's
    command and feedback unknown.
    """

    def __init__(
        self,
        site: Site,
        url: str,
        sink: Sink,
        clock: Clock,
        *,
        name: str = "OPC UA",
        publishing_interval_ms: float = 100.0,
        timeout_s: float = 4.0,
        max_backoff_s: float = 10.0,
        security: OpcUaSecurity | None = None,
        pki_dir: Path | None = None,
        max_skew_s: float = DEFAULT_MAX_SKEW_S,
        server_deadband: bool = True,
    ) -> None:
        quiet_asyncua_logs()
        self.site, self.url, self.sink, self.clock = site, url, sink, clock
        self.security = security or OpcUaSecurity()
        self._pki_dir = self.security.pki_dir or pki_dir
        self.status = SourceStatus(
            name=name,
            url=url,
            scheme="opcua",
            security=self.security.describe(),
            secured=self.security.secured,
        )
        self.publishing_interval_ms = publishing_interval_ms
        self.timeout_s = timeout_s
        self.max_backoff_s = max_backoff_s
        self.server_deadband = server_deadband  # ask the server to send only moves beyond the deadband
        self.rows = [i for i, s in enumerate(site.sensors) if s.scheme == "opcua"]
        self.status.tags = len(self.rows)
        # The site file has checked every address already: parsing again cannot fail.
        self._addresses = [parse_opcua_address(site.sensors[row].address) for row in self.rows]
        self._tag_ids = [site.sensors[row].id for row in self.rows]
        self._tag_id_of_row = dict(zip(self.rows, self._tag_ids, strict=True))
        self.interlocks = list(site.interlocks)
        self._signal_addresses = [
            parse_opcua_address(tag) for il in self.interlocks for tag in (il.command_tag, il.feedback_tag)
        ]  # key order: COMMAND, FEEDBACK
        self._signals: list[bool | None] = [None] * (2 * len(self.interlocks))  # by interlock signal key
        self._clocks = DeviceClocks(self.status, max_skew_s)
        self._session_timeout_ms = SESSION_TIMEOUT_MS
        self._stopping = asyncio.Event()
        self._client: Client | None = None
        self._namespaces: list[str] = []  # the server's namespace array, when an address names a URI

    @property
    def pki_dir(self) -> Path:
        """The certificate folder (made in the data folder on first use unless configured)."""
        if self._pki_dir is None:
            self._pki_dir = pki_folder(None)
        return self._pki_dir

    def deliver(
        self, batch: TagBatch, refused: dict[int, str] | None = None, first: np.ndarray | None = None
    ) -> None:
        """One publish response: values in, device times judged (`first`: each sample is its tag's first of
        the subscription, whose old time is no wrong clock); tags the server now refuses (bad status, not a
        number) reported with why, and tags it serves again no longer counted in error."""
        self.status.messages += len(batch)
        errors = self.status.tags_in_error
        if errors:
            for row in batch.index.tolist():
                if row in errors and not (refused and row in refused):
                    del errors[row]
        if refused:
            new = {row: why for row, why in refused.items() if errors.get(row) != why}
            errors.update(refused)
            if new:
                self._report_tag_errors(new)
        tag_of, index = self._tag_id_of_row, batch.index
        stamps = self._clocks.times(
            lambda k: tag_of[int(index[k])], batch.source_ts, batch.received_ts, first
        )
        if stamps is not batch.source_ts:
            batch = TagBatch(batch.index, batch.value, batch.quality, stamps, batch.received_ts)
        self.sink.on_tags(batch)

    def deliver_interlocks(self, changes: list[tuple[int, Any, int]], received: float) -> None:
        """Take (signal key, value, quality) changes; the sink gets the whole state of each interlock touched.

        A bad value is unknown; so is one that is not a Boolean, which is also a configuration error (the
        site file names a node of another type), counted and logged once.
        """
        self.status.messages += len(changes)
        touched: dict[int, None] = {}  # interlock indexes in order of first change
        for key, value, quality in changes:
            usable = quality != _BAD
            if usable and not isinstance(value, bool):
                il = self.interlocks[key // 2]
                address = il.feedback_tag if key % 2 == FEEDBACK else il.command_tag
                detail = f"{address} is not a Boolean: {value!r}"
                if self.status.count_error("not_boolean", detail):
                    log.error("%s: %s", self.status.name, detail)
                usable = False
            self._signals[key] = value if usable else None
            touched[key // 2] = None
        self.sink.on_interlocks([self._interlock_sample(i, received) for i in touched])

    def _interlock_sample(self, i: int, ts: float) -> InterlockSample:
        command, feedback = self._signals[2 * i + COMMAND], self._signals[2 * i + FEEDBACK]
        return InterlockSample(self.interlocks[i].id, command, feedback, ts)

    async def run(self) -> None:
        """Connect, subscribe, wait for loss; repeat with exponential back-off until stopped."""
        delay = 0.5
        while not self._stopping.is_set():
            lost = asyncio.Event()
            try:
                await self._connect_and_subscribe(lost)
            except Exception as exc:  # whatever stops a connect is reported in words and retried, never fatal
                await self._close()
                self._report_failure(exc, delay)
            else:
                delay = 0.5
                self.status.connected_once = True
                self._set_state(ConnectionState.CONNECTED, f"connected to {self.url}, {self._tag_count()}")
                await _first_of(lost.wait(), self._stopping.wait())
                if not self._stopping.is_set():  # said at once: closing a dead link may wait its timeout
                    self._on_lost("the server closed the connection or stopped answering")
                await self._close()
                if self._stopping.is_set():
                    break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=delay)
            delay = min(delay * 2, self.max_backoff_s)
        self._set_state(ConnectionState.DISCONNECTED, "stopped")

    async def stop(self) -> None:
        self._stopping.set()
        await self._close()

    async def _connect_and_subscribe(self, lost: asyncio.Event) -> None:
        # Liveness: asyncua probes the server every `watchdog_intervall` and waits as long for the answer, so
        # a server busy for up to `timeout_s` (writing 20,000 values stalls one 0.4-1.7 s) is not a dead one,
        # and one that stops answering is lost within 2 x `timeout_s`; a closed connection is lost at once.
        client = Client(
            self.url, timeout=self.timeout_s, watchdog_intervall=self.timeout_s, auto_reconnect=False
        )
        client.session_timeout = self._session_timeout_ms

        async def on_lost(exc: Exception) -> None:
            lost.set()

        client.connection_lost_callback = on_lost
        self._client = client
        await asyncio.wait_for(
            apply_security(client, self.security, self.pki_dir), timeout=self.timeout_s * 2
        )
        await asyncio.wait_for(client.connect(), timeout=self.timeout_s * 2)
        self._session_timeout_ms = client.session_timeout  # what the server granted: ask for it next time
        namespaces: list[str] = []
        if needs_namespaces([*self._addresses, *self._signal_addresses]):
            namespaces = await client.get_namespace_array()
        self._namespaces = namespaces
        self.status.tags_in_error = {}
        unresolved: dict[int, str] = {}
        nodes, node_rows = [], []
        for row, address in zip(self.rows, self._addresses, strict=True):
            node = resolve(address, namespaces)
            if isinstance(node, str):
                unresolved[row] = node
            else:
                nodes.append(client.get_node(node))
                node_rows.append(row)
        row_of_node = {node.nodeid: row for node, row in zip(nodes, node_rows, strict=True)}
        for chunk, chunk_rows in zip(
            _chunks(nodes, ITEMS_PER_SUBSCRIPTION), _chunks(node_rows, ITEMS_PER_SUBSCRIPTION), strict=True
        ):
            sub = BatchSubscription(client, self._subscription_params(client), self, row_of_node)
            await sub.init()
            deadbands = [self._deadband(row) for row in chunk_rows]
            results = await subscribe_with_deadbands(sub, chunk, deadbands)
            for row, result in zip(chunk_rows, results, strict=True):
                if isinstance(result, ua.StatusCode):
                    unresolved[row] = status_words(result)
        if unresolved:
            self.status.tags_in_error.update(unresolved)
            self._report_tag_errors(unresolved)
        if self.interlocks:  # a few nodes: one subscription of their own, the tags' batches stay numeric
            await self._subscribe_interlocks(client, namespaces)

    async def write_interlock(self, interlock_id: str, value: bool) -> WriteOutcome:
        """Write an interlock's command node on this source's connection (its security and login); the
        server's answer in words, or why nothing was sent. Never waits longer than the source's timeout."""
        i = next(i for i, il in enumerate(self.interlocks) if il.id == interlock_id)
        client = self._client
        if client is None or self.status.state is not ConnectionState.CONNECTED:
            why = self.status.last_error or "not connected"
            return WriteOutcome(False, "BadNotConnected", f"BadNotConnected (the OPC UA server: {why})")
        node = resolve(self._signal_addresses[2 * i + COMMAND], self._namespaces)
        if isinstance(node, str):
            return WriteOutcome(False, "BadNodeIdUnknown", node)
        return await write_command(client.get_node(node), value, self.timeout_s)

    async def _subscribe_interlocks(self, client: Client, namespaces: list[str]) -> None:
        """The interlocks' command and feedback nodes; one that cannot be read stays unknown (no mismatch
        alarm can be judged on it), which is a configuration error said once in the log."""
        key_of_node: dict[ua.NodeId, int] = {}
        nodes = []
        refused: dict[str, str] = {}  # interlock id -> why, like a refused tag's alarm
        for key, address in enumerate(self._signal_addresses):
            node = resolve(address, namespaces)
            if isinstance(node, str):
                self._count_signal_error(key, node, refused)
                continue
            nodes.append(client.get_node(node))
            key_of_node[node] = key
        if nodes:
            il_sub = InterlockSubscription(client, self._subscription_params(client), self, key_of_node)
            await il_sub.init()
            results = await il_sub.subscribe_data_change(nodes, sampling_interval=0.0)
            for node, result in zip(nodes, results, strict=True):
                if isinstance(result, ua.StatusCode):
                    self._count_signal_error(key_of_node[node.nodeid], status_words(result), refused)
        if refused:
            self.sink.on_interlock_errors(refused)

    def _count_signal_error(self, key: int, why: str, refused: dict[str, str]) -> None:
        detail = f"cannot read {self._signal_addresses[key]}: {why}"
        if self.status.count_error("bad_node", detail):
            log.error("%s: %s", self.status.name, detail)
        interlock_id = self.interlocks[key // 2].id
        refused[interlock_id] = "; ".join(filter(None, (refused.get(interlock_id), detail)))

    def _deadband(self, row: int) -> float:
        """The tag's history deadband for the server to filter by; 0 (none) where the site turns it off."""
        return self.site.sensors[row].deadband if self.server_deadband else 0.0

    def _report_tag_errors(self, errors: dict[int, str]) -> None:
        """Tags the server refuses: bad quality with their own communication alarm, the others flow on."""
        for row, why in errors.items():
            detail = f"cannot read {self._tag_id_of_row[row]} ({self.site.sensors[row].address}): {why}"
            self.status.count_error("bad_node", detail)
            log.error("%s: %s", self.status.name, detail)
        self.sink.on_tag_errors(errors)

    def _tag_count(self) -> str:
        bad = len(self.status.tags_in_error)
        return f"{len(self.rows)} tags" + (f", {bad} in error" if bad else "")

    def _subscription_params(self, client: Client) -> ua.CreateSubscriptionParameters:
        params = ua.CreateSubscriptionParameters()
        params.RequestedPublishingInterval = self.publishing_interval_ms
        params.RequestedLifetimeCount = 10000
        params.RequestedMaxKeepAliveCount = client.get_keepalive_count(self.publishing_interval_ms)
        params.MaxNotificationsPerPublish = 0  # no limit: a burst arrives whole
        params.PublishingEnabled = True
        params.Priority = 0
        return params

    async def _close(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        client.connection_lost_callback = None
        try:
            await asyncio.wait_for(client.disconnect(), timeout=2.0)
        except Exception as exc:  # the server is usually gone already: nothing to tell it
            log.debug("%s: disconnect after loss: %r", self.status.name, exc)

    def _report_failure(self, exc: BaseException, retry_s: float) -> None:
        """One log line per failed attempt, saying why; the status bar and event log hear of a change only."""
        reason = failure_words(exc)
        if self.status.state is ConnectionState.CONNECTED:  # lost while subscribing
            self._on_lost(reason)
            return
        changed = reason != self.status.last_error
        self.status.last_error = reason
        message = f"cannot connect to {self.url}: {reason}; retrying in {retry_s:g} s"
        if self.status.state is ConnectionState.CONNECTING:
            self._set_state(ConnectionState.RECONNECTING, message)
        else:
            log.warning("%s: %s", self.status.name, message)
            if changed:
                self.sink.on_status(self.status, message)

    def _on_lost(self, reason: str) -> None:
        self.status.reconnects += 1
        self.status.last_error = reason
        self.sink.on_stale(self.rows, f"connection lost: {reason}")
        if self.interlocks:
            self._signals = [None] * len(self._signals)
            now = self.clock.now()
            self.sink.on_interlocks([self._interlock_sample(i, now) for i in range(len(self.interlocks))])
        self._set_state(
            ConnectionState.RECONNECTING,
            f"connection lost: {reason}; {len(self.rows)} tags stale, reconnecting",
        )

    def _set_state(self, state: ConnectionState, message: str) -> None:
        self.status.state = state
        log.info("%s: %s", self.status.name, message)
        self.sink.on_status(self.status, message)


# A server that cannot filter an item says so with one of these; the item is then subscribed without one.
_FILTER_REFUSED = frozenset(
    getattr(ua.StatusCodes, name)
    for name in (
        "BadMonitoredItemFilterUnsupported",
        "BadFilterNotAllowed",
        "BadDeadbandFilterInvalid",
        "BadMonitoredItemFilterInvalid",
    )
)


def deadband_filter(deadband: float) -> ua.DataChangeFilter | None:
    """OPC UA Part 4 §7.22.2: report a value only when it moved more than `deadband` (absolute, in the tag's
    unit) from the last one reported, or its status changed; None for no deadband (every change)."""
    if deadband <= 0:
        return None
    return ua.DataChangeFilter(
        Trigger=ua.DataChangeTrigger.StatusValue,
        DeadbandType=ua.DeadbandType.Absolute,
        DeadbandValue=deadband,
    )


async def subscribe_with_deadbands(
    sub: Subscription, nodes: list[Any], deadbands: list[float]
) -> list[int | ua.StatusCode]:
    """Monitor `nodes` in one request, each with its deadband as a DataChangeFilter: the server then drops
    the changes that the history deadband would drop anyway. Items whose server refuses the filter are
    monitored again without one, so no tag goes unread for want of a filter."""
    requests = [
        sub._make_monitored_item_request(  # the request asyncua builds, with a filter per item
            node, ua.AttributeIds.Value, deadband_filter(d), 0, ua.MonitoringMode.Reporting, 0.0
        )
        for node, d in zip(nodes, deadbands, strict=True)
    ]
    results = await sub.create_monitored_items(requests)
    refused = [
        k for k, r in enumerate(results) if isinstance(r, ua.StatusCode) and r.value in _FILTER_REFUSED
    ]
    if refused:
        again = await sub.subscribe_data_change([nodes[k] for k in refused], sampling_interval=0.0)
        for k, result in zip(refused, again, strict=True):
            results[k] = result
    return results


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


async def _first_of(*awaitables: Any) -> None:
    tasks = [asyncio.ensure_future(a) for a in awaitables]
    _, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
