"""OPC UA client source: subscribes to every `opcua://` tag of the site and delivers TagBatches.

One supervisor task owns the connection: connect, subscribe, wait for loss, mark tags stale, back off,
reconnect and re-subscribe, for as long as the console runs. A whole publish response becomes one batch
(no per-item tasks or callbacks), which is what lets a plant's burst reach the core intact.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from asyncua import Client, ua
from asyncua.common.subscription import Subscription

from alarms.clock import Clock
from alarms.samples import TagBatch
from integrations.source import ConnectionState, Sink, SourceStatus
from plant_maps.site import Site

log = logging.getLogger(__name__)

# Spread large tag sets over several subscriptions: asyncua slows past a few thousand items in one.
ITEMS_PER_SUBSCRIPTION = 2000
_GOOD, _UNCERTAIN, _BAD = 0, 1, 2


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


class BatchSubscription(Subscription):
    """A subscription that turns each whole publish response into one TagBatch.

    Runs on the asyncio loop thread (asyncua's publish loop calls `publish_callback`).
    """

    def __init__(
        self,
        client: Client,
        params: ua.CreateSubscriptionParameters,
        source: OpcUaSource,
        row_of_node: dict[ua.NodeId, int],
    ) -> None:
        super().__init__(client.uaclient.session, params, handler=None, queue_maxsize=1)
        self._source = source
        self._row_of_node = row_of_node
        self._row_of_handle: dict[int, int] = {}

    def _row(self, handle: int) -> int | None:
        """The tag row of a monitored item's client handle.

        Resolved on first sight, not after `subscribe_data_change` returns: the server sends each item's
        initial value in a publish that can arrive before that call does, and a tag that never changes
        again would otherwise never get a value at all.
        """
        row = self._row_of_handle.get(handle)
        if row is None:
            item = self._monitored_items.get(handle)
            if item is None or item.node is None:
                return None
            row = self._row_of_handle[handle] = self._row_of_node[item.node.nodeid]
        return row

    async def publish_callback(self, publish_result: ua.PublishResult) -> None:
        data = publish_result.NotificationMessage.NotificationData
        if not data:
            return
        received = self._source.clock.now()
        rows: list[int] = []
        values: list[float] = []
        qualities: list[int] = []
        stamps: list[float] = []
        row_of = self._row
        for notification in data:
            if not isinstance(notification, ua.DataChangeNotification):
                continue
            for item in notification.MonitoredItems:
                row = row_of(item.ClientHandle)
                if row is None:
                    continue
                dv = item.Value
                rows.append(row)
                values.append(_number(dv.Value.Value if dv.Value is not None else None))
                qualities.append(quality_of(dv.StatusCode))
                stamps.append(epoch_of(dv.SourceTimestamp, received))
        if rows:
            self._source.deliver(TagBatch.from_lists(rows, values, qualities, stamps, received))


def _number(value: Any) -> float:
    """A tag value as float; NaN for anything that is not a number (its quality says bad)."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    return float("nan")


class OpcUaSource:
    """Owns one OPC UA connection for the site's `opcua://` tags.

    `run()` is a long-lived task on the console's asyncio loop; `stop()` ends it. Connection changes go to
    the sink as status messages; on loss every tag of this source is reported stale.
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
    ) -> None:
        self.site, self.url, self.sink, self.clock = site, url, sink, clock
        self.status = SourceStatus(name=name, url=url)
        self.publishing_interval_ms = publishing_interval_ms
        self.timeout_s = timeout_s
        self.max_backoff_s = max_backoff_s
        self.rows = [i for i, s in enumerate(site.sensors) if s.scheme == "opcua"]
        self._stopping = asyncio.Event()
        self._client: Client | None = None

    def deliver(self, batch: TagBatch) -> None:
        self.status.messages += len(batch)
        self.sink.on_tags(batch)

    async def run(self) -> None:
        """Connect, subscribe, wait for loss; repeat with exponential back-off until stopped."""
        delay = 0.5
        while not self._stopping.is_set():
            lost = asyncio.Event()
            try:
                await self._connect_and_subscribe(lost)
            except (TimeoutError, OSError, ua.UaError) as exc:
                await self._close()
                self._report_failure(exc)
            else:
                delay = 0.5
                self._set_state(ConnectionState.CONNECTED, f"connected to {self.url}, {len(self.rows)} tags")
                await _first_of(lost.wait(), self._stopping.wait())
                await self._close()
                if self._stopping.is_set():
                    break
                self._on_lost("connection lost")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=delay)
            delay = min(delay * 2, self.max_backoff_s)
        self._set_state(ConnectionState.DISCONNECTED, "stopped")

    async def stop(self) -> None:
        self._stopping.set()
        await self._close()

    async def _connect_and_subscribe(self, lost: asyncio.Event) -> None:
        client = Client(self.url, timeout=self.timeout_s, watchdog_intervall=1.0, auto_reconnect=False)

        async def on_lost(exc: Exception) -> None:
            lost.set()

        client.connection_lost_callback = on_lost
        self._client = client
        await asyncio.wait_for(client.connect(), timeout=self.timeout_s * 2)
        nodes = [client.get_node(self.site.sensors[row].path) for row in self.rows]
        row_of_node = {node.nodeid: row for node, row in zip(nodes, self.rows, strict=True)}
        for chunk in _chunks(nodes, ITEMS_PER_SUBSCRIPTION):
            sub = BatchSubscription(client, self._subscription_params(client), self, row_of_node)
            await sub.init()
            results = await sub.subscribe_data_change(chunk, sampling_interval=0.0)
            self._report_bad_items(chunk, results)

    def _subscription_params(self, client: Client) -> ua.CreateSubscriptionParameters:
        params = ua.CreateSubscriptionParameters()
        params.RequestedPublishingInterval = self.publishing_interval_ms
        params.RequestedLifetimeCount = 10000
        params.RequestedMaxKeepAliveCount = client.get_keepalive_count(self.publishing_interval_ms)
        params.MaxNotificationsPerPublish = 0  # no limit: a burst arrives whole
        params.PublishingEnabled = True
        params.Priority = 0
        return params

    def _report_bad_items(self, nodes: Sequence[Any], results: list[int | ua.StatusCode]) -> None:
        """A tag the server does not have is a configuration error: say which one, keep the rest."""
        for node, result in zip(nodes, results, strict=True):
            if isinstance(result, ua.StatusCode):
                detail = f"cannot subscribe {node.nodeid.to_string()}: {result.name}"
                if self.status.count_error("bad_node", detail):
                    log.error("%s: %s", self.status.name, detail)
                self.sink.on_status(self.status, detail)

    async def _close(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        client.connection_lost_callback = None
        try:
            await asyncio.wait_for(client.disconnect(), timeout=2.0)
        except Exception as exc:  # the server is usually gone already: nothing to tell it
            log.debug("%s: disconnect after loss: %r", self.status.name, exc)

    def _report_failure(self, exc: BaseException) -> None:
        reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        if self.status.state is ConnectionState.CONNECTED:
            self._on_lost(reason)
        elif self.status.state is ConnectionState.CONNECTING:
            self.status.last_error = reason
            self._set_state(ConnectionState.RECONNECTING, f"cannot connect to {self.url}: {reason}")
        else:
            self.status.last_error = reason

    def _on_lost(self, reason: str) -> None:
        self.status.reconnects += 1
        self.status.last_error = reason
        self.sink.on_stale(self.rows)
        self._set_state(ConnectionState.RECONNECTING, f"{reason}; {len(self.rows)} tags stale, reconnecting")

    def _set_state(self, state: ConnectionState, message: str) -> None:
        self.status.state = state
        log.info("%s: %s", self.status.name, message)
        self.sink.on_status(self.status, message)


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


async def _first_of(*awaitables: Any) -> None:
    tasks = [asyncio.ensure_future(a) for a in awaitables]
    _, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
