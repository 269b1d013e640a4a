"""A console process for the crash-restart test: it acknowledges one alarm, shelves another, leaves a third
unacknowledged, prints READY once all of that is journaled, and waits to be killed (`kill -9`).

    python -m tests.e2e.alarm_child CONFIG_JSON
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from console.composition import Application
from console.config import AppConfig
from console.server.session import Acknowledge, Shelve

ACKED, SHELVED, UNACKED = "GD-CH-01.HH", "GD-CH-02.HH", "GD-CH-03.HH"


async def main(settings: dict[str, str]) -> None:
    config = AppConfig(
        site_file=Path(settings["site"]),
        opcua_url=settings["opcua_url"],
        mqtt_url=settings["mqtt_url"],
        database_url=settings["database_url"],
        simulator=False,
        console_name="crash-child",
        operator="night-operator",
        publishing_interval_ms=50,
    )
    app = Application(config)
    await app.start()
    engine = app.core.alarms.engine
    while not all(engine.view(a).active for a in (ACKED, SHELVED, UNACKED)):
        await asyncio.sleep(0.05)
    results = [
        await app.core.command(Acknowledge("night-operator", ((ACKED, engine.view(ACKED).seq),))),
        await app.core.command(Shelve("night-operator", SHELVED, "detector under calibration", 3600.0)),
    ]
    if not all(r.ok for r in results):
        print("FAILED", [r.message for r in results], flush=True)
        return
    print("READY", flush=True)
    await asyncio.Event().wait()  # until killed


if __name__ == "__main__":
    asyncio.run(main(json.loads(sys.argv[1])))
