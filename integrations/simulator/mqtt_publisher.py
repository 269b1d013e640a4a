"""The demo plant's wearables, positioning tags and portable gas monitors, published over MQTT (paho-mqtt 2).

Topics and payloads follow `integrations.mqtt_contract` (`{prefix}/{site}/workers/{id}/position|vitals|
event`, `{prefix}/{site}/sensors/{id}`), with its QoS: streams (positions, vitals, sensor values) at
QoS 0 since the next sample supersedes a lost one, wearable events at QoS 1 since an SOS must not be lost.
Timestamps are ISO-8601 UTC with milliseconds and `Z`.

paho's network thread connects in the background and reconnects by itself (back-off RECONNECT_MIN_S to
RECONNECT_MAX_S) when the broker drops; stream messages published while it is away are dropped, events
are queued by paho and sent once it is back.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, datetime
from typing import Any

import numpy as np
import paho.mqtt.client as mqtt

from integrations.mqtt_contract import QOS_EVENTS, QOS_STREAM
from integrations.mqtt_source import broker_address
from plant_maps.site import Site
from plant_maps.wearables import WearableEvent

log = logging.getLogger(__name__)

KEEPALIVE_S = 10
RECONNECT_MIN_S = 0.5
RECONNECT_MAX_S = 5
POSITION_ACCURACY_M = 0.5  # UWB indoors


class MqttPublisher:
    """Publishes one site's wearable and wireless-detector data. Methods may be called from any thread."""

    def __init__(self, site: Site, url: str, prefix: str = "site") -> None:
        self.host, self.port = broker_address(url)
        self.url = url
        root = f"{prefix}/{site.id}"
        self.root = root
        self._position_topics = [f"{root}/workers/{w.id}/position" for w in site.workers]
        self._vitals_topics = [f"{root}/workers/{w.id}/vitals" for w in site.workers]
        mqtt_sensors = [(i, s.path) for i, s in enumerate(site.sensors) if s.scheme == "mqtt"]
        self._sensor_rows = [i for i, _ in mqtt_sensors]
        self._sensor_topics = [f"{root}/sensors/{path}" for _, path in mqtt_sensors]
        # A fresh id per publisher: two simulators on one broker must not take over each other's session.
        client_id = f"controlroom-simulator-{site.id}-{uuid.uuid4().hex[:8]}"
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=True)
        client.reconnect_delay_set(min_delay=RECONNECT_MIN_S, max_delay=RECONNECT_MAX_S)  # type: ignore[arg-type]
        client.enable_logger(logging.getLogger(f"{__name__}.paho"))
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        self._client = client
        self.connected = False
        self.sent = 0  # messages paho accepted for sending (benchmarks compare it with what arrived)
        self._stopping = False

    def start(self) -> None:
        """Connect in the background; paho keeps reconnecting until `stop()`."""
        self._stopping = False
        self._client.connect_async(self.host, self.port, keepalive=KEEPALIVE_S)
        self._client.loop_start()

    def stop(self) -> None:
        """Disconnect and join paho's network thread."""
        self._stopping = True
        self._client.disconnect()
        self._client.loop_stop()
        self.connected = False

    def positions(self, x: np.ndarray, y: np.ndarray, ts: float) -> None:
        """One position per worker (by worker row), metres in site coordinates, floor 0."""
        stamp = iso(ts)
        for topic, wx, wy in zip(self._position_topics, x.tolist(), y.tolist(), strict=True):
            self._send(
                topic,
                {
                    "x": round(wx, 2),
                    "y": round(wy, 2),
                    "floor": 0,
                    "accuracy_m": POSITION_ACCURACY_M,
                    "ts": stamp,
                },
            )

    def vitals(
        self, heart_rate: np.ndarray, skin_temp_c: np.ndarray, battery_pct: np.ndarray, ts: float
    ) -> None:
        """One vitals message per worker (by worker row)."""
        stamp = iso(ts)
        rows = zip(
            self._vitals_topics, heart_rate.tolist(), skin_temp_c.tolist(), battery_pct.tolist(), strict=True
        )
        for topic, hr, skin, battery in rows:
            self._send(
                topic,
                {
                    "heart_rate": round(hr),
                    "skin_temp_c": round(skin, 1),
                    "battery_pct": round(battery, 1),
                    "ts": stamp,
                },
            )

    def sensors(self, values: np.ndarray, ts: float) -> None:
        """The values of the site's `mqtt://` sensors, picked from `values` (by tag row), quality good."""
        stamp = iso(ts)
        for topic, value in zip(self._sensor_topics, values[self._sensor_rows].tolist(), strict=True):
            self._send(topic, {"value": round(value, 3), "quality": "good", "ts": stamp})

    def event(self, event: WearableEvent) -> mqtt.MQTTMessageInfo:
        """A wearable event at QoS 1; the returned info says when the broker has it."""
        payload = {"id": event.id, "type": event.type, "ts": iso(event.ts)}
        log.info("wearable %s of %s sends %s (%s)", event.type, event.worker, event.id, self.root)
        return self._send(f"{self.root}/workers/{event.worker}/event", payload, QOS_EVENTS)

    def _send(self, topic: str, payload: dict[str, Any], qos: int = QOS_STREAM) -> mqtt.MQTTMessageInfo:
        info = self._client.publish(topic, json.dumps(payload, separators=(",", ":")), qos=qos)
        if info.rc == mqtt.MQTT_ERR_SUCCESS:
            self.sent += 1
        return info

    # -- paho network thread -------------------------------------------------------------------------------

    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        self.connected = not reason.is_failure
        if self.connected:
            log.info("simulator publishing to MQTT broker %s:%s under %s/", self.host, self.port, self.root)
        else:
            log.warning(
                "simulator: MQTT broker %s:%s refused the connection: %s", self.host, self.port, reason
            )

    def _on_disconnect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        if self.connected and not self._stopping:
            log.warning("simulator: lost MQTT broker %s:%s (%s); reconnecting", self.host, self.port, reason)
        self.connected = False


def iso(ts: float) -> str:
    """Epoch seconds → ISO-8601 UTC with milliseconds and Z, as the MQTT contract wants."""
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
