"""OPC UA link security for the console's client: policy and mode, its application certificate, the trust
list of server certificates and the user token (IEC 62443: a plant may refuse anything unauthenticated).

Files live in one PKI folder (default: `opcua-pki` in the console's data folder):
- `own/cert.der`, `own/key.pem`: the console's application certificate, created on first use (the key
  readable by its owner only), unless `[opcua] certificate` and `private_key` name others;
- `trusted/`: server certificates the console trusts (DER or PEM);
- `rejected/`: the certificate of every server refused as untrusted, named by its SHA-1 thumbprint, so that
  `controlroom opcua trust THUMBPRINT` can move it to `trusted/` once someone has checked it.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from asyncua import Client, ua
from asyncua.crypto import cert_gen, security_policies
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import ExtendedKeyUsageOID

from integrations.opcua_errors import Refusal
from integrations.storage import data_folder

log = logging.getLogger(__name__)

POLICIES = ("None", "Basic256Sha256", "Aes128Sha256RsaOaep", "Aes256Sha256RsaPss")
MODES = ("Sign", "SignAndEncrypt")
CERTIFICATE_DAYS = 730


@dataclass(frozen=True)
class OpcUaSecurity:
    """How the console secures its OPC UA link. `password` is the secret itself, already read from wherever
    the config named it (see console.secrets); it never goes to a log or a status line."""

    policy: str = "None"
    mode: str = "SignAndEncrypt"
    pki_dir: Path | None = None
    certificate: Path | None = None
    private_key: Path | None = None
    username: str = ""
    password: str = field(default="", repr=False)
    user_certificate: Path | None = None
    user_private_key: Path | None = None

    @property
    def secured(self) -> bool:
        return self.policy != "None"

    def describe(self) -> str:
        """For the status bar and the log: the policy and mode, and which kind of login (never the secret)."""
        link = f"{self.policy} {self.mode}" if self.secured else "no security"
        if self.user_certificate is not None:
            return f"{link}, user certificate"
        return f"{link}, user {self.username}" if self.username else f"{link}, anonymous"


def pki_folder(configured: Path | None) -> Path:
    """The PKI folder: the configured one, else `opcua-pki` in the console's data folder."""
    return configured or data_folder() / "opcua-pki"


def thumbprint(cert: x509.Certificate) -> str:
    """SHA-1 thumbprint in hex, as OPC UA tools (UaExpert, the server's own trust list) show it."""
    return cert.fingerprint(hashes.SHA1()).hex().upper()


def application_uri(hostname: str | None = None) -> str:
    return f"urn:{hostname or socket.gethostname()}:controlroom:console"


def own_certificate(pki: Path) -> tuple[Path, Path]:
    """The console's certificate and key in `pki/own`, created when missing or expired."""
    own = pki / "own"
    cert_path, key_path = own / "cert.der", own / "key.pem"
    if cert_path.exists() and key_path.exists():
        cert = x509.load_der_x509_certificate(cert_path.read_bytes())
        if cert.not_valid_after_utc > datetime.now(UTC):
            return cert_path, key_path
        log.warning(
            "the console's OPC UA certificate %s expired; making a new one (servers must trust it)", cert_path
        )
    own.mkdir(parents=True, exist_ok=True)
    hostname = socket.gethostname()
    key = cert_gen.generate_private_key()
    cert = cert_gen.generate_self_signed_app_certificate(
        key,
        f"controlroom@{hostname}",
        {"organizationName": "controlroom"},
        [x509.UniformResourceIdentifier(application_uri(hostname)), x509.DNSName(hostname)],
        extended=[ExtendedKeyUsageOID.CLIENT_AUTH],
        days=CERTIFICATE_DAYS,
    )
    write_private(key_path, cert_gen.dump_private_key_as_pem(key))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.DER))
    log.info("created the console's OPC UA certificate %s (SHA-1 %s)", cert_path, thumbprint(cert))
    return cert_path, key_path


