"""The interlock panel: every PLC interlock with its command, feedback, state and last action, and the
commands Arm, Reset, Execute and Cancel for the one picked.

ISA-101: grey and calm; a feedback that did not follow carries the tier-1 mark and bold text (it is the
tier-1 alarm), an armed or executing interlock is bold (someone is acting on the plant). A command the
operator's roles or the interlock's state do not allow stays in place, greyed, its tooltip saying why (the
core refuses it regardless). Filled from the console's interlock view once a second and on every change;
all methods run on the Qt thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal, SignalInstance
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from alarms.definitions import Tier
from plant_maps.alarm_zones import Hazard
from plant_maps.roles import role_words
from widgets.common.keyed_table import KeyedSortFilterProxy, KeyedTableModel, Row, keyed_table
from widgets.common.panel_look import command_button
from widgets.common.plain_text import ElidedLabel, plain_tooltip

COLUMNS = (
    QT_TRANSLATE_NOOP("InterlockPanel", "Interlock"),
    QT_TRANSLATE_NOOP("InterlockPanel", "Command"),
    QT_TRANSLATE_NOOP("InterlockPanel", "Feedback"),
    QT_TRANSLATE_NOOP("InterlockPanel", "State"),
    QT_TRANSLATE_NOOP("InterlockPanel", "Last action"),
)
INTERLOCK, COMMAND, FEEDBACK, STATE, LAST = range(len(COLUMNS))
COLUMN_SAMPLES = {
    INTERLOCK: "IL-CH-TRIP",
    COMMAND: "Command",  # the header's width: "unknown" is about as wide
    FEEDBACK: "Feedback",
    STATE: "armed to trip: 30 s",
    LAST: "tester 14:02:11",
}
STATE_TEXTS = {
    "normal": QT_TRANSLATE_NOOP("InterlockPanel", "normal"),
    "armed": QT_TRANSLATE_NOOP("InterlockPanel", "armed"),
    "executing": QT_TRANSLATE_NOOP("InterlockPanel", "executing"),
    "tripped": QT_TRANSLATE_NOOP("InterlockPanel", "tripped"),
    "did not follow": QT_TRANSLATE_NOOP("InterlockPanel", "DID NOT FOLLOW"),
    "feedback differs": QT_TRANSLATE_NOOP("InterlockPanel", "feedback differs"),
    "unknown": QT_TRANSLATE_NOOP("InterlockPanel", "unknown"),
}
VALUE_TEXTS = {
    True: QT_TRANSLATE_NOOP("InterlockPanel", "ON"),
    False: QT_TRANSLATE_NOOP("InterlockPanel", "OFF"),
    None: QT_TRANSLATE_NOOP("InterlockPanel", "unknown"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("InterlockPanel", text)


def value_text(value: bool | None) -> str:
    return _tr(VALUE_TEXTS[value])


@dataclass(frozen=True, slots=True)
class InterlockLine:
    """One interlock as the operator at this console sees it (filled by the console's interlock view)."""

    id: str
    name: str
    zone_name: str
    does: str
    roles: tuple[str, ...]
    two_person: bool
    command: bool | None
    feedback: bool | None
    state: str  # a key of STATE_TEXTS
    armed_by: str = ""  # who holds the selection ("" when not armed)
    trip: bool = True  # which way it is armed: trip, or return to normal
    second: str = ""  # the second person who confirmed (two-person)
    remaining_s: float | None = None  # until the selection lapses
    last_actor: str = ""
    last_time: str = ""  # the console's clock, as the operator reads it
    last_text: str = ""
    mine: bool = False  # armed by the operator at this console
    blocked: str = ""  # why this operator may not act on it ("" when they may)
    overrides: tuple[Hazard, ...] = ()  # live tier-1 alarms in its zone that executing would override
    second_needed: bool = False  # executing waits for a second person to confirm

    def state_text(self) -> str:
        text = _tr(STATE_TEXTS[self.state])
        if self.state == "armed":
            way = _tr("to trip") if self.trip else _tr("to reset")
            left = "" if self.remaining_s is None else _tr(": {0:.0f} s").format(max(self.remaining_s, 0))
            text = _tr("{0} {1}{2}").format(text, way, left)
        return text

    def who_may(self) -> str:
        roles = role_words(self.roles)
        if self.two_person:
            return _tr("{0}; a second person with one of these roles confirms with their password").format(
                roles
            )
        return roles


class InterlockPanel(QWidget):
    """The list of interlocks and the commands for the one picked (emit the interlock id)."""

    arm_requested = Signal(str)
    reset_requested = Signal(str)
    execute_requested = Signal(str)
    cancel_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = KeyedTableModel(COLUMNS, "InterlockPanel")
        self.proxy = KeyedSortFilterProxy(self.model)
        self.table = keyed_table(
            self.proxy, COLUMN_SAMPLES, LAST, self, icon_columns=(STATE,), stretch_min=120
        )
        self.table.setSortingEnabled(False)  # the site file's order, always
        self.proxy.sort(INTERLOCK, Qt.SortOrder.AscendingOrder)  # every column's key is that order
        self.table.selectionModel().selectionChanged.connect(self._update)
        # the latest command's outcome as the core said it, on one line (whole in its tooltip): the list
        # keeps the room when the panel shares the column with the details
        self.outcome = ElidedLabel()
        self.arm_button = command_button(self.tr("Arm…"))
        self.reset_button = command_button(self.tr("Reset…"))
        self.execute_button = command_button(self.tr("Execute…"))
        self.cancel_button = command_button(self.tr("Cancel"))
        for button, signal in self._commands():
            button.clicked.connect(lambda _=False, s=signal: self._emit(s))
        buttons = QHBoxLayout()
        for button, _ in self._commands():
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(6)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.outcome)
        self._lines: dict[str, InterlockLine] = {}
        self._update()

    def _commands(self) -> list[tuple[QPushButton, SignalInstance]]:
        return [
            (self.arm_button, self.arm_requested),
            (self.execute_button, self.execute_requested),
            (self.cancel_button, self.cancel_requested),
            (self.reset_button, self.reset_requested),
        ]

    # --- data in -------------------------------------------------------------------------------------------

    def set_lines(self, lines: Sequence[InterlockLine]) -> None:
        self._lines = {line.id: line for line in lines}
        self.model.set_rows([self._row(i, line) for i, line in enumerate(lines)])
        if self.selected() is None and lines:
            self.select(lines[0].id)
        self._update()

    def show_outcome(self, text: str) -> None:
        self.outcome.setText(text)
        self.outcome.setToolTip(plain_tooltip(text))

    def select(self, interlock_id: str) -> bool:
        return self.proxy.select(self.table, interlock_id)

    def selected(self) -> str | None:
        return self.proxy.selected(self.table)

    def line(self, interlock_id: str) -> InterlockLine:
        return self._lines[interlock_id]

    def rows(self) -> list[tuple[str, ...]]:
        """The list as written, top to bottom."""
        return [row.texts for row in self.proxy.rows()]

    # --- inside --------------------------------------------------------------------------------------------

    def _row(self, order: int, line: InterlockLine) -> Row:
        last = " ".join(filter(None, (line.last_actor, line.last_time, line.last_text)))
        failed = line.state == "did not follow"
        acting = line.state in ("armed", "executing")
        return Row(
            key=line.id,
            texts=(line.id, value_text(line.command), value_text(line.feedback), line.state_text(), last),
            keys=(order,) * len(COLUMNS),
            record=line,
            tooltips=(
                _tr("{0} {1} ({2}): {3}. May execute: {4}").format(
                    line.id, line.name, line.zone_name, line.does, line.who_may()
                ),
            ),
            bold=frozenset({INTERLOCK, STATE}) if failed or acting else frozenset(),
            marks=((STATE, Tier.LIFE),) if failed else (),
        )

    def _update(self) -> None:
        chosen = self.selected()
        line = self._lines.get(chosen) if chosen else None
        if line is None:
            for button, _ in self._commands():
                _enable(button, False, self.tr("Pick an interlock to act on it"))
            return
        busy = line.state == "executing"
        held_by_other = bool(line.armed_by) and not line.mine
        why = line.blocked or (
            self.tr("being executed: wait for its feedback")
            if busy
            else self.tr("armed by {0}").format(line.armed_by)
            if held_by_other
            else ""
        )
        tripped = line.command is True and line.feedback is True
        _enable(
            self.arm_button,
            not why and not tripped,
            why
            or (
                self.tr("it is tripped: Reset… returns it to normal")
                if tripped
                else self.tr("Select it to trip: the confirmation shows what it does")
            ),
        )
        returnable = line.command is True or line.feedback is True
        _enable(
            self.reset_button,
            not why and returnable,
            why or (self.tr("Select it to return to normal") if returnable else self.tr("it is not tripped")),
        )
        _enable(
            self.execute_button,
            not line.blocked and line.mine,
            line.blocked or (self.tr("Write it to the PLC") if line.mine else self.tr("arm it first")),
        )
        _enable(
            self.cancel_button,
            not line.blocked and bool(line.armed_by),
            line.blocked or (self.tr("Drop the selection") if line.armed_by else self.tr("it is not armed")),
        )

    def _emit(self, signal: SignalInstance) -> None:
        chosen = self.selected()
        if chosen is not None:
            signal.emit(chosen)


def _enable(button: QPushButton, enabled: bool, why: str) -> None:
    button.setEnabled(enabled)
    button.setToolTip(why)
