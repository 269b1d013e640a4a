"""Re-energising or re-admitting work into a live hazard, as an operator does it in the real window during the
simulator's gas leak: the interlock panel's Reset… and its confirmation, the permit card's Resume. The
confirmation names the tier-1 alarms active in the zone, asks for a reason (and, where the site says so, a
second person); the audit trail keeps what was overridden and why. A tier-1 alarm raised after the confirmation
last refreshed is not overridden unseen: the core refuses, and the confirmation, still open, then names it; nor
after the second person confirmed: they confirm again with it in view. A trip stays free of all this."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QWidget
from pytestqt.qtbot import QtBot

from console.server.session import CheckInGuardian, ExecuteInterlock, RecordGasTest
from console.window.gui import WindowedConsole
from integrations.simulator import SimulatorThread
from integrations.storage import Store
from integrations.users import UserStore
from plant_maps.permit_lifecycle import PermitState
from plant_maps.site import Site
from tests.conftest import DEMO_SITE, Broker
from tests.e2e.conftest import mosquitto_pub, status_text, until
from tests.support import edited_copy
from widgets.common.grab import grab_with_dialog
from widgets.common.hazard_override import OverrideDialog
from widgets.interlocks.interlock_dialog import InterlockDialog
from widgets.workers.worker_panel import LAST_FIX

IL, PERMIT, GAS = "IL-CH-TRIP", "PTW-HW-001", "GD-CH-01.HH"  # all in the compressor house
GUARDIAN, SOS = "W02", "W02.SOS"  # PTW-HW-001's guardian, and the SOS of his band
AT_WORK = {"x": 320.0, "y": 197.0, "floor": 0, "accuracy_m": 0.5}  # inside the compressor house
REASON = "leak isolated at the K-301 suction valve; restart for the purge"
SECOND, SECOND_PASSWORD = "li.wei", "second-person-pw-2"  # a shift lead
SHOTS = Path(tempfile.gettempdir()) / "controlroom-hazard-override-shots"


@pytest.fixture()
def gas_leak(site: Site, opcua_url: str) -> Iterator[SimulatorThread]:
    """The demo plant on OPC UA with its gas leak eight times faster: GD-CH-01 passes its tier-1 limit
    (25 %LEL) about 5 s after the start and reads ~38 %LEL after ~11 s."""
    sim = SimulatorThread(site, opcua_url=opcua_url, mqtt_url=None, scenario="gas-leak", time_scale=8.0)
    sim.start()
    yield sim
    sim.stop()


def shown_text(widget: QWidget) -> str:
    """Every label the operator can see on `widget`, top to bottom, one per line."""
    labels = [label for label in widget.findChildren(QLabel) if label.isVisibleTo(widget) and label.text()]
    labels.sort(key=lambda label: label.mapTo(widget, label.rect().topLeft()).y())
    return "\n".join(label.text() for label in labels)


def uncut(label: QLabel) -> bool:
    """All of a word-wrapped label's lines fit in the height it was given."""
    return label.height() >= label.heightForWidth(label.width())


def warns_of_tier_1(text: str) -> bool:
    return "tier-1" in text.casefold()


def open_dialogs(window: QWidget) -> list[QDialog]:
    return [d for d in window.findChildren(QDialog) if d.isVisible()]


def gone(widget: QWidget) -> bool:
    """The widget's window was closed and deleted (a dialog accepted with WA_DeleteOnClose)."""
    return not shiboken6.isValid(widget)


def audited(database_url: str, action: str) -> list[dict[str, object]]:
    rows = [r for r in Store(database_url).audit_rows() if r["action"] == action]
    return [{**r, "new_value": json.loads(str(r["new_value"]) or "null")} for r in rows]


