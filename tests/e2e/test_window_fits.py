"""The window always fits a 1366x768 screen: no text the console shows, however long, widens (or heightens)
the main window, whatever the operator does. Every workflow is walked in the real window with long texts
typed wherever the operator can type them, and the window is measured after each step."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QPoint, Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from alarms.states import State
from console.window.gui import WindowedConsole
from integrations.simulator import SimulatorThread
from tests.conftest import Broker
from tests.e2e.conftest import mosquitto_pub, status_text, until

SCREEN = (1366, 768)
LEFT = Qt.MouseButton.LeftButton
GAS_HH, GAS_H, SOS = "PGD-01.HH", "PGD-01.H", "W01.SOS"


def _long(what: str, chars: int) -> str:
    """A long text as an operator might type it: words, and one unbroken run that no wrap can split."""
    words = f"{what} " + "the longest text the form takes, every word of it typed " * 30
    return (words[: chars // 2] + " " + "x" * chars)[:chars]


def _settle() -> None:
    """Lay out what changed now (Qt posts layout requests): a label that grew has asked for its room."""
    for _ in range(4):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)


def _inside(widget: QWidget, window: QWidget) -> bool:
    top_left = widget.mapTo(window, QPoint(0, 0))
    return widget.isVisible() and window.rect().contains(
        top_left + QPoint(widget.width() - 1, widget.height() - 1)
    )


def _fits(console: WindowedConsole, step: str, *dialogs: QWidget) -> None:
    """After `step`: the window is still the screen's size and asks for no more; the user's name, the
    User menu and Silence are on screen; an open dialog fits the screen too."""
    window = console.window
    _settle()
    width, height = SCREEN
    hint, least = window.minimumSizeHint(), window.minimumSize()
    assert hint.width() <= width and hint.height() <= height, f"after {step}: minimum size hint {hint}"
    assert least.width() <= width and least.height() <= height, f"after {step}: minimum size {least}"
    assert (window.width(), window.height()) == SCREEN, f"after {step}: {window.width()}x{window.height()}"
    user_button = (
        window.user_label.parentWidget()
        .layout()
        .itemAt(window.user_label.parentWidget().layout().indexOf(window.user_label) + 1)
    )
    seen = [window.user_label, window.alarm_banner.silence_button]
    if user_button is not None and user_button.widget() is not None:
        seen.append(user_button.widget())
    for widget in seen:
        assert _inside(widget, window), f"after {step}: {widget.objectName() or widget} off screen"
    for dialog in dialogs:
        size = dialog.minimumSizeHint().expandedTo(dialog.minimumSize())
        assert size.width() <= width and size.height() <= height, f"{step}: the dialog needs {size}"


def _publish_position(broker: Broker, worker: str, x: float, y: float) -> None:
    fix = {"x": x, "y": y, "floor": 0, "accuracy_m": 0.5, "ts": datetime.now(UTC).isoformat()}
    mosquitto_pub(broker, f"site/demo/workers/{worker}/position", fix)


def test_no_workflow_widens_the_window_past_a_1366x768_screen(
    run_console, simulator: SimulatorThread, broker: Broker, qtbot: QtBot, tmp_path: Path
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        core, window = console.app.core, console.window
        table, card, details = window.alarm_table, window.permit_card, window.worker_details
        window.resize(*SCREEN)
        await until(lambda: window.width() == SCREEN[0], 5, "the resize")
        window.default_layout()  # as a console starting on a 1366x768 screen lays itself out
        await until(lambda: status_text(console, "MQTT").startswith("MQTT: connected"), 10)
        _fits(console, "start")

        gas = {"value": 30.0, "quality": "good", "ts": datetime.now(UTC).isoformat()}
        mosquitto_pub(broker, "site/demo/sensors/PGD-01", gas)  # past hh: tier 1 in the compressor house
        await until(lambda: table.model.row_of(GAS_H) is not None, 10, "the gas alarms listed")
        _fits(console, "a gas alarm")

        assert table.select_alarm(GAS_HH)
        qtbot.mouseClick(table.acknowledge_button, LEFT)
        await until(lambda: core.alarms.engine.view(GAS_HH).acked, 5, "the acknowledgement")
        _fits(console, "acknowledge")

        assert table.select_alarm(GAS_H)
        qtbot.mouseClick(table.shelve_button, LEFT)
        dialog = await until(lambda: table.shelve_dialog, 5, "the shelve dialog")
        qtbot.keyClicks(dialog.reason_edit, _long("shelved:", 200))
        _fits(console, "the shelve dialog", dialog)
        qtbot.mouseClick(dialog.ok_button, LEFT)
        await until(lambda: core.alarms.engine.view(GAS_H).state is State.SHELVED, 5, "shelved")
        await until(lambda: "shelve" in table.status_label.text(), 5, "the shelve's outcome")
        _fits(console, "shelve")

        # The SOS, through to its resolution with long notes: the line that once widened the window.
        _publish_position(broker, "W01", 330.0, 190.0)
        await until(lambda: core.workers.zone[core.site.worker_index["W01"]] >= 0, 10, "W01 located")
        sos = {"id": "band-W01-1", "type": "sos", "ts": datetime.now(UTC).isoformat()}
        mosquitto_pub(broker, "site/demo/workers/W01/event", sos)
        await until(lambda: table.model.row_of(SOS) is not None, 10, "the SOS listed")
        window.focus_alarm(SOS)  # as a click on its banner line
        qtbot.mouseClick(table.acknowledge_button, LEFT)
        await until(lambda: table.respond_button.isEnabled(), 5, "the responder step offered")
        _fits(console, "the SOS acknowledged")
        qtbot.mouseClick(table.respond_button, LEFT)
        dialog = console.responses.dialog
        qtbot.keyClicks(dialog.responder_box.lineEdit(), _long("Responder", 80))
        _fits(console, "the responder dialog", dialog)
        qtbot.mouseClick(dialog.ok_button, LEFT)
        await until(lambda: table.respond_button.text() == "Responder on scene", 5, "responder assigned")
        _fits(console, "responder assigned")
        qtbot.mouseClick(details.respond_button, LEFT)
        await until(lambda: table.respond_button.text() == "Resolve…", 5, "responder on scene")
        qtbot.mouseClick(table.respond_button, LEFT)
        dialog = console.responses.dialog
        dialog.notes_edit.setFocus()
        qtbot.keyClicks(dialog.notes_edit, _long("Burn on the left hand:", 1000))
        qtbot.mouseClick(dialog.incident_button, LEFT)
        _fits(console, "the resolve dialog", dialog)
        qtbot.mouseClick(dialog.ok_button, LEFT)
        signature = await until(lambda: console.responses.signature, 5, "the signature dialog")
        _fits(console, "the signature dialog", signature)
        qtbot.mouseClick(signature.ok_button, LEFT)
        await until(lambda: table.model.row_of(SOS) is None, 5, "the SOS resolved")
        await until(lambda: "signed by" in table.status_label.text(), 5, "the resolution's outcome")
        outcome = table.status_label
        assert outcome.shown_lines()[0].endswith("…") and "signed by" in outcome.toolTip()  # whole there
        _fits(console, "the SOS resolved")
        assert window.grab().save(str(tmp_path / "sos-resolved-1366x768.png"))

        window.show_permit("PTW-CS-003")
        await until(lambda: card.suspend_button.isEnabled(), 5, "the permit's card")
        qtbot.mouseClick(card.suspend_button, LEFT)
        dialog = await until(lambda: card.suspend_dialog, 5, "the suspend dialog")
        qtbot.keyClicks(dialog.reason_edit.lineEdit(), _long("gas reading doubtful:", 300))
        _fits(console, "the suspend dialog", dialog)
        qtbot.mouseClick(dialog.ok_button, LEFT)
        offer = await until(lambda: console.broadcast.offer, 5, "the broadcast offer")
        _fits(console, "the broadcast offer", offer)
        [not_now] = [b for b in offer.buttons() if b.text() == "Not now"]
        qtbot.mouseClick(not_now, LEFT)
        await until(lambda: "suspended" in card.status_label.text(), 5, "the suspension's outcome")
        _fits(console, "permit suspended")

        window.muster_action.trigger()
        await until(lambda: window.muster_panel.missing_rows(), 5, "the missing listed")
        _fits(console, "muster started")

        window.isolation_actions["tank_farm"].trigger()
        dialog = await until(lambda: console.isolation.dialog, 5, "the isolation dialog")
        qtbot.keyClicks(dialog.reason_edit, _long("tank cleaning:", 200))
        _fits(console, "the isolation dialog", dialog)
        qtbot.mouseClick(dialog.ok_button, LEFT)
        box = await until(lambda: console.isolation.confirmation, 5, "the isolation's confirmation")
        _fits(console, "the isolation's confirmation", box)
        qtbot.mouseClick(box.confirm_button, LEFT)
        await until(lambda: window.isolation_strip.lines(), 5, "the isolation's line under the banner")
        _fits(console, "zone isolated")

        window.broadcast_action.trigger()
        dialog = await until(lambda: console.broadcast.dialog, 5, "the broadcast dialog")
        qtbot.keyClicks(dialog.text_edit, _long("Evacuate:", 300))
        _fits(console, "the broadcast dialog", dialog)
        dialog.reject()

        panel = window.interlock_panel
        await until(lambda: panel.line("IL-CH-TRIP").feedback is False, 15, "the interlock's feedback read")
        window.show_interlock("IL-CH-TRIP")
        qtbot.mouseClick(panel.arm_button, LEFT)
        dialog = await until(lambda: console.interlocks.dialog, 5, "the interlock's confirmation")
        _fits(console, "the interlock's confirmation", dialog)
        dialog.reject()
        await until(lambda: core.interlocks.status("IL-CH-TRIP").selection is None, 5, "the cancel")
        _fits(console, "interlock cancelled")

        window.open_trend("GD-CH-01")
        await until(lambda: window.trend_view.isVisible(), 5, "the trend shown")
        _fits(console, "a trend opened")
        window.audit_action.trigger()
        await until(lambda: window.audit_view.isVisible(), 5, "the audit trail shown")
        _fits(console, "the audit trail opened")

        window.note_action.trigger()
        dialog = await until(lambda: window.note_dialog, 5, "the note dialog")
        qtbot.keyClicks(dialog.edit, _long("Handover:", 500))
        _fits(console, "the note dialog", dialog)
        qtbot.mouseClick(dialog.ok_button, LEFT)
        await until(lambda: window.note_dialog is None, 5, "the note saved")
        _fits(console, "a shift-log note")
        assert window.grab().save(str(tmp_path / "walked-1366x768.png"))

    run_console(scenario)
