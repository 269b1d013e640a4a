"""Certificates for the secured-link tests, made with `cryptography` once per session: an OPC UA server
certificate for the simulator, and a CA with a Mosquitto server certificate (plus a CA nobody trusts)."""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from asyncua.crypto import cert_gen
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from integrations.opcua_security import write_private

SERVER_URI = "urn:freeopcua:python:server"  # the asyncua server's application URI


@dataclass(frozen=True)
class TlsFiles:
    ca: Path
    certificate: Path
    key: Path
    other_ca: Path  # a CA that signed nothing here: trusting only it must refuse the broker


def opcua_server_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed OPC UA application certificate for the simulator (DER) and its key (PEM)."""
    key = cert_gen.generate_private_key()
    cert = cert_gen.generate_self_signed_app_certificate(
        key,
        "controlroom simulator",
        {"organizationName": "controlroom tests"},
        [x509.UniformResourceIdentifier(SERVER_URI), x509.DNSName("localhost"), x509.IPAddress(_LOOPBACK)],
        extended=[ExtendedKeyUsageOID.SERVER_AUTH],
    )
    cert_path, key_path = folder / "opcua-server.der", folder / "opcua-server-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.DER))
    write_private(key_path, cert_gen.dump_private_key_as_pem(key))
    return cert_path, key_path


def tls_files(folder: Path, host: str = "127.0.0.1") -> TlsFiles:
    """A CA, a broker certificate for the loopback address `host` signed by it, and an unrelated CA (PEM)."""
    ca_key, ca = _ca("controlroom test CA")
    _, other = _ca("somebody else's CA")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(host))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host))]), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    files = TlsFiles(
        folder / "ca.pem", folder / "broker.pem", folder / "broker-key.pem", folder / "other-ca.pem"
    )
    files.ca.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files.other_ca.write_bytes(other.public_bytes(serialization.Encoding.PEM))
    files.certificate.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return files


_LOOPBACK = ipaddress.ip_address("127.0.0.1")


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _ca(common_name: str) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .sign(key, hashes.SHA256())
    )
    return key, cert
