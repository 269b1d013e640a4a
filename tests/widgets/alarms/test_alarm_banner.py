"""The alarm banner as the operator reads it: the unacknowledged alarms most important first, the flood
summary with its first-out alarm, chattering flags, silence, sound and speech state, and the look of it."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from alarms.definitions import Priority, Tier
from alarms.noise import FloodState
from alarms.records import Raised
from alarms.states import State
from tests.widgets.alarms.test_alarm_table import AREAS, T0, alarm, is_grey, near, pixels, themed
from widgets.alarms.alarm_banner import AlarmBanner, Kind
from widgets.common.theme import PALETTE
from widgets.common.time_text import clock_text


@pytest.fixture()
def banner(qtbot: QtBot) -> AlarmBanner:
    banner = AlarmBanner()
    banner.set_waiting(False)  # the first values have arrived
    qtbot.addWidget(banner)
    banner.set_areas(AREAS)
    banner.resize(1600, banner.height())
    banner.show()
    qtbot.waitExposed(banner)
    return banner


def shown(banner: AlarmBanner) -> list[str | None]:
    return [line.alarm_id for line in banner.lines()]


def test_tier_1_comes_before_tier_2_however_old_and_equals_newest_first(banner: AlarmBanner) -> None:
    banner.set_alarms(
        [
            alarm("t2-new", Tier.HIGH, ts=T0 + 500),
            alarm("t1-old", Tier.LIFE, ts=T0),
            alarm("t2-older", Tier.HIGH, ts=T0 + 100),
            alarm("t2-urgent-oldest", Tier.HIGH, Priority.URGENT, ts=T0 - 100),
        ],
        [],
    )
    assert shown(banner) == ["t1-old", "t2-urgent-oldest", "t2-new", "t2-older"]
    first = banner.lines()[0]
    assert first.kind is Kind.ALARM
    assert first.cells == (
        "TIER 1",
        time.strftime("%H:%M:%S", time.localtime(T0)),
        "Tank farm",
        "t1-old gas high",
    )


def test_only_unacknowledged_alarms_show_four_at_most_with_the_rest_counted(banner: AlarmBanner) -> None:
    views = [alarm(f"A{i}", ts=T0 + i) for i in range(7)]
    views += [
        alarm("returned", Tier.LIFE, state=State.RTN_UNACK),
        alarm("acked", Tier.LIFE, state=State.ACKED),
    ]
    views += [alarm("shelved", Tier.LIFE, state=State.SHELVED)]
    banner.set_alarms(views, [])
    assert shown(banner) == ["returned", "A6", "A5", "A4"]
    assert banner.more_label.text() == "+4 more unacknowledged"
    banner.set_alarms(views[:2], [])
    assert shown(banner) == ["A1", "A0"] and banner.more_label.text() == ""


def test_no_unacknowledged_alarm_is_a_calm_grey_line(banner: AlarmBanner) -> None:
    banner.set_alarms([alarm("acked", state=State.ACKED)], [])
    [line] = banner.lines()
    assert line.kind is Kind.CALM and line.text == "No unacknowledged alarms" and line.alarm_id is None


def test_before_the_first_values_the_banner_says_it_is_waiting_not_that_all_is_well(qtbot: QtBot) -> None:
    banner = AlarmBanner()
    qtbot.addWidget(banner)
    banner.set_alarms([], [])
    [line] = banner.lines()
    assert line.kind is Kind.CALM and line.text == "Waiting for the first values from the plant…"
    banner.set_alarms([alarm("GD-TF-01.HH", Tier.LIFE)], [])  # an alarm restored from the journal shows
    assert banner.lines()[0].alarm_id == "GD-TF-01.HH"
    banner.set_alarms([], [])
    banner.set_waiting(False)
    assert [line.text for line in banner.lines()] == ["No unacknowledged alarms"]


def test_cause_first_people_in_a_gas_zone_ride_on_the_gas_alarms_line(banner: AlarmBanner) -> None:
    """The gas-leak picture: three workers' tier-1 "inside a zone with a tier-1 gas alarm" alarms are
    grouped under GD-CH-01.HH, so the banner shows the gas, in the compressor house, first."""
    cause = "GD-CH-01.HH"
    gas = alarm(cause, Tier.LIFE, area="compressor_house", ts=T0, message="Combustible gas 30 %LEL")
    people = [
        alarm(
            f"W0{i}.GAS_ALARM_ZONE", Tier.LIFE, area="compressor_house", ts=T0 + i, group=cause, cause=cause
        )
        for i in (1, 2, 3)
    ]
    other = alarm("TT-R201.HH", Tier.HIGH, area="reactor_unit", ts=T0 + 9)
    banner.set_alarms(
        [*people, gas, other], [FloodState("compressor_house", False, 4, None, None, "GD-CH-01.HH")]
    )
    lines = banner.lines()
    assert [line.alarm_id for line in lines] == ["GD-CH-01.HH", "TT-R201.HH"]
    assert lines[0].cells[2] == "Compressor house"
    assert lines[0].flag == "+3 grouped: W01, W02, W03 · first out"
    assert banner.more_label.text() == ""  # the grouped ones are on the banner, not left out


def test_a_flood_shows_its_count_and_the_first_out_alarm_on_its_own_line(banner: AlarmBanner) -> None:
    burst = [alarm(f"GD-TF-{i:02}.H", ts=T0 + i) for i in range(14)]
    first_out = alarm(
        "PT-TF-01.LL", Tier.HIGH, state=State.ACKED, ts=T0 - 5, message="Header pressure low-low"
    )
    elsewhere = alarm("SOS-1", Tier.LIFE, area="reactor_unit", ts=T0 - 60, message="SOS pressed")
    banner.set_alarms(
        [*burst, first_out, elsewhere],
        [
            FloodState("reactor_unit", False, 1, None, None),
            FloodState("tank_farm", True, 15, T0, "PT-TF-01.LL"),
        ],
    )
    header, first, *rest = banner.lines()
    assert header.kind is Kind.HEADER and header.text == "ALARM FLOOD — Tank farm: 15 alarms in 10 min"
    assert first.kind is Kind.FIRST_OUT and first.alarm_id == "PT-TF-01.LL"
    assert "First out: Header pressure low-low" in first.text
    assert [line.alarm_id for line in rest] == ["SOS-1", "GD-TF-13.H"]  # a tier 1 elsewhere is not hidden
    assert banner.more_label.text() == "+13 more unacknowledged"
    banner.set_alarms(burst, [FloodState("tank_farm", False, 4, None, None)])  # the flood ended
    assert [line.kind for line in banner.lines()] == [Kind.ALARM] * 4


def test_a_first_out_that_escalated_leads_the_flood_on_its_cause_line_and_hides_no_tier_1(
    banner: AlarmBanner,
) -> None:
    """The gas leak: GD-CH-01.H came first, then became GD-CH-01.HH (the H grouped under it). The first-out
    line is the HH's, carrying the H; it is not a tier-2 line pushing a tier-1 one off the banner."""
    high = alarm("GD-CH-01.H", area="compressor_house", ts=T0, group="GD-CH-01.HH", cause="GD-CH-01.HH")
    high_high = alarm(
        "GD-CH-01.HH", Tier.LIFE, area="compressor_house", ts=T0 + 20, message="Combustible gas 25.0 %LEL"
    )
    others = [alarm(f"GD-CH-{i:02}.HH", Tier.LIFE, ts=T0 + 30 + i) for i in (2, 3)]
    burst = [alarm(f"GD-CH-{i:02}.H", ts=T0 + 10 + i) for i in range(4, 12)]
    banner.set_alarms(
        [high, high_high, *others, *burst],
        [FloodState("compressor_house", True, 12, T0, "GD-CH-01.H", "GD-CH-01.H")],
    )
    header, first, *rest = banner.lines()
    assert header.kind is Kind.HEADER
    assert first.kind is Kind.FIRST_OUT and first.alarm_id == "GD-CH-01.HH"
    assert first.tier is Tier.LIFE and "First out: Combustible gas 25.0 %LEL" in first.text
    assert first.flag.startswith("+1 grouped: GD-CH-01")
    assert [line.alarm_id for line in rest] == ["GD-CH-03.HH", "GD-CH-02.HH"]


