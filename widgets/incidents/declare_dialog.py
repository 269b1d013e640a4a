"""Declaring an incident (after ICS-201): its type, zone, severity, incident commander and safety officer;
declared at a point of the map, a hazard radius around it instead of the whole zone. OK stays greyed until
all are given; Enter submits. Opened with `open()`, never a blocking `exec()`."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from widgets.common.text_dialog import ok_cancel

Choices = Sequence[tuple[str, str]]  # (key, what the coordinator reads)
RADIUS_MAX_M = 5000  # as the core allows


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
        point: tuple[float, float] | None = None,
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
        self.point = point
        self.radius_box = QSpinBox()
        self.radius_box.setRange(0, RADIUS_MAX_M)
        self.radius_box.setSuffix(self.tr(" m"))
        self.radius_box.setSpecialValueText(self.tr("the whole zone"))
        if point is not None:
            where = self.tr("Hazard radius around ({x:.0f}, {y:.0f})").format(x=point[0], y=point[1])
            form.addRow(where, self.radius_box)
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
        """What was chosen, as DeclareIncident names it (the point: `circle()`)."""
        return {
            "type": self.type_box.currentData() or "",
            "zone": self.zone_box.currentData() or "",
            "severity": self.severity_box.currentData() or "",
            "commander": self.commander_edit.text().strip(),
            "safety_officer": self.officer_edit.text().strip(),
        }

    def circle(self) -> dict[str, float | None]:
        """The point and its hazard radius, when one was given (else the whole zone: all None)."""
        if self.point is None or not self.radius_box.value():
            return {"x": None, "y": None, "radius_m": None}
        return {"x": self.point[0], "y": self.point[1], "radius_m": float(self.radius_box.value())}

    def accept(self) -> None:
        """Refuse to close until everything is given, also when accepted programmatically."""
        if all(self.values().values()):
            super().accept()

    def _update(self) -> None:
        self.ok_button.setEnabled(all(self.values().values()))
