"""MQTT link security: TLS (`mqtts://`, a CA file, an optional client certificate) and a user name and
password, so that nobody on the plant network can inject an SOS or a value (IEC 62443)."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from pathlib import Path

import paho.mqtt.client as mqtt

from integrations.source import network_words

# An MQTT URL without a port means the scheme's standard port (IANA): 1883, and 8883 for MQTT over TLS.
MQTT_PORTS = {"mqtt": 1883, "mqtts": 8883}


@dataclass(frozen=True)
class MqttSecurity:
    """`password` is the secret itself, already read from wherever the config named it; never logged."""

    tls: bool = False
    ca_file: Path | None = None  # None: the system's trusted CAs
    client_certificate: Path | None = None
    client_key: Path | None = None
    username: str = ""
    password: str = field(default="", repr=False)

    def describe(self) -> str:
        """For the status bar and the log: TLS or not, and which kind of login (never the secret)."""
        link = "TLS" + (", client certificate" if self.client_certificate else "") if self.tls else "no TLS"
        return f"{link}, user {self.username}" if self.username else f"{link}, anonymous"

    def apply(self, client: mqtt.Client) -> None:
        """Configure a paho client before it connects."""
        if self.tls:
            client.tls_set(
                ca_certs=str(self.ca_file) if self.ca_file else None,
                certfile=str(self.client_certificate) if self.client_certificate else None,
                keyfile=str(self.client_key) if self.client_key else None,
                cert_reqs=ssl.CERT_REQUIRED,
                tls_version=ssl.PROTOCOL_TLS_CLIENT,
            )
        if self.username:
            client.username_pw_set(self.username, self.password or None)


_LOGIN_REFUSALS = ("Bad user name or password", "Not authorized")


def refusal_words(reason: object) -> str:
    """Why the broker refused a connect (its CONNACK reason code)."""
    text = str(reason)
    return f"bad login: the broker says {text}" if text in _LOGIN_REFUSALS else f"the broker refused: {text}"


def lost_words(reason: object) -> str:
    """Why an established connection ended (paho's disconnect reason code)."""
    text = str(reason)
    if text == "Keep alive timeout":
        return "the broker stopped answering (no keep-alive reply)"
    if text == "Unspecified error":  # paho's word for a connection the broker or the network closed
        return "the broker closed the connection or the network dropped it"
    return f"the broker disconnected: {text}"


def failure_words(exc: BaseException | None) -> str:
    """Why the broker could not be reached: refused, timeout, TLS or certificate, network."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"certificate untrusted: the broker's certificate failed verification ({exc.verify_message})"
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed: {exc.reason or exc}"
    return network_words(exc, "broker") or "cannot reach the broker"
