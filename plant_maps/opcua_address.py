"""OPC UA node addresses (`opcua://ns=2;s=TAG`), parsed and checked when the site file is read.

The grammar is OPC UA Part 6 §5.3.1.10 as the client uses it: an optional namespace, by index (`ns=2`) or
by URI (`nsu=urn:plant`), then exactly one identifier: numeric `i=`, string `s=`, GUID `g=` or opaque
`b=` (base64). A malformed address used to pass the site check and then stop the whole OPC UA source from
connecting; parsing it here turns it into a configuration error naming the key before anything starts.

Pure Python (the domain imports no network library); `integrations.opcua_nodes` turns an `OpcUaAddress`
into the client's NodeId, resolving a namespace URI against the server's namespace array on each connect.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass

SCHEME = "opcua://"
_UINT16_MAX = 0xFFFF
_UINT32_MAX = 0xFFFF_FFFF
IDENTIFIER_KINDS = ("i", "s", "g", "b")


class AddressError(ValueError):
    """An address that is not an OPC UA node id; the text says what is wrong with it."""


@dataclass(frozen=True, slots=True)
class OpcUaAddress:
    """A node: namespace index (int) or namespace URI (str), identifier kind and the identifier as written.

    `identifier` is the text after `i=`, `s=`, `g=` or `b=`; `value` is it typed for the client.
    """

    namespace: int | str
    kind: str
    identifier: str

    @property
    def value(self) -> int | str | uuid.UUID | bytes:
        if self.kind == "i":
            return int(self.identifier)
        if self.kind == "g":
            return uuid.UUID(self.identifier)
        if self.kind == "b":
            return base64.b64decode(self.identifier, validate=True)
        return self.identifier

    @property
    def by_uri(self) -> bool:
        return isinstance(self.namespace, str)

    def __str__(self) -> str:
        ns = f"nsu={self.namespace};" if self.by_uri else f"ns={self.namespace};" if self.namespace else ""
        return f"{SCHEME}{ns}{self.kind}={self.identifier}"


def parse_opcua_address(address: str) -> OpcUaAddress:
    """Parse `opcua://[ns=N;|nsu=URI;]{i|s|g|b}=ID`; AddressError saying what is wrong otherwise."""
    if not address.startswith(SCHEME):
        raise AddressError(f"{address!r} does not start with {SCHEME}")
    text = address[len(SCHEME) :]
    namespace: int | str = 0
    head, sep, rest = text.partition(";")
    key, eq, value = head.partition("=")
    if sep and key in ("ns", "nsu"):
        if not eq or not value:
            raise AddressError(f"{address!r}: {key}= needs a value")
        namespace = _namespace_index(address, value) if key == "ns" else value
        text = rest
    elif key in ("ns", "nsu"):
        raise AddressError(f"{address!r}: {key}= must be followed by ';' and an identifier (e.g. ;s=TAG)")
    key, eq, value = text.partition("=")
    if not eq or key not in IDENTIFIER_KINDS:
        shown = f"{key}=" if eq else repr(text)
        raise AddressError(
            f"{address!r}: identifier {shown} is not one of i= (number), s= (string), g= (GUID), b= (base64)"
        )
    if not value:
        raise AddressError(f"{address!r}: {key}= needs an identifier")
    _check_identifier(address, key, value)
    return OpcUaAddress(namespace, key, value)


def _namespace_index(address: str, text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) > _UINT16_MAX:
        raise AddressError(f"{address!r}: ns={text} is not a namespace index (0..{_UINT16_MAX})")
    return int(text)


def _check_identifier(address: str, kind: str, value: str) -> None:
    if kind == "i" and (not (value.isascii() and value.isdigit()) or int(value) > _UINT32_MAX):
        raise AddressError(f"{address!r}: i={value} is not a numeric identifier (0..{_UINT32_MAX})")
    if kind == "g":
        try:
            uuid.UUID(value)
        except ValueError:
            raise AddressError(f"{address!r}: g={value} is not a GUID") from None
    if kind == "b":
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise AddressError(f"{address!r}: b={value} is not base64") from None
