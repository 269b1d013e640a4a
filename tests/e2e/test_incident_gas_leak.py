"""Issue 17 end to end, the coordinator's whole run through the window at 1366x768 on the simulated plant: a
minute of the plant at work, then the gas leak in the compressor house with W01's SOS there. The coordinator
declares the incident from the SOS row, suspends the work in and near the danger area in one action,
broadcasts the evacuation and starts the muster; the timeline shows each step with its actor, in order;
the replay goes back to a minute before the leak (the hot work active, the workers where they were) and
"Now" comes back; the after-action report holds the timeline."""

from __future__ import annotations

import math
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolBar, QToolButton
from pytestqt.qtbot import QtBot

from console.window.gui import WindowedConsole
from integrations.simulator import SimulatorThread
from plant_maps.permit_lifecycle import PermitState
from plant_maps.permits import PermitBook
from plant_maps.site import Site
from tests.conftest import Broker
from tests.e2e.conftest import mosquitto_pub, pa_plant, status_text, until
from widgets.common.text_dialog import TextDialog
from widgets.incidents.declare_dialog import DeclareDialog

SCREEN = (1366, 768)
LEFT = Qt.MouseButton.LeftButton
BEFORE_S = 60.0  # the replay goes back this long before the leak
WORKERS = ("W05", "W13", "W16")  # walking about the site, not in the compressor house
NEAR_M = 3.0  # a stored fix is within a metre of the worker, plus half a second of walk either side
STOPPED = ("PTW-HW-001", "PTW-CS-003", "PTW-WH-004")  # the compressor house's and the reactor unit's


@pytest.fixture()
def gateways(site: Site, opcua_url: str, broker: Broker) -> Iterator[SimulatorThread]:
    sim = pa_plant(site, opcua_url, broker)
    yield sim
    sim.stop()


