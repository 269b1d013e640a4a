"""Who works at this console now: the one object every window command is signed with.

A command takes `signed_in.name` when it is sent, not a name captured when the window was built, so that a
switch of user at a shift change signs the very next command with the new name. Qt thread only.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class SignedIn(QObject):
    """The signed-in user (`name` "" when nobody is), their full name and roles; `locked` while the console
    waits for the password again. `changed` after every change."""

    changed = Signal()

    def __init__(self, console: str, demo: bool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.console, self.demo = console, demo
        self.name, self.full_name = "", ""
        self.roles: frozenset[str] = frozenset()
        self.locked = False

    def set_user(self, name: str, full_name: str, roles: frozenset[str]) -> None:
        self.name, self.full_name, self.roles, self.locked = name, full_name, roles, False
        self.changed.emit()

    def set_locked(self, locked: bool) -> None:
        self.locked = locked
        self.changed.emit()

    def clear(self) -> None:
        self.set_user("", "", frozenset())

    @property
    def active(self) -> bool:
        """Someone is signed in and the console is not locked: the core will hear their commands."""
        return bool(self.name) and not self.locked