def test_chattering_alarms_show_once_with_a_flag(banner: AlarmBanner) -> None:
    banner.set_alarms([alarm("GD-CH-01.H", chattering=True, suggest_shelve=True), alarm("B", ts=T0 - 1)], [])
    lines = banner.lines()
    assert shown(banner) == ["GD-CH-01.H", "B"]
    assert lines[0].flag == "chattering — shelve?" and "[chattering — shelve?]" in lines[0].text
    assert lines[1].flag == ""


def test_silence_sound_and_speech(qtbot: QtBot, banner: AlarmBanner) -> None:
    with qtbot.waitSignal(banner.silence_requested):
        qtbot.mouseClick(banner.silence_button, Qt.MouseButton.LeftButton)
    banner.set_sound_state("Sound: tier 1 tone")
    banner.set_speech_status("Speech unavailable: install espeak-ng")
    assert banner.sound_label.text() == "Sound: tier 1 tone"
    assert banner.speech_label.text() == "Speech unavailable: install espeak-ng"
    banner.set_sound_state("Silenced")
    assert banner.sound_label.text() == "Silenced"


def test_clicking_a_line_opens_its_alarm(qtbot: QtBot, banner: AlarmBanner) -> None:
    banner.set_alarms([alarm("A", Tier.LIFE), alarm("B")], [])
    second_line = banner.childAt(300, round(banner.height() * 3 / 8))  # 4 lines: the middle of the second
    with qtbot.waitSignal(banner.alarm_clicked) as clicked:
        qtbot.mouseClick(second_line, Qt.MouseButton.LeftButton)
    assert clicked.args == ["B"]


