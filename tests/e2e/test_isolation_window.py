"""Isolating a zone and recording a gas test as an operator does it, in the real window: the toolbar's menu,
the dialogs' buttons, the map, the banner and the permit card, against the broker, the simulator's OPC UA
server and the database."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QRect, QRectF, Qt
from pytestqt.qtbot import QtBot

from alarms.clock import ManualClock
from alarms.definitions import Tier
from alarms.states import State
from console.server.zone_isolation import utc_text
from console.window.gui import WindowedConsole
from integrations.simulator import SimulatorThread
from integrations.storage import Store
from tests.conftest import Broker
from tests.e2e.conftest import mosquitto_pub, status_text, until
from tests.widgets.support import colour_count, double_click_row, pixels
from widgets.common.theme import PALETTE
from widgets.common.time_text import clock_text

ZONE, ALARM = "compressor_house", "PGD-01.HH"  # the portable LEL monitor in the compressor house, over MQTT
HATCH = PALETTE.equipment_line


def _zone_rect(console: WindowedConsole) -> QRect:
    """The compressor house on screen, in the map's viewport pixels."""
    plant_map = console.window.plant_map
    xs, ys = zip(*console.app.site.zone(ZONE).polygon, strict=True)
    top_left = plant_map.mapFromScene(min(xs), min(ys))
    bottom_right = plant_map.mapFromScene(max(xs), max(ys))
    return QRect(top_left, bottom_right).adjusted(3, 3, -3, -3)


def _isolation_rows(database_url: str) -> list[tuple[str, bool, str]]:
    rows = Store(database_url).journal_rows(kind="zone_isolation")
    return [(e.actor, e.payload["isolated"], e.payload["reason"]) for e in rows]


