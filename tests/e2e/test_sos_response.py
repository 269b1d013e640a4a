"""The response to an SOS or man-down in the window, end to end: a band's messages over MQTT, the operator
clicking the banner, the alarm list and the worker's details through acknowledge → assign → on scene →
resolve, and the journal holding every step with its actor."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QPushButton, QWidget
from pytestqt.qtbot import QtBot

from alarms.states import Event, State
from console.server.session import Session
from console.window.gui import WindowedConsole
from integrations.simulator import SimulatorThread
from integrations.storage import Store
from plant_maps.permit_lifecycle import PermitState
from tests.conftest import Broker
from tests.e2e.conftest import mosquitto_pub, status_text, until
from tests.keyboard import press
from widgets.alarms.alarm_table import AlarmTable

SOS = "W01.SOS"
LEFT = Qt.MouseButton.LeftButton


def _band(broker: Broker, worker: str, kind: str, n: int) -> None:
    ts = datetime.now(UTC).isoformat()
    mosquitto_pub(
        broker, f"site/demo/workers/{worker}/event", {"id": f"band-{worker}-{n}", "type": kind, "ts": ts}
    )


def _banner_text(console: WindowedConsole) -> list[str]:
    return [line.text for line in console.window.alarm_banner.lines()]


def _whole_in_window(widget: QWidget, window: QWidget) -> bool:
    """Shown, inside the window, and wide enough for its text (nothing cut off)."""
    top_left = widget.mapTo(window, QPoint(0, 0))
    inside = window.rect().contains(top_left) and window.rect().contains(
        top_left + QPoint(widget.width() - 1, widget.height() - 1)
    )
    fits = not isinstance(widget, QPushButton) or widget.width() >= widget.sizeHint().width()
    return widget.isVisible() and inside and fits


async def _shoot(console: WindowedConsole, folder: Path, name: str) -> None:
    """At both control-room sizes: the response's buttons whole in the window, and a screenshot (with the
    step's dialog, a window of its own, beside it)."""
    window, dialog = console.window, console.responses.dialog
    if dialog is not None:
        assert dialog.grab().save(str(folder / f"{name}-dialog.png"))
    buttons = (window.alarm_table.respond_button, window.worker_details.respond_button)
    for width, height in ((1366, 768), (1920, 1080)):
        window.resize(width, height)  # laid out by the loop (processEvents here would re-enter qasync)
        await until(lambda: all(_whole_in_window(b, window) for b in buttons), 5, f"whole at {width}")
        assert window.grab().save(str(folder / f"{name}-{width}x{height}.png"))
    window.resize(1600, 1000)


