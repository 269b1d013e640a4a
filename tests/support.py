"""Helpers shared by the tests and the benchmarks: free ports, a private Mosquitto, waiting on conditions."""

from __future__ import annotations

import asyncio
import shutil
import socket
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

if TYPE_CHECKING:
    from integrations.simulator import SimulatorThread


class BrokerError(RuntimeError):
    """Mosquitto is missing or would not start; the message says which and what to do."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def edited_copy(source: Path, folder: Path, old: str, new: str) -> Path:
    """A copy of `source` in `folder` with the first `old` replaced by `new` (asserted to be there)."""
    text = source.read_text()
    assert old in text, f"{old!r} is not in {source}"
    path = folder / source.name
    path.write_text(text.replace(old, new, 1))
    return path


def wait_until(condition: Callable[[], object], timeout: float = 10.0, interval: float = 0.02) -> object:
    """Poll `condition` until it returns something truthy; fail with a clear message on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s: {getattr(condition, '__name__', condition)}")


async def wait_until_async(
    condition: Callable[[], object], timeout: float = 10.0, interval: float = 0.02
) -> object:
    """`wait_until` for code on an asyncio loop: yields to the loop between polls instead of blocking it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s: {getattr(condition, '__name__', condition)}")


# the tables the store writer writes to (integrations.storage)
WRITTEN_TABLES = ("tag_history", "event_journal", "alarm_journal", "audit_trail")


@contextmanager
def database_held(url: str) -> Iterator[None]:
    """Another client holds the console's database, so that its writes cannot commit until the block ends:
    on SQLite an exclusive lock on the file (a write fails with "database is locked" after waiting 5 s for
    it, as when a backup holds the file); on PostgreSQL an ACCESS EXCLUSIVE lock on the tables the store
    writes (a write waits without an answer, as behind a stuck migration)."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        assert parsed.database, url
        holder = sqlite3.connect(parsed.database, isolation_level=None)
        try:
            holder.execute("BEGIN EXCLUSIVE")
            yield
            holder.execute("ROLLBACK")
        finally:
            holder.close()
        return
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(f"LOCK TABLE {', '.join(WRITTEN_TABLES)} IN ACCESS EXCLUSIVE MODE"))
            yield
            conn.rollback()
    finally:
        engine.dispose()


@dataclass
class Broker:
    host: str
    port: int
    process: subprocess.Popen
    config: Path

    @property
    def url(self) -> str:
        return f"mqtt://{self.host}:{self.port}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def start_mosquitto(
    folder: Path,
    port: int | None = None,
    extra_config: str = "",
    access: str = "allow_anonymous true\n",
    host: str = "127.0.0.1",
) -> Broker:
    """A private Mosquitto on loopback (a free port unless `port` is given, e.g. to restart one; `host` another
    loopback address, e.g. to listen on a standard port of its own).

    `access` replaces the anonymous access of the listener, e.g. with TLS files and a password file."""
    exe = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    if not Path(exe).exists():
        raise BrokerError(
            "mosquitto is not installed: run `apt-get install mosquitto` (scripts/setup does it as root)"
        )
    port = port or free_port()
    conf = folder / f"mosquitto-{port}.conf"
    conf.write_text(
        f"listener {port} {host}\n{access}persistence false\nmax_queued_messages 100000\n" + extra_config
    )
    # its log to a file, never a pipe: a pipe nobody reads fills up in a long run and the broker then
    # blocks on its next log line, refusing every client from then on
    log = folder / f"mosquitto-{port}.log"
    with log.open("wb") as log_file:
        proc = subprocess.Popen([exe, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=log_file)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection((host, port), timeout=0.2).close()
            return Broker(host, port, proc, conf)
        except OSError:
            if proc.poll() is not None:
                err = log.read_text(errors="replace")
                raise BrokerError(f"mosquitto exited on port {port}: {err.strip()}") from None
            time.sleep(0.05)
    proc.kill()
    raise BrokerError(f"mosquitto did not accept connections on port {port} within 10 s")


async def hung_server(sim: SimulatorThread, seconds: float) -> asyncio.Future[None]:
    """Hang the simulator's whole loop for `seconds` (from a worker thread); returns once it is hung, with
    the future that ends when it answers again."""
    begun = threading.Event()
    hang = asyncio.get_running_loop().run_in_executor(None, sim.stall, seconds, begun)
    await wait_until_async(begun.is_set, 10)
    return hang
