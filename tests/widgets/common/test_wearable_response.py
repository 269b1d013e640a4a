"""The response to an SOS or man-down as each view shows it: the banner keeps it in sight until resolved, the
alarm list and the worker's details offer its next step as one button (greyed, with the reason, until it can
be taken), and the two dialogs accept only plain, complete, length-limited input."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from alarms.definitions import Priority, Tier
from alarms.states import State
from plant_maps.site import Site
from plant_maps.wearables import NOTES_MAX_CHARS, RESPONDER_MAX_CHARS, Resolution, Response
from tests.widgets.alarms.test_alarm_table import AREAS, MAX_SHELVE_S, T0, alarm, click_row
from widgets.alarms.alarm_banner import AlarmBanner, Kind
from widgets.alarms.alarm_table import MESSAGE, AlarmTable
from widgets.workers.wearable_response_dialogs import AssignResponderDialog, ResolveDialog
from widgets.workers.worker_details import WorkerDetails

LEFT = Qt.MouseButton.LeftButton
SOS = "W01.SOS"
ASSIGNED = Response(SOS, "W13", "Ma Lin (W13)", assigned_at=T0 + 30)
ON_SCENE = Response(SOS, "W13", "Ma Lin (W13)", assigned_at=T0 + 30, on_scene_at=T0 + 90)


def sos(state: State = State.UNACK, alarm_id: str = SOS, ts: float = T0) -> object:
    return alarm(
        alarm_id,
        Tier.LIFE,
        Priority.URGENT,
        state,
        ts=ts,
        area="compressor_house",
        message="SOS pressed by Li Wei (W01)",
        latched=True,
    )


def test_an_acknowledged_sos_stays_on_the_banner_with_its_response_until_resolved(qtbot: QtBot) -> None:
    banner = AlarmBanner()
    banner.set_waiting(False)  # the first values have arrived
    qtbot.addWidget(banner)
    banner.set_areas(AREAS)
    banner.set_alarms([sos(State.ACKED)], [])
    [line] = banner.lines()
    assert line.kind is Kind.ALARM and line.alarm_id == SOS
    assert line.cells[2:] == ("Compressor house", "SOS pressed by Li Wei (W01) — acknowledged, no responder")
    banner.set_alarms([sos(State.ACKED)], [], {SOS: ASSIGNED})
    assert banner.lines()[0].cells[3].endswith("— responder Ma Lin (W13) assigned")
    banner.set_alarms([sos(State.ACKED)], [], {SOS: ON_SCENE})
    assert banner.lines()[0].cells[3].endswith("— responder Ma Lin (W13) on scene")
    # an unacknowledged alarm of the same tier comes first: it needs the operator now
    banner.set_alarms([sos(State.ACKED), alarm("GD-CH-01.HH", Tier.LIFE, ts=T0 - 60)], [], {SOS: ON_SCENE})
    assert [line.alarm_id for line in banner.lines()] == ["GD-CH-01.HH", SOS]
    assert banner.more_label.text() == ""
    banner.set_alarms([], [])  # resolved
    assert [line.text for line in banner.lines()] == ["No unacknowledged alarms"]


def test_the_list_offers_the_next_step_of_a_selected_sos_greyed_with_the_reason_before_the_ack(
    qtbot: QtBot,
) -> None:
    table = AlarmTable(MAX_SHELVE_S)
    qtbot.addWidget(table)
    table.resize(1600, 400)
    table.show()
    qtbot.waitExposed(table)
    button = table.respond_button
    table.set_alarms([sos(), alarm("GD-TF-01.H")])
    assert (button.text(), button.isEnabled()) == ("Respond…", False)  # nothing selected: in place, greyed
    click_row(qtbot, table, "GD-TF-01.H")
    assert (button.text(), button.isEnabled()) == ("Respond…", False)  # not a wearable alarm
    click_row(qtbot, table, SOS)
    assert (button.text(), button.isEnabled(), button.toolTip()) == (
        "Assign responder…",
        False,
        "Acknowledge the alarm first",
    )
    table.set_alarms([sos(State.ACKED), alarm("GD-TF-01.H")])
    assert (button.text(), button.isEnabled()) == ("Assign responder…", True)
    with qtbot.waitSignal(table.respond_requested) as asked:
        qtbot.mouseClick(button, LEFT)
    assert asked.args == [SOS]
    table.set_responses({SOS: ASSIGNED})
    assert button.text() == "Responder on scene"
    message = table.model.index(table.model.row_of(SOS), MESSAGE).data()
    assert message == "SOS pressed by Li Wei (W01) — responder Ma Lin (W13) assigned"
    table.set_responses({SOS: ON_SCENE})
    assert button.text() == "Resolve…"


def test_the_workers_details_show_the_response_and_its_next_step(qtbot: QtBot, site: Site) -> None:
    details = WorkerDetails(site)
    qtbot.addWidget(details)
    details.show()
    details.set_worker("W01")
    assert not details.respond_button.isVisible() and details.response_text() == ""
    details.set_response(sos(), None)
    assert details.response_text() == "W01.SOS: unacknowledged\nAcknowledge the alarm first"
    assert not details.respond_button.isEnabled()
    details.set_response(sos(State.ACKED), ASSIGNED)
    assert details.response_text() == "W01.SOS: responder Ma Lin (W13) assigned"
    assert (details.respond_button.text(), details.respond_button.isEnabled()) == ("Responder on scene", True)
    with qtbot.waitSignal(details.respond_requested) as asked:
        qtbot.mouseClick(details.respond_button, LEFT)
    assert asked.args == [SOS]


def test_a_responder_is_a_picked_worker_or_a_typed_name_of_limited_length(qtbot: QtBot) -> None:
    dialog = AssignResponderDialog(SOS, "SOS pressed by Li Wei (W01)", [("W13", "Ma Lin (W13)")])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert not dialog.ok_button.isEnabled()
    dialog.responder_box.setCurrentIndex(0)
    assert dialog.responder() == "W13" and dialog.ok_button.isEnabled()
    edit = dialog.responder_box.lineEdit()
    edit.clear()
    qtbot.keyClicks(edit, "Fire crew 2 " + "x" * RESPONDER_MAX_CHARS)
    assert len(dialog.responder()) == RESPONDER_MAX_CHARS and dialog.responder().startswith("Fire crew 2")


def test_a_resolution_needs_a_finding_and_notes_and_says_when_they_are_too_long(qtbot: QtBot) -> None:
    dialog = ResolveDialog(SOS, "SOS pressed by Li Wei (W01)")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.notes_edit.setPlainText("Pressed by mistake while climbing")
    assert not dialog.ok_button.isEnabled()  # which was it?
    qtbot.mouseClick(dialog.false_alarm_button, LEFT)
    assert dialog.ok_button.isEnabled() and dialog.resolution() is Resolution.FALSE_ALARM
    dialog.notes_edit.setPlainText("y" * (NOTES_MAX_CHARS + 1))
    assert not dialog.ok_button.isEnabled()
    assert dialog.count_label.text() == f"Too long: {NOTES_MAX_CHARS + 1} / {NOTES_MAX_CHARS} characters"
    assert len(dialog.notes()) == NOTES_MAX_CHARS + 1  # said, not cut: nothing typed is lost
