"""A muster as the emergency coordinator runs it from the window, at both control-room sizes: the missing
list shows names at once (never only its header), the worker calling for help first and those last seen
where the alarm is next; ending the muster asks first, saying how many are still missing."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QTableView, QToolButton
from pytestqt.qtbot import QtBot

from alarms.definitions import Tier
from console.window.gui import WindowedConsole
from integrations.simulator import SimulatorThread
from integrations.storage import Store
from tests.conftest import Broker
from tests.e2e.conftest import mosquitto_pub, status_text, until
from widgets.workers.muster_panel import FIX_AGE, MISSING_ROWS

LEFT = Qt.MouseButton.LeftButton
SHOTS = Path(tempfile.gettempdir()) / "controlroom-muster-shots"  # to look at (docs/: make_screenshots)
SIZES = ((1366, 768), (1920, 1080))


def _fix(broker: Broker, worker: str, x: float, y: float) -> None:
    fix = {"x": x, "y": y, "floor": 0, "accuracy_m": 0.5, "ts": datetime.now(UTC).isoformat()}
    mosquitto_pub(broker, f"site/demo/workers/{worker}/position", fix)


def _whole_rows(table: QTableView) -> int:
    """How many rows are wholly inside the list's viewport: the names the coordinator can read."""
    height = table.viewport().height()
    tops = [table.rowViewportPosition(r) for r in range(table.model().rowCount())]
    return sum(top >= 0 and top + table.rowHeight(r) <= height for r, top in enumerate(tops))


@pytest.mark.parametrize("size", SIZES)
def test_the_missing_list_shows_eight_names_the_most_urgent_first_and_ending_asks(
    run_console,
    simulator: SimulatorThread,
    broker: Broker,
    database_url: str,
    qtbot: QtBot,
    size: tuple[int, int],
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        core, window, panel = console.app.core, console.window, console.window.muster_panel
        window.resize(*size)
        await until(lambda: (window.width(), window.height()) == size, 5, "the resize")
        window.default_layout()  # as a console starting on a screen of this size
        await until(lambda: status_text(console, "MQTT").startswith("MQTT: connected"), 10)
        _fix(broker, "W04", 215.0, 60.0)  # the workshop: nothing wrong there
        for worker, x in (("W01", 330.0), ("W02", 340.0), ("W03", 350.0)):
            _fix(broker, worker, x, 190.0)  # the compressor house
        index_of = core.site.worker_index
        await until(
            lambda: all(core.workers.zone[index_of[w]] >= 0 for w in ("W01", "W02", "W03", "W04")), 10
        )
        sos = {"id": "band-W01-muster", "type": "sos", "ts": datetime.now(UTC).isoformat()}
        mosquitto_pub(broker, "site/demo/workers/W01/event", sos)  # tier 1 where W01 is
        await until(lambda: window.alarm_table.model.row_of("W01.SOS") is not None, 10, "the SOS listed")

        [muster_button] = [
            b for b in window.findChildren(QToolButton) if b.defaultAction() is window.muster_action
        ]
        qtbot.mouseClick(muster_button, LEFT)  # the toolbar's Muster
        await until(lambda: len(panel.missing_rows()) == len(core.site.workers), 5, "everyone missing")
        await until(lambda: panel.table.isVisible(), 5, "the muster tab raised")
        rows = [r[0] for r in panel.missing_rows()]
        assert rows[0] == "W01"  # calling for help
        assert set(rows[1:3]) == {"W02", "W03"}  # last seen where the tier-1 alarm is
        assert rows.index("W04") > 2
        await until(lambda: _whole_rows(panel.table) >= MISSING_ROWS, 5, f"{MISSING_ROWS} names in view")
        assert (window.width(), window.height()) == size
        SHOTS.mkdir(parents=True, exist_ok=True)
        assert window.grab().save(str(SHOTS / f"muster-{size[0]}x{size[1]}.png"))
        overdue = {r.key: r.marks for r in panel.proxy.rows()}  # the tier's shape before the fix age
        assert overdue["W05"] == ((FIX_AGE, Tier.LIFE),) and overdue["W04"] == ()  # never located; just seen

        # a warden saw W04: the head count asks who and where, and counts W04 only with the answer
        index = panel.proxy.index(rows.index("W04"), 0)
        panel.table.scrollTo(index)
        qtbot.mouseClick(panel.table.viewport(), LEFT, pos=panel.table.visualRect(index).center())
        qtbot.mouseClick(panel.map_button, LEFT)  # where was W04 last seen?
        name = core.site.workers[index_of["W04"]].name
        assert window.plant_map.last_seen_text().startswith(f"{name} last seen here at ")
        qtbot.mouseClick(panel.account_button, LEFT)
        ask = await until(lambda: console.field.account_dialog, 5, "who saw them, and where")
        assert not ask.ok_button.isEnabled()  # a reason first
        qtbot.keyClicks(ask.edit, "seen by warden Zhou at the workshop door")
        qtbot.keyClick(ask.edit, Qt.Key.Key_Return)
        await until(lambda: "W04" not in [r[0] for r in panel.missing_rows()], 5, "W04 accounted for")
        await until(lambda: not window.plant_map.last_seen_text(), 5, "W04 is no longer missing")
        assert core.muster.counts().accounted == 1

        qtbot.mouseClick(panel.end_button, LEFT)
        box = await until(lambda: console.field.end_muster_box, 5, "the question")
        missing = len(core.site.workers)
        assert box.text().startswith(f"{missing - 1} of {missing} are still missing: Li Wei (W01), ")
        assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
        qtbot.mouseClick(box.button(QMessageBox.StandardButton.Cancel), LEFT)
        await until(lambda: console.field.end_muster_box is None, 5, "the question closed")
        assert core.muster.active and window.muster_action.isChecked()  # Cancel: it goes on

        qtbot.mouseClick(muster_button, LEFT)  # unchecking the toolbar's Muster asks the same
        box = await until(lambda: console.field.end_muster_box, 5, "the question")
        assert window.muster_action.isChecked()  # still running while asked
        [end] = [b for b in box.buttons() if b.text() == "End muster"]
        qtbot.mouseClick(end, LEFT)
        await until(lambda: not core.muster.active, 5, "the muster ended")
        await until(lambda: not window.muster_action.isChecked(), 5, "the toolbar says so")
        assert panel.status_label.text() == "No muster in progress"

    run_console(scenario)
    [*_, counted, ended] = Store(database_url).journal_rows(kind="muster")
    assert counted.source == "W04" and counted.payload["reason"] == "seen by warden Zhou at the workshop door"
    assert ended.actor == "tester" and ended.payload["missing"][0] == "W01"
    [audited] = [r for r in Store(database_url).audit_rows() if r["action"] == "stop_muster"]
    assert audited["outcome"] == "done" and '"W01"' in audited["new_value"]
