"""Permit work as an operator does it in the real window, against the simulator's OPC UA server, the broker and
the database: a gas test typed into the card's dialog that fails stops the running work at once (GB 30871),
everywhere the operator looks, and the card greys what the permit book would refuse, saying why."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QTableView
from pytestqt.qtbot import QtBot

from alarms.definitions import Tier
from alarms.states import Event, State
from console.window.gui import WindowedConsole
from integrations.simulator import SimulatorThread
from integrations.storage import Store
from tests.conftest import Broker
from tests.e2e.conftest import mosquitto_pub, status_text, until
from tests.widgets.support import double_click_row
from widgets.permits.gas_test_dialog import GasTestDialog
from widgets.permits.permit_panel import STATE

PERMIT, ALARM = "PTW-CS-003", "PTW-CS-003.GAS_TEST"  # confined space in the reactor unit, active in the demo
FAILED = "O2 18.5 %vol below 19.5 %vol (permit)"  # the permit asks for O2 19.5-21 %vol


def _open_card(console: WindowedConsole, qtbot: QtBot, permit: str) -> None:
    """Pick the permit in its list as a person does: a double click on its row opens its card."""
    panel = console.window.permit_panel
    assert panel.select_permit(permit)
    double_click_row(qtbot, panel.table, panel.table.currentIndex().row())


async def _gas_test_offered(console: WindowedConsole, qtbot: QtBot) -> None:
    """PERMIT's card opened from its row in the list, with Gas test… offered."""
    window, card = console.window, console.window.permit_card
    await until(lambda: PERMIT in window.permit_panel.visible_permits(), 5, "the permit listed")
    _open_card(console, qtbot, PERMIT)
    await until(lambda: card.permit_id == PERMIT and card.gas_test_button.isEnabled(), 5, "its card")


def _click_row(qtbot: QtBot, table: QTableView, row: int) -> None:
    centre = table.visualRect(table.model().index(row, 0)).center()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=centre)


def _type_gas_test(qtbot: QtBot, dialog: GasTestDialog, readings: dict[str, str], tester: str) -> None:
    for measure, text in readings.items():
        qtbot.keyClicks(dialog.edits[measure], text)
    qtbot.keyClicks(dialog.tester_edit, tester)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)


