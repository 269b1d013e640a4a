"""Who works at this console is always in view: the demo says DEMO plainly; a console whose site requires
sign-in, with nobody signed in yet, says its commands are refused (and the core does refuse them)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from console.server.session import OperatorNote
from console.window.gui import WindowedConsole
from integrations.simulator import SimulatorThread
from tests.e2e.conftest import until


def test_the_demo_console_says_demo_and_who_works_at_it(run_console, simulator: SimulatorThread) -> None:
    async def scenario(console: WindowedConsole) -> None:
        label = console.window.user_label
        await until(label.isVisible, 5, "the user line shown")
        assert label.text() == f"DEMO — tester@{console.app.config.console_name}, every role"
        assert label.font().bold() and label.textFormat() is Qt.TextFormat.PlainText

    run_console(scenario)


def test_a_console_that_requires_sign_in_says_nobody_is_signed_in(
    run_console, simulator: SimulatorThread
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        label = console.window.user_label
        assert label.text() == (
            "NOT SIGNED IN: commands are refused; sign in with User → Sign in… (Ctrl+Shift+U) — "
            + console.app.config.console_name
        )
        assert console.window.switch_user_action.text() == "Sign in…"
        refused = await console.app.core.command(OperatorNote("tester", "shift starts"))
        assert not refused.ok and "sign" in refused.message

    run_console(scenario, login="required")