def test_an_sos_is_answered_from_the_window_and_suspends_the_permit_where_the_wearer_is(
    run_console, simulator: SimulatorThread, broker: Broker, database_url: str, qtbot: QtBot, tmp_path: Path
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        core, window = console.app.core, console.window
        table, details, banner = window.alarm_table, window.worker_details, window.alarm_banner
        await until(lambda: status_text(console, "MQTT").startswith("MQTT: connected"), 10)
        position = {
            "x": 330.0,
            "y": 190.0,
            "floor": 0,
            "accuracy_m": 0.5,
            "ts": datetime.now(UTC).isoformat(),
        }
        mosquitto_pub(broker, "site/demo/workers/W01/position", position)  # welding at K-301
        await until(lambda: core.workers.zone[core.site.worker_index["W01"]] >= 0, 10, "W01 located")
        _band(broker, "W01", "sos", 1)
        await until(lambda: table.model.row_of(SOS) is not None, 10, "the SOS in the alarm list")
        book = core.permits.book
        await until(lambda: book.status("PTW-HW-001").state is PermitState.SUSPENDED, 5, "the suspension")
        assert book.status("PTW-HW-001").reason == "tier-1 alarm active in Compressor house"
        await until(lambda: banner.lines()[0].alarm_id == SOS, 5, "the SOS on the banner")
        assert banner.lines()[0].cells[2] == "Compressor house"  # where the wearer is, not "Site-wide"

        # The banner line opens the alarm in the list and the wearer's details; nothing to do before the ack.
        first_line = banner.childAt(300, round(banner.height() / 8))
        qtbot.mouseClick(first_line, LEFT)
        assert [v.id for v in table.selected_alarms()] == [SOS] and details.worker_id == "W01"
        await until(lambda: details.respond_button.isVisible(), 5, "the response in the details")
        for button in (table.respond_button, details.respond_button):
            assert (button.text(), button.isEnabled()) == ("Assign responder…", False)
        assert table.respond_button.toolTip() == "Acknowledge the alarm first"
        assert details.response_text() == "W01.SOS: unacknowledged\nAcknowledge the alarm first"
        qtbot.mouseClick(table.acknowledge_button, LEFT)
        await until(lambda: table.respond_button.isEnabled(), 5, "the next step offered")
        assert details.respond_button.isEnabled()
        assert any(
            t.endswith("SOS pressed by Li Wei (W01) — acknowledged, no responder")
            for t in _banner_text(console)
        )
        assert not any("No unacknowledged alarms" in t for t in _banner_text(console))
        console.responses.responder_on_scene(SOS)  # as a menu could ask: refused by the core, and says why
        await until(lambda: "assign a responder first" in table.status_label.text(), 5, "the refusal")
        assert (
            table.status_label.font().bold() and "assign a responder first" in details.response_status.text()
        )

        qtbot.mouseClick(table.respond_button, LEFT)
        dialog = console.responses.dialog
        assert dialog is not None and not dialog.ok_button.isEnabled()
        qtbot.keyClicks(dialog.responder_box.lineEdit(), "Ma Lin (W13)")
        await _shoot(console, tmp_path, "sos-assign-dialog")
        qtbot.mouseClick(dialog.ok_button, LEFT)
        await until(lambda: table.respond_button.text() == "Responder on scene", 5, "responder assigned")
        assert "responder Ma Lin (W13) assigned" in " ".join(_banner_text(console))
        assigned = "W01.SOS: responder Ma Lin (W13) assigned"
        await until(lambda: table.status_label.text() == assigned, 5, "the outcome after the write")
        await until(lambda: details.respond_button.text() == "Responder on scene", 5, "the details follow")
        await _shoot(console, tmp_path, "sos-responder-assigned")

        qtbot.mouseClick(details.respond_button, LEFT)  # the same step from the worker's details
        await until(lambda: table.respond_button.text() == "Resolve…", 5, "responder on scene")
        assert "responder Ma Lin (W13) on scene" in " ".join(_banner_text(console))
        assert window.plant_map.worker_style("W01").startswith("alert")  # pulsing until resolved

        qtbot.mouseClick(table.respond_button, LEFT)
        dialog = console.responses.dialog
        qtbot.keyClicks(dialog.notes_edit, "Burn on the left hand; first aid given, back to work tomorrow")
        assert not dialog.ok_button.isEnabled()  # actual incident or false alarm must be said
        qtbot.mouseClick(dialog.incident_button, LEFT)
        await _shoot(console, tmp_path, "sos-resolve-dialog")
        qtbot.mouseClick(dialog.ok_button, LEFT)
        signature = await until(lambda: console.responses.signature, 5, "the signature dialog")
        assert (
            "meaning: SOS closed by responder lead as actual incident." in signature.intro.text()
        )  # DEMO: no password asked
        qtbot.mouseClick(signature.ok_button, LEFT)
        await until(lambda: table.model.row_of(SOS) is None, 5, "the SOS gone from the list")
        assert _banner_text(console) == ["No unacknowledged alarms"]
        await until(lambda: not window.plant_map.worker_style("W01").startswith("alert"), 5, "no pulse")
        assert not details.respond_button.isVisible()

        await console.runner.wait_idle()
        store = Store(database_url)
        steps = [(e.actor, e.payload["step"]) for e in store.journal_rows(kind="wearable_response")]
        assert steps == [("tester", "assigned"), ("tester", "on_scene"), ("tester", "resolved")]
        transitions = store.alarm_transitions(alarm_ids=[SOS])
        assert [(t.event, t.actor) for t in transitions if t.actor != "system"] == [
            (Event.ACKNOWLEDGE, "tester"),
            (Event.RESET, "tester"),
        ]
        assert transitions[-1].comment.startswith(
            "actual incident: Burn on the left hand; first aid given, back to work tomorrow; signed by tester "
        )
        assert transitions[-1].comment.endswith(": SOS closed by responder lead as actual incident")
        assert {t.area for t in transitions} == {"compressor_house"}

    run_console(scenario)


async def _listening(console: WindowedConsole) -> tuple[Session, AlarmTable]:
    """The core and the alarm list, once the console's MQTT link is up (the bands' messages arrive)."""
    await until(lambda: status_text(console, "MQTT").startswith("MQTT: connected"), 10)
    return console.app.core, console.window.alarm_table


def test_a_fall_then_no_motion_is_acknowledged_in_one_click(
    run_console, simulator: SimulatorThread, broker: Broker, qtbot: QtBot
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        core, table = await _listening(console)
        _band(broker, "W07", "fall", 1)
        _band(broker, "W07", "no_motion", 2)
        await until(lambda: table.model.row_of("W07.NO_MOTION") is not None, 10, "both in the list")
        assert table.select_alarm("W07.FALL")
        qtbot.mouseClick(table.acknowledge_button, LEFT)
        await until(lambda: core.alarms.engine.view("W07.NO_MOTION").acked, 5, "both acknowledged")
        assert core.alarms.engine.view("W07.FALL").state is State.ACKED
        outcome = "acknowledge: W07.FALL, W07.NO_MOTION"
        await until(lambda: table.status_label.text() == outcome, 5, "the outcome after the write")

    run_console(scenario)


def _at(broker: Broker, worker: str, x: float, y: float) -> None:
    fix = {"x": x, "y": y, "floor": 0, "accuracy_m": 0.5, "ts": datetime.now(UTC).isoformat()}
    mosquitto_pub(broker, f"site/demo/workers/{worker}/position", fix)


def test_the_responders_are_offered_nearest_first_with_their_zone_and_distance(
    run_console, simulator: SimulatorThread, broker: Broker, qtbot: QtBot
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        core, table = await _listening(console)
        for worker, x, y in (("W01", 330.0, 190.0), ("W05", 60.0, 60.0), ("W13", 336.0, 198.0)):
            _at(broker, worker, x, y)
        index = core.site.worker_index
        await until(lambda: all(core.workers.zone[index[w]] >= 0 for w in ("W01", "W05", "W13")), 10)
        _band(broker, "W01", "sos", 1)
        await until(lambda: table.select_alarm(SOS), 10, "the SOS in the alarm list")
        qtbot.mouseClick(table.acknowledge_button, LEFT)
        await until(lambda: table.respond_button.isEnabled(), 5, "Assign responder… offered")
        qtbot.mouseClick(table.respond_button, LEFT)
        dialog = console.responses.dialog
        box = dialog.responder_box
        offered = [box.itemText(i) for i in range(box.count())]
        assert offered[:2] == [
            "Ma Lin (W13) — Compressor house, 10 m",
            "Chen Jie (W05) — Loading bay, 300 m",
        ]
        assert all(text.endswith(" — no position") for text in offered[2:])  # not located: last
        press(dialog, Qt.Key.Key_Down)  # the nearest, with the keyboard
        press(dialog, Qt.Key.Key_Return)
        await until(lambda: table.respond_button.text() == "Responder on scene", 5, "responder assigned")
        assert core.responses.open[SOS].responder == "W13"

    run_console(scenario)