def test_the_coordinator_runs_the_gas_leak_with_an_sos_from_the_window_and_replays_the_minute_before(
    run_console,
    gateways: SimulatorThread,
    broker: Broker,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))

    async def scenario(console: WindowedConsole) -> None:
        core, window, panel = console.app.core, console.window, console.incidents.panel
        book, table, me = core.permits.book, window.alarm_table, console.user.name
        window.resize(*SCREEN)
        await until(lambda: window.width() == SCREEN[0], 5, "1366 px wide")
        window.default_layout()  # as a console started on a 1366x768 screen lays itself out
        await until(lambda: status_text(console, "MQTT").startswith("MQTT: connected"), 10)
        assert console.app.pa_link is not None and await console.app.pa_link.ready(10)
        rows = [core.site.worker_index[w] for w in WORKERS]
        await until(lambda: all(core.workers.fix_ts[r] > 0 for r in rows), 20, "the workers located")

        # a minute of the plant at work, then the leak
        then = core.clock.now() + 2  # positions recorded around it
        await until(lambda: core.clock.now() >= then, 5, "a moment of walking")
        was = {
            w: (float(core.workers.x[r]), float(core.workers.y[r]))
            for w, r in zip(WORKERS, rows, strict=True)
        }
        await until(
            lambda: core.clock.now() >= then + BEFORE_S, BEFORE_S + 5, "a minute of the plant at work"
        )
        assert book.status("PTW-HW-001").state is PermitState.ACTIVE
        gateways.set_scenario("gas-leak")
        ts = datetime.now(UTC).isoformat()
        mosquitto_pub(broker, "site/demo/workers/W01/event", {"id": "band-W01-leak", "type": "sos", "ts": ts})
        await until(lambda: table.select_alarm("W01.SOS"), 10, "W01's SOS in the alarm list")

        # declared from the SOS row
        menu = table.menu_for(table.selected_alarms())
        next(a for a in menu.actions() if a.text() == "Declare incident…").trigger()
        dialog = await until(lambda: console.incidents.dialog, 5, "the declaration dialog")
        assert isinstance(dialog, DeclareDialog)
        dialog.zone_box.setCurrentIndex(dialog.zone_box.findText("Compressor house"))
        dialog.type_box.setCurrentIndex(dialog.type_box.findText("Gas release"))
        dialog.severity_box.setCurrentIndex(dialog.severity_box.findText("Critical"))
        qtbot.keyClicks(dialog.commander_edit, "li.wei")
        qtbot.keyClick(dialog.commander_edit, Qt.Key.Key_Return)
        await until(lambda: panel.fields["id"].text().startswith("INC-"), 10, "the incident tab")
        incident_id = panel.fields["id"].text()

        # the work in and near the danger area stopped in one action (what the rules have not stopped yet)
        panel.situation.setCurrentIndex(1)
        await until(lambda: panel.suspend_all_button.isEnabled() or _all_stopped(book), 20, "work to stop")
        if panel.suspend_all_button.isEnabled():
            qtbot.mouseClick(panel.suspend_all_button, LEFT)
            confirm = await until(lambda: console.incidents.dialog, 5, "the suspend-all confirmation")
            assert isinstance(confirm, TextDialog)
            qtbot.keyClicks(confirm.edit, "gas release in the compressor house")
            qtbot.mouseClick(confirm.ok_button, LEFT)
        await until(lambda: _all_stopped(book), 10, "the work stopped")

        # the evacuation broadcast, from the toolbar's Broadcast
        [send] = [b for b in window.findChildren(QToolButton) if b.defaultAction() is window.broadcast_action]
        qtbot.mouseClick(send, LEFT)
        broadcast = await until(lambda: console.broadcast.dialog, 5, "the broadcast dialog")
        presets = broadcast.preset_list
        [evacuate] = [
            presets.topLevelItem(i)
            for i in range(presets.topLevelItemCount())
            if presets.topLevelItem(i).text(0) == "EVACUATE-EAST"
        ]
        presets.setCurrentItem(evacuate)
        for i in range(broadcast.zone_list.count()):
            item = broadcast.zone_list.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == "PA-TANKS":
                item.setCheckState(Qt.CheckState.Checked)
        qtbot.mouseClick(broadcast.send_button, LEFT)
        await until(lambda: "Played in" in broadcast.summary_label.text(), 15, "the broadcast played")
        broadcast.reject()

        # the muster, from the toolbar
        [muster] = [b for b in window.findChildren(QToolButton) if b.defaultAction() is window.muster_action]
        qtbot.mouseClick(muster, LEFT)
        await until(lambda: core.muster.active, 5, "the muster started")

        # the timeline: each step, with its actor, in order
        window.open_incident()

        def steps() -> list[tuple[str, str, str]]:
            """The acts (not their echoes: a delivery, an alarm) as (actor, kind, text)."""
            acts = ("Incident steps", "Permits", "Broadcasts", "Muster")
            return [(r[1], r[2], r[3]) for r in panel.timeline_rows() if r[2] in acts]

        await until(
            lambda: any("mustering started" in s[2] for s in steps()), 10, "the muster on the timeline"
        )
        kinds = [kind for _actor, kind, _text in steps()]
        first = {k: kinds.index(k) for k in ("Incident steps", "Broadcasts", "Muster")}
        assert first["Incident steps"] < first["Broadcasts"] < first["Muster"]
        for actor, kind, text in steps():  # the coordinator's, but the rules' own suspensions
            assert actor == me or (kind == "Permits" and actor == "system"), (actor, kind, text)
        suspended = [text for _actor, kind, text in steps() if kind == "Permits"]
        assert {p for p in STOPPED if any(t.startswith(p) for t in suspended)} == set(STOPPED)

        # the replay: a minute before the leak, then Now
        toolbar = window.findChild(QToolBar, "ViewToolbar")
        qtbot.mouseClick(toolbar.widgetForAction(window.replay_action), LEFT)
        feed, bar, view = console.replay, window.replay_bar, window.plant_map
        await until(lambda: feed.frame is not None, 5, "the first replayed frame")
        bar.slider.setValue(round(then - bar.start))
        at = bar.start + bar.slider.value()
        await until(lambda: feed.frame.ts == at, 5, "the frame a minute before the leak")
        assert bar.state.text().startswith("REPLAY ")
        assert view.permit_style("PTW-HW-001") == "active"  # the hot work was going on
        for worker, (x, y) in was.items():
            drawn = view.worker_scene_pos(worker)
            assert drawn is not None and math.dist((drawn.x(), drawn.y()), (x, y)) < NEAR_M, worker
        qtbot.mouseClick(bar.now_button, LEFT)
        assert not view.replaying and view.permit_style("PTW-HW-001") == "suspended"

        # the after-action report holds the timeline
        qtbot.mouseClick(panel.report_button, LEFT)
        await until(lambda: panel.report_path, 30, f"the report ({panel.report_label.text()})")
        text = subprocess.run(
            ["pdftotext", "-layout", panel.report_path, "-"], capture_output=True, text=True, check=True
        ).stdout
        assert incident_id in text and "incident declared" in text and "mustering started" in text
        assert "EVACUATE-EAST" in text or "evacuat" in text.lower()
        assert window.width() == SCREEN[0]

    run_console(scenario, timeout_s=240)


def _all_stopped(book: PermitBook) -> bool:
    return all(book.status(p).state is PermitState.SUSPENDED for p in STOPPED)
