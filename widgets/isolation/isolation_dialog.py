"""Isolating a zone for maintenance: a reason and a bounded duration, then a confirmation that says what goes
silent.

An isolation suppresses every alarm of the zone by design, a tier-1 gas alarm included, so it is asked like a
shelve (ISA-18.2 §11.7.3: a reason, a duration never longer than the maximum) and confirmed with its cost in
words: how many detectors, how many alarms active now and how many of them tier 1, until when. Both dialogs
are opened with `open()` (never a blocking `exec()`), so the asyncio loop keeps running and tests drive them
like any widget. Runs on the Qt thread.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from widgets.common.time_text import clock_text, duration_text

DURATIONS_S = (30 * 60.0, 3600.0, 2 * 3600.0, 4 * 3600.0, 8 * 3600.0)


class IsolationDialog(QDialog):
    """Asks which zone, why (required, plain text, bounded) and for how long (presets up to the maximum)."""

    def __init__(
        self,
        zones: Sequence[tuple[str, str]],
        zone: str,
        max_s: float,
        max_reason_chars: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Isolate a zone for maintenance"))
        self.setMinimumWidth(40 * self.fontMetrics().horizontalAdvance("M"))
        self.zone_combo = QComboBox()
        for zone_id, name in zones:
            self.zone_combo.addItem(name, zone_id)
        self.zone_combo.setCurrentIndex(max(self.zone_combo.findData(zone), 0))
        self.reason_edit = QLineEdit()
        self.reason_edit.setMaxLength(max_reason_chars)
        self.reason_edit.setPlaceholderText(self.tr("Required: the work, e.g. K-301 overhaul, PTW-HW-001"))
        self.duration_combo = QComboBox()
        for seconds in [s for s in DURATIONS_S if s < max_s] + [max_s]:
            self.duration_combo.addItem(duration_text(seconds), seconds)
        form = QFormLayout()
        form.addRow(self.tr("Zone"), self.zone_combo)
        form.addRow(self.tr("Reason"), self.reason_edit)
        form.addRow(self.tr("Duration"), self.duration_combo)
        note = QLabel(
            self.tr(
                "Every alarm of the zone is suppressed, tier 1 included. At most {0}; when the time is up "
                "the zone returns to service by itself and its active alarms come back unacknowledged."
            ).format(duration_text(max_s))
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("Next…"))
        self.ok_button.setEnabled(False)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.reason_edit.textChanged.connect(lambda: self.ok_button.setEnabled(bool(self.reason())))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def durations(self) -> list[float]:
        """The durations offered, in seconds."""
        return [self.duration_combo.itemData(i) for i in range(self.duration_combo.count())]

    def reason(self) -> str:
        return self.reason_edit.text().strip()

    def accept(self) -> None:
        """Refuse to go on without a reason, also when accepted programmatically."""
        if self.reason():
            super().accept()

    def choice(self) -> tuple[str, str, float] | None:
        """(zone id, reason, duration in seconds) once accepted; None if cancelled or still open."""
        if self.result() != QDialog.DialogCode.Accepted:
            return None
        return self.zone_combo.currentData(), self.reason(), self.duration_combo.currentData()


class IsolationConfirmation(QMessageBox):
    """The last word before the zone goes silent: what it suppresses, until when; Cancel is the default."""

    def __init__(
        self,
        zone_name: str,
        reason: str,
        until: float,
        detectors: int,
        active: int,
        tier1_active: int,
        live: int = 0,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setIcon(QMessageBox.Icon.Warning)
        self.setTextFormat(Qt.TextFormat.PlainText)  # the reason and the zone's name as typed, never markup
        self.setWindowTitle(self.tr("Confirm the isolation of {0}").format(zone_name))
        self.setText(confirmation_text(zone_name, until, detectors, active, tier1_active, live))
        self.setInformativeText(
            self.tr(
                "Reason: {0}. When the time is up it returns to service by itself; alarms still active "
                "then come back unacknowledged. You can end it earlier from the banner."
            ).format(reason)
        )
        self.setStandardButtons(QMessageBox.StandardButton.Cancel)
        self.setDefaultButton(QMessageBox.StandardButton.Cancel)
        self.confirm_button: QPushButton = self.addButton(
            self.tr("Isolate {0}").format(zone_name), QMessageBox.ButtonRole.AcceptRole
        )

    def confirmed(self) -> bool:
        return self.clickedButton() is self.confirm_button


def confirmation_text(
    zone_name: str, until: float, detectors: int, active: int, tier1_active: int, live: int = 0
) -> str:
    """ "Isolating Compressor house suppresses the alarms of 13 detectors until 14:30; 2 alarms are active
    there now, 1 of them tier 1: hidden until the isolation ends." and, with `live` people's alarms there,
    that those stay live (so the words match the list, where they stay)."""

    def tr(text: str) -> str:
        return QCoreApplication.translate("IsolationConfirmation", text)

    head = tr("Isolating {0} suppresses the alarms of {1} detectors until {2}").format(
        zone_name, detectors, clock_text(until, False)
    )
    if not active:
        text = head + tr("; no alarm is active there now.")
    else:
        if active > 1:
            now = tr("; {0} alarms are active there now, {1} of them tier 1").format(active, tier1_active)
        elif tier1_active:
            now = tr("; 1 tier-1 alarm is active there now")
        else:
            now = tr("; 1 alarm is active there now")
        text = head + now + tr(": hidden until the isolation ends.")
    if live == 1:
        text += tr(" 1 person's alarm there stays live: an isolation never hides a person.")
    elif live:
        text += tr(" {0} people's alarms there stay live: an isolation never hides a person.").format(live)
    return text