def second_person_site(folder: Path, database_url: str) -> Path:
    """The demo site with `[hazard_override] second_person = true`; Li Wei in the user store to be the second
    person."""
    UserStore(Store(database_url), "setup").add(SECOND, "Li Wei", SECOND_PASSWORD, ["shift_lead"], "admin", 0)
    return edited_copy(
        DEMO_SITE, folder, "[[interlocks]]\n", "[hazard_override]\nsecond_person = true\n\n[[interlocks]]\n"
    )


async def second_person_confirms(dialog: InterlockDialog, qtbot: QtBot) -> None:
    """Li Wei gives his password in the reset's confirmation (his name typed there already) and confirms."""
    qtbot.keyClicks(dialog.password, SECOND_PASSWORD)
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    await until(dialog.execute_button.isEnabled, 10, "Execute enabled once the second person confirmed")


async def reset_confirmation(console: WindowedConsole, qtbot: QtBot, gas: bool = True) -> InterlockDialog:
    """IL-CH-TRIP tripped (once GD-CH-01 is in tier 1, with `gas`), then Reset… from the panel: its
    confirmation, shown."""
    panel, core = console.window.interlock_panel, console.app.core
    await until(lambda: panel.line(IL).feedback is False, 15, "the feedback read")
    if gas:
        await until(lambda: core.alarms.engine.view(GAS).active, 30, "the tier-1 gas alarm")
    await tripped(console, qtbot)
    qtbot.mouseClick(panel.reset_button, Qt.MouseButton.LeftButton)
    dialog = await until(lambda: console.interlocks.dialog, 5, "the reset's confirmation")
    await until(dialog.isVisible, 5, "the reset's confirmation shown")
    return dialog


async def guardian_at_work(console: WindowedConsole, broker: Broker) -> None:
    """W02 located at the hot work in the compressor house, by his band's fix over MQTT."""
    core = console.app.core
    await until(lambda: status_text(console, "MQTT").startswith("MQTT: connected"), 10, "MQTT")
    fix = {**AT_WORK, "ts": datetime.now(UTC).isoformat()}
    mosquitto_pub(broker, f"site/demo/workers/{GUARDIAN}/position", fix)
    await until(lambda: core.workers.fix_ts[core.site.worker_index[GUARDIAN]] > 0, 10, "W02 located")


async def sos_after_a_refresh(console: WindowedConsole, broker: Broker, shown: Callable[[], str]) -> None:
    """W02 presses SOS right after the open confirmation's once-a-second refresh (`shown` moved on), so it is
    active in the core before the confirmation can list it: the window of a click that overrides it unseen."""
    before = shown()
    await until(lambda: shown() != before, 3, "the confirmation refreshed")
    await sos(console, broker)


async def sos(console: WindowedConsole, broker: Broker) -> None:
    """W02 presses SOS on his band (over MQTT): a tier-1 alarm in the compressor house, active in the core."""
    event = {"id": "band-W02-0001", "type": "sos", "ts": datetime.now(UTC).isoformat()}
    mosquitto_pub(broker, f"site/demo/workers/{GUARDIAN}/event", event)
    await until(lambda: console.app.core.alarms.engine.view(SOS).active, 5, "W02's SOS in the core")


async def resume_confirmation(console: WindowedConsole, broker: Broker, qtbot: QtBot) -> OverrideDialog:
    """PTW-HW-001 suspended by the gas, ready to resume all the same (GB 30871: a new passing gas test, the
    guardian checked in at the work), then Resume on its card: the confirmation naming the tier-1 alarms."""
    window, core = console.window, console.app.core
    book = core.permits.book
    await until(lambda: book.status(PERMIT).state is PermitState.SUSPENDED, 30, "the gas suspension")
    await until(lambda: core.alarms.engine.view(GAS).active, 30, "the tier-1 gas alarm")
    assert (await core.command(RecordGasTest("tester", PERMIT, (("lel", 2.0),), "Zhou"))).ok
    await guardian_at_work(console, broker)
    assert (await core.command(CheckInGuardian("tester", PERMIT))).ok
    window.show_permit(PERMIT)
    await until(window.permit_card.resume_button.isEnabled, 5, "Resume offered")
    qtbot.mouseClick(window.permit_card.resume_button, Qt.MouseButton.LeftButton)
    [dialog] = await until(lambda: open_dialogs(window), 5, "a confirmation naming the tier-1 alarms")
    assert isinstance(dialog, OverrideDialog)
    return dialog


