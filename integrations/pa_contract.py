"""The broadcast part of the MQTT contract: PA announcements and their status, wearable messages and their
acknowledgements. Pure parsing and formatting (no paho, no I/O). Topics (`{prefix}/{site}/...`):

- `pa/{pa_zone}/announce`          console -> gateway `{"id","text","lang","priority","repeat","ts"}` QoS 1
- `pa/{pa_zone}/status`            gateway -> console `{"id","state":"playing"|"done"|"failed","reason"}` QoS 1
- `workers/{worker_id}/message`    console -> wearable `{"id","text","lang","priority","ts"}` QoS 1
- `workers/{worker_id}/message/ack` wearable -> console `{"id","ts"}` QoS 1

`reason` is required with `failed` and optional otherwise. Anything else is a ContractError naming the topic
and the field, which the console writes to its event log and drops.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from integrations.mqtt_contract import QOS_EVENTS, ContractError
from plant_maps.site import Site

PA_STATES = ("playing", "done", "failed")
MAX_REASON_CHARS = 200  # a gateway's reason is shown as it came, cut to this


@dataclass(frozen=True, slots=True)
class PaStatus:
    pa_zone: str
    id: str  # the broadcast's id
    state: str  # one of PA_STATES
    reason: str


@dataclass(frozen=True, slots=True)
class MessageAck:
    worker: str
    id: str


class PaContract:
    """Topics and payloads of one site's broadcasts; `decode` knows the site's PA zones and workers."""

    def __init__(self, site: Site, prefix: str = "site") -> None:
        self.root = f"{prefix}/{site.id}/"
        self._pa_zones, self._workers = {p.id for p in site.pa_zones}, set(site.worker_index)

    def announce_topic(self, pa_zone: str) -> str:
        return f"{self.root}pa/{pa_zone}/announce"

    def status_topic(self, pa_zone: str) -> str:
        return f"{self.root}pa/{pa_zone}/status"

    def message_topic(self, worker: str) -> str:
        return f"{self.root}workers/{worker}/message"

    def ack_topic(self, worker: str) -> str:
        return f"{self.root}workers/{worker}/message/ack"

    def subscriptions(self) -> list[tuple[str, int]]:
        """What the console listens to: every gateway's status and every wearable's acknowledgement."""
        return [(f"{self.root}pa/+/status", QOS_EVENTS), (f"{self.root}workers/+/message/ack", QOS_EVENTS)]

    def decode(self, topic: str, payload: bytes) -> PaStatus | MessageAck:
        """A gateway's status or a wearable's acknowledgement; ContractError for anything else."""
        parts = topic[len(self.root) :].split("/") if topic.startswith(self.root) else []
        match parts:
            case ["pa", pa_zone, "status"]:
                if pa_zone not in self._pa_zones:
                    raise ContractError("unknown_zone", topic, "", f"no PA zone {pa_zone!r} on this site")
                data = _object(topic, payload)
                broadcast_id, state = _text(topic, data, "id"), _text(topic, data, "state")
                if state not in PA_STATES:
                    raise ContractError("bad_choice", topic, "state", f"{state!r} is not one of {PA_STATES}")
                reason = (
                    _text(topic, data, "reason") if state == "failed" else _optional(topic, data, "reason")
                )
                return PaStatus(pa_zone, broadcast_id, state, reason[:MAX_REASON_CHARS])
            case ["workers", worker, "message", "ack"]:
                if worker not in self._workers:
                    raise ContractError("unknown_worker", topic, "", f"worker {worker!r} is not on this site")
                return MessageAck(worker, _text(topic, _object(topic, payload), "id"))
        raise ContractError("unknown_topic", topic, "", "not a PA status or a wearable acknowledgement")


def announcement(broadcast_id: str, text: str, lang: str, priority: str, repeat: int, ts: float) -> bytes:
    """What a PA gateway is told to play."""
    return _json(
        {
            "id": broadcast_id,
            "text": text,
            "lang": lang,
            "priority": priority,
            "repeat": repeat,
            "ts": iso(ts),
        }
    )


def wearable_message(broadcast_id: str, text: str, lang: str, priority: str, ts: float) -> bytes:
    """What a wearable is told to show (and to acknowledge)."""
    return _json({"id": broadcast_id, "text": text, "lang": lang, "priority": priority, "ts": iso(ts)})


def iso(ts: float) -> str:
    """Epoch seconds -> ISO-8601 UTC with milliseconds and Z, as the contract wants."""
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _json(data: dict[str, object]) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def _object(topic: str, payload: bytes) -> dict[str, object]:
    try:
        data = json.loads(payload.decode())
    except (ValueError, RecursionError) as exc:
        raise ContractError("bad_json", topic, "", f"not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ContractError(
            "bad_type", topic, "", f"payload must be a JSON object, got {type(data).__name__}"
        )
    return data


def _text(topic: str, data: dict[str, object], field: str) -> str:
    if field not in data:
        raise ContractError("missing_field", topic, field, "required")
    value = data[field]
    if not isinstance(value, str) or not value:
        raise ContractError("bad_type", topic, field, f"must be a non-empty string, got {value!r:.40}")
    return value


def _optional(topic: str, data: dict[str, object], field: str) -> str:
    value = data.get(field, "")
    if not isinstance(value, str):
        raise ContractError("bad_type", topic, field, f"must be a string, got {value!r:.40}")
    return value
