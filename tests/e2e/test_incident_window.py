"""An incident declared and followed in the real window at 1366x768 (issue 17): the coordinator declares it
from the SOS row's menu (zone preset from the alarm, safety officer from the signed-in user, Enter submits),
the incident tab opens with its header, a note is added, command transferred and the incident closed with a
reason; the timeline shows each step with its actor, in order; closed, it is read-only; the window stays
1366 px wide. Screenshots at both control-room sizes."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel
from pytestqt.qtbot import QtBot

from console.window.gui import WindowedConsole
from integrations.simulator import SimulatorThread
from plant_maps.permit_lifecycle import PermitState
from tests.conftest import Broker
from tests.e2e.conftest import mosquitto_pub, status_text, until
from widgets.common.text_dialog import TextDialog
from widgets.incidents.declare_dialog import DeclareDialog
from widgets.incidents.transfer_dialog import TransferDialog

SOS = "W01.SOS"
SCREEN = (1366, 768)
SHOTS = Path("/work/notes/shots-incident")
LEFT = Qt.MouseButton.LeftButton


def _choose(box: QComboBox, text: str) -> None:
    box.setCurrentIndex(box.findText(text))


async def _shoot(console: WindowedConsole, name: str) -> None:
    if not SHOTS.is_dir():
        return
    window = console.window
    for width, height in (SCREEN, (1920, 1080)):
        window.resize(width, height)
        await until(lambda w=width: window.width() == w, 5, f"{width} px wide")
        await until(lambda: window.incident_panel.isVisible(), 5, "the incident tab in view")
        assert window.grab().save(str(SHOTS / f"{name}-{width}x{height}.png"))
    window.resize(*SCREEN)


def test_an_incident_is_declared_from_the_sos_row_followed_and_closed_in_the_window(
    run_console, simulator: SimulatorThread, broker: Broker, qtbot: QtBot
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        core, window, table = console.app.core, console.window, console.window.alarm_table
        panel, me = window.incident_panel, console.user.name
        window.resize(*SCREEN)
        await until(lambda: status_text(console, "MQTT").startswith("MQTT: connected"), 10)
        ts = datetime.now(UTC).isoformat()
        position = {"x": 330.0, "y": 190.0, "floor": 0, "accuracy_m": 0.5, "ts": ts}
        mosquitto_pub(broker, "site/demo/workers/W01/position", position)  # welding at K-301
        await until(lambda: core.workers.zone[core.site.worker_index["W01"]] >= 0, 10, "W01 located")
        mosquitto_pub(broker, "site/demo/workers/W01/event", {"id": "band-W01-1", "type": "sos", "ts": ts})
        await until(lambda: table.select_alarm(SOS), 10, "the SOS in the alarm list")

        menu = table.menu_for(table.selected_alarms())
        declare = next(a for a in menu.actions() if a.text() == "Declare incident…")
        assert declare.isEnabled(), declare.toolTip()
        declare.trigger()
        dialog = await until(lambda: console.incidents.dialog, 5, "the declaration dialog")
        assert isinstance(dialog, DeclareDialog)
        assert dialog.zone_box.currentText() == "Compressor house"  # where the wearer is
        assert dialog.officer_edit.text() == me
        assert not dialog.ok_button.isEnabled()  # type, severity and commander still to give
        _choose(dialog.type_box, "Injury / SOS")
        _choose(dialog.severity_box, "High")
        qtbot.keyClicks(dialog.commander_edit, "li.wei")
        assert dialog.ok_button.isEnabled()
        if SHOTS.is_dir():
            assert dialog.grab().save(str(SHOTS / "declare-dialog.png"))
        qtbot.keyClick(dialog.commander_edit, Qt.Key.Key_Return)  # Enter submits

        await until(lambda: panel.fields["id"].text().startswith("INC-"), 10, "the incident tab")
        assert panel.isVisible()
        header = {k: label.text() for k, label in panel.fields.items()}
        assert (header["type"], header["zone"], header["severity"]) == (
            "Injury / SOS",
            "Compressor house",
            "High",
        )
        assert (header["commander"], header["safety_officer"], header["state"]) == ("li.wei", me, "open")
        assert not panel.reopen_button.isEnabled() and panel.note_button.isEnabled()
        await until(lambda: any("incident declared" in r[3] for r in panel.timeline_rows()), 10, "declared")
        await _shoot(console, "incident-open")

        qtbot.mouseClick(panel.note_button, LEFT)
        note = await until(lambda: console.incidents.dialog, 5, "the note dialog")
        assert isinstance(note, TextDialog) and not note.ok_button.isEnabled()
        qtbot.keyClicks(note.edit, "W01 conscious, burn on the left hand")
        qtbot.mouseClick(note.ok_button, LEFT)
        await until(lambda: any("W01 conscious" in r[3] for r in panel.timeline_rows()), 10, "the note")

        qtbot.mouseClick(panel.transfer_button, LEFT)
        transfer = await until(lambda: console.incidents.dialog, 5, "the transfer dialog")
        assert isinstance(transfer, TransferDialog)
        qtbot.keyClicks(transfer.commander_edit, "li.wei")
        qtbot.keyClicks(transfer.reason_edit, "handing over")
        qtbot.keyClick(transfer.reason_edit, Qt.Key.Key_Return)
        refused = f"li.wei is already the incident commander of {panel.fields['id'].text()}"
        await until(lambda: refused in window.statusBar().currentMessage(), 10, "the refusal in words")
        assert refused in table.status_label.text()
        await until(lambda: any(r[2] == "Refused" for r in panel.timeline_rows()), 10, "the refusal on it")

        qtbot.mouseClick(panel.transfer_button, LEFT)
        transfer = await until(lambda: console.incidents.dialog, 5, "the transfer dialog again")
        assert isinstance(transfer, TransferDialog)
        qtbot.keyClicks(transfer.commander_edit, "zhao.min")
        assert not transfer.ok_button.isEnabled()  # a reason is required
        qtbot.keyClicks(transfer.reason_edit, "shift lead on scene")
        qtbot.mouseClick(transfer.ok_button, LEFT)
        await until(lambda: panel.fields["commander"].text() == "zhao.min", 10, "command transferred")

        qtbot.mouseClick(panel.close_button, LEFT)
        closing = await until(lambda: console.incidents.dialog, 5, "the close dialog")
        assert not closing.ok_button.isEnabled()  # closing needs a reason
        qtbot.keyClicks(closing.edit, "W01 taken to hospital, area safe")
        qtbot.mouseClick(closing.ok_button, LEFT)
        await until(lambda: panel.fields["state"].text() == "closed (read-only)", 10, "closed")
        assert not panel.note_button.isEnabled() and "closed" in panel.note_button.toolTip()
        assert panel.reopen_button.isEnabled()

        def steps() -> list[tuple[str, str]]:
            return [(r[1], r[3]) for r in panel.timeline_rows() if r[2] == "Incident steps"]

        await until(lambda: len(steps()) == 4, 10, "the four steps on the timeline")
        texts = [text for _actor, text in steps()]
        assert texts[0].startswith("incident declared: injury / SOS in Compressor house, severity high")
        assert texts[1] == "note: W01 conscious, burn on the left hand"
        assert texts[2] == "command transferred from li.wei to zhao.min: shift lead on scene"
        assert texts[3] == "incident closed: W01 taken to hospital, area safe"
        assert {actor for actor, _text in steps()} == {me}
        assert any(r[2] == "Alarms" and SOS in r[3] for r in panel.timeline_rows())
        _choose(panel.kind_filter, "Alarms")
        await until(lambda: {r[2] for r in panel.timeline_rows()} == {"Alarms"}, 10, "the kind filter")
        assert window.width() == SCREEN[0]
        _choose(panel.kind_filter, "All kinds")
        await until(lambda: len(steps()) == 4, 10, "all kinds again")
        await _shoot(console, "incident-closed")

    run_console(scenario)


def test_an_incident_declared_by_hand_is_in_its_tab_again_after_a_restart(
    run_console, simulator: SimulatorThread, broker: Broker, qtbot: QtBot
) -> None:
    declared: list[str] = []

    async def declare(console: WindowedConsole) -> None:
        """By hand, from the zone's menu on the map, around the point right-clicked (T-103's manway), W10
        working there."""
        core = console.app.core
        await until(lambda: status_text(console, "MQTT").startswith("MQTT: connected"), 10)
        fix = {"x": 62.0, "y": 212.0, "floor": 0, "accuracy_m": 0.5, "ts": datetime.now(UTC).isoformat()}
        mosquitto_pub(broker, "site/demo/workers/W10/position", fix)
        await until(lambda: core.workers.fix_ts[core.site.worker_index["W10"]] > 0, 10, "W10 located")
        menu = console.menus.zone_menu("tank_farm", (60.0, 210.0))
        next(a for a in menu.actions() if a.text() == "Declare incident here…").trigger()
        dialog = await until(lambda: console.incidents.dialog, 5, "the declaration dialog")
        assert isinstance(dialog, DeclareDialog) and dialog.zone_box.currentText() == "Tank farm"
        assert dialog.radius_box.text() == "the whole zone"  # unless a radius is given
        dialog.radius_box.setFocus()
        dialog.radius_box.selectAll()  # as tabbing into it does
        qtbot.keyClicks(dialog.radius_box, "25")
        assert dialog.radius_box.value() == 25
        _choose(dialog.type_box, "Gas release")
        _choose(dialog.severity_box, "High")
        qtbot.keyClicks(dialog.commander_edit, "li.wei")
        dialog.officer_edit.setText("zhao.min")
        qtbot.keyClick(dialog.officer_edit, Qt.Key.Key_Return)
        await until(lambda: console.app.core.incidents.incidents, 10, "the incident declared")
        declared.extend(console.app.core.incidents.incidents)

    async def restarted(console: WindowedConsole) -> None:
        window, panel = console.window, console.window.incident_panel
        window.resize(*SCREEN)
        await until(lambda: panel.fields["id"].text() == declared[0], 10, "the incident restored in its tab")
        assert window.incident_dock.isVisible()
        assert (panel.fields["type"].text(), panel.fields["zone"].text()) == (
            "Gas release",
            "Tank farm, 25 m around (60, 210)",
        )
        circle = window.plant_map.danger_area()  # the hazard circle, not the whole tank farm
        await until(lambda: panel.people_rows(), 5, "its people, from the stored positions")
        name = console.app.core.site.workers[console.app.core.site.worker_index["W10"]].name
        assert panel.people_rows()[0][:2] == (f"{name} (W10)", "inside")
        assert (round(circle.left()), round(circle.top()), round(circle.width())) == (35, 185, 50)
        assert panel.fields["state"].text() == "open" and panel.note_button.isEnabled()
        await until(
            lambda: any("incident declared" in r[3] for r in panel.timeline_rows()), 10, "its timeline"
        )
        # a second incident at once: the tab follows the new one, the first is a pick away
        menu = console.menus.zone_menu("workshop")
        next(a for a in menu.actions() if a.text() == "Declare incident here…").trigger()
        dialog = await until(lambda: console.incidents.dialog, 5, "the declaration dialog")
        _choose(dialog.type_box, "Fire")
        _choose(dialog.severity_box, "Moderate")
        qtbot.keyClicks(dialog.commander_edit, "wang.fang")
        qtbot.keyClick(dialog.commander_edit, Qt.Key.Key_Return)
        await until(lambda: panel.fields["zone"].text() == "Workshop", 10, "the new incident followed")
        box = panel.incident_box
        assert box.count() == 2 and box.currentText().endswith("Fire · Workshop")
        first = box.findData(declared[0])
        box.setFocus()
        qtbot.keyClick(box, Qt.Key.Key_Down)  # the keyboard picks the next one: the first incident
        assert box.currentIndex() == first
        await until(lambda: panel.fields["id"].text() == declared[0], 5, "the first incident followed")
        assert window.plant_map.danger_area().width() == 50  # its hazard circle again

    run_console(declare)
    run_console(restarted)


def test_the_coordinators_layout_shows_who_is_in_and_near_the_danger_area_and_suspends_its_work_at_once(
    run_console,
    simulator: SimulatorThread,
    broker: Broker,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))

    async def scenario(console: WindowedConsole) -> None:
        core, window, panel = console.app.core, console.window, console.window.incident_panel
        book = core.permits.book
        window.resize(*SCREEN)
        await until(lambda: window.width() == SCREEN[0], 5, "1366 px wide")
        window.default_layout()  # as a console started on a 1366x768 screen lays itself out
        await until(lambda: status_text(console, "MQTT").startswith("MQTT: connected"), 10)
        ts = datetime.now(UTC).isoformat()
        for worker, x in (("W01", 330.0), ("W03", 290.0)):  # inside the compressor house; 10 m west of it
            fix = {"x": x, "y": 190.0, "floor": 0, "accuracy_m": 0.5, "ts": ts}
            mosquitto_pub(broker, f"site/demo/workers/{worker}/position", fix)
        await until(lambda: core.workers.zone[core.site.worker_index["W01"]] >= 0, 10, "W01 located")
        menu = console.menus.zone_menu("compressor_house")
        next(a for a in menu.actions() if a.text() == "Declare incident here…").trigger()
        dialog = await until(lambda: console.incidents.dialog, 5, "the declaration dialog")
        assert isinstance(dialog, DeclareDialog)
        _choose(dialog.type_box, "Gas release")
        _choose(dialog.severity_box, "Critical")
        qtbot.keyClicks(dialog.commander_edit, "li.wei")
        qtbot.keyClick(dialog.commander_edit, Qt.Key.Key_Return)
        await until(lambda: panel.fields["id"].text().startswith("INC-"), 10, "the incident tab")

        # the map on the danger area, the tab tall enough to read the situation and the timeline
        shown = window.plant_map.danger_area()
        assert (shown.left(), shown.top(), shown.right(), shown.bottom()) == (300, 150, 380, 230)
        visible = window.plant_map.mapToScene(window.plant_map.viewport().rect()).boundingRect()
        # zoomed in on it and the 50 m around it (the map is wide and short here: its height fits them)
        assert visible.contains(shown.adjusted(-49, -49, 49, 49))
        assert min(visible.width(), visible.height()) < 200 < core.site.height
        await until(lambda: window.incident_dock.height() >= 0.4 * window.height(), 5, "the tab tall")
        people = await until(lambda: panel.people_rows(), 5, "who is in and near")
        names = {w.id: w.name for w in core.site.workers}
        assert [row[:2] for row in people[:2]] == [
            (f"{names['W01']} (W01)", "inside"),
            (f"{names['W03']} (W03)", "10 m away"),
        ]
        assert all(row[2].endswith(" s") for row in people[:2])  # the age of the position
        assert people[0][3] == ""  # no SOS or man down
        assert panel.situation.tabText(0).startswith("People: 1 in, ")
        assert [r[0] for r in panel.permit_rows()] == ["PTW-HW-001", "PTW-LB-002", "PTW-CS-003", "PTW-WH-004"]
        assert panel.situation.tabText(1) == "Permits: 3 running"

        panel.situation.setCurrentIndex(1)
        qtbot.mouseClick(panel.suspend_all_button, LEFT)
        confirm = await until(lambda: console.incidents.dialog, 5, "the suspend-all confirmation")
        assert isinstance(confirm, TextDialog) and not confirm.ok_button.isEnabled()  # a reason first
        assert "PTW-HW-001, PTW-CS-003, PTW-WH-004" in confirm.findChild(QLabel).text()
        qtbot.keyClicks(confirm.edit, "gas release in the compressor house")
        qtbot.mouseClick(confirm.ok_button, LEFT)
        stopped = ("PTW-HW-001", "PTW-CS-003", "PTW-WH-004")
        await until(
            lambda: all(book.status(p).state is PermitState.SUSPENDED for p in stopped), 10, "stopped"
        )
        assert book.status("PTW-LB-002").state is PermitState.APPROVED
        await until(lambda: panel.situation.tabText(1) == "Permits: 0 running", 5, "none running")
        assert not panel.suspend_all_button.isEnabled()
        me = console.user.name

        def suspensions() -> list[tuple[str, str]]:
            return [(r[1], r[3]) for r in panel.timeline_rows() if r[2] == "Permits" and "suspended" in r[3]]

        await until(lambda: len(suspensions()) == 3, 10, f"the three suspensions in {panel.timeline_rows()}")
        assert {actor for actor, _ in suspensions()} == {me}
        sos = {"id": "band-W01-coord", "type": "sos", "ts": datetime.now(UTC).isoformat()}
        mosquitto_pub(broker, "site/demo/workers/W01/event", sos)  # W01 presses SOS inside
        await until(lambda: panel.people_rows()[0][3] == "SOS: unacknowledged", 10, "W01's SOS, open")

        panel.situation.setCurrentIndex(2)
        qtbot.mouseClick(panel.objective_button, LEFT)
        objective = await until(lambda: console.incidents.dialog, 5, "the objective dialog")
        qtbot.keyClicks(objective.edit, "isolate the leak at K-301")
        qtbot.keyClick(objective.edit, Qt.Key.Key_Return)
        await until(lambda: panel.objective_rows(), 10, "the objective listed")
        assert panel.objective_rows()[0][1:] == (me, "isolate the leak at K-301")
        assert window.width() == SCREEN[0]
        panel.situation.setCurrentIndex(0)  # who is in and near, W01 in SOS
        await _shoot(console, "incident-coordinator")

        qtbot.mouseClick(panel.report_button, LEFT)  # the after-action report, as it stands
        await until(lambda: panel.report_path, 20, f"the report written ({panel.report_label.text()})")
        assert panel.folder_button.isEnabled() and panel.report_path in window.statusBar().currentMessage()
        text = subprocess.run(
            ["pdftotext", "-layout", panel.report_path, "-"], capture_output=True, text=True, check=True
        ).stdout
        assert panel.fields["id"].text() in text and "isolate the leak at K-301" in text
        assert text.count("gas release in the compressor house") >= 3  # the three suspensions

    run_console(scenario)
