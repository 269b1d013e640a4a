"""Broadcasting as an operator does it in the real window, against the broker and the simulator's PA gateways
(PA-NORTH silent, PA-COMP failing): the toolbar's dialog shows each zone's delivery and names the zones not
reached; the map's zone menu, an alarm row and a permit's suspension open it preselected; the call is spoken
in the control room."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QTreeWidget
from pytestqt.qtbot import QtBot

from console.window.gui import WindowedConsole
from integrations.simulator import SimulatorThread
from plant_maps.site import Site
from tests.conftest import Broker
from tests.e2e.conftest import mosquitto_pub, pa_plant, status_text, until
from widgets.broadcasts.broadcast_dialog import BroadcastDialog


@pytest.fixture()
def gateways(site: Site, opcua_url: str, broker: Broker) -> Iterator[SimulatorThread]:
    sim = pa_plant(site, opcua_url, broker)
    yield sim
    sim.stop()


def _rows(tree: QTreeWidget) -> dict[str, str]:
    """PA zone as the dialog names it -> the state the dialog shows."""
    items = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    return {item.text(0): item.text(1) for item in items}


def _pick_preset(dialog: BroadcastDialog, preset: str) -> None:
    tree = dialog.preset_list
    for i in range(tree.topLevelItemCount()):
        if tree.topLevelItem(i).text(0) == preset:
            tree.setCurrentItem(tree.topLevelItem(i))


def _tick(dialog: BroadcastDialog, zones: set[str]) -> None:
    for i in range(dialog.zone_list.count()):
        item = dialog.zone_list.item(i)
        if item.data(Qt.ItemDataRole.UserRole) in zones:
            item.setCheckState(Qt.CheckState.Checked)


async def _ready(console: WindowedConsole) -> None:
    assert console.app.pa_link is not None and await console.app.pa_link.ready(10)


def test_a_broadcast_from_the_toolbar_shows_done_and_names_the_zones_not_reached(
    run_console, gateways: SimulatorThread, qtbot: QtBot
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        window, view = console.window, console.broadcast
        await _ready(console)
        qtbot.keyClick(window.plant_map, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)  # the toolbar's
        dialog = await until(lambda: view.dialog, 5, "the broadcast dialog")
        assert not dialog.send_button.isEnabled()  # nothing picked yet
        _pick_preset(dialog, "EVACUATE-EAST")
        assert dialog.priority_combo.currentData() == "evacuation"  # the preset's priority
        dialog.lang_combo.setCurrentIndex(dialog.lang_combo.findData("en"))
        _tick(dialog, {"PA-TANKS", "PA-NORTH", "PA-COMP"})
        qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)

        await until(lambda: "NOT REACHED" in dialog.summary_label.text(), 10, "the summary")
        assert _rows(dialog.delivery) == {  # PA zones by their names: the ids are the gateways' business
            "Tank farm and pipe rack": "done",
            "Loading bay and workshop": "NOT ANSWERED",
            "Compressor house": "FAILED",
        }
        assert dialog.summary_label.text() == (
            "Played in Tank farm and pipe rack. NOT REACHED: Compressor house (FAILED), Loading bay and workshop "
            "(NOT ANSWERED)."
        )
        listed = [dialog.zone_list.item(i).text() for i in range(dialog.zone_list.count())]
        assert listed[:2] == ["Tank farm and pipe rack (Tank farm, Pipe rack)", "Reactor unit"]
        assert dialog.summary_label.font().bold()
        spoken = "Stop work now and evacuate through the east gate to the muster point."
        await until(lambda: any(r.text == spoken for r in console.annunciator.speaker.spoken), 15, "spoken")
        engine = console.app.core.alarms.engine
        await until(lambda: engine.view("PA-NORTH.NOT_REACHED").active, 5, "the alarm of the silent zone")
        table = window.alarm_table
        await until(lambda: table.select_alarm("PA-NORTH.NOT_REACHED"), 5, "its alarm in the list")
        [view] = table.selected_alarms()
        assert (
            "did not reach Loading bay and workshop: not answered" in view.message
            and "PA-" not in view.message
        )
        assert dialog.width() <= 1366 and dialog.height() <= 768 - 60, dialog.size()  # fits the small screen
        dialog.reject()

    run_console(scenario, broadcast_timeout_s=1.5)


def test_the_map_an_alarm_row_and_a_suspension_open_the_dialog_preselected(
    run_console, gateways: SimulatorThread, broker: Broker, qtbot: QtBot
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        window, view, menus = console.window, console.broadcast, console.menus
        await _ready(console)
        menu = menus.zone_menu("reactor_unit")
        next(a for a in menu.actions() if a.text() == "Broadcast to this zone…").trigger()
        dialog = await until(lambda: view.dialog, 5, "the dialog from the map")
        assert dialog.checked_zones() == ["PA-REACTOR"] and not dialog.all_zones.isChecked()
        dialog.reject()
        await until(lambda: view.dialog is None, 5, "closed")

        await until(lambda: status_text(console, "MQTT").startswith("MQTT: connected"), 10)
        reading = {"value": 30.0, "quality": "good", "ts": datetime.now(UTC).isoformat()}
        mosquitto_pub(broker, "site/demo/sensors/PGD-01", reading)  # the compressor house's portable LEL
        table = window.alarm_table
        await until(lambda: table.select_alarm("PGD-01.HH"), 10, "the gas alarm in the list")
        menu = table.menu_for(table.selected_alarms())
        next(a for a in menu.actions() if a.text() == "Broadcast to its zone…").trigger()
        dialog = await until(lambda: view.dialog, 5, "the dialog from the alarm row")
        assert dialog.checked_zones() == ["PA-COMP"]
        dialog.reject()
        await until(lambda: view.dialog is None, 5, "closed")

        window.show_permit("PTW-HW-001")  # hot work in the compressor house
        card = window.permit_card
        await until(lambda: card.permit_id == "PTW-HW-001" and card.suspend_button.isEnabled(), 5)
        qtbot.mouseClick(card.suspend_button, Qt.MouseButton.LeftButton)
        suspend = await until(lambda: card.suspend_dialog, 5, "the suspend dialog")
        qtbot.keyClicks(suspend.reason_edit.lineEdit(), "Unsafe act observed")
        qtbot.mouseClick(suspend.ok_button, Qt.MouseButton.LeftButton)
        offer: QMessageBox = await until(lambda: view.offer, 10, "the offer to broadcast")
        assert "PTW-HW-001 is suspended. Tell the people in Compressor house now?" in offer.text()
        assert "STOP-HOT-WORK" in offer.text()
        confirm = next(b for b in offer.buttons() if b.text() == "Broadcast to Compressor house…")
        qtbot.mouseClick(confirm, Qt.MouseButton.LeftButton)
        dialog = await until(lambda: view.dialog, 5, "the dialog from the suspension")
        assert dialog.checked_zones() == ["PA-COMP"] and dialog.selected_preset() == "STOP-HOT-WORK"
        assert dialog.priority_combo.currentData() == "warning"
        dialog.reject()

    run_console(scenario, broadcast_timeout_s=1.5)
