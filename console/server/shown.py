"""Journal before show, but never hide: what the core shows waits for its commit, not for a database that has
gone away.

The core shows an alarm transition or a permit change once its rows are committed (ISA-18.2, DESIGN:
committed before shown). The store writer retries a failing database for as long as it takes, so a database
that fails would otherwise keep a tier-1 alarm or a suspension off every screen until it came back. Here the
showing waits for the commit at most SHOW_UNCONFIRMED_AFTER_S; then it goes ahead, saying why (the caller
logs it), and the late commit, if it comes, shows nothing twice. Runs on the core's asyncio loop thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import CancelledError, Future
from typing import Any

SHOW_UNCONFIRMED_AFTER_S = 2.0  # a commit takes well under 250 ms; a database silent this long has failed


def show_when_committed(
    future: Future[Any], loop: asyncio.AbstractEventLoop, show: Callable[[BaseException | None], None]
) -> None:
    """Call `show(error)` once, on `loop`: when the writer's `future` resolves (error None once committed,
    else its exception), or after SHOW_UNCONFIRMED_AFTER_S if it has not (a TimeoutError), whichever comes
    first."""
    shown = False

    def once(error: BaseException | None) -> None:
        nonlocal shown
        if not shown:
            shown = True
            timer.cancel()
            show(error)

    def late() -> None:
        if not future.done():
            once(TimeoutError(f"the database has not confirmed it within {SHOW_UNCONFIRMED_AFTER_S:g} s"))

    def landed(done: Future[Any]) -> None:  # a wait given up on cancels the writer's future: not confirmed
        once(CancelledError("no longer waited for") if done.cancelled() else done.exception())

    timer = loop.call_later(SHOW_UNCONFIRMED_AFTER_S, late)
    future.add_done_callback(lambda done: loop.call_soon_threadsafe(landed, done))