async def tripped(console: WindowedConsole, qtbot: QtBot) -> None:
    """Trip IL-CH-TRIP from the panel: a trip is the protective direction, never held up by a hazard."""
    panel = console.window.interlock_panel
    console.window.show_interlock(IL)
    qtbot.mouseClick(panel.arm_button, Qt.MouseButton.LeftButton)
    dialog = await until(lambda: console.interlocks.dialog, 5, "the trip's confirmation")
    await until(dialog.isVisible, 5, "the trip's confirmation shown")
    assert not warns_of_tier_1(shown_text(dialog)) and dialog.execute_button.isEnabled()
    qtbot.mouseClick(dialog.execute_button, Qt.MouseButton.LeftButton)
    await until(lambda: panel.line(IL).state == "tripped", 10, "the trip confirmed by its feedback")


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_a_reset_into_a_live_gas_alarm_names_it_and_will_not_execute_without_a_reason(
    run_console, gas_leak: SimulatorThread, database_url: str, qtbot: QtBot, size: tuple[int, int]
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        window, panel, core = console.window, console.window.interlock_panel, console.app.core
        window.resize(*size)
        dialog = await reset_confirmation(console, qtbot)
        text = shown_text(dialog)
        assert warns_of_tier_1(text) and "Compressor house" in text
        assert "GD-CH-01" in text and "Combustible gas compressor house 1" in text and "%LEL" in text
        assert not dialog.execute_button.isEnabled()  # no reason yet
        assert "reason" in dialog.execute_button.toolTip()
        refused = await core.command(ExecuteInterlock("tester", IL))  # the core holds it too
        assert not refused.ok and "Give a reason" in refused.message
        assert "GD-CH-01.HH (Combustible gas compressor house 1" in refused.message
        SHOTS.mkdir(parents=True, exist_ok=True)
        grab_with_dialog(window, dialog).save(str(SHOTS / f"reset-into-gas-{size[0]}x{size[1]}.png"))
        qtbot.keyClicks(dialog.override.reason, REASON)
        assert dialog.execute_button.isEnabled()
        qtbot.mouseClick(dialog.execute_button, Qt.MouseButton.LeftButton)
        await until(lambda: panel.line(IL).state == "normal", 10, "the reset confirmed by its feedback")
        await until(lambda: len(audited(database_url, "execute_interlock")) == 3, 5, "the reset audited")
        assert any("overriding tier-1" in e.text and GAS in e.text and REASON in e.text for e in core.log), (
            "the event log says what was overridden and why"
        )

    run_console(scenario)
    trip, refused, reset = audited(database_url, "execute_interlock")
    assert "overrides" not in trip["new_value"]  # type: ignore[operator]
    assert refused["outcome"] == "refused" and "GD-CH-01.HH" in str(refused["reason"])
    assert GAS in [o["alarm_id"] for o in refused["new_value"]["overrides"]]  # type: ignore[index]
    assert reset["outcome"] == "done" and reset["new_value"]["reason"] == REASON  # type: ignore[index]
    overridden = {o["alarm_id"]: o for o in reset["new_value"]["overrides"]}  # type: ignore[index]
    assert GAS in overridden and "%LEL" in overridden[GAS]["message"]
    assert overridden[GAS]["value"] > 25
    [write] = [e for e in Store(database_url).journal_rows(kind="interlock") if e.payload.get("overrides")]
    assert write.payload["value"] is False and write.payload["reason"] == REASON
    assert GAS in write.payload["overrides"]


def test_with_no_tier_1_alarm_in_its_zone_the_reset_confirms_as_before(
    run_console, simulator: SimulatorThread, qtbot: QtBot
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        panel = console.window.interlock_panel
        dialog = await reset_confirmation(console, qtbot, gas=False)
        assert not warns_of_tier_1(shown_text(dialog)) and "reason" not in shown_text(dialog).casefold()
        assert dialog.execute_button.isEnabled()
        qtbot.mouseClick(dialog.execute_button, Qt.MouseButton.LeftButton)
        await until(lambda: panel.line(IL).state == "normal", 10, "the reset confirmed by its feedback")

    run_console(scenario)


def test_where_the_site_says_so_a_reset_into_the_gas_also_needs_a_second_person(
    run_console, gas_leak: SimulatorThread, database_url: str, qtbot: QtBot, tmp_path: Path
) -> None:
    site_file = second_person_site(tmp_path, database_url)

    async def scenario(console: WindowedConsole) -> None:
        window, panel = console.window, console.window.interlock_panel
        window.resize(1366, 768)
        dialog = await reset_confirmation(console, qtbot)
        assert dialog.second_box.isVisible() and "GD-CH-01" in shown_text(dialog)
        qtbot.keyClicks(dialog.override.reason, REASON)
        assert not dialog.execute_button.isEnabled()
        assert dialog.execute_button.toolTip() == "waits for the second person"
        qtbot.keyClicks(dialog.second_name, SECOND)
        await second_person_confirms(dialog, qtbot)
        grab_with_dialog(window, dialog).save(str(SHOTS / "reset-second-person-1366x768.png"))
        qtbot.mouseClick(dialog.execute_button, Qt.MouseButton.LeftButton)
        await until(lambda: panel.line(IL).state == "normal", 10, "the reset confirmed by its feedback")

    run_console(scenario, site_file=site_file)
    reset = audited(database_url, "execute_interlock")[-1]
    assert reset["outcome"] == "done" and GAS in str(reset["new_value"])
    [write] = [e for e in Store(database_url).journal_rows(kind="interlock") if e.payload.get("overrides")]
    assert write.payload["second"] == SECOND


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_a_tier_1_alarm_raised_after_the_second_person_confirmed_the_reset_needs_their_confirmation_again(
    run_console,
    gas_leak: SimulatorThread,
    broker: Broker,
    database_url: str,
    qtbot: QtBot,
    tmp_path: Path,
    size: tuple[int, int],
) -> None:
    site_file = second_person_site(tmp_path, database_url)

    async def scenario(console: WindowedConsole) -> None:
        window, panel = console.window, console.window.interlock_panel
        window.resize(*size)
        await guardian_at_work(console, broker)
        dialog = await reset_confirmation(console, qtbot)
        alarms, execute = dialog.override.alarms, dialog.execute_button
        qtbot.keyClicks(dialog.override.reason, REASON)
        qtbot.keyClicks(dialog.second_name, SECOND)
        await second_person_confirms(dialog, qtbot)
        assert "GD-CH-01" in alarms.text() and "SOS" not in alarms.text()  # what Li Wei confirmed
        await sos(console, broker)
        await until(lambda: f"{GUARDIAN} — SOS" in alarms.text(), 5, "W02's SOS in the confirmation")
        assert execute.isEnabled()  # the operator has it in view; Li Wei confirmed before it was there
        qtbot.mouseClick(execute, Qt.MouseButton.LeftButton)
        refusal = "the second person must confirm again"
        await until(
            lambda: console.interlocks.dialog is None or refusal in dialog.outcome.text(), 5, "an answer"
        )
        assert console.interlocks.dialog is dialog, (
            "executed over W02's SOS, never shown to the second person"
        )
        assert SOS in dialog.outcome.text()
        assert dialog.isVisible() and panel.line(IL).state == "armed"  # nothing written
        assert not execute.isEnabled() and execute.toolTip() == "waits for the second person"
        assert (
            dialog.confirm_button.isEnabled() and dialog.confirm_button.text() == "Confirm as second person"
        )
        assert dialog.override.reason.text() == REASON and dialog.second_name.text() == SECOND
        assert dialog.password.hasFocus()  # where the second person types next
        await until(lambda: uncut(alarms) and uncut(dialog.outcome), 2, "the list and the refusal in full")
        SHOTS.mkdir(parents=True, exist_ok=True)
        shot = SHOTS / f"reset-second-person-again-{size[0]}x{size[1]}.png"
        grab_with_dialog(window, dialog).save(str(shot))
        await second_person_confirms(dialog, qtbot)  # Li Wei again, W02's SOS in view
        qtbot.mouseClick(execute, Qt.MouseButton.LeftButton)
        await until(lambda: panel.line(IL).state == "normal", 10, "the reset confirmed by its feedback")
        await until(lambda: len(audited(database_url, "execute_interlock")) == 3, 5, "the reset audited")

    run_console(scenario, site_file=site_file)
    _trip, refused, reset = audited(database_url, "execute_interlock")
    assert refused["outcome"] == "refused" and "second person must confirm again" in str(refused["reason"])
    assert f"{SOS} (" in str(refused["reason"]) and f"{GAS} (" not in str(refused["reason"])
    assert reset["outcome"] == "done"
    shown = [
        [alarm for alarm, _ in c["new_value"]["seen"]] for c in audited(database_url, "confirm_second_person")
    ]
    assert len(shown) == 2 and SOS not in shown[0] and {GAS, SOS} <= set(shown[1])
    [write] = [e for e in Store(database_url).journal_rows(kind="interlock") if e.payload.get("overrides")]
    assert write.payload["second"] == SECOND and {GAS, SOS} <= set(write.payload["overrides"])


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_a_tier_1_alarm_raised_after_the_reset_confirmation_showed_refuses_execute_and_then_shows_in_it(
    run_console,
    gas_leak: SimulatorThread,
    broker: Broker,
    database_url: str,
    qtbot: QtBot,
    size: tuple[int, int],
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        window, panel = console.window, console.window.interlock_panel
        window.resize(*size)
        await guardian_at_work(console, broker)
        dialog = await reset_confirmation(console, qtbot)
        alarms = dialog.override.alarms
        assert "GD-CH-01" in alarms.text() and "SOS" not in alarms.text()
        qtbot.keyClicks(dialog.override.reason, REASON)
        await sos_after_a_refresh(console, broker, dialog.selection.text)  # its countdown moves each second
        assert "SOS" not in alarms.text()  # not shown yet when Execute is clicked
        qtbot.mouseClick(dialog.execute_button, Qt.MouseButton.LeftButton)
        await until(lambda: SOS in dialog.outcome.text(), 5, "the refusal, in the confirmation")
        assert "Confirm again" in dialog.outcome.text() and GAS not in dialog.outcome.text()
        assert dialog.isVisible() and panel.line(IL).state == "armed"  # nothing written
        assert "GD-CH-01" in alarms.text() and f"{GUARDIAN} — SOS" in alarms.text()  # both named now
        await until(lambda: uncut(alarms) and uncut(dialog.outcome), 2, "the list and the refusal in full")
        assert dialog.override.reason.text() == REASON and dialog.execute_button.isEnabled()
        SHOTS.mkdir(parents=True, exist_ok=True)
        shot = SHOTS / f"reset-refused-new-sos-{size[0]}x{size[1]}.png"
        grab_with_dialog(window, dialog).save(str(shot))
        qtbot.mouseClick(dialog.execute_button, Qt.MouseButton.LeftButton)  # confirmed again, knowingly
        await until(lambda: panel.line(IL).state == "normal", 10, "the reset confirmed by its feedback")
        await until(lambda: len(audited(database_url, "execute_interlock")) == 3, 5, "the reset audited")

    run_console(scenario)
    _trip, refused, reset = audited(database_url, "execute_interlock")
    assert refused["outcome"] == "refused" and f"{SOS} (" in str(refused["reason"])
    assert f"{GAS} (" not in str(refused["reason"])  # it names what was not shown, only
    seen = [alarm for alarm, _since in refused["new_value"]["seen"]]  # type: ignore[index]
    assert GAS in seen and SOS not in seen
    assert reset["outcome"] == "done"
    assert {GAS, SOS} <= {o["alarm_id"] for o in reset["new_value"]["overrides"]}  # type: ignore[index]


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_resuming_a_permit_into_a_live_gas_alarm_names_it_and_needs_a_reason(
    run_console,
    gas_leak: SimulatorThread,
    broker: Broker,
    database_url: str,
    qtbot: QtBot,
    size: tuple[int, int],
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        window, book = console.window, console.app.core.permits.book
        window.resize(*size)
        dialog = await resume_confirmation(console, broker, qtbot)
        text = shown_text(dialog)
        assert warns_of_tier_1(text) and "Compressor house" in text and "GD-CH-01" in text and "%LEL" in text
        assert book.status(PERMIT).state is PermitState.SUSPENDED  # nothing sent yet
        ok = dialog.ok_button
        assert not ok.isEnabled()
        SHOTS.mkdir(parents=True, exist_ok=True)
        grab_with_dialog(window, dialog).save(str(SHOTS / f"resume-into-gas-{size[0]}x{size[1]}.png"))
        qtbot.keyClicks(dialog.override.reason, REASON)
        assert ok.isEnabled()
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
        await until(lambda: audited(database_url, "resume_permit"), 5, "the resume audited")

    run_console(scenario)
    [resume] = audited(database_url, "resume_permit")
    assert resume["outcome"] == "done" and resume["new_value"]["reason"] == REASON  # type: ignore[index]
    overridden = [o["alarm_id"] for o in resume["new_value"]["overrides"]]  # type: ignore[index]
    assert GAS in overridden
    resumed = [e for e in Store(database_url).journal_rows(kind="permit") if e.payload["to"] == "active"]
    assert [e.actor for e in resumed] == ["tester"] and REASON in resumed[0].payload["reason"]
    assert GAS in resumed[0].payload["reason"]


def test_a_tier_1_alarm_raised_after_the_resume_confirmation_showed_refuses_it_and_then_shows_in_it(
    run_console, gas_leak: SimulatorThread, broker: Broker, database_url: str, qtbot: QtBot
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        window, book = console.window, console.app.core.permits.book
        window.resize(1366, 768)
        dialog = await resume_confirmation(console, broker, qtbot)
        alarms = dialog.override.alarms
        qtbot.keyClicks(dialog.override.reason, REASON)
        workers = window.worker_panel  # refreshed with the confirmation, the age of W02's fix each second
        await sos_after_a_refresh(console, broker, lambda: workers.cell_text(GUARDIAN, LAST_FIX))
        assert "SOS" not in alarms.text()  # not shown yet when Resume anyway is clicked
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        await until(lambda: gone(dialog) or SOS in dialog.outcome.text(), 5, "the core's answer")
        sos_view = console.app.core.alarms.engine.view(SOS)
        assert not gone(dialog), (  # carried out: say what the core had when it judged the resume
            f"resumed over {SOS} (active {sos_view.active}, in {sos_view.area}): {console.app.core.log[-3:]}"
        )
        assert dialog.isVisible() and book.status(PERMIT).state is PermitState.SUSPENDED
        assert "GD-CH-01" in alarms.text() and f"{GUARDIAN} — SOS" in alarms.text()  # both named now
        await until(lambda: uncut(alarms) and uncut(dialog.outcome), 2, "the list and the refusal in full")
        assert dialog.reason() == REASON and dialog.ok_button.isEnabled() and dialog.ok_button.isDefault()
        grab_with_dialog(window, dialog).save(str(SHOTS / "resume-refused-new-sos-1366x768.png"))
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)  # confirmed again, knowingly
        # closed once the core resumed it (the leak goes on: a later tier-1 alarm may suspend it again)
        await until(lambda: console.field.override is None, 5, "the confirmation closed, the permit resumed")
        assert not open_dialogs(window)

    run_console(scenario)
    refused, done = audited(database_url, "resume_permit")
    assert refused["outcome"] == "refused" and f"{SOS} (" in str(refused["reason"])
    assert done["outcome"] == "done"
    resumed = [e for e in Store(database_url).journal_rows(kind="permit") if e.payload["to"] == "active"]
    assert [e.actor for e in resumed] == ["tester"]
    assert {GAS, SOS} <= {o["alarm_id"] for o in done["new_value"]["overrides"]}  # type: ignore[index]


def test_where_the_site_says_so_a_resume_refused_for_a_new_alarm_needs_the_second_persons_password_again(
    run_console, gas_leak: SimulatorThread, broker: Broker, database_url: str, qtbot: QtBot, tmp_path: Path
) -> None:
    site_file = second_person_site(tmp_path, database_url)

    async def scenario(console: WindowedConsole) -> None:
        window, book = console.window, console.app.core.permits.book
        window.resize(1366, 768)
        dialog = await resume_confirmation(console, broker, qtbot)
        ok = dialog.ok_button
        qtbot.keyClicks(dialog.override.reason, REASON)
        qtbot.keyClicks(dialog.second_name, SECOND)
        qtbot.keyClicks(dialog.password, SECOND_PASSWORD)
        workers = window.worker_panel  # refreshed with the confirmation, the age of W02's fix each second
        await sos_after_a_refresh(console, broker, lambda: workers.cell_text(GUARDIAN, LAST_FIX))
        assert "SOS" not in dialog.override.alarms.text()  # not shown to Li Wei when Resume anyway is clicked
        sos_area = console.app.core.alarms.engine.view(SOS).area
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
        await until(
            lambda: console.field.override is None or SOS in dialog.outcome.text(), 5, "the core's answer"
        )
        assert console.field.override is dialog, (  # refused, not carried out (seen once on CI: say why)
            f"resumed over W02's SOS (raised in {sos_area!r}): {_resume_audit(console)}"
        )
        assert book.status(PERMIT).state is PermitState.SUSPENDED
        assert f"{GUARDIAN} — SOS" in dialog.override.alarms.text()
        # his password went with the refused command: not again without him, with W02's SOS in view
        assert dialog.password.text() == "" and not ok.isEnabled() and "second person" in ok.toolTip()
        assert dialog.reason() == REASON and dialog.second_name.text() == SECOND
        qtbot.keyClicks(dialog.password, SECOND_PASSWORD)
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
        await until(lambda: console.field.override is None, 5, "the confirmation closed, the permit resumed")

    run_console(scenario, site_file=site_file)
    refused, done = audited(database_url, "resume_permit")
    assert refused["outcome"] == "refused" and f"{SOS} (" in str(refused["reason"])
    assert done["outcome"] == "done"
    assert refused["new_value"]["second_user"] == done["new_value"]["second_user"] == SECOND  # type: ignore[index]
    assert SOS in [alarm for alarm, _ in done["new_value"]["seen"]]  # type: ignore[index]


def _resume_audit(console: WindowedConsole) -> list[tuple[str, str, str]]:
    """The audit trail's resume entries: outcome, the alarms they overrode, the reason."""
    rows = console.app.store.audit_rows()
    return [(r["outcome"], r["new_value"], r["reason"]) for r in rows if r["action"] == "resume_permit"]