def write_private(path: Path, data: bytes) -> None:
    """Write a file only its owner can read (a private key)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def load_certificate(path: Path) -> x509.Certificate:
    data = path.read_bytes()
    if data.lstrip().startswith(b"-----BEGIN"):
        return x509.load_pem_x509_certificate(data)
    return x509.load_der_x509_certificate(data)


class TrustList:
    """Server certificates the console trusts: those in `trusted/`, compared whole (pinned)."""

    def __init__(self, pki: Path) -> None:
        self.trusted_dir = pki / "trusted"
        self.rejected_dir = pki / "rejected"

    def thumbprints(self) -> set[str]:
        if not self.trusted_dir.is_dir():
            return set()
        out = set()
        for path in sorted(self.trusted_dir.iterdir()):
            try:
                out.add(thumbprint(load_certificate(path)))
            except (ValueError, OSError) as exc:
                log.warning("ignoring %s in the OPC UA trust list: %s", path, exc)
        return out

    def check(self, cert: x509.Certificate) -> None:
        """Refuse a server whose certificate is not trusted, before any channel or session (and so before any
        password is sent); its certificate is kept in `rejected/` for `controlroom opcua trust`."""
        thumb = thumbprint(cert)
        if thumb in self.thumbprints():
            return
        self.rejected_dir.mkdir(parents=True, exist_ok=True)
        (self.rejected_dir / f"{thumb}.der").write_bytes(cert.public_bytes(serialization.Encoding.DER))
        subject = cert.subject.rfc4514_string()
        raise Refusal(
            f"certificate untrusted: the server's certificate {subject} (SHA-1 {thumb}) is not in the "
            f"trust list; after checking it with the plant, run: controlroom opcua trust {thumb}"
        )

    def rejected(self) -> list[str]:
        """Thumbprints of the server certificates refused so far."""
        return sorted(p.stem for p in self.rejected_dir.glob("*.der")) if self.rejected_dir.is_dir() else []

    def trust(self, thumb: str) -> Path:
        """Move a rejected certificate into the trust list; ValueError if none has that thumbprint."""
        thumb = thumb.replace(":", "").upper()
        source = self.rejected_dir / f"{thumb}.der"
        if not source.exists():
            known = (
                sorted(p.stem for p in self.rejected_dir.glob("*.der")) if self.rejected_dir.is_dir() else []
            )
            raise ValueError(
                f"no rejected server certificate with thumbprint {thumb} in {self.rejected_dir}"
                + (f" (rejected: {', '.join(known)})" if known else "")
            )
        self.trusted_dir.mkdir(parents=True, exist_ok=True)
        target = self.trusted_dir / source.name
        source.replace(target)
        return target


async def apply_security(client: Client, security: OpcUaSecurity, pki: Path) -> None:
    """Configure `client` before connect: policy, mode, certificates, trusted server, user token.

    The server's endpoints are read first (unsecured, as OPC UA allows): a server without the configured
    policy and mode, or that takes no login of the kind the console has there, or whose certificate is not
    trusted, is refused here, saying what it offers instead, before any password is sent.
    """
    endpoint = _endpoint(await client.connect_and_get_server_endpoints(), security)
    if security.secured:
        cert_path, key_path = (
            (security.certificate, security.private_key)
            if security.certificate is not None and security.private_key is not None
            else own_certificate(pki)
        )
        uri = _uri_of(load_certificate(cert_path))
        if uri:
            client.application_uri = uri
        server_der = _first_certificate(endpoint.ServerCertificate)
        TrustList(pki).check(x509.load_der_x509_certificate(server_der))
        await client.set_security(
            _policy(security),
            str(cert_path),
            str(key_path),
            server_certificate=server_der,
            mode=_mode(security),
        )
    if security.user_certificate is not None and security.user_private_key is not None:
        await client.load_client_certificate(str(security.user_certificate))
        await client.load_private_key(str(security.user_private_key))
    elif security.username:
        client.set_user(security.username)
        client.set_password(security.password)


_TOKEN_WORDS = {
    ua.UserTokenType.Anonymous: "anonymous",
    ua.UserTokenType.UserName: "user name",
    ua.UserTokenType.Certificate: "user certificate",
    ua.UserTokenType.IssuedToken: "issued token",
}


_POLICY_NAMES = {getattr(security_policies, f"SecurityPolicy{name}").URI: name for name in POLICIES}


def _policy(security: OpcUaSecurity) -> type[security_policies.SecurityPolicy]:
    return getattr(security_policies, f"SecurityPolicy{security.policy}")  # type: ignore[no-any-return]


def _mode(security: OpcUaSecurity) -> ua.MessageSecurityMode:
    return (
        getattr(ua.MessageSecurityMode, security.mode) if security.secured else ua.MessageSecurityMode.None_
    )


def _login(security: OpcUaSecurity) -> ua.UserTokenType:
    """The kind of login the console presents."""
    if security.user_certificate is not None:
        return ua.UserTokenType.Certificate
    return ua.UserTokenType.UserName if security.username else ua.UserTokenType.Anonymous


def _endpoint(endpoints: list[ua.EndpointDescription], security: OpcUaSecurity) -> ua.EndpointDescription:
    """The endpoint the console's policy and mode ask for, if it takes the console's kind of login; else a
    Refusal naming what the server offers (policies, modes and logins), so that the fix can be read off it."""
    policy, mode = _policy(security).URI, _mode(security)
    endpoint = next(
        (
            e
            for e in endpoints
            if e.EndpointUrl.startswith(ua.OPC_TCP_SCHEME)
            and e.SecurityMode == mode
            and e.SecurityPolicyUri == policy
        ),
        None,
    )
    offered = "; ".join(sorted({_endpoint_words(e) for e in endpoints})) or "nothing"
    if endpoint is None and not security.secured:
        raise Refusal(
            "security rejected: the console asks for no security and the server requires it: it offers "
            f"{offered} (set [opcua] security_policy and security_mode to one of these)"
        )
    if endpoint is None:
        raise Refusal(
            f"security rejected: the server offers no {security.policy} {security.mode} endpoint "
            f"(it offers: {offered})"
        )
    login = _login(security)
    if login not in _tokens(endpoint):
        hint = (
            " (set [opcua] username and a password, or user_certificate)"
            if login is ua.UserTokenType.Anonymous
            else ""
        )
        takes = _logins_words(endpoint)
        raise Refusal(
            f"login refused: the server's {_link_words(endpoint)} endpoint takes {takes} login, "
            f"not {_TOKEN_WORDS[login]}{hint}"
        )
    return endpoint


def _tokens(endpoint: ua.EndpointDescription) -> list[ua.UserTokenType]:
    return sorted({t.TokenType for t in endpoint.UserIdentityTokens or ()})


def _link_words(endpoint: ua.EndpointDescription) -> str:
    """The endpoint's policy as `[opcua] security_policy` names it, and its mode."""
    uri = endpoint.SecurityPolicyUri
    policy = _POLICY_NAMES.get(uri) or uri.rpartition("#")[2]
    return policy if policy == "None" else f"{policy} {endpoint.SecurityMode.name}"


def _logins_words(endpoint: ua.EndpointDescription) -> str:
    """`anonymous or user name`: the logins an endpoint takes."""
    return " or ".join(_TOKEN_WORDS.get(t, t.name) for t in _tokens(endpoint)) or "no"


def _endpoint_words(endpoint: ua.EndpointDescription) -> str:
    """`Basic256Sha256 SignAndEncrypt with user name login`: the link and the logins it takes."""
    return f"{_link_words(endpoint)} with {_logins_words(endpoint)} login"


def _first_certificate(chain: bytes) -> bytes:
    """An endpoint may carry a chain of DER certificates back to back; the first is the server's own."""
    length = int.from_bytes(chain[2:4], "big") + 4 if chain[1] == 0x82 else len(chain)
    return chain[:length]


def _uri_of(cert: x509.Certificate) -> str:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return ""
    uris = san.value.get_values_for_type(x509.UniformResourceIdentifier)
    return uris[0] if uris else ""