def test_a_failed_gas_test_suspends_the_active_permit_at_once_with_an_alarm_a_log_line_and_a_failed_audit(
    run_console, simulator: SimulatorThread, database_url: str, qtbot: QtBot
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        window = console.window
        card, plant_map = window.permit_card, window.plant_map
        await _gas_test_offered(console, qtbot)
        assert card.field_text("State").startswith("Active") and plant_map.permit_style(PERMIT) == "active"

        qtbot.mouseClick(card.gas_test_button, Qt.MouseButton.LeftButton)
        dialog = await until(lambda: card.gas_test_dialog, 5, "the gas-test dialog")
        _type_gas_test(qtbot, dialog, {"o2": "18.5", "lel": "1", "h2s": "0", "co": "0"}, "Zhou Li")

        # GB 30871: a failed analysis stops the work. The card and the map say so at once.
        await until(lambda: card.field_text("State").startswith("Suspended"), 5, "the card: Suspended")
        assert card.state_marked()
        assert card.field_text("Reason") == f"gas test failed: {FAILED}"
        assert card.field_text("Latest gas test").startswith("FAILED, taken")
        assert plant_map.permit_style(PERMIT) == "suspended"
        assert plant_map.permit_badge_text(PERMIT) == "CS SUSPENDED"
        said = f"gas test for {PERMIT} FAILED (tester Zhou Li): {FAILED}; {PERMIT} SUSPENDED: the work stops"
        await until(lambda: card.status_label.text() == said, 5, "the card's status line")

        # Offered a broadcast to the work zone, as a suspension from the card is.
        offer: QMessageBox = await until(lambda: console.broadcast.offer, 5, "the offer to broadcast")
        assert f"{PERMIT} is suspended. Tell the people in Reactor unit now?" in offer.text()
        qtbot.mouseClick(next(b for b in offer.buttons() if b.text() == "Not now"), Qt.MouseButton.LeftButton)

        # A tier-1 alarm naming the reading and its limit, in the list and the banner.
        table = window.alarm_table
        await until(lambda: table.select_alarm(ALARM), 5, "the gas-test alarm in the list")
        [view] = table.selected_alarms()
        assert (view.tier, view.state, view.area) == (Tier.LIFE, State.UNACK, "reactor_unit")
        assert view.message == f"{PERMIT} gas test failed: {FAILED}"
        assert any(line.alarm_id == ALARM for line in window.alarm_banner.lines())

        # The event log has the test, prominent (a warning), and the suspension.
        def logged() -> list[tuple[str, ...]]:
            return window.event_log.visible_rows()

        await until(lambda: any(FAILED in row[3] and row[1] == "warning" for row in logged()), 5, "logged")
        assert any(f"permit {PERMIT} active → suspended: gas test failed" in row[3] for row in logged())

        # Resume is greyed with the book's reason until a new passing test and check-in.
        assert not card.resume_button.isEnabled()
        assert card.resume_button.toolTip() == (
            "Not possible now: no gas test taken since the suspension; "
            "guardian W15 has not checked in at Reactor unit again since the suspension"
        )

        # Journaled and audited as failed, not "done".
        assert console.app.writer.flush(5)
        store = Store(database_url)
        [test] = store.journal_rows(kind="gas_test")
        assert (test.source, test.payload["failures"], test.payload["tester"]) == (
            PERMIT,
            [FAILED],
            "Zhou Li",
        )
        moved = [e for e in store.journal_rows(kind="permit") if e.source == PERMIT]
        assert [(e.actor, e.payload["to"]) for e in moved] == [("system", "suspended")]
        [audited] = [r for r in store.audit_rows() if r["action"] == "record_gas_test"]
        assert (audited["username"], audited["target"], audited["outcome"]) == ("tester", PERMIT, "failed")
        assert audited["reason"] == f"{FAILED}; {PERMIT} suspended: the work stops"

    run_console(scenario)


def test_a_failed_gas_test_makes_no_intruders_of_the_permits_own_people_while_a_real_intruder_is_one(
    run_console, plant: SimulatorThread, database_url: str, qtbot: QtBot
) -> None:
    """EEMUA 191: fleeting alarms 0. The failed test suspends PTW-CS-003 while PTW-WH-004's work runs on in
    the reactor unit; CS-003's own people there (W06, W07, guardian W15) must leave, which the suspension
    tells them, and are no intruders: no "entered a permit zone without being on its permit" for them (three
    tier-2 lines flashed in the banner, returned within the second). W16, on no permit, walking into the
    compressor house's running hot work, still is one."""
    own = ("W06", "W07", "W15")

    async def scenario(console: WindowedConsole) -> None:
        core, card = console.app.core, console.window.permit_card
        await until(lambda: (core.workers.fix_ts > 0).all(), 15, "every worker located")
        zones = {w: core.site.zones[int(core.workers.zone[core.site.worker_index[w]])].id for w in own}
        assert zones == dict.fromkeys(own, "reactor_unit")  # at their work
        await _gas_test_offered(console, qtbot)
        qtbot.mouseClick(card.gas_test_button, Qt.MouseButton.LeftButton)
        dialog = await until(lambda: card.gas_test_dialog, 5, "the gas-test dialog")
        _type_gas_test(qtbot, dialog, {"o2": "18.5", "lel": "1", "h2s": "0", "co": "0"}, "Zhou Li")
        await until(lambda: card.field_text("State").startswith("Suspended"), 5, "the card: Suspended")
        offer: QMessageBox = await until(lambda: console.broadcast.offer, 5, "the offer to broadcast")
        qtbot.mouseClick(next(b for b in offer.buttons() if b.text() == "Not now"), Qt.MouseButton.LeftButton)

        plant.set_scenario("no-permit-entry")  # meanwhile the worker rules run every tick
        intruder = "W16.NO_PERMIT_ENTRY"
        await until(lambda: console.window.alarm_table.select_alarm(intruder), 40, "W16's alarm in the list")
        assert any(line.alarm_id == intruder for line in console.window.alarm_banner.lines())
        assert all(core.workers.zone[core.site.worker_index[w]] >= 0 for w in own)  # still in the zone

        assert await asyncio.to_thread(console.app.writer.flush, 10)
        raised = [
            t.alarm_id
            for t in Store(database_url).alarm_transitions()
            if t.alarm_id.endswith(".NO_PERMIT_ENTRY") and t.event is Event.ACTIVATE
        ]
        assert raised == [intruder]  # nothing for CS-003's people, not even for a moment

    run_console(scenario)


def test_resume_waits_greyed_for_a_new_test_and_check_in_and_every_step_and_refusal_is_in_the_event_log(
    run_console, simulator: SimulatorThread, broker: Broker, qtbot: QtBot
) -> None:
    """After a stop, Resume stays greyed with the reason until a new passing gas test and the guardian's
    check-in are on record; each gas test, each check-in and each refused command is a line of the event log."""

    async def scenario(console: WindowedConsole) -> None:
        window = console.window
        card = window.permit_card
        await _gas_test_offered(console, qtbot)
        qtbot.mouseClick(card.gas_test_button, Qt.MouseButton.LeftButton)
        dialog = await until(lambda: card.gas_test_dialog, 5, "the gas-test dialog")
        _type_gas_test(qtbot, dialog, {"o2": "18.5", "lel": "1", "h2s": "0", "co": "0"}, "Zhou Li")
        await until(lambda: card.field_text("State").startswith("Suspended"), 5, "suspended")
        offer = await until(lambda: console.broadcast.offer, 5, "the offer to broadcast")
        offer.reject()

        def log_texts() -> list[str]:
            return [row[3] for row in window.event_log.visible_rows()]

        qtbot.mouseClick(card.check_in_button, Qt.MouseButton.LeftButton)  # W15's wearable not heard yet
        refused = f"check in guardian {PERMIT} refused: permit {PERMIT}: no position of guardian W15 is known"
        await until(lambda: any(t.startswith(refused) for t in log_texts()), 5, "the refusal logged")
        assert card.status_label.font().bold() and "no position of guardian W15" in card.status_label.text()

        await until(lambda: status_text(console, "MQTT").startswith("MQTT: connected"), 10, "MQTT")
        fix = {"x": 200.0, "y": 180.0, "floor": 0, "accuracy_m": 0.5, "ts": datetime.now(UTC).isoformat()}
        mosquitto_pub(broker, "site/demo/workers/W15/position", fix)  # inside the reactor unit
        core = console.app.core
        await until(lambda: core.workers.zone[core.site.worker_index["W15"]] >= 0, 5, "W15 located")
        qtbot.mouseClick(card.check_in_button, Qt.MouseButton.LeftButton)
        checked = f"guardian Hu Bo (W15) checked in at {PERMIT}, 0 m from Reactor unit"
        await until(lambda: checked in log_texts(), 5, "the check-in logged")
        assert not card.resume_button.isEnabled()
        assert card.resume_button.toolTip() == "Not possible now: no gas test taken since the suspension"

        qtbot.mouseClick(card.gas_test_button, Qt.MouseButton.LeftButton)
        dialog = await until(lambda: card.gas_test_dialog, 5, "the gas-test dialog again")
        _type_gas_test(qtbot, dialog, {"o2": "20.9", "lel": "0", "h2s": "0", "co": "0"}, "Zhou Li")
        passed = (
            f"gas test for {PERMIT} passed (tester Zhou Li): O2 20.9 %vol, LEL 0 %LEL, H2S 0 ppm, CO 0 ppm"
        )
        await until(lambda: passed in log_texts(), 5, "the passing test logged")
        await until(lambda: card.resume_button.isEnabled(), 5, "Resume offered")
        assert not core.alarms.engine.view(ALARM).active  # the passing test returned the alarm
        qtbot.mouseClick(card.resume_button, Qt.MouseButton.LeftButton)
        await until(lambda: card.field_text("State").startswith("Active"), 5, "the work resumed")
        assert window.plant_map.permit_style(PERMIT) == "active"

    run_console(scenario)


def test_a_suspension_shows_in_the_open_workers_details_as_on_the_map_the_list_and_the_card(
    run_console, simulator: SimulatorThread, broker: Broker, qtbot: QtBot
) -> None:
    """The worker's details are open when their SOS suspends the hot work they are on: the details' permit
    line follows the permit's live state (it said Active under a map that said SUSPENDED)."""

    async def scenario(console: WindowedConsole) -> None:
        core, window = console.app.core, console.window
        details, workers = window.worker_details, window.worker_panel
        await until(lambda: "W01" in workers.visible_workers(), 5, "W01 listed")
        assert workers.select_worker("W01")
        _click_row(qtbot, workers.table, workers.table.currentIndex().row())
        await until(lambda: details.worker_id == "W01", 5, "W01's details")
        assert details.permits_text() == "PTW-HW-001  HW Hot work — worker — Active"

        await until(lambda: status_text(console, "MQTT").startswith("MQTT: connected"), 10, "MQTT")
        fix = {"x": 330.0, "y": 190.0, "floor": 0, "accuracy_m": 0.5, "ts": datetime.now(UTC).isoformat()}
        mosquitto_pub(broker, "site/demo/workers/W01/position", fix)  # welding at K-301
        await until(lambda: core.workers.zone[core.site.worker_index["W01"]] >= 0, 10, "W01 located")
        sos = {"id": "band-W01-1", "type": "sos", "ts": datetime.now(UTC).isoformat()}
        mosquitto_pub(broker, "site/demo/workers/W01/event", sos)
        plant_map = window.plant_map
        await until(lambda: plant_map.permit_style("PTW-HW-001") == "suspended", 10, "the map: suspended")
        assert details.worker_id == "W01"  # still open, never picked again
        await until(
            lambda: details.permits_text() == "PTW-HW-001  HW Hot work — worker — Suspended", 5, "the details"
        )
        assert window.permit_panel.cell_text("PTW-HW-001", STATE) == "Suspended"
        window.show_permit("PTW-HW-001")
        await until(lambda: window.permit_card.field_text("State").startswith("Suspended"), 5, "the card")

    run_console(scenario)


def test_with_the_database_down_a_failed_gas_test_still_raises_its_alarm_and_says_it_was_not_saved(
    run_console, simulator: SimulatorThread, database_url: str, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A silent failure in a safety console: the database fails while a failed test is saved. The operator
    sees the stop and the tier-1 alarm all the same (the alarm waited for a commit that never came), and that
    the test was NOT saved; once the database is back, nothing is lost."""

    async def scenario(console: WindowedConsole) -> None:
        window = console.window
        card, table = window.permit_card, window.alarm_table
        await _gas_test_offered(console, qtbot)
        store = console.app.writer.store

        def down(*_rows: object, **_audit: object) -> list[int]:
            raise sa.exc.OperationalError("INSERT", {}, Exception("database is locked"))

        monkeypatch.setattr(store, "write", down)
        qtbot.mouseClick(card.gas_test_button, Qt.MouseButton.LeftButton)
        dialog = await until(lambda: card.gas_test_dialog, 5, "the gas-test dialog")
        _type_gas_test(qtbot, dialog, {"o2": "18.5", "lel": "1", "h2s": "0", "co": "0"}, "Zhou Li")

        await until(lambda: table.select_alarm(ALARM), 8, "the gas-test alarm, with the database down")
        [view] = table.selected_alarms()
        assert (view.tier, view.message) == (Tier.LIFE, f"{PERMIT} gas test failed: {FAILED}")
        assert any(line.alarm_id == ALARM for line in window.alarm_banner.lines())
        await until(lambda: card.field_text("State").startswith("Suspended"), 5, "the stop on the card")
        assert card.field_text("Latest gas test").startswith("FAILED, taken")
        assert window.plant_map.permit_style(PERMIT) == "suspended"

        not_saved = "not saved: the database did not confirm it in time"
        # once the command has waited its 10 s for the commit, as any command does
        await until(lambda: card.status_label.text() == not_saved, 20, "the outcome: not saved")
        assert card.status_label.font().bold()
        error = ("error", "RecordGasTest NOT saved: the database did not confirm it in time")
        await until(lambda: error in [(r[1], r[3]) for r in window.event_log.visible_rows()], 5, "logged")
        offer = await until(lambda: console.broadcast.offer, 5, "the offer to tell the zone all the same")
        offer.reject()

        monkeypatch.undo()  # the database is back: what waited is written
        assert await asyncio.to_thread(console.app.writer.flush, 30)
        saved = Store(database_url)
        [test] = saved.journal_rows(kind="gas_test")
        assert test.payload["failures"] == [FAILED]
        assert [e.payload["to"] for e in saved.journal_rows(kind="permit") if e.source == PERMIT] == [
            "suspended"
        ]
        assert any(t.alarm_id == ALARM for t in saved.alarm_transitions(alarm_ids=[ALARM]))
        [audited] = [r for r in saved.audit_rows() if r["action"] == "record_gas_test"]  # one: the test's
        assert audited["outcome"] == "failed"

    run_console(scenario)
