"""Writes the README's screenshots to docs/: run `QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/make_screenshots.py`.

The real windowed console against the demo simulator (scenarios four times faster than real time), a
private Mosquitto and a scratch SQLite file:
- docs/console.png — the whole window on the normal plant, once the first data is drawn;
- docs/alarm-banner.png, docs/alarm-table.png, docs/console-alarms.png — the `gas-leak` scenario once its
  tier-1 alarm is up, with one older alarm acknowledged so both looks show;
- docs/map-normal.png and docs/map-gas-leak-sos.png — the plant map before, and during the leak with the
  hot-work permit suspended and W01 (welding there) pressing SOS, sent like a band would over MQTT;
- docs/trend-gas-leak.png — the live Trends dock with three compressor-house gas pens, their limits and
  the alarm markers, opened as from the alarm list's "Trend";
- docs/trend-history.png — a popped-out trend window on the range of the leak, stacked (gas, then W01's
  heart rate): alarm markers, and the compressor house's events (the hot-work permit suspended, W01's
  SOS) as grey stars along the bottom;
- docs/console-{normal,gas-leak,sos}-{1366x768,1920x1080}.png — the whole window at the two sizes a control
  room has, each in the default layout a console of that size starts with (the SOS acknowledged, its
  responder assigned, waiting to be on scene);
- docs/replay-{1366x768,1920x1080}.png — during the leak, the map replayed to just before it (the hot-work
  permit still active, the workers where they were), the alarm banner and list live;
- docs/broadcast-dialog-{1366x768,1920x1080}.png — the window with the broadcast dialog over it, an
  evacuation call to three PA zones (PA-NORTH's gateway silent, PA-COMP's failing) once every zone has
  its outcome;
- docs/interlock-armed-{1366x768,1920x1080}.png — IL-CH-TRIP armed from the interlock panel, its
  confirmation open (what it does, the feedback now, who may execute, the selection's countdown);
- docs/sign-in-{1366x768,1920x1080}.png, docs/signed-in-…, docs/audit-trail-… — a console whose site
  requires sign-in: the sign-in dialog over the window after a wrong password, the window with the user, their
  roles and the audit chain's status in the status bar, and the audit trail with a refused command;
- docs/shift-history-…, docs/shift-kpis-…, docs/shift-handover-… — the shift lead's desk on the last shift as
  `controlroom simulate --scenario shift` plays it: the alarm history, the KPI page, and a handover started by
  王芳 for 李明, at both sizes.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import paho.mqtt.client as mqtt
import qasync
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QApplication, QWidget

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alarms.states import State
from console.config import AppConfig
from console.server.session import AssignResponder, IsolateZone, OperatorNote
from console.shift_play import play_shift
from console.window.gui import WindowedConsole
from integrations.mqtt_source import broker_address
from integrations.simulator import SimulatorThread
from integrations.storage import Store
from integrations.users import UserStore
from plant_maps.permit_lifecycle import PermitState
from plant_maps.shifts import Period
from plant_maps.site_file import load_site
from tests.support import free_port, start_mosquitto, wait_until_async
from widgets.common.grab import grab_with_dialog
from widgets.common.theme import apply_theme

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
DEMO = REPO / "resources" / "plants" / "demo" / "site.toml"
LEAK_HH = "GD-CH-01.HH"
SIZES = ((1366, 768), (1920, 1080))


def save(widget: QWidget, name: str) -> None:
    save_picture(widget.grab(), name)


def save_picture(picture: QPixmap, name: str) -> None:
    path = DOCS / name
    if not picture.save(str(path)):
        raise OSError(f"could not write {path}")
    print(f"wrote {path.relative_to(REPO)} ({picture.width()}x{picture.height()})")


async def shoot(folder: Path) -> None:
    opcua_url = f"opc.tcp://127.0.0.1:{free_port()}/controlroom/"
    broker = start_mosquitto(folder)
    simulator = SimulatorThread(
        load_site(DEMO), opcua_url=opcua_url, mqtt_url=broker.url, update_hz=5.0, time_scale=4.0
    )
    simulator.start()
    config = AppConfig(
        site_file=DEMO,
        opcua_url=opcua_url,
        mqtt_url=broker.url,
        database_url=f"sqlite:///{folder / 'screenshots.db'}",
        simulator=False,
        console_name="screenshots",
        operator="operator",
    )
    console = WindowedConsole(config)
    try:
        await console.app.start()
        await _shoot_console(console, simulator, broker.url)
    finally:
        await console.close()
    try:
        await _shoot_sign_in(replace(config, database_url=f"sqlite:///{folder / 'sign-in.db'}"))
        await _shoot_shift_lead(replace(config, database_url=f"sqlite:///{folder / 'shift.db'}"))
    finally:
        simulator.stop()
        broker.stop()


async def _shoot_sign_in(config: AppConfig) -> None:
    """A site that requires sign-in: the dialog, the signed-in window and the audit trail, at both sizes."""
    store = Store(config.database_url)
    users = UserStore(store, "screenshots")
    users.add("li.wei", "Li Wei", "screenshots-only", ["operator", "shift_lead"], "admin", time.time())
    users.add("zhao.min", "Zhao Min", "screenshots-too", ["engineer"], "admin", time.time())
    store.close()
    console = WindowedConsole(replace(config, login="required", lock_after_s=0.0))
    window = console.window
    first: list[bool] = []
    console.bridge.first_data.connect(lambda: first.append(True))
    try:
        await console.app.start()
        dialog = await wait_until_async(lambda: console.sign_in.dialog, 20)
        await wait_until_async(lambda: first, 20)
        dialog.name_edit.setText("li.wei")
        dialog.password_edit.setText("a wrong one")
        dialog.ok_button.click()
        await wait_until_async(lambda: dialog.ok_button.isEnabled(), 10)
        dialog.password_edit.setText("screenshots-o")
        for width, height in SIZES:
            await _resize(window, width, height)
            save_picture(grab_with_dialog(window, dialog), f"sign-in-{width}x{height}.png")
        dialog.password_edit.setText("screenshots-only")
        dialog.ok_button.click()
        await wait_until_async(lambda: console.user.name == "li.wei", 10)
        console.audit.verify_now()
        await wait_until_async(lambda: window.chain_label.text().startswith("audit verified"), 10)
        for width, height in SIZES:
            await _resize(window, width, height)
            save(window, f"signed-in-{width}x{height}.png")
        window.open_audit()
        view = window.audit_view
        await console.app.core.command(OperatorNote("li.wei", "Shift handover done, two permits open"))
        await console.app.core.command(IsolateZone("li.wei", "tank_farm", True))  # refused: no reason
        console.audit.verify_now()
        view.show_newest()
        await wait_until_async(lambda: view.rows_shown(), 10)
        for width, height in SIZES:
            await _resize(window, width, height)
            window.open_audit()
            await asyncio.sleep(0.5)
            save(window, f"audit-trail-{width}x{height}.png")
    finally:
        await console.close()


async def _shoot_shift_lead(config: AppConfig) -> None:
    """The last shift played into the database; the shift lead reviews it and starts the handover."""
    since, _ = config.shifts.period(Period.LAST_SHIFT, time.time())
    await play_shift(config.site_file, config.database_url, since)
    store = Store(config.database_url)
    users = UserStore(store, "screenshots")
    users.add("wang.fang", "王芳", "screenshots-only", ["shift_lead"], "admin", time.time())
    users.add("li.ming", "李明", "screenshots-too", ["shift_lead"], "admin", time.time())
    store.close()
    console = WindowedConsole(replace(config, login="required", lock_after_s=0.0))
    window = console.window
    try:
        await console.app.start()
        dialog = await wait_until_async(lambda: console.sign_in.dialog, 20)
        dialog.name_edit.setText("wang.fang")
        dialog.password_edit.setText("screenshots-only")
        dialog.ok_button.click()
        await wait_until_async(lambda: console.user.name == "wang.fang", 10)
        window.open_history()
        window.history_view.show_period(Period.LAST_SHIFT)
        await wait_until_async(lambda: window.history_view.page is not None, 20)
        for width, height in SIZES:
            await _resize(window, width, height)
            window.open_history()
            await asyncio.sleep(1.0)  # coming into view reads the page afresh
            save(window, f"shift-history-{width}x{height}.png")
        kpis = window.kpi_view
        kpis.period.setCurrentIndex(kpis.period.findData(Period.LAST_SHIFT.value))
        window.open_kpis()
        kpis.request()
        await wait_until_async(lambda: kpis.report is not None and kpis.show_button.isEnabled(), 30)
        for width, height in SIZES:
            await _resize(window, width, height)
            window.open_kpis()
            await asyncio.sleep(0.5)
            save(window, f"shift-kpis-{width}x{height}.png")
        window.handover_action.trigger()
        handover = await wait_until_async(lambda: console.handover.dialog, 10)
        await wait_until_async(lambda: handover.incoming_combo.findData("li.ming") >= 0, 10)
        handover.incoming_combo.setCurrentIndex(handover.incoming_combo.findData("li.ming"))
        handover.period_combo.setCurrentIndex(handover.period_combo.findData(Period.LAST_SHIFT.value))
        handover.start_button.click()
        await wait_until_async(lambda: handover.shown is not None, 30)
        for width, height in SIZES:
            await _resize(window, width, height)
            save_picture(grab_with_dialog(window, handover), f"shift-handover-{width}x{height}.png")
    finally:
        await console.close()


async def _resize(window: QWidget, width: int, height: int) -> None:
    window.resize(width, height)
    await asyncio.sleep(0.2)  # the platform resizes the window on its own turn
    window.default_layout()
    window.plant_map.fit_site()
    await asyncio.sleep(0.8)


async def _shoot_console(console: WindowedConsole, simulator: SimulatorThread, broker_url: str) -> None:
    window, engine = console.window, console.app.core.alarms.engine
    first: list[bool] = []
    console.bridge.first_data.connect(lambda: first.append(True))
    await wait_until_async(lambda: first, 20)
    await asyncio.sleep(1.5)  # a permit refresh and one more flush, so the first values are painted
    save(window, "console.png")
    save(window.plant_map, "map-normal.png")
    await _sizes(console, "normal")
    simulator.force("TT-R201", 110.0)  # reactor temperature above its limits: an older, tier-2 alarm
    await wait_until_async(_listed(console, "TT-R201.HH"), 20)
    await console.app.core.alarms.acknowledge(
        [(a.id, a.seq) for a in engine.active() if a.id.startswith("TT-R201")], "operator", "screenshots"
    )
    leak_start = console.app.core.clock.now()
    simulator.set_scenario("gas-leak")
    await wait_until_async(_listed(console, LEAK_HH), 60)
    await asyncio.sleep(1.0)  # let the neighbouring detectors join, as they would on the plant
    await wait_until_async(
        lambda: console.annunciator.speaker.spoken or not console.annunciator.speaker.available, 15
    )
    window.plant_map.fit_site()
    await asyncio.sleep(0.3)
    save(window.alarm_banner, "alarm-banner.png")
    save(window.alarm_table, "alarm-table.png")
    book = console.app.core.permits.book
    await wait_until_async(lambda: book.status("PTW-HW-001").state is PermitState.SUSPENDED, 30)
    _press_sos(broker_url, "W01")
    await wait_until_async(_listed(console, "W01.SOS"), 20)
    window.show_permit("PTW-HW-001")
    window.plant_map.fit_site()
    await asyncio.sleep(1.2)
    save(window, "console-alarms.png")
    save(window.plant_map, "map-gas-leak-sos.png")
    await _sizes(console, "gas-leak")
    await _replay(console, leak_start - 3)
    for tag in ("GD-CH-01", "GD-CH-02", "PGD-01"):
        window.open_trend(tag)
    await asyncio.sleep(2.5)  # the live pens fill from the buffer, the markers from the journal
    save(window.trend_dock, "trend-gas-leak.png")
    await _history_window(console, leak_start)
    window.alarm_dock.raise_()
    sos = engine.view("W01.SOS")
    await console.app.core.alarms.acknowledge([(sos.id, sos.seq)], "operator", "screenshots")
    assigned = await console.app.core.command(AssignResponder("operator", "W01.SOS", "W13"))
    assert assigned.ok, assigned.message
    await _sizes(console, "sos", lambda: window.show_worker("W01"))
    await _broadcast(console, simulator)


async def _replay(console: WindowedConsole, moment: float) -> None:
    """The map as it was at `moment`, at both sizes, in the layout a console of that size starts with."""
    window, feed = console.window, console.replay
    for width, height in SIZES:
        await _resize(window, width, height)
        feed.enter(moment)
        await wait_until_async(lambda: feed.frame is not None and abs(feed.frame.ts - moment) < 1, 10)
        await asyncio.sleep(0.3)  # the frame painted
        save(window, f"replay-{width}x{height}.png")
    feed.leave()


async def _broadcast(console: WindowedConsole, simulator: SimulatorThread) -> None:
    """An evacuation call that reaches one zone of three: the dialog over the window, at both sizes."""
    simulator.set_pa_fault("PA-NORTH", "silent")
    simulator.set_pa_fault("PA-COMP", "failed")
    console.broadcast.open_dialog(("PA-TANKS", "PA-NORTH", "PA-COMP"), "EVACUATE-EAST")
    dialog = console.broadcast.dialog
    assert dialog is not None
    dialog.send_button.click()
    await wait_until_async(lambda: "NOT REACHED" in dialog.summary_label.text(), 30)
    window = console.window
    for width, height in SIZES:
        await _resize(window, width, height)
        save_picture(grab_with_dialog(window, dialog), f"broadcast-dialog-{width}x{height}.png")
    dialog.reject()
    await _interlock_armed(console)


async def _interlock_armed(console: WindowedConsole) -> None:
    """IL-CH-TRIP armed from the panel (its Arm button), the confirmation open, at both sizes."""
    window = console.window
    for width, height in SIZES:
        await _resize(window, width, height)
        window.show_interlock("IL-CH-TRIP")
        window.interlock_panel.arm_button.click()
        await wait_until_async(lambda: console.interlocks.dialog is not None, 5)
        await asyncio.sleep(0.8)
        save_picture(
            grab_with_dialog(window, console.interlocks.dialog), f"interlock-armed-{width}x{height}.png"
        )
        console.interlocks.dialog.reject()  # closing it cancels the selection
        await asyncio.sleep(0.3)


async def _history_window(console: WindowedConsole, since: float) -> None:
    """The leak as history in a trend window of its own: a picked range, stacked by unit."""
    now = console.app.core.clock.now()
    state = {"pens": ["GD-CH-01", "GD-CH-02", "W01.heart_rate"], "stacked": True, "live": False}
    trend = console.trend_windows.open(state | {"range": [since - 20, now]})
    trend.resize(1200, 560)
    await asyncio.sleep(3.0)  # history, markers and the journal's events from the store
    save(trend, "trend-history.png")
    trend.close()


async def _sizes(console: WindowedConsole, picture: str, then: Callable[[], None] | None = None) -> None:
    """The window at 1366x768 and 1920x1080, each in the layout a console of that size starts with (and
    what the operator did then)."""
    window = console.window
    for width, height in SIZES:
        window.resize(width, height)
        await asyncio.sleep(0.2)  # the platform resizes the window on its own turn
        window.default_layout()
        window.plant_map.fit_site()
        if then is not None:
            then()
        await asyncio.sleep(0.8)  # the layout settles and the bridge paints once more
        save(window, f"console-{picture}-{width}x{height}.png")
    window.resize(1600, 1000)
    window.default_layout()


def _press_sos(broker_url: str, worker: str) -> None:
    """What a band does: one SOS event at QoS 1 on the documented topic."""
    host, port = broker_address(broker_url)
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="screenshot-band")
    client.connect(host, port)
    client.loop_start()
    payload = {"id": f"sos-{worker}-{time.time():.0f}", "type": "sos", "ts": datetime.now(UTC).isoformat()}
    client.publish(f"site/demo/workers/{worker}/event", json.dumps(payload), qos=1).wait_for_publish(5)
    client.loop_stop()
    client.disconnect()


def _listed(console: WindowedConsole, alarm_id: str) -> Callable[[], bool]:
    model = console.window.alarm_table.model

    def listed() -> bool:
        row = model.row_of(alarm_id)
        return row is not None and model.view_at(row).state is not State.NORMAL

    return listed


def main() -> None:
    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    qapp.setQuitOnLastWindowClosed(False)  # one console's window closing must not stop the next one's loop
    apply_theme(qapp)
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    with tempfile.TemporaryDirectory() as folder, loop:
        os.environ["XDG_CONFIG_HOME"] = folder  # the default layout, not one a previous run saved
        loop.run_until_complete(shoot(Path(folder)))


if __name__ == "__main__":
    main()
