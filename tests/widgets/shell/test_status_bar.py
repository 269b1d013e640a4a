"""The connection status bar: state in words and shape, colour only when a connection is in trouble."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from widgets.common.theme import PALETTE
from widgets.shell.status_bar import JOURNAL, ConnectionStatusBar, JournalFacts, LinkFacts, shares


@pytest.fixture()
def bar(qtbot: QtBot) -> ConnectionStatusBar:
    bar = ConnectionStatusBar(now=lambda: 1_700_000_000.0)
    qtbot.addWidget(bar)
    bar.resize(1200, 28)
    bar.show()
    qtbot.waitExposed(bar)
    return bar


def _shows_colour(bar: ConnectionStatusBar, colour: str) -> bool:
    image = bar.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    raw = np.frombuffer(image.constBits(), dtype=np.uint8).reshape(
        image.height(), image.bytesPerLine() // 4, 4
    )
    c = QColor(colour)
    target = np.array([c.blue(), c.green(), c.red()])  # BGRA in memory
    return bool((np.abs(raw[:, : image.width(), :3].astype(int) - target).max(axis=2) <= 24).any())


def test_a_connected_source_is_plain_text_without_colour(bar: ConnectionStatusBar) -> None:
    bar.show_connection("opcua", "connected", 12500, 0, "")
    assert bar.connection_text("opcua") == "opcua: connected · 12500 msgs · 0 errors"
    look = bar.connection_look("opcua")
    assert look is not None and look.marker == "grey dot" and not look.bold
    assert bar.connection_tooltip("opcua") == "no errors"
    assert not _shows_colour(bar, PALETTE.alarm_1) and not _shows_colour(bar, PALETTE.alarm_2)


def test_reconnecting_is_an_amber_triangle_in_bold_with_the_last_error(bar: ConnectionStatusBar) -> None:
    bar.show_connection("mqtt", "reconnecting", 40, 3, "connection refused")
    assert bar.connection_text("mqtt") == "mqtt: reconnecting · 40 msgs · 3 errors"
    look = bar.connection_look("mqtt")
    assert look is not None and look.marker == "amber triangle" and look.bold
    assert bar.connection_tooltip("mqtt") == "last error: connection refused"
    assert _shows_colour(bar, PALETTE.alarm_2)


def test_the_same_section_follows_a_connection_through_its_states(bar: ConnectionStatusBar) -> None:
    bar.show_connection("opcua", "connecting", 0, 0, "")
    bar.show_connection("mqtt", "connected", 5, 0, "")
    bar.show_connection("opcua", "disconnected", 0, 1, "timeout")
    assert bar.connection_text("opcua") == "opcua: disconnected · 0 msgs · 1 errors"
    look = bar.connection_look("opcua")
    assert look is not None and look.marker == "red diamond" and look.bold
    assert _shows_colour(bar, PALETTE.alarm_1)
    bar.show_connection("opcua", "connected", 9, 1, "timeout")
    assert not _shows_colour(bar, PALETTE.alarm_1)
    assert bar.connection_text("mqtt") == "mqtt: connected · 5 msgs · 0 errors"


def test_an_unknown_state_is_refused(bar: ConnectionStatusBar) -> None:
    with pytest.raises(ValueError, match="unknown connection state 'sleeping'"):
        bar.show_connection("opcua", "sleeping", 0, 0, "")


def test_the_clock_shows_the_console_clock_in_local_time(bar: ConnectionStatusBar) -> None:
    assert bar.clock_text() == time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(1_700_000_000.0))


def test_a_link_shows_its_lock_and_policy_its_tags_in_error_and_wrong_clocks(
    bar: ConnectionStatusBar,
) -> None:
    link = LinkFacts(
        "Basic256Sha256 SignAndEncrypt, user op", True, tags=20, tags_in_error=1, skewed=("W01", "W07")
    )
    bar.show_connection("OPC UA", "connected", 400, 1, "cannot read GD-TF-01: BadNodeIdUnknown", link)
    assert bar.connection_text("OPC UA") == (
        "OPC UA: connected · \N{LOCK} Basic256Sha256 SignAndEncrypt, user op · 20 tags, 1 in error"
        " · clock skew: 2 · 400 msgs · 1 errors"
    )
    assert bar.connection_tooltip("OPC UA").endswith("clock wrong: W01, W07")
    bar.show_connection("MQTT", "connected", 5, 0, "", LinkFacts("no TLS, anonymous", False, tags=2))
    assert bar.connection_text("MQTT") == "MQTT: connected · no TLS, anonymous · 2 tags · 5 msgs · 0 errors"


def test_the_journal_is_a_third_link_plain_while_it_saves_and_amber_bold_while_it_does_not(
    bar: ConnectionStatusBar,
) -> None:
    url = "sqlite:////var/lib/controlroom/controlroom.db"
    bar.show_journal(JournalFacts("sqlite", "/var/lib/controlroom/controlroom.db", url))
    bar.show_connection("OPC UA", "connected", 400, 0, "")
    bar.show_connection("MQTT", "connected", 5, 0, "")
    sections = [bar.connection_section(name) for name in ("OPC UA", "MQTT", JOURNAL)]
    assert [s.x() for s in sections] == sorted(s.x() for s in sections)  # the journal after the links
    assert bar.connection_text(JOURNAL) == "Journal: saving · SQLite file …/controlroom.db"
    assert bar.connection_tooltip(JOURNAL).endswith(url)
    look = bar.connection_look(JOURNAL)
    assert look is not None and look.marker == "grey dot" and not look.bold
    assert not _shows_colour(bar, PALETTE.alarm_2)

    since = 1_700_000_000.0 - 300
    bar.show_journal(
        JournalFacts(
            "postgresql", "db.plant:5432/cr", "postgresql+psycopg://ops:***@db.plant:5432/cr", since, 137
        )
    )
    at = time.strftime("%H:%M", time.localtime(since))
    assert bar.connection_text(JOURNAL) == f"Journal: NOT SAVING since {at} · 137 rows waiting"
    look = bar.connection_look(JOURNAL)
    assert look is not None and look.marker == "amber triangle" and look.bold
    assert _shows_colour(bar, PALETTE.alarm_2)
    bar.show_journal(JournalFacts("postgresql", "db.plant:5432/cr", "", since, 20_000, why="refused"))
    assert bar.connection_text(JOURNAL).endswith("· 20000 rows waiting")
    assert "refused" in bar.connection_tooltip(JOURNAL)
    bar.show_journal(JournalFacts("postgresql", "db.plant:5432/cr", ""))
    assert bar.connection_text(JOURNAL) == "Journal: saving · PostgreSQL db.plant:5432/cr"


def test_short_of_room_a_section_in_trouble_stays_whole_and_the_longest_calm_ones_are_cut() -> None:
    # OPC UA and MQTT calm and long, the journal in trouble: it keeps all it wants, the links share the rest
    assert shares(900, [480, 400, 330], [150, 120, 200], [False, False, True]) == [285, 285, 330]
    # all calm: the short journal line stays whole, the two long ones are cut evenly
    assert shares(900, [480, 400, 280], [150, 120, 130], [False, False, False]) == [310, 310, 280]
    # no room at all: everyone keeps at least their name and state
    assert shares(300, [480, 400, 330], [150, 120, 200], [False, False, True]) == [150, 120, 200]
