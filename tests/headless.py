"""Helpers for tests that run the console's Application without a window on a plain asyncio loop."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from alarms.clock import Clock
from alarms.records import AlarmView
from console.composition import Application
from console.config import AppConfig
from tests.conftest import DEMO_SITE
from tests.support import free_port


def site_variant(folder: Path, addresses: dict[str, str]) -> Path:
    """A copy of the demo site with an address set on each sensor in `addresses` (sensors that use the
    default `opcua://ns=2;s=<id>`; one with an address of its own would make the TOML invalid)."""
    text = DEMO_SITE.read_text(encoding="utf-8")
    for sensor, address in addresses.items():
        line = f'id = "{sensor}"\n'
        assert line in text, sensor
        text = text.replace(line, line + f'address = "{address}"\n', 1)
    path = folder / "site.toml"
    path.write_text(text, encoding="utf-8")
    return path


def demo_config(opcua_url: str, mqtt_url: str, folder: Path, name: str, **more: Any) -> AppConfig:
    """The demo site on sources the test serves (no simulator of the console's own), SQLite in `folder`."""
    return AppConfig(
        site_file=DEMO_SITE,
        opcua_url=opcua_url,
        mqtt_url=mqtt_url,
        database_url=f"sqlite:///{folder / 'controlroom.db'}",
        simulator=False,
        console_name=f"{name}-{free_port()}",
        operator="tester",
        **more,
    )


def run_app(
    config: AppConfig, scenario: Callable[[Application], Awaitable[None]], clock: Clock | None = None
) -> None:
    """Start the console headless, run `scenario(app)`, always stop it; fails after 60 s."""

    async def main() -> None:
        app = Application(config, clock)
        await app.start()
        try:
            await scenario(app)
        finally:
            await app.stop()

    asyncio.run(asyncio.wait_for(main(), 60))


def alarm(app: Application, alarm_id: str) -> AlarmView | None:
    """The alarm if it is active (None otherwise)."""
    view = app.core.alarms.engine.view(alarm_id)
    return view if view.active else None
