"""The isolation dialog, its confirmation and the banner's standing line, as the operator reads and clicks them."""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from widgets.isolation.isolation_banner import IsolationNotice, IsolationStrip
from widgets.isolation.isolation_dialog import IsolationDialog, confirmation_text

UNTIL = datetime(2026, 11, 24, 14, 30).timestamp()  # local time, as the window shows it
ZONES = [("tank_farm", "Tank farm"), ("compressor_house", "Compressor house")]


def _notice(active: int, tier1: int) -> IsolationNotice:
    return IsolationNotice(
        "compressor_house", "Compressor house", UNTIL, "li.wei", "hot-work maintenance", active, tier1
    )


@pytest.mark.parametrize(
    ("active", "tier1", "hidden"),
    [
        (1, 1, "suppresses 1 tier-1 alarm"),
        (3, 2, "suppresses 2 tier-1 alarms and 1 other active alarm"),
        (2, 0, "suppresses 2 active alarms, none tier 1"),
        (0, 0, "no alarm active there now"),
    ],
)
def test_the_banner_line_says_until_when_who_why_and_what_it_hides(
    active: int, tier1: int, hidden: str
) -> None:
    assert _notice(active, tier1).text() == (
        f"Compressor house isolated until 14:30 by li.wei: hot-work maintenance — {hidden}"
    )


def test_the_banner_line_stands_while_the_isolation_lasts_and_its_button_ends_it(qtbot: QtBot) -> None:
    banner = QWidget()  # as under the alarm banner: shown with its parent, unless hidden itself
    strip = IsolationStrip(banner)
    qtbot.addWidget(banner)
    banner.show()
    assert not strip.isVisible()  # nothing isolated: no line at all
    strip.set_isolations([_notice(1, 1)])
    assert strip.isVisible() and len(strip.lines()) == 1
    with qtbot.waitSignal(strip.end_requested) as ended:
        qtbot.mouseClick(strip.end_button("compressor_house"), Qt.MouseButton.LeftButton)
    assert ended.args == ["compressor_house"]
    strip.set_isolations([])
    assert not strip.isVisible()


def test_the_dialog_offers_durations_up_to_the_maximum_and_needs_a_reason(qtbot: QtBot) -> None:
    dialog = IsolationDialog(ZONES, "compressor_house", 5400.0, 200)
    qtbot.addWidget(dialog)
    assert dialog.durations() == [1800.0, 3600.0, 5400.0]  # the site's maximum is the longest
    assert dialog.zone_combo.currentText() == "Compressor house"
    assert dialog.reason_edit.maxLength() == 200
    dialog.accept()
    assert dialog.choice() is None  # no reason: not accepted
    qtbot.keyClicks(dialog.reason_edit, "  K-301 overhaul ")
    dialog.duration_combo.setCurrentIndex(1)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.choice() == ("compressor_house", "K-301 overhaul", 3600.0)


def test_the_confirmation_counts_what_goes_silent() -> None:
    assert confirmation_text("Tank farm", UNTIL, 10, 0, 0) == (
        "Isolating Tank farm suppresses the alarms of 10 detectors until 14:30; no alarm is active there now."
    )
    assert confirmation_text("Tank farm", UNTIL, 10, 1, 0).endswith(
        "; 1 alarm is active there now: hidden until the isolation ends."
    )
