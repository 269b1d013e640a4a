"""The demo plant's OPC UA server (asyncua): one Double per `opcua://` sensor, and interlocks that act like a PLC.

Address space: Objects / <site name> / <zone name> / <sensor id>, with the NodeId taken from the sensor's
address (`opcua://ns=2;s=GD-TF-01` → `ns=2;s=GD-TF-01`). The site's namespace URI is registered first, so
it gets index 2 and the addresses in the site file resolve as written; anything else is refused at start.

Interlocks (Objects / <site> / <zone> / <interlock id>): a Boolean command tag that clients write and a
read-only Boolean feedback tag. Like a PLC scanning every PLC_SCAN_S, the feedback follows the command
after `interlock_delay_s`; an interlock set to `fault` never follows, which is what the console's
"feedback did not confirm in time" alarm is for.

asyncua quirks met here (2.1): `Server.init()` builds the standard address space and takes ~1.5 s, so a
server is built once per `start()` (a stopped asyncua Server cannot be started again: its clock task and
internal session stay closed); `Server.stop()` waits up to 1 s for the server's clock task, which sleeps
1 s between updates; the listening socket is closed and awaited in `stop()`, so the port is free again
when it returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
from asyncua import Server, ua
from asyncua.crypto.permission_rules import User, UserRole

from integrations.opcua_nodes import resolve
from integrations.simulator.spec_deadband import follow_the_spec
from plant_maps.opcua_address import parse_opcua_address
from plant_maps.site import Site

log = logging.getLogger(__name__)

SITE_NAMESPACE_INDEX = 2  # what `ns=2;...` in the site file means: the first namespace a server registers
PLC_SCAN_S = 0.05
# Values written between two yields to the loop: ~10 ms of work. Writing 20,000 in one go held the loop
# 0.4-1.7 s, long enough for a client's watchdog read to time out and reconnect.
WRITE_CHUNK = 500
_GOOD = ua.StatusCode(ua.StatusCodes.Good)


class _Sample(ua.DataValue):
    """A DataValue that deep-copies as itself.

    asyncua deep-copies every written value once per monitored item (`MonitoredItemValues.
    set_current_datavalue`, ~70 µs, several times the rest of a write) in case the writer mutates it later.
    The simulator never does: each sample is built, written once and dropped.
    """

    __slots__ = ()

    def __deepcopy__(self, memo: dict[int, object]) -> _Sample:
        return self


@dataclass(frozen=True)
class ServerSecurity:
    """How the simulator serves, so that the console's secured links are tested against a real server:
    endpoints by `ua.SecurityPolicyType` name (e.g. `Basic256Sha256_SignAndEncrypt`), the server's
    certificate and key, and the users allowed in (none: anonymous). Any client certificate is accepted:
    the simulator is a test bench, not a plant."""

    policies: tuple[str, ...]
    certificate: Path
    private_key: Path
    users: Mapping[str, str] = field(default_factory=dict, repr=False)


class _Users:
    """asyncua user manager: a user name and password from `ServerSecurity.users`, nothing else."""

    def __init__(self, users: Mapping[str, str]) -> None:
        self._users = dict(users)

    def get_user(
        self, iserver: Any, username: str | None = None, password: str | None = None, certificate: Any = None
    ) -> User | None:
        expected = self._users.get(username or "")
        if expected is None or password is None or not hmac.compare_digest(expected, password):
            return None
        return User(role=UserRole.User, name=username)


@dataclass
class _Interlock:
    """One interlock's PLC state; touched only on the server's asyncio loop."""

    id: str
    zone: str
    command: ua.NodeId
    feedback: ua.NodeId
    fault: bool = False
    commanded: bool = False  # the command as last scanned
    commanded_at: float = 0.0  # loop time of the last command change
    confirmed: bool = False  # what the feedback tag says


class PlantServer:
    """An OPC UA server for one site. `start`, `write`, `stop` and `set_interlock_fault` run on its loop."""

    def __init__(
        self, site: Site, url: str, interlock_delay_s: float = 1.0, security: ServerSecurity | None = None
    ) -> None:
        parts = urlsplit(url)
        try:
            port = parts.port
        except ValueError:
            port = None
        if parts.scheme != "opc.tcp" or not parts.hostname or not port:
            raise ValueError(f"OPC UA endpoint {url!r} must look like opc.tcp://host:port[/path]")
        self.site = site
        self.url = url
        self.interlock_delay_s = interlock_delay_s
        self.security = security
        opcua = [(i, s) for i, s in enumerate(site.sensors) if s.scheme == "opcua"]
        self.rows = np.array([i for i, _ in opcua], dtype=np.intp)  # tag rows served here
        ns = site.opcua_namespace
        self._nodes = [node_id(s.address, ns) for _, s in opcua]
        self._zones = [s.zone for _, s in opcua]
        self._interlocks = {
            il.id: _Interlock(il.id, il.zone, node_id(il.command_tag, ns), node_id(il.feedback_tag, ns))
            for il in site.interlocks
        }
        self._last = np.full(len(opcua), np.nan)
        self._server: Server | None = None
        self._scan: asyncio.Task[None] | None = None

    async def start(self, values: np.ndarray, ts: datetime) -> None:
        """Build the address space with `values` (by tag row) as first values and listen on `url`."""
        security = self.security
        follow_the_spec()
        server = Server(user_manager=_Users(security.users) if security and security.users else None)
        await server.init()
        server.set_endpoint(self.url)
        server.set_server_name(f"{self.site.name} (controlroom simulator)")
        if security is None:
            server.set_security_policy([ua.SecurityPolicyType.NoSecurity])
        else:
            server.set_security_policy([getattr(ua.SecurityPolicyType, p) for p in security.policies])
            await server.load_certificate(str(security.certificate))
            await server.load_private_key(str(security.private_key))
        server.set_identity_tokens(
            [ua.UserNameIdentityToken] if security and security.users else [ua.AnonymousIdentityToken]
        )
        index = await server.register_namespace(self.site.opcua_namespace)
        if index != SITE_NAMESPACE_INDEX:
            raise RuntimeError(
                f"namespace {self.site.opcua_namespace} got index {index}, not {SITE_NAMESPACE_INDEX}: "
                "the site's ns=2 addresses would not resolve"
            )
        await self._build(server, index)
        await self._write(server, values, ts, everything=True)
        await server.start()  # asyncua stops its internal server again if binding the port fails
        self._server = server
        for il in self._interlocks.values():
            il.commanded = il.confirmed = False
        self._scan = asyncio.create_task(self._plc_scan(server), name="simulator-plc-scan")

    async def stop(self) -> None:
        """Stop scanning, drop every client and release the port. Safe to call twice."""
        scan, self._scan = self._scan, None
        if scan is not None:
            scan.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await scan
        server, self._server = self._server, None
        if server is not None:
            await server.stop()

    @property
    def serving(self) -> bool:
        return self._server is not None

    @property
    def values(self) -> np.ndarray:
        """A copy of the values last written, by served row (`rows` says which tag row each is)."""
        return self._last.copy()

    async def write(self, values: np.ndarray, ts: datetime, everything: bool = False) -> int:
        """Write the served tags' values (indexed by tag row) stamped `ts`, quality Good; returns how many.

        Only tags whose value changed are written unless `everything` (benchmarks: every tag every tick);
        the server notifies subscribers of changed values only either way. Not serving: writes nothing.
        """
        if self._server is None:
            return 0
        return await self._write(self._server, values, ts, everything)

    async def _write(self, server: Server, values: np.ndarray, ts: datetime, everything: bool) -> int:
        mine = values[self.rows]
        changed = np.arange(mine.size) if everything else np.flatnonzero(mine != self._last)
        self._last[changed] = mine[changed]
        write = server.write_attribute_value  # skips Node.write_value's checks: the types are ours
        nodes = self._nodes
        rows = changed.tolist()
        for start in range(0, len(rows), WRITE_CHUNK):
            if start:
                await asyncio.sleep(0)  # let the server answer its clients between chunks
            for k in rows[start : start + WRITE_CHUNK]:
                value = ua.Variant(float(mine[k]), ua.VariantType.Double)
                await write(nodes[k], _Sample(value, _GOOD, SourceTimestamp=ts, ServerTimestamp=ts))
        return len(rows)

    def set_interlock_fault(self, interlock_id: str, fault: bool) -> None:
        """A faulty interlock never confirms: its feedback stays where it is whatever the command."""
        if interlock_id not in self._interlocks:
            raise ValueError(
                f"unknown interlock {interlock_id!r}; the site has: {', '.join(self._interlocks) or 'none'}"
            )
        self._interlocks[interlock_id].fault = fault

    async def set_command_writable(self, interlock_id: str, writable: bool) -> None:
        """A PLC that locks its command tag (maintenance mode): clients' writes are refused (asyncua's
        server answers BadUserAccessDenied)."""
        if self._server is None or interlock_id not in self._interlocks:
            raise ValueError(f"no served interlock {interlock_id!r}")
        await self._server.get_node(self._interlocks[interlock_id].command).set_writable(writable)

    async def _build(self, server: Server, ns: int) -> None:
        """Objects / site / zone folders, one Double per sensor, an object with CMD and FB per interlock."""
        site_id = self.site.id
        site_folder = await server.nodes.objects.add_folder(
            ua.NodeId(site_id, ns), ua.QualifiedName(self.site.name, ns)
        )
        folders = {}
        for zone in self.site.zones:
            folders[zone.id] = await site_folder.add_folder(
                ua.NodeId(f"{site_id}/{zone.id}", ns), ua.QualifiedName(zone.name, ns)
            )
        for node, zone in zip(self._nodes, self._zones, strict=True):
            await folders[zone].add_variable(
                node, ua.QualifiedName(_name(node), ns), 0.0, ua.VariantType.Double
            )
        for il in self._interlocks.values():
            obj = await folders[il.zone].add_object(ua.NodeId(il.id, ns), ua.QualifiedName(il.id, ns))
            command = await obj.add_variable(il.command, ua.QualifiedName(_name(il.command), ns), False)
            await command.set_writable()  # the feedback tag stays read-only: only the PLC moves it
            await obj.add_variable(il.feedback, ua.QualifiedName(_name(il.feedback), ns), False)

    async def _plc_scan(self, server: Server) -> None:
        """Every PLC_SCAN_S: note command changes, confirm those older than the delay unless faulty."""
        loop = asyncio.get_running_loop()
        while True:
            now = loop.time()
            for il in self._interlocks.values():
                commanded = bool(server.read_attribute_value(il.command).Value.Value)
                if commanded != il.commanded:
                    il.commanded, il.commanded_at = commanded, now
                if il.fault or il.confirmed == il.commanded or now - il.commanded_at < self.interlock_delay_s:
                    continue
                il.confirmed = il.commanded
                stamp = datetime.now(UTC)
                value = ua.Variant(il.confirmed, ua.VariantType.Boolean)
                await server.write_attribute_value(
                    il.feedback, _Sample(value, _GOOD, SourceTimestamp=stamp, ServerTimestamp=stamp)
                )
                log.info("interlock %s: feedback now %s", il.id, il.confirmed)
            await asyncio.sleep(PLC_SCAN_S)


def node_id(address: str, namespace_uri: str) -> ua.NodeId:
    """The NodeId of a site address served here: `ns=2;…` or `nsu=<the site's namespace>;…`; ValueError
    naming the address for one in another namespace (the simulator serves only the site's)."""
    parsed = parse_opcua_address(address)
    if parsed.namespace not in (SITE_NAMESPACE_INDEX, namespace_uri):
        raise ValueError(
            f"{address!r} is not in the site namespace (ns={SITE_NAMESPACE_INDEX} or nsu={namespace_uri})"
        )
    node = resolve(parsed, ["", "", namespace_uri])
    assert isinstance(node, ua.NodeId)  # the site namespace resolves by construction
    return node


def _name(node: ua.NodeId) -> str:
    """Browse name of a served node: its identifier (the tag id as written in the site file)."""
    return str(node.Identifier)
