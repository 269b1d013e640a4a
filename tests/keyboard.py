"""Typing as a person does: every key goes where the keyboard focus is in a window (the window itself when
nothing in it has the focus), never straight into a chosen field, so a test sees what the keyboard sees."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget


def focused(window: QWidget) -> QWidget:
    """The widget of `window` the keys go to now."""
    return window.focusWidget() or window


def type_text(window: QWidget, text: str) -> None:
    QTest.keyClicks(focused(window), text)


def press(
    window: QWidget, key: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    QTest.keyClick(focused(window), key, modifiers)


def fill(window: QWidget, *fields: str) -> None:
    """Type each text and Tab on to the next field (no Tab after the last: Enter comes next)."""
    for i, text in enumerate(fields):
        if i:
            press(window, Qt.Key.Key_Tab)
        type_text(window, text)
