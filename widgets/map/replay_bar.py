"""The map replay's bar (issue 17): which moment the map shows, and the controls to move through the history.

A bordered "REPLAY hh:mm:ss" plate leads it, so that nobody takes the map for the live plant (ISA-101: grey
and calm, the difference in the frame and the words, never an alarm colour). A slider spans the stored
history (the last 12 h); play at 1x, 10x or 60x, step a second back or forward, "Now" returns to live.
Keys while the map or the bar has the focus: Space plays or pauses, Left and Right step (the slider's own
keys; Page Up and Page Down a minute), Escape returns to live.

Emits the operator's intents only; the console's replay feed answers with frames (`show_moment`).
Runs on the Qt thread.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QHideEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QWidget,
)

from plant_maps.replay_frame import ReplayAlarm
from widgets.common.theme import PALETTE
from widgets.common.tiers import state_name
from widgets.common.time_text import ago_text, clock_text

SPEEDS = (1, 10, 60)
STEP_S = 1.0  # one frame of plant time
PAGE_S = 60  # Page Up / Page Down on the slider


class ReplayBar(QFrame):
    seek_requested = Signal(float)  # the moment to show (epoch s)
    play_requested = Signal(int)  # the speed to play at (times real time); 0: pause
    now_requested = Signal()  # back to the live plant

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ReplayBar")
        self._start = 0.0  # the slider's left end (epoch s)
        self._shown = math.nan  # the moment the map shows
        self._keys: list[QShortcut] = []
        self.state = QLabel()  # "REPLAY 14:32:05": the plate nobody can miss
        self.state.setObjectName("ReplayState")
        self.state.setStyleSheet(
            f"QLabel#ReplayState {{ border: 2px solid {PALETTE.text}; background: {PALETTE.hollow_fill}; "
            f"color: {PALETTE.text}; font-weight: bold; padding: 2px 8px; }}"
        )
        self.state.setToolTip(
            self.tr("The map shows the plant as stored at this moment; the live plant runs on")
        )
        self.ago = QLabel()
        self.ago.setObjectName("ReplayAgo")
        self.alarms = QLabel()  # how many alarms stood then; which, in its tooltip
        self.alarms.setObjectName("ReplayAlarms")
        self.alarms.setContentsMargins(8, 0, 8, 0)
        self.back_button = QPushButton(self.tr("◀ 1 s"))
        self.back_button.setToolTip(self.tr("One second back (Left)"))
        self.back_button.clicked.connect(lambda: self._step(-STEP_S))
        self.play_button = QPushButton(self.tr("Play"))
        self.play_button.setCheckable(True)
        self.play_button.setToolTip(self.tr("Play the history at the speed chosen (Space)"))
        self.play_button.toggled.connect(self._play_toggled)
        self.forward_button = QPushButton(self.tr("1 s ▶"))
        self.forward_button.setToolTip(self.tr("One second forward (Right)"))
        self.forward_button.clicked.connect(lambda: self._step(STEP_S))
        self.speed_group = QButtonGroup(self)
        self.speed_buttons: dict[int, QPushButton] = {}
        for speed in SPEEDS:
            button = QPushButton(self.tr("{n}×").format(n=speed))
            button.setCheckable(True)
            button.setToolTip(self.tr("Play at {n} times real time").format(n=speed))
            self.speed_group.addButton(button, speed)
            self.speed_buttons[speed] = button
        self.speed_buttons[SPEEDS[0]].setChecked(True)
        self.speed_group.idToggled.connect(self._speed_toggled)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("ReplaySlider")
        self.slider.setSingleStep(int(STEP_S))
        self.slider.setPageStep(PAGE_S)
        self.slider.setMinimumWidth(100)
        self.slider.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.slider.setToolTip(self.tr("The stored history: drag to any moment"))
        self.slider.valueChanged.connect(lambda value: self.seek_requested.emit(self._start + value))
        self.now_button = QPushButton(self.tr("Now"))
        self.now_button.setObjectName("ReplayNow")
        self.now_button.setToolTip(self.tr("Back to the live plant (Escape)"))
        self.now_button.clicked.connect(self.now_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 3, 6, 3)
        layout.setSpacing(4)
        layout.addWidget(self.state)
        layout.addWidget(self.ago)
        layout.addWidget(self.alarms)
        layout.addWidget(self.back_button)
        layout.addWidget(self.play_button)
        layout.addWidget(self.forward_button)
        for button in self.speed_buttons.values():
            layout.addWidget(button)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.now_button)
        self.setStyleSheet(  # its buttons as narrow as their words: the bar fits over the map at 1366 px
            f"QFrame#ReplayBar {{ background: {PALETTE.panel}; border-bottom: 1px solid {PALETTE.line}; }}"
            "QFrame#ReplayBar QPushButton { min-width: 0px; padding: 2px 6px; }"
        )

    def add_keys(self, area: QWidget) -> None:
        """Space and Escape while `area` (the map with this bar) has the focus and the bar is shown."""
        for key, slot in (
            (Qt.Key.Key_Space, self.play_button.toggle),
            (Qt.Key.Key_Escape, self.now_requested.emit),
        ):
            shortcut = QShortcut(QKeySequence(key), area)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.setEnabled(not self.isHidden())
            shortcut.activated.connect(slot)
            self._keys.append(shortcut)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        for shortcut in self._keys:
            shortcut.setEnabled(True)

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        for shortcut in self._keys:  # the live map's keys are its own again
            shortcut.setEnabled(False)

    # --- what the feed tells it ----------------------------------------------------------------------

    def set_range(self, start: float, end: float) -> None:
        """The stored history the slider spans (epoch s), whole seconds."""
        self._start = math.floor(start)
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(1, math.ceil(end - self._start)))
        self.slider.blockSignals(False)

    def show_moment(self, ts: float, now: float) -> None:
        """The moment the map now shows, and how long before `now` it was."""
        self._shown = ts
        self.state.setText(self.tr("REPLAY {time}").format(time=clock_text(ts)))
        self.ago.setText(ago_text(now - ts))
        self.slider.blockSignals(True)
        self.slider.setValue(round(ts - self._start))
        self.slider.blockSignals(False)

    def show_alarms(self, alarms: Sequence[ReplayAlarm]) -> None:
        """The alarms not normal at the moment shown (the banner and the alarm list stay live)."""
        self.alarms.setText(
            self.tr("alarms then: {n}").format(n=len(alarms)) if alarms else self.tr("no alarms then")
        )
        ranked = sorted(alarms, key=lambda a: (a.tier, -a.ts))
        self.alarms.setToolTip(
            "\n".join(
                self.tr("T{tier} {alarm}: {state}").format(
                    tier=int(a.tier), alarm=a.id, state=state_name(a.state)
                )
                for a in ranked
            )
        )

    def set_playing(self, playing: bool) -> None:
        """Shown as playing or paused (the feed stops at the live end of the history)."""
        self.play_button.blockSignals(True)
        self.play_button.setChecked(playing)
        self.play_button.setText(self.tr("Pause") if playing else self.tr("Play"))
        self.play_button.blockSignals(False)

    def speed(self) -> int:
        return self.speed_group.checkedId()

    @property
    def shown(self) -> float:
        return self._shown

    @property
    def start(self) -> float:
        """The moment at the slider's left end (its value counts seconds from there)."""
        return self._start

    # --- the operator's hand -------------------------------------------------------------------------

    def _step(self, seconds: float) -> None:
        self.set_playing(False)
        self.play_requested.emit(0)
        if math.isfinite(self._shown):
            self.seek_requested.emit(self._shown + seconds)

    def _play_toggled(self, playing: bool) -> None:
        self.play_button.setText(self.tr("Pause") if playing else self.tr("Play"))
        self.play_requested.emit(self.speed() if playing else 0)

    def _speed_toggled(self, speed: int, checked: bool) -> None:
        if checked and self.play_button.isChecked():
            self.play_requested.emit(speed)
