"""OPC UA failures in words: a status code as its name and meaning, a failed connect as why it failed.

An operator reading "cannot connect" cannot act; "bad login (BadUserAccessDenied: …)" or "certificate
untrusted" says who to call. Also quiets asyncua's logs where the console reports the same fact itself in
one line (an orderly server shutdown used to print a traceback, every connect a session-timeout warning).
"""

from __future__ import annotations

import logging

from asyncua import ua

from integrations.source import network_words

# Status codes grouped by what the operator (or the site's OPC UA engineer) has to do about them.
_SECURITY_REJECTED = {
    "BadSecurityChecksFailed",
    "BadSecurityPolicyRejected",
    "BadSecurityModeRejected",
    "BadNoValidCertificates",
    "BadRequestTypeInvalid",
}
_CERTIFICATE = {
    "BadCertificateUntrusted",
    "BadCertificateInvalid",
    "BadCertificateTimeInvalid",
    "BadCertificateIssuerTimeInvalid",
    "BadCertificateHostNameInvalid",
    "BadCertificateUriInvalid",
    "BadCertificateUseNotAllowed",
    "BadCertificateIssuerUseNotAllowed",
    "BadCertificateRevocationUnknown",
    "BadCertificateIssuerRevocationUnknown",
    "BadCertificateRevoked",
    "BadCertificateIssuerRevoked",
}
_LOGIN = {
    "BadUserAccessDenied",
    "BadIdentityTokenInvalid",
    "BadIdentityTokenRejected",
    "BadUserSignatureInvalid",
}


def status_words(code: ua.StatusCode | int) -> str:
    """`BadNodeIdUnknown (the node id refers to a node that does not exist …)`."""
    status = code if isinstance(code, ua.StatusCode) else ua.StatusCode(code)
    doc = (status.doc or "").rstrip(".")
    return f"{status.name} ({doc[:1].lower()}{doc[1:]})" if doc else status.name


class Refusal(Exception):
    """The console itself refused the connection (e.g. an untrusted server certificate); the text says why."""


def failure_words(exc: BaseException) -> str:
    """Why a connect failed: refused, timeout, security rejected, certificate untrusted, bad login, …"""
    if isinstance(exc, Refusal):
        return str(exc)
    if isinstance(exc, ua.UaStatusCodeError):
        status = ua.StatusCode(exc.code)
        name = status.name
        if name in _LOGIN:
            return f"bad login: {status_words(status)}"
        if name in _CERTIFICATE:
            return f"certificate rejected by the server: {status_words(status)}"
        if name in _SECURITY_REJECTED:
            return f"security rejected: {status_words(status)}"
        return status_words(status)
    network = network_words(exc, "server")
    if network is not None:
        return network
    text = str(exc)
    if "No matching endpoints" in text:  # its endpoints changed since the console read them
        return "security rejected: the server no longer offers the endpoint the console asks for"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class _AsyncuaNoise(logging.Filter):
    """Drops asyncua log records that repeat what the OPC UA source reports itself, once and in words."""

    _EXPECTED_AFTER_LOSS = (
        "close_session was called but connection is closed",
        "close_secure_channel was called but connection is closed",
        "close_session but connection wasn't established",  # after every failed connect
        "Received data for unknown subscription",
    )
    # A fault answering one of these is why a connect failed: the source's own line says it in words.
    _CONNECT_REQUESTS = (
        "in response to GetEndpointsRequest",
        "in response to OpenSecureChannelRequest",
        "in response to CreateSessionRequest",
        "in response to ActivateSessionRequest",
    )

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message.startswith("Publish iteration crashed") and record.exc_info:
            return not isinstance(record.exc_info[1], ConnectionError | TimeoutError)
        if message.startswith("Requested session timeout"):
            return False  # the source requests what the server granted last time; see OpcUaSource
        if message.startswith("ServiceFault") and message.endswith(self._CONNECT_REQUESTS):
            return False
        return not message.startswith(self._EXPECTED_AFTER_LOSS)


_FILTER = _AsyncuaNoise()


def quiet_asyncua_logs() -> None:
    """Install the filter on asyncua's client loggers (idempotent)."""
    for name in (
        "asyncua.client.ua_session.UaSession",
        "asyncua.client.ua_client.UaClient",
        "asyncua.client.ua_client.UASocketProtocol",
        "asyncua.client.client",
    ):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