def test_a_zone_isolated_from_the_toolbar_is_hatched_and_in_the_banner_until_its_time_is_up(
    run_console, simulator: SimulatorThread, broker: Broker, database_url: str, qtbot: QtBot, tmp_path: Path
) -> None:
    clock = ManualClock(time.time())

    async def scenario(console: WindowedConsole) -> None:
        core, window = console.app.core, console.window
        await until(lambda: status_text(console, "MQTT").startswith("MQTT: connected"), 10)
        reading = {"value": 30.0, "quality": "good", "ts": datetime.now(UTC).isoformat()}
        mosquitto_pub(broker, "site/demo/sensors/PGD-01", reading)  # past hh = 25 %LEL: tier 1
        await until(lambda: core.alarms.engine.view(ALARM).state is State.UNACK, 10, "the tier-1 gas alarm")
        assert core.alarms.engine.view(ALARM).tier is Tier.LIFE
        assert core.alarms.engine.view("PGD-01.H").active  # tier 2, grouped under its HH
        hatch_before = colour_count(pixels(window.plant_map), HATCH, inside=_zone_rect(console), tolerance=6)

        window.isolation_actions[ZONE].trigger()  # the toolbar's "Isolate zone" menu: Compressor house…
        dialog = await until(lambda: console.isolation.dialog, 5, "the isolation dialog")
        assert dialog.zone_combo.currentData() == ZONE and not dialog.ok_button.isEnabled()
        assert dialog.durations() == [1800.0, 3600.0, 7200.0, 14400.0, 28800.0]  # at most max_shelve_s
        qtbot.keyClicks(dialog.reason_edit, "hot-work maintenance")
        dialog.duration_combo.setCurrentIndex(0)  # 30 min
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        box = await until(lambda: console.isolation.confirmation, 5, "the confirmation")
        until_text = clock_text(clock.now() + 1800, False)
        assert box.text() == (
            f"Isolating Compressor house suppresses the alarms of 13 detectors until {until_text}; "
            "2 alarms are active there now, 1 of them tier 1: hidden until the isolation ends."
        )
        assert not _isolation_rows(database_url)  # nothing happens before the confirmation
        qtbot.mouseClick(box.confirm_button, Qt.MouseButton.LeftButton)

        plant_map, strip = window.plant_map, window.isolation_strip
        await until(lambda: plant_map.isolation_style(ZONE) == "isolated", 5, "the zone hatched as isolated")
        assert plant_map.isolation_hatch().style() is Qt.BrushStyle.TexturePattern  # a square grid
        assert plant_map.isolation_label(ZONE) == f"ISOLATED until {until_text}"
        assert strip.isVisible() and strip.lines() == [
            f"Compressor house isolated until {until_text} by tester: hot-work maintenance "
            "— suppresses 1 tier-1 alarm and 1 other active alarm"
        ]
        assert core.alarms.engine.view(ALARM).state is State.SUPPRESSED
        assert ALARM not in {line.alarm_id for line in window.alarm_banner.lines()}
        assert window.isolation_actions[ZONE].isChecked()
        journaled_until = utc_text(core.alarms.isolations.get(ZONE).until)
        status = f"Compressor house isolated until {journaled_until}"
        await until(lambda: window.alarm_table.status_label.text() == status, 5, "the status after the write")
        shown = pixels(window.plant_map, tmp_path / "map_isolated.png")
        assert colour_count(shown, HATCH, inside=_zone_rect(console), tolerance=6) > hatch_before + 500
        plate, zone = plant_map.isolation_plate_rect(ZONE), _zone_rect(console)
        assert plate is not None and abs(plate.left() - zone.left()) <= 4  # hanging under the zone
        assert 0 <= plate.top() - zone.bottom() <= 8
        for width, height in ((1366, 768), (1920, 1080)):
            window.resize(width, height)
            await until(lambda w=width: window.width() == w, 5, "the resize")
            window.plant_map.fit_site()
            await until(lambda: strip.end_button(ZONE).isVisible(), 5)
            window.grab().save(str(tmp_path / f"isolated_{width}x{height}.png"))
            assert strip.end_button(ZONE).geometry().right() < strip.width()  # nothing cut off

        clock.advance(1800)  # the time is up: the next tick of the alarm clock returns the zone to service
        await until(lambda: plant_map.isolation_style(ZONE) == "", 5, "the hatch gone")
        assert not strip.isVisible() and not window.isolation_actions[ZONE].isChecked()
        await until(
            lambda: ALARM in {line.alarm_id for line in window.alarm_banner.lines()}, 5, "the alarm back"
        )
        assert core.alarms.engine.view(ALARM).state is State.UNACK
        assert console.app.writer.flush(5)
        assert _isolation_rows(database_url) == [
            ("tester", True, "hot-work maintenance"),
            ("system", False, "time up"),
        ]

        # isolated again, and ended early from the banner's line
        window.request_isolation(ZONE)  # what a right-click on the map's zone calls
        dialog = await until(lambda: console.isolation.dialog, 5, "the isolation dialog")
        qtbot.keyClicks(dialog.reason_edit, "detector swap")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        box = await until(lambda: console.isolation.confirmation, 5, "the confirmation")
        qtbot.mouseClick(box.confirm_button, Qt.MouseButton.LeftButton)
        await until(lambda: strip.isVisible(), 5, "the banner line")
        qtbot.mouseClick(strip.end_button(ZONE), Qt.MouseButton.LeftButton)
        await until(lambda: not strip.isVisible(), 5, "the banner line gone")
        assert plant_map.isolation_style(ZONE) == "" and core.alarms.engine.view(ALARM).state is State.UNACK
        assert console.app.writer.flush(5)
        assert _isolation_rows(database_url)[2:] == [
            ("tester", True, "detector swap"),
            ("tester", False, "ended by hand"),
        ]

    run_console(scenario, clock)


