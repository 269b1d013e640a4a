"""A camera's detection marked false from the window: the video-AI alarm's row menu asks what the camera
showed, the mark is journaled beside the detection and the event log says so."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from console.window.gui import WindowedConsole
from integrations.storage import Store
from tests.conftest import Broker
from tests.e2e.conftest import mosquitto_pub, status_text, until

ALARM = "VISION.loading_bay.person_under_load"
REASON = "shadow of the crane boom, nobody under the load"


def test_the_operator_marks_a_shadow_false_from_the_vision_alarms_menu(
    run_console, broker: Broker, database_url: str, qtbot: QtBot
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        window, table = console.window, console.window.alarm_table
        await until(lambda: status_text(console, "MQTT").startswith("MQTT: connected"), 10)
        detection = {
            "id": "cam-lb-1-0042",
            "class": "person_under_load",
            "confidence": 0.64,
            "zone": "loading_bay",
            "ts": datetime.now(UTC).isoformat(),
        }
        mosquitto_pub(broker, "site/demo/vision/CAM-LB-1/detection", detection)
        await until(lambda: table.select_alarm(ALARM), 10, "the camera's alarm in the list")
        menu = table.menu_for(table.selected_alarms())
        mark = next(a for a in menu.actions() if a.text() == "Mark as false detection…")
        assert mark.isEnabled(), mark.toolTip()
        mark.trigger()
        dialog = await until(lambda: console.false_detections.dialog, 5, "the reason dialog")
        assert "person under load in Loading bay, seen by CAM-LB-1" in dialog.findChild(QLabel).text()
        assert not dialog.ok_button.isEnabled()  # a reason is required
        qtbot.keyClicks(dialog.edit, REASON)
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        told = "person under load in Loading bay (CAM-LB-1) marked as a false detection"
        await until(lambda: told in table.status_label.text(), 10, "the mark confirmed")
        rows = await until(
            lambda: [r for r in window.event_log.visible_rows() if REASON in r[3]], 5, "the event log line"
        )
        assert "false detection" in rows[0][3]
        store = Store(database_url)
        try:
            [row] = store.journal_rows(kind="vision_false")
        finally:
            store.close()
        assert (row.source, row.actor) == ("CAM-LB-1", console.user.name)
        assert row.payload == {
            "detection": "cam-lb-1-0042",
            "zone": "loading_bay",
            "class": "person_under_load",
            "reason": REASON,
        }

    run_console(scenario)