def test_tier_1_is_a_red_shape_on_a_grey_strip(banner: AlarmBanner, tmp_path: Path) -> None:
    themed(banner)
    banner.set_alarms(
        [
            alarm("GD-TF-01.HH", Tier.LIFE, message="Combustible gas 27 %LEL (limit 25)"),
            alarm("GD-RU-02.H", Tier.HIGH, ts=T0 - 30, area="reactor_unit"),
            alarm("TT-RU-03.H", Tier.LOW, ts=T0 - 60, chattering=True),
        ],
        [],
    )
    banner.set_sound_state("Sound: tier 1 tone")
    banner.set_speech_status("Speech: espeak-ng")
    assert banner.height() <= 110
    image = pixels(banner, tmp_path / "alarm_banner.png")
    red = np.array([near(p, PALETTE.alarm_1, 30) for p in image.reshape(-1, 3)]).reshape(image.shape[:2])
    rows, columns = np.nonzero(red)
    line_height = banner.height() // 4
    assert rows.size > 20 and rows.max() < line_height + 4 and columns.max() < 30  # the first line's shape
    assert is_grey(image[2, banner.width() // 2]) and is_grey(image[-3, 5])
    assert near(image[2, banner.width() // 2], PALETTE.panel, 6)


def test_a_line_shows_what_raised_its_alarm_and_a_chattering_one_is_held_calm_after_acknowledgement(
    banner: AlarmBanner,
) -> None:
    raised = Raised(T0, 28.0, "H2S compressor house 5 28 ppm (limit 15)")
    returned = alarm(
        "GD-CH-05.HH",
        Tier.LIFE,
        state=State.RTN_UNACK,
        ts=T0 + 7,  # its return, later than its raise
        message="H2S compressor house 5 0 ppm (limit 15)",
        raised=raised,
        chattering=True,
        suggest_shelve=True,
    )
    banner.set_alarms([returned, alarm("B", Tier.LIFE, ts=T0 + 5)], [])
    line = banner.lines()[1]  # newest raised first: B was raised after it
    assert (line.alarm_id, line.cells[1], line.cells[3]) == ("GD-CH-05.HH", clock_text(T0), raised.message)
    assert not line.quiet
    for state, said in ((State.ACKED, "acknowledged"), (State.NORMAL, "acknowledged, returned")):
        held = replace(returned, state=state, acked=True, active=state is State.ACKED)
        banner.set_alarms([held, alarm("B", Tier.LIFE, ts=T0 + 5)], [])
        assert shown(banner) == ["B", "GD-CH-05.HH"]  # in its place
        assert banner.lines()[1].quiet and banner.lines()[1].flag.startswith(f"{said} · chattering")
    banner.set_alarms([replace(returned, state=State.NORMAL, acked=True, chattering=False)], [])
    assert banner.lines()[0].kind is Kind.CALM  # the chatter faded: the line goes