def test_a_gas_test_missing_a_reading_is_refused_in_the_dialog_and_a_complete_one_recorded(
    run_console, database_url: str, qtbot: QtBot, tmp_path: Path
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        window, permit = console.window, "PTW-HW-001"  # hot work: LEL required
        panel, card = window.permit_panel, window.permit_card
        await until(lambda: permit in panel.visible_permits(), 5, "the permit listed")
        assert panel.select_permit(permit)
        double_click_row(qtbot, panel.table, panel.table.currentIndex().row())
        await until(lambda: card.gas_test_button.isEnabled(), 5, "the permit's card")
        qtbot.mouseClick(card.gas_test_button, Qt.MouseButton.LeftButton)
        dialog = await until(lambda: card.gas_test_dialog, 5, "the gas-test dialog")
        assert dialog.edits["lel"].text() == ""  # nothing pre-filled
        qtbot.keyClicks(dialog.tester_edit, "Zhou Li")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        assert dialog.isVisible() and dialog.problem_label.text() == "Missing readings: LEL."
        assert console.app.writer.flush(5)
        assert Store(database_url).journal_rows(kind="gas_test") == []
        qtbot.keyClicks(dialog.edits["lel"], "2.5")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        await until(
            lambda: (
                card.status_label.text() == f"gas test for {permit} passed (tester Zhou Li): LEL 2.5 %LEL"
            ),
            5,
            "the test recorded",
        )
        [entry] = Store(database_url).journal_rows(kind="gas_test")
        assert (entry.source, entry.payload["readings"], entry.payload["tester"]) == (
            permit,
            {"lel": 2.5},
            "Zhou Li",
        )

    run_console(scenario)


def test_an_isolation_says_only_what_it_hides_and_its_plate_stays_in_sight_while_it_lasts(
    run_console, simulator: SimulatorThread, broker: Broker, qtbot: QtBot
) -> None:
    """An SOS in the compressor house stays live when the zone is isolated (a person's alarm is never
    suppressed): the confirmation and the banner's line must not count it as hidden. Zoomed in on the
    wearer from the banner, the zone's ISOLATED plate is still on the screen."""

    async def scenario(console: WindowedConsole) -> None:
        core, window = console.app.core, console.window
        table, banner = window.alarm_table, window.alarm_banner
        await until(lambda: status_text(console, "MQTT").startswith("MQTT: connected"), 10)
        now = datetime.now(UTC).isoformat()
        position = {"x": 330.0, "y": 190.0, "floor": 0, "accuracy_m": 0.5, "ts": now}
        mosquitto_pub(broker, "site/demo/workers/W01/position", position)  # welding at K-301
        await until(lambda: core.workers.zone[core.site.worker_index["W01"]] >= 0, 10, "W01 located")
        event = {"id": "band-W01-iso", "type": "sos", "ts": now}
        mosquitto_pub(broker, "site/demo/workers/W01/event", event)
        await until(lambda: any(line.alarm_id == "W01.SOS" for line in banner.lines()), 10, "the SOS")

        window.isolation_actions[ZONE].trigger()  # the toolbar's "Isolate zone" menu
        dialog = await until(lambda: console.isolation.dialog, 5, "the isolation dialog")
        qtbot.keyClicks(dialog.reason_edit, "detector swap")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        box = await until(lambda: console.isolation.confirmation, 5, "the confirmation")
        assert "no alarm is active there now." in box.text()
        assert box.text().endswith("1 person's alarm there stays live: an isolation never hides a person.")
        qtbot.mouseClick(box.confirm_button, Qt.MouseButton.LeftButton)
        strip = window.isolation_strip
        await until(lambda: strip.isVisible(), 5, "the isolation's line")
        [line] = strip.lines()
        assert line.endswith("— no alarm active there now; 1 person's alarm there stays live")
        sos = table.model.view_at(table.model.row_of("W01.SOS"))
        assert sos.state is State.UNACK  # and so it shows, in the list and on the banner

        plant_map = window.plant_map
        row = [line.alarm_id for line in banner.lines()].index("W01.SOS")
        qtbot.mouseClick(banner._lines[row], Qt.MouseButton.LeftButton)  # the map closes in on W01
        await until(lambda: plant_map.scale_px_per_m() > 5, 5, "the map zoomed in on the wearer")
        plant_map.viewport().repaint()
        plate = plant_map.isolation_plate_rect(ZONE)
        assert plate is not None and QRectF(plant_map.viewport().rect()).contains(plate)
        assert plant_map.isolation_label(ZONE).startswith("ISOLATED until ")

    run_console(scenario)
