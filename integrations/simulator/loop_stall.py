"""How long the simulator's asyncio loop went without answering anyone: its longest stall.

A loop that writes 20,000 values in one go answers no OPC UA request meanwhile, and a client's watchdog
read then times out and reconnects. A sleeper waking every PERIOD_S measures how late it wakes.
"""

from __future__ import annotations

import asyncio

PERIOD_S = 0.01


class LoopStall:
    """`run()` on the loop to watch; `take()` returns the longest stall (s) since the last take."""

    def __init__(self) -> None:
        self._longest = 0.0

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(PERIOD_S)
            self._longest = max(self._longest, loop.time() - before - PERIOD_S)

    def take(self) -> float:
        longest, self._longest = self._longest, 0.0
        return longest
