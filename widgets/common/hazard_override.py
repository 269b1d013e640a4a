"""The warning a command that re-energises or re-admits work opens with while tier-1 alarms are active in
its zone, and the reason it needs (the core refuses it without one).

`OverrideBox`: the tier-1 mark with a bold line saying that this overrides the tier-1 alarms of the zone,
one line per alarm (its tag, its message, the reading now, whether it is acknowledged or shelved), and the
required reason. The interlock confirmation shows it for a return to normal; `OverrideDialog` wraps it for
resuming or starting a permit's work, with the second person's name and password where the site asks for
one. The command names the alarms shown (`OverrideBox.seen`): the core refuses it when one active then was
not shown, and the confirmation, still open, then lists it. ISA-101: grey, bold text and the tier-1 shape
carry the warning, no colour fill. Opened with `open()`, never a blocking `exec()`. Runs on the Qt thread.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from alarms.definitions import Tier
from alarms.states import State
from plant_maps.alarm_zones import Hazard, Occurrence
from widgets.common.panel_look import heading_font, section_heading, set_bold
from widgets.common.plain_text import PlainLabel
from widgets.common.text_dialog import MAX_COMMENT, ok_cancel
from widgets.common.tiers import TierMarkers

NAME_MAX = 64
PASSWORD_MAX = 256
MARK_PX = 16
STATE_TEXTS = {
    State.UNACK: QT_TRANSLATE_NOOP("OverrideBox", "unacknowledged"),
    State.ACKED: QT_TRANSLATE_NOOP("OverrideBox", "acknowledged"),
    State.SHELVED: QT_TRANSLATE_NOOP("OverrideBox", "shelved"),
    State.SUPPRESSED: QT_TRANSLATE_NOOP("OverrideBox", "suppressed"),
    State.OUT_OF_SERVICE: QT_TRANSLATE_NOOP("OverrideBox", "out of service"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("OverrideBox", text)


def hazard_text(h: Hazard) -> str:
    """One alarm as the warning lists it: "• GD-CH-01 — <message> — now 38.9 %LEL, unacknowledged"."""
    state = _tr(STATE_TEXTS[h.state]) if h.state in STATE_TEXTS else h.state.value
    if h.unit is None:
        return _tr("• {0} — {1} — {2}").format(h.source, h.message, state)
    now = f"{h.value:.4g} {h.unit}".rstrip()
    return _tr("• {0} — {1} — now {2}, {3}").format(h.source, h.message, now, state)


def fit_height(window: QWidget) -> None:
    """Grow a dialog whose wrapped text no longer fits its height at its width (a longer list of alarms,
    a reading that wraps one more line); never shrinks it, so it does not jump while the values move."""
    layout = window.layout()
    if layout is None:
        return
    for child in reversed(window.findChildren(QWidget)):  # nested layouts (the alarm list's) first: until
        if child.layout() is not None:  # they are redone, the dialog's layout measures their old text
            child.layout().activate()
    width = window.width()
    needed = (
        layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else layout.totalSizeHint().height()
    )
    if needed > window.height():
        window.resize(width, needed)


def dialog_width(widget: QWidget) -> int:
    """Wide enough for an alarm's line to wrap once at most: 62 "M" wide (about 90 characters)."""
    return 62 * widget.fontMetrics().horizontalAdvance("M")


def second_person_fields() -> tuple[QLineEdit, QLineEdit]:
    """The second person's user name and password fields (perform and verify), as every dialog asks them."""
    name = QLineEdit()
    name.setMaxLength(NAME_MAX)
    name.setPlaceholderText(_tr("user name of the second person"))
    password = QLineEdit()
    password.setMaxLength(PASSWORD_MAX)
    password.setEchoMode(QLineEdit.EchoMode.Password)
    password.setPlaceholderText(_tr("their password"))
    return name, password


