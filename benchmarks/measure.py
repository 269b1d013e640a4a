"""What every benchmark measures with: percentiles, waiting on a condition without blocking the loop, and a
PostgreSQL schema of its own."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Sequence

import numpy as np
import sqlalchemy as sa


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=np.float64), q))


async def until(condition: Callable[[], object], timeout: float, what: str) -> None:
    """Wait on the running loop until `condition()` is truthy; fail saying what did not happen."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"not within {timeout} s: {what}")
        await asyncio.sleep(0.005)


def postgres_schema(base: str, name: str) -> tuple[str, Callable[[], None]]:
    """A schema of its own on the server, and how to drop it."""
    schema = f"bench_{name}_{os.getpid()}"
    engine = sa.create_engine(base)
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))

    def drop() -> None:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()

    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}", drop
