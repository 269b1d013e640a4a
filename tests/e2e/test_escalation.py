"""A tier-1 alarm nobody acknowledges reaches the shift lead: on the escalation topic and in the event log."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import paho.mqtt.client as mqtt

from console.composition import Application
from console.config import AppConfig
from integrations.simulator import SimulatorThread
from tests.conftest import DEMO_SITE, Broker
from tests.support import wait_until_async


def _site_escalating_after(seconds: float, folder: Path) -> Path:
    text = DEMO_SITE.read_text().replace("escalate_after_s = 60 ", f"escalate_after_s = {seconds} ", 1)
    assert f"escalate_after_s = {seconds}" in text
    path = folder / "site.toml"
    path.write_text(text)
    return path


def _listen(broker: Broker, topic: str) -> tuple[mqtt.Client, list[dict[str, object]]]:
    received: list[dict[str, object]] = []
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="shift-lead-console")
    client.on_message = lambda _c, _u, message: received.append(json.loads(message.payload))
    client.connect(broker.host, broker.port)
    client.subscribe(topic, qos=1)
    client.loop_start()
    return client, received


def test_an_unacknowledged_tier_1_alarm_is_escalated_to_the_shift_lead(
    simulator: SimulatorThread, config: AppConfig, broker: Broker, tmp_path: Path
) -> None:
    shift_lead, received = _listen(broker, "site/demo/alarms/escalation")
    app_config = replace(config, site_file=_site_escalating_after(1.5, tmp_path), console_name="desk-2")

    async def leave_it_unacknowledged() -> list[str]:
        app = Application(app_config)
        await app.start()
        try:
            simulator.force("GD-TF-02", 30.0)  # hh = 25 %LEL: tier 1
            await wait_until_async(lambda: received, 15)
            return [e.text for e in app.core.log if "ESCALATED" in e.text]
        finally:
            await app.stop()

    try:
        logged = asyncio.run(leave_it_unacknowledged())
    finally:
        shift_lead.loop_stop()
        shift_lead.disconnect()
    message = received[0]
    assert (message["alarm_id"], message["tier"], message["area"], message["console"]) == (
        "GD-TF-02.HH",
        1,
        "tank_farm",
        "desk-2",
    )
    assert "unacknowledged for" in str(message["comment"]) and datetime.fromisoformat(str(message["ts"]))
    assert logged and "GD-TF-02.HH" in logged[0]
