"""The console's publishing path to the PA gateways and wearables: its own paho client on the same broker,
with the same TLS and login as the MQTT source (`MqttSecurity`).

Its own client, because the source's is a persistent subscriber tuned for thousands of messages a second
and should not carry replies it does not parse; this one is small: QoS 1 out, the gateways' status and the
wearables' acknowledgements in. paho's network thread only hands each reply to the asyncio loop
(`call_soon_threadsafe`); parsing and every state change happen on the loop thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as mqtt

from integrations.mqtt_security import MqttSecurity, failure_words, lost_words, refusal_words
from integrations.mqtt_source import KEEPALIVE_S, RECONNECT_MAX_S, RECONNECT_MIN_S, broker_address

log = logging.getLogger(__name__)

Reply = Callable[[str, bytes], None]  # (topic, payload), on the loop thread


class PaLink:
    """Publishes announcements and messages (QoS 1: paho keeps them while the broker is away) and delivers
    replies to `on_reply` on `loop`. `start()` and `stop()` from the loop thread; `publish` from any."""

    def __init__(
        self,
        url: str,
        subscriptions: list[tuple[str, int]],
        on_reply: Reply,
        loop: asyncio.AbstractEventLoop,
        client_id: str,
        security: MqttSecurity | None = None,
    ) -> None:
        self.host, self.port = broker_address(url)
        self.security = security or MqttSecurity(tls=url.startswith("mqtts://"))
        self.connected = False  # written on the network thread, read anywhere: a hint for the log
        self._subscriptions, self._on_reply, self._loop = subscriptions, on_reply, loop
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=True)
        client.reconnect_delay_set(RECONNECT_MIN_S, RECONNECT_MAX_S)  # type: ignore[arg-type]
        self.security.apply(client)
        client.on_connect = self._on_connect
        client.on_connect_fail = self._on_connect_fail
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        self._client = client
        self._subscribed = asyncio.Event()  # set on the loop once the broker confirmed the subscriptions
        client.on_subscribe = lambda *_: self._post(self._subscribed.set)

    def start(self) -> None:
        self._client.connect_async(self.host, self.port, keepalive=KEEPALIVE_S)
        self._client.loop_start()

    async def ready(self, timeout: float) -> bool:
        """Wait until the replies are subscribed (tests, benchmarks); False on timeout."""
        try:
            await asyncio.wait_for(self._subscribed.wait(), timeout)
        except TimeoutError:
            return False
        return True

    def stop(self) -> None:
        """Disconnect and join the network thread (blocks briefly: run it in an executor from the loop)."""
        self._client.disconnect()
        self._client.loop_stop()

    def publish(self, topic: str, payload: bytes) -> None:
        self._client.publish(topic, payload, qos=1)

    # -- paho network thread -----------------------------------------------------------------------------

    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        if reason.is_failure:
            self._failed(refusal_words(reason))
            return
        self.connected = True
        client.subscribe(self._subscriptions)

    def _on_connect_fail(self, client: mqtt.Client, userdata: Any) -> None:
        # paho calls this inside its `except OSError`: the exception being handled says why
        self._failed(failure_words(sys.exc_info()[1]))

    def _failed(self, reason: str) -> None:
        """One log line per failed attempt, saying why, as the MQTT source says it."""
        log.warning(
            "PA link: cannot connect to MQTT broker %s:%s: %s; retrying", self.host, self.port, reason
        )

    def _on_disconnect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        """A loss is said once (the failed attempts after it each say why); the disconnect paho reports after a
        refused connect, or on stop, is not one."""
        if self.connected and reason.is_failure:
            log.warning("PA link: lost the MQTT broker: %s; reconnecting", lost_words(reason))
        self.connected = False

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        self._post(self._on_reply, message.topic, bytes(message.payload))

    def _post(self, callback: Callable[..., None], *args: Any) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closed: the console is exiting
            self._loop.call_soon_threadsafe(callback, *args)
