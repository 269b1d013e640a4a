"""The map replay in the real window at 1366x768 (issue 17), on the demo plant with workers walking: before a
gas leak the hot-work permit is active; once it is suspended, the toolbar's Replay and the slider take the
map back to before the leak, where it shows the permit active and the workers where they were then, while
the live plant runs on underneath (the alarm banner live, the live map updates kept aside); Right steps a
second, 60x plays up to the suspension and pauses at the live end; "Now" comes back to the live map, and
Ctrl+Shift+R then Escape goes in and out. Screenshots of the replay at both sizes when the folder is there."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolBar
from pytestqt.qtbot import QtBot

from console.window.gui import WindowedConsole
from integrations.simulator import SimulatorThread
from plant_maps.permit_lifecycle import PermitState
from tests.e2e.conftest import until
from widgets.common.time_text import clock_text

SCREEN = (1366, 768)
SHOTS = Path("/work/notes/shots-replay")
LEFT = Qt.MouseButton.LeftButton
WORKERS = ("W01", "W05", "W13", "W16")
NEAR_M = 3.0  # a stored fix is within a metre of the worker, plus the walk of half a second either side


def test_replay_goes_back_to_before_the_leak_while_the_plant_runs_on_and_now_comes_back(
    run_console, plant: SimulatorThread, qtbot: QtBot
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        core, window, feed = console.app.core, console.window, console.replay
        view, bar, book = window.plant_map, window.replay_bar, core.permits.book
        window.resize(*SCREEN)
        rows = [core.site.worker_index[w] for w in WORKERS]
        await until(lambda: all(core.workers.fix_ts[r] > 0 for r in rows), 20, "the workers located")
        located = core.clock.now()
        await until(lambda: core.clock.now() > located + 2, 5, "two seconds of positions recorded")
        before = core.clock.now()
        was = {w: (core.workers.x[r], core.workers.y[r]) for w, r in zip(WORKERS, rows, strict=True)}
        assert book.status("PTW-HW-001").state is PermitState.ACTIVE
        plant.set_scenario("gas-leak")
        await until(lambda: book.status("PTW-HW-001").state is PermitState.SUSPENDED, 40, "the suspension")
        await until(lambda: view.permit_style("PTW-HW-001") == "suspended", 5, "the live map suspended")

        toolbar = window.findChild(QToolBar, "ViewToolbar")
        qtbot.mouseClick(toolbar.widgetForAction(window.replay_action), LEFT)
        await until(lambda: feed.frame is not None, 5, "the first replayed frame")
        assert bar.isVisible() and bar.state.text().startswith("REPLAY ")
        bar.slider.setValue(round(before - bar.start))  # dragged back to before the leak
        at = bar.start + bar.slider.value()
        await until(lambda: feed.frame.ts == at, 5, "the frame before the leak")
        assert bar.state.text() == f"REPLAY {clock_text(at)}"
        assert view.permit_style("PTW-HW-001") == "active"  # as it was then
        assert book.status("PTW-HW-001").state is PermitState.SUSPENDED  # the live book is not touched
        for worker, (x, y) in was.items():
            drawn = view.worker_scene_pos(worker)
            assert drawn is not None and math.dist((drawn.x(), drawn.y()), (x, y)) < NEAR_M, worker
        banner = window.alarm_banner  # the alarms stay live: the leak's alarms are on the banner
        await until(lambda: any(line.alarm_id.startswith("GD-CH-") for line in banner.lines()), 10, "live")

        everyone = list(core.site.worker_index)
        replayed = {w: view.worker_scene_pos(w) for w in everyone}
        walked = (core.workers.x.copy(), core.workers.y.copy())  # the live plant runs on: someone walks
        await until(
            lambda: (
                not (np.array_equal(core.workers.x, walked[0]) and np.array_equal(core.workers.y, walked[1]))
            ),
            10,
            "a worker walking on",
        )
        drawn_live = []  # the bridge hands the map the live positions after the walk (kept aside, not drawn)
        handed, view.update_workers = view.update_workers, lambda *a: (drawn_live.append(a), handed(*a))
        await until(lambda: drawn_live, 5, "the bridge's next flush")
        assert {w: view.worker_scene_pos(w) for w in everyone} == replayed  # the replay frame stays

        if SHOTS.is_dir():
            for width, height in (SCREEN, (1920, 1080)):
                window.resize(width, height)
                await until(lambda w=width: window.width() == w, 5, f"{width} px wide")
                assert window.grab().save(str(SHOTS / f"replay-{width}x{height}.png"))
            window.resize(*SCREEN)

        qtbot.keyClick(bar.slider, Qt.Key.Key_Right)  # a second forward
        await until(lambda: feed.frame.ts == at + 1, 5, "one second on")
        qtbot.mouseClick(bar.speed_buttons[60], LEFT)
        qtbot.mouseClick(bar.play_button, LEFT)
        assert bar.play_button.text() == "Pause"
        await until(lambda: view.permit_style("PTW-HW-001") == "suspended", 20, "the replay reaching it")
        assert "GD-CH-01.H" in bar.alarms.toolTip()  # the leak's first alarm stood then
        await until(lambda: not bar.play_button.isChecked(), 20, "paused at the live end")
        assert bar.play_button.text() == "Play"

        qtbot.mouseClick(bar.now_button, LEFT)
        assert not bar.isVisible() and not view.replaying
        assert view.permit_style("PTW-HW-001") == "suspended"
        for worker, row in zip(WORKERS, rows, strict=True):
            drawn = view.worker_scene_pos(worker)
            here = (core.workers.x[row], core.workers.y[row])
            assert drawn is not None and math.dist((drawn.x(), drawn.y()), here) < NEAR_M, worker

        qtbot.keyClick(
            window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        )
        await until(lambda: view.replaying and feed.frame is not None, 5, "replay by its shortcut")
        qtbot.keyClick(bar.slider, Qt.Key.Key_Escape)
        assert not view.replaying and not bar.isVisible()
        assert window.width() == SCREEN[0]

    run_console(scenario)
