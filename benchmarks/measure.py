"""What every benchmark measures with: percentiles and waiting on a condition without blocking the loop."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence

import numpy as np


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=np.float64), q))


async def until(condition: Callable[[], object], timeout: float, what: str) -> None:
    """Wait on the running loop until `condition()` is truthy; fail saying what did not happen."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"not within {timeout} s: {what}")
        await asyncio.sleep(0.005)
