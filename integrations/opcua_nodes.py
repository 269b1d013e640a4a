"""Site addresses to the client's NodeIds, resolved against the server on every (re)connect.

An address by namespace URI (`nsu=urn:plant;s=TAG`) means whatever index the server gives that URI today:
servers may reorder their namespace array when they restart, so it is looked up on each connect, and a URI
the server does not have is a failure of those tags only.
"""

from __future__ import annotations

from collections.abc import Sequence

from asyncua import ua

from plant_maps.opcua_address import OpcUaAddress

_NODE_TYPES = {
    "i": ua.NodeIdType.Numeric,
    "s": ua.NodeIdType.String,
    "g": ua.NodeIdType.Guid,
    "b": ua.NodeIdType.ByteString,
}


def needs_namespaces(addresses: Sequence[OpcUaAddress]) -> bool:
    return any(a.by_uri for a in addresses)


def resolve(address: OpcUaAddress, namespaces: Sequence[str]) -> ua.NodeId | str:
    """The NodeId of `address` on a server with `namespaces`, or why there is none (in words)."""
    index = address.namespace
    if isinstance(index, str):
        if index not in namespaces:
            shown = ", ".join(namespaces[:6]) + (", …" if len(namespaces) > 6 else "")
            return f"namespace {index} is not on the server (it has: {shown})"
        index = list(namespaces).index(index)
    return ua.NodeId(address.value, index, _NODE_TYPES[address.kind])
