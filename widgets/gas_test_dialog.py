"""The gas tester's readings for a permit (GB 30871: a passing test at most 30 min before work starts or
resumes), entered at the console from the tester's radio call or handheld; the core judges them."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout, QLineEdit, QWidget

from plant_maps.gas_tests import GasLimit
from plant_maps.site import MEASURES


class GasTestDialog(QDialog):
    """One reading per measure the permit's limits name, and who took them; never accepted without a tester."""

    def __init__(self, permit_id: str, limits: Mapping[str, GasLimit], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.permit_id = permit_id
        self.setWindowTitle(f"Gas test for {permit_id}")
        self.spins: dict[str, QDoubleSpinBox] = {}
        form = QFormLayout(self)
        for measure, limit in limits.items():
            spin = QDoubleSpinBox()
            spin.setRange(0.0, 1000.0)
            spin.setDecimals(1)
            spin.setSuffix(f" {MEASURES.get(measure, '')}")
            spin.setValue(20.9 if measure == "o2" else 0.0)
            spin.setToolTip(limit.describe())
            self.spins[measure] = spin
            form.addRow(f"{measure.upper()} ({limit.describe()})", spin)
        self.tester_edit = QLineEdit()
        self.tester_edit.setPlaceholderText("Required: who took the readings")
        form.addRow("Tester", self.tester_edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Record")
        self.ok_button.setEnabled(False)
        self.tester_edit.textChanged.connect(lambda: self.ok_button.setEnabled(bool(self.tester())))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def readings(self) -> dict[str, float]:
        return {measure: spin.value() for measure, spin in self.spins.items()}

    def tester(self) -> str:
        return self.tester_edit.text().strip()

    def accept(self) -> None:
        if self.tester():
            super().accept()
