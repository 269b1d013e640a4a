"""Sending the operator's commands from the Qt thread: each runs as a task on the shared loop, its outcome
goes to the view that asked, and closing the window waits for the ones still being journaled."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from console.server.session import Command, CommandResult, Session


class CommandRunner:
    """One per window: the alarm list, the permit card and the toolbar all send through it."""

    def __init__(self, core: Session) -> None:
        self.core = core
        self._pending: set[asyncio.Task[None]] = set()

    def send(self, command: Command, on_result: Callable[[CommandResult], None]) -> None:
        """Carry out `command` without blocking; `on_result` gets the outcome once it is journaled (or not)."""
        task = asyncio.ensure_future(self._run(command, on_result))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def wait_idle(self) -> None:
        """Until every command sent so far has its outcome (closing the window, tests)."""
        while self._pending:
            await asyncio.gather(*self._pending)

    async def _run(self, command: Command, on_result: Callable[[CommandResult], None]) -> None:
        on_result(await self.core.command(command))
