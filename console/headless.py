"""Running the console headless: the same core on a plain asyncio loop, no Qt."""

from __future__ import annotations

import asyncio
import signal

from console.composition import Application
from console.config import AppConfig


def run_headless(config: AppConfig) -> int:
    return asyncio.run(_headless(config))


async def _headless(config: AppConfig) -> int:
    app = Application(config)
    done = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, done.set)
    await app.start()
    if config.run_for is not None:
        loop.call_later(config.run_for, done.set)
    await done.wait()
    await app.stop()
    return 0
