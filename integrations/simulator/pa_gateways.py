"""The demo plant's PA gateways (one per PA zone) and the wearables' message acknowledgements, over MQTT.

A gateway answers an announcement (`integrations.pa_contract`) with "playing" at once and "done" after the
time it takes to say the text `repeat` times (SECONDS_PER_CHAR a character, divided by the simulator's time
scale); a newer announcement in the same zone cuts the one playing off, as a real PA matrix does. Faults,
for tests and demonstrations: a silent zone never answers, a failing zone answers "failed" with a reason.
A wearable acknowledges each message shortly after it arrives.

paho's network thread only hands each message to the simulator's asyncio loop; timing happens there.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import uuid
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as mqtt

from integrations.mqtt_contract import QOS_EVENTS
from integrations.mqtt_source import broker_address
from integrations.pa_contract import iso
from plant_maps.site import Site

log = logging.getLogger(__name__)

SECONDS_PER_CHAR = 0.08  # speech at about 12 characters a second
ACK_DELAY_S = 0.2  # a wearer's glance at the band
FAULTS = ("silent", "failed")
FAILURE_REASON = "amplifier fault (simulated)"


class PaGateways:
    """Every PA zone's gateway and every worker's band, on one MQTT client. Loop thread, except paho's."""

    def __init__(
        self,
        site: Site,
        url: str,
        prefix: str,
        loop: asyncio.AbstractEventLoop,
        now: Callable[[], float],
        time_scale: float = 1.0,
    ) -> None:
        self.host, self.port = broker_address(url)
        self.root = f"{prefix}/{site.id}/"
        self.faults: dict[str, str] = {}  # PA zone -> "silent" or "failed"
        self.announcements: list[tuple[str, str]] = []  # (PA zone, broadcast id) as heard, for tests
        self._zones = {p.id for p in site.pa_zones}
        self._loop, self._now, self._scale = loop, now, time_scale
        self.subscribed = threading.Event()  # the gateways listen (tests wait for it)
        self._playing: dict[str, asyncio.TimerHandle] = {}  # PA zone -> its "done" to come
        client_id = f"controlroom-simulator-pa-{site.id}-{uuid.uuid4().hex[:8]}"
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=True)
        client.on_connect = self._on_connect
        client.on_message = lambda _c, _u, m: self._post(m.topic, bytes(m.payload))
        client.on_subscribe = lambda *_: self.subscribed.set()
        self._client = client

    def start(self) -> None:
        self._client.connect_async(self.host, self.port, keepalive=10)
        self._client.loop_start()

    def stop(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()

    def set_fault(self, pa_zone: str, fault: str | None) -> None:
        """Make a zone's gateway silent or failing (None: healthy again); ValueError for a wrong name."""
        check_fault(self._zones, pa_zone, fault)
        if fault is None:
            self.faults.pop(pa_zone, None)
        else:
            self.faults[pa_zone] = fault

    # -- loop thread ---------------------------------------------------------------------------------

    def _heard(self, topic: str, payload: bytes) -> None:
        parts = topic[len(self.root) :].split("/")
        try:
            data = json.loads(payload)
            message_id, text, repeat = data["id"], data["text"], int(data.get("repeat", 1))
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("simulated PA: unusable message on %s: %r", topic, exc)
            return
        match parts:
            case ["pa", zone, "announce"] if zone in self._zones:
                self._announce(zone, message_id, text, repeat)
            case ["workers", worker, "message"]:
                ack = {"id": message_id, "ts": iso(self._now())}
                self._loop.call_later(
                    ACK_DELAY_S, self._send, f"{self.root}workers/{worker}/message/ack", ack
                )

    def _announce(self, zone: str, message_id: str, text: str, repeat: int) -> None:
        self.announcements.append((zone, message_id))
        previous = self._playing.pop(zone, None)
        if previous is not None:  # cut off by the newer call
            previous.cancel()
        fault = self.faults.get(zone)
        if fault == "silent":
            return
        status = f"{self.root}pa/{zone}/status"
        if fault == "failed":
            self._send(status, {"id": message_id, "state": "failed", "reason": FAILURE_REASON})
            return
        self._send(status, {"id": message_id, "state": "playing"})
        seconds = len(text) * SECONDS_PER_CHAR * max(repeat, 1) / self._scale
        self._playing[zone] = self._loop.call_later(seconds, self._done, zone, status, message_id)

    def _done(self, zone: str, topic: str, message_id: str) -> None:
        self._playing.pop(zone, None)
        self._send(topic, {"id": message_id, "state": "done"})

    def _send(self, topic: str, payload: dict[str, Any]) -> None:
        self._client.publish(topic, json.dumps(payload, ensure_ascii=False), qos=QOS_EVENTS)

    # -- paho network thread -------------------------------------------------------------------------

    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        if reason.is_failure:
            log.warning("simulated PA: the broker refused the connection: %s", reason)
            return
        client.subscribe(
            [(f"{self.root}pa/+/announce", QOS_EVENTS), (f"{self.root}workers/+/message", QOS_EVENTS)]
        )

    def _post(self, topic: str, payload: bytes) -> None:
        with contextlib.suppress(RuntimeError):  # the simulator's loop has ended
            self._loop.call_soon_threadsafe(self._heard, topic, payload)


def check_fault(pa_zones: set[str], pa_zone: str, fault: str | None) -> None:
    """ValueError naming what is wrong with a PA fault setting (the simulator's CLI and API)."""
    if pa_zone not in pa_zones:
        raise ValueError(f"no PA zone {pa_zone!r} (PA zones: {', '.join(sorted(pa_zones))})")
    if fault is not None and fault not in FAULTS:
        raise ValueError(f"PA fault {fault!r} is not one of {', '.join(FAULTS)}")
