"""The alarm banner and the map in the running console, driven as an operator does, against the simulator's
scenarios: a chattering H2S detector keeps one steady banner line with the time and the value that raised
it and the first-out mark (not a worker in the zone), before and after it is acknowledged; a worker who
walks into a permit zone without a permit is marked on the map, and the banner line centres the map on them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from alarms.records import Transition
from alarms.states import Event
from console.server.session import Topic
from console.window.gui import WindowedConsole
from integrations.simulator import SimulatorThread
from tests.e2e.conftest import status_text, until
from tests.widgets.support import around, colour_count, pixels
from widgets.alarms.alarm_banner import AlarmBanner, BannerLine
from widgets.common.theme import PALETTE
from widgets.common.time_text import clock_text

LEFT = Qt.MouseButton.LeftButton
CHATTER = "GD-CH-05.HH"  # h2s hh = 15 ppm, tier 1; the scenario goes 0, 28, 0, 15 ppm
INTRUDER = "W16.NO_PERMIT_ENTRY"  # tier 2


def _line_of(banner: AlarmBanner, alarm_id: str) -> BannerLine | None:
    return next((line for line in banner.lines() if line.alarm_id == alarm_id), None)


def _click_line(qtbot: QtBot, banner: AlarmBanner, alarm_id: str) -> None:
    row = [line.alarm_id for line in banner.lines()].index(alarm_id)
    widget = banner._lines[row]  # the painted line the operator clicks
    qtbot.mouseClick(widget, LEFT, pos=widget.rect().center())


def test_a_chattering_detector_keeps_one_steady_banner_line_with_what_raised_it_and_the_first_out(
    run_console, plant: SimulatorThread, qtbot: QtBot
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        core, window = console.app.core, console.window
        banner, table = window.alarm_banner, window.alarm_table
        transitions: list[Transition] = []
        core.subscribe(Topic.ALARMS, transitions.extend)

        def activations() -> int:
            return sum(t.alarm_id == CHATTER and t.event is Event.ACTIVATE for t in transitions)

        await until(lambda: status_text(console, "MQTT").startswith("MQTT: connected"), 10)
        await until(lambda: core.workers.zone[core.site.worker_index["W01"]] >= 0, 10, "W01 located")
        plant.set_scenario("sensor-chatter")
        await until(lambda: _line_of(banner, CHATTER), 20, "the H2S alarm on the banner")

        def people() -> set[str]:
            return {t.alarm_id for t in transitions if t.alarm_id.endswith(".GAS_ALARM_ZONE")}

        def all_grouped(line: BannerLine | None) -> bool:
            return line is not None and bool(people()) and f"+{len(people()) + 1} grouped" in line.flag

        await until(lambda: all_grouped(_line_of(banner, CHATTER)), 10, "the people in the zone under it")
        raised = next(t for t in transitions if t.alarm_id == CHATTER and t.event is Event.ACTIVATE)
        seen: list[list[BannerLine]] = []

        def watch(until_activations: int) -> bool:
            seen.append(banner.lines())
            return activations() >= until_activations

        target = activations() + 3
        await until(lambda: watch(target), 30, "three more chatter cycles")
        for lines in seen:  # one line, the gas, with its workers under it: it never jumps
            assert [line.alarm_id for line in lines] == [CHATTER]
            [line] = lines
            assert line.cells[1] == clock_text(raised.ts)  # when it was raised, whatever came since
            assert line.cells[3] == raised.message  # with the value that raised it, not the 0 ppm since
            assert "first out" in line.flag and all_grouped(line)
        assert [t.alarm_id for t in transitions if t.first_out] == [CHATTER]  # not a worker in the zone

        # Acknowledged, it goes on chattering: the line is held in its place until it is shelved.
        _click_line(qtbot, banner, CHATTER)
        assert [v.id for v in table.selected_alarms()] == [CHATTER]
        seen.clear()
        qtbot.mouseClick(table.acknowledge_button, LEFT)
        await until(lambda: table.status_label.text().startswith("acknowledge:"), 10, "acknowledged")
        target = activations() + 2
        await until(lambda: watch(target), 30, "two more chatter cycles")
        assert all([line.alarm_id for line in lines] == [CHATTER] for lines in seen)
        assert all(lines[0].cells[1] == clock_text(raised.ts) for lines in seen)

    run_console(scenario)


def test_a_worker_entering_without_a_permit_is_marked_on_the_map_and_the_banner_line_centres_on_them(
    run_console, plant: SimulatorThread, qtbot: QtBot, tmp_path: Path
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        window, banner, table = console.window, console.window.alarm_banner, console.window.alarm_table
        plant_map = window.plant_map
        await until(lambda: status_text(console, "MQTT").startswith("MQTT: connected"), 10)
        plant.set_scenario("no-permit-entry")  # W16 walks into the compressor house
        await until(lambda: _line_of(banner, INTRUDER), 40, "the entry on the banner")
        await until(lambda: plant_map.worker_style("W16") == "tier2", 5, "W16 in the alarm's look")
        assert plant_map.worker_text("W16") == "W16 NO PERMIT"
        plant_map.viewport().repaint()
        row = console.app.site.worker_index["W16"]
        assert plant_map.label_rect("workers", row) is not None  # written at the whole-site zoom
        at = plant_map.mapFromScene(plant_map.worker_scene_pos("W16"))
        shown = pixels(plant_map.viewport(), tmp_path / "intruder.png")
        assert colour_count(shown, PALETTE.alarm_2, inside=around(at, 10)) > 20  # the amber diamond

        # the list shows another area: the banner line still finds the worker
        table.area_filter.setCurrentIndex(table.area_filter.findData("tank_farm"))
        _click_line(qtbot, banner, INTRUDER)
        intruder = plant_map.worker_scene_pos("W16")
        centre = plant_map.mapToScene(plant_map.viewport().rect().center())
        assert abs(centre.x() - intruder.x()) < 2 and abs(centre.y() - intruder.y()) < 2
        assert plant_map.scale_px_per_m() > 5  # close up
        assert window.worker_details.worker_id == "W16"
        assert table.status_label.text() == f"{INTRUDER}: hidden in the list by its filter"

    run_console(scenario)
