"""A label whose text can grow never asks for the room of its text: it shows what fits, ending in "…", and
keeps the whole text; wrapped, it breaks a word too long for a line and stops at its line count."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QHBoxLayout, QToolTip, QWidget
from pytestqt.qtbot import QtBot

from widgets.common.plain_text import LEAST_CHARS, ElidedLabel

WORDS = "the responder found a burn on the left hand and gave first aid " * 20
WORD = "x" * 500


def _shown(qtbot: QtBot, label: ElidedLabel, width: int) -> QWidget:
    box = QWidget()
    qtbot.addWidget(box)
    QHBoxLayout(box).addWidget(label)
    box.resize(width, 300)
    box.show()
    qtbot.waitExposed(box)
    return box


def test_one_line_asks_for_a_few_characters_and_ends_in_an_ellipsis(qtbot: QtBot) -> None:
    label = ElidedLabel(WORDS + WORD)
    box = _shown(qtbot, label, 300)
    least = label.minimumSizeHint().width()
    assert least <= label.fontMetrics().averageCharWidth() * LEAST_CHARS + 2
    assert box.minimumSizeHint().width() < 100
    [line] = label.shown_lines()
    assert line.endswith("…") and WORDS.startswith(line[:-1])
    assert label.fontMetrics().horizontalAdvance(line) <= label.contentsRect().width()
    assert label.text() == WORDS + WORD
    QApplication.sendEvent(
        label, QHelpEvent(QEvent.Type.ToolTip, QPoint(4, 4), label.mapToGlobal(QPoint(4, 4)))
    )
    assert WORD in QToolTip.text()  # no tooltip of its own: the whole text is its tooltip


def test_a_short_text_asks_for_its_own_width_only(qtbot: QtBot) -> None:
    label = ElidedLabel("ok")
    box = _shown(qtbot, label, 300)  # noqa: F841 (held: it owns the label)
    assert label.minimumSizeHint().width() == label.sizeHint().width()
    assert label.shown_lines() == ["ok"]


def test_wrapped_it_breaks_an_unbroken_word_and_stops_at_its_lines(qtbot: QtBot) -> None:
    label = ElidedLabel("Refused: " + WORD, lines=3)
    box = _shown(qtbot, label, 300)  # noqa: F841 (held: it owns the label)
    lines = label.shown_lines()
    assert len(lines) == 3 and lines[0].startswith("Refused:") and lines[2].endswith("…")
    step = label.fontMetrics().lineSpacing()
    assert label.heightForWidth(label.width()) == 3 * step <= label.height()
    assert label.minimumSizeHint().width() < 100


def test_wrapped_without_a_limit_it_shows_every_line_and_keeps_the_line_breaks(qtbot: QtBot) -> None:
    label = ElidedLabel("W01.SOS: unacknowledged\nAcknowledge the alarm first " + WORD, lines=None)
    box = _shown(qtbot, label, 300)  # noqa: F841 (held: it owns the label)
    lines = label.shown_lines()
    assert lines[:2] == ["W01.SOS: unacknowledged", "Acknowledge the alarm first"]
    assert "".join(lines[2:]) == WORD  # the long word over several lines, nothing elided
    assert label.heightForWidth(label.width()) == len(lines) * label.fontMetrics().lineSpacing()
