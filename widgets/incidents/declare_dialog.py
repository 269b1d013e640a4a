"""Declaring an incident (after ICS-201): its type, zone, severity, incident commander and safety officer.
OK stays greyed until all are given; Enter submits. Opened with `open()`, never a blocking `exec()`."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QComboBox, QDialog, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from widgets.common.text_dialog import ok_cancel

Choices = Sequence[tuple[str, str]]  # (key, what the coordinator reads)


def _combo(choices: Choices, preset: str = "") -> QComboBox:
    combo = QComboBox()
    for key, label in choices:
        combo.addItem(label, key)
    combo.setCurrentIndex(max(combo.findData(preset), 0) if preset else -1)
    return combo


class DeclareDialog(QDialog):
    def __init__(
        self,
        subject: str,
        types: Choices,
        zones: Choices,
        severities: Choices,
        *,
        zone: str,
        safety_officer: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Declare incident"))
        self.type_box, self.severity_box = _combo(types), _combo(severities)
        self.zone_box = _combo(zones, zone)
        self.commander_edit, self.officer_edit = QLineEdit(), QLineEdit(safety_officer)
        self.commander_edit.setPlaceholderText(self.tr("user name"))
        self.officer_edit.setPlaceholderText(self.tr("user name"))
        form = QFormLayout()
        form.addRow(self.tr("Type"), self.type_box)
        form.addRow(self.tr("Zone"), self.zone_box)
        form.addRow(self.tr("Severity"), self.severity_box)
        form.addRow(self.tr("Incident commander"), self.commander_edit)
        form.addRow(self.tr("Safety officer"), self.officer_edit)
        buttons, self.ok_button = ok_cancel(self, self.tr("Declare"))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(subject))
        layout.addLayout(form)
        layout.addWidget(buttons)
        for box in (self.type_box, self.zone_box, self.severity_box):
            box.currentIndexChanged.connect(self._update)
        for edit in (self.commander_edit, self.officer_edit):
            edit.textChanged.connect(self._update)
        self._update()

    def values(self) -> dict[str, str]:
        """What was chosen, as DeclareIncident names it."""
        return {
            "type": self.type_box.currentData() or "",
            "zone": self.zone_box.currentData() or "",
            "severity": self.severity_box.currentData() or "",
            "commander": self.commander_edit.text().strip(),
            "safety_officer": self.officer_edit.text().strip(),
        }

    def accept(self) -> None:
        """Refuse to close until everything is given, also when accepted programmatically."""
        if all(self.values().values()):
            super().accept()

    def _update(self) -> None:
        self.ok_button.setEnabled(all(self.values().values()))