class OverrideBox(QWidget):
    """The live tier-1 alarms a command overrides, and the reason field; `changed` when the reason is edited."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("OverrideBox")
        self._markers = TierMarkers()
        self.mark = QLabel()
        self.heading = PlainLabel()
        self.heading.setWordWrap(True)
        set_bold(self.heading, True)
        self.alarms = PlainLabel()
        self.alarms.setWordWrap(True)
        self.alarms.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reason = QLineEdit()
        self.reason.setMaxLength(MAX_COMMENT)
        self.reason.setPlaceholderText(self.tr("Required: why is it safe to do this now?"))
        self.reason.textChanged.connect(lambda _text: self.changed.emit())
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.mark, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.heading, 1)
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.tr("Reason:"), self.reason)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.addLayout(top)
        layout.addWidget(self.alarms)
        layout.addLayout(form)
        self._hazards: tuple[Hazard, ...] = ()

    def set_hazards(self, zone_name: str, hazards: Sequence[Hazard]) -> None:
        """The alarms active now (the console refreshes them while the dialog is open)."""
        self._hazards = tuple(hazards)
        self.mark.setPixmap(self._markers.pixmap(Tier.LIFE, MARK_PX, self.devicePixelRatioF()))
        if hazards:
            heading = self.tr("Tier-1 alarms active in {0}: this overrides them").format(zone_name)
        else:
            heading = self.tr("No tier-1 alarm is active in {0} any more").format(zone_name)
        self.heading.setText(heading)
        self.alarms.setText("\n".join(hazard_text(h) for h in hazards))

    def seen(self) -> tuple[Occurrence, ...]:
        """The occurrences shown now: the command names them, and the core refuses it if more are active."""
        return tuple(h.occurrence for h in self._hazards)

    def reason_text(self) -> str:
        return self.reason.text().strip()


class OverrideDialog(QDialog):
    """Asks for the reason (and the second person) before work is resumed or started over live tier-1
    alarms; it will not submit without them. OK emits `submitted` and the dialog stays open until the console
    answers: `done()` when the core carried it out, `show_outcome` when it refused (say, an alarm raised
    after the list was last refreshed), with the list refreshed and the reason kept for a second look."""

    submitted = Signal()

    def __init__(
        self,
        title: str,
        action: str,
        zone_name: str,
        hazards: Sequence[Hazard],
        second_person: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("OverrideDialog")
        self.setWindowTitle(title)
        self.setMinimumWidth(dialog_width(self))
        self.zone_name = zone_name
        heading = PlainLabel(title)
        heading.setWordWrap(True)
        heading.setFont(heading_font(self))
        self.override = OverrideBox()
        self.override.set_hazards(zone_name, hazards)
        self.second_name, self.password = second_person_fields()
        self.second_box = QWidget()
        second = QFormLayout(self.second_box)
        second.setContentsMargins(0, 0, 0, 0)
        second.addRow(section_heading(self.tr("Second person (site rule for overrides)")))
        second.addRow(self.tr("Name:"), self.second_name)
        second.addRow(self.tr("Password:"), self.password)
        self.second_box.setVisible(second_person)
        self.outcome = PlainLabel()
        self.outcome.setWordWrap(True)
        self._waiting = False  # submitted, the core's answer not back yet
        buttons, self.ok_button = ok_cancel(self, action)
        for changed in (self.override.changed, self.second_name.textChanged, self.password.textChanged):
            changed.connect(self._update)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.override)
        layout.addWidget(self.second_box)
        layout.addWidget(self.outcome)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self._update()

    def set_hazards(self, hazards: Sequence[Hazard]) -> None:
        """The alarms active now (refreshed while the dialog is open)."""
        self.override.set_hazards(self.zone_name, hazards)
        fit_height(self)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fit_height(self)

    def reason(self) -> str:
        return self.override.reason_text()

    def second_user(self) -> str:
        return self.second_name.text().strip() if self.second_box.isVisibleTo(self) else ""

    def second_password(self) -> str:
        return self.password.text() if self.second_box.isVisibleTo(self) else ""

    def accept(self) -> None:
        """Submit once, with what the override needs (also when accepted programmatically); the password
        is cleared as soon as it has been sent."""
        if self._missing():
            return
        self._waiting = True
        self._update()
        self.submitted.emit()
        self.password.clear()

    def show_outcome(self, text: str) -> None:
        """The core refused it: why, and OK offered again (the focus back in the reason: Enter is OK again,
        not the Cancel it moved to while OK was greyed)."""
        self._waiting = False
        self.outcome.setText(text)
        self._update()
        self.override.reason.setFocus()
        fit_height(self)

    def _missing(self) -> str:
        if self._waiting:
            return self.tr("Waiting for the answer")
        if not self.reason():
            return self.tr("Give the reason first")
        if self.second_box.isVisibleTo(self) and not (self.second_user() and self.second_password()):
            return self.tr("The second person gives their name and password")
        return ""

    def _update(self) -> None:
        missing = self._missing()
        self.ok_button.setEnabled(not missing)
        self.ok_button.setToolTip(missing)
