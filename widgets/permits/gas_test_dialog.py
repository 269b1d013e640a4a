"""The gas tester's readings for a permit (GB 30871: a passing test at most 30 min before work starts or
resumes), entered at the console from the tester's radio call or handheld; the core judges them.

Every field starts empty: a reading the operator did not type must never be recorded as a passing one. Record
refuses, saying which readings are missing or implausible, until every measure the permit's limits name has
a plausible number and the tester is named.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QWidget

from plant_maps.gas_tests import MAX_TESTER_CHARS, GasLimit, is_plausible, plausible_range
from plant_maps.site import MEASURES
from widgets.common.plain_text import ElidedLabel

READING_CHARS = 12  # "1000000" and a decimal part


class GasTestDialog(QDialog):
    """One reading per measure the permit's limits name, and who took them; never accepted incomplete."""

    def __init__(self, permit_id: str, limits: Mapping[str, GasLimit], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.permit_id = permit_id
        self.setWindowTitle(self.tr("Gas test for {0}").format(permit_id))
        self.setMinimumWidth(32 * self.fontMetrics().horizontalAdvance("M"))
        self.edits: dict[str, QLineEdit] = {}
        form = QFormLayout(self)
        for measure, limit in limits.items():
            edit = QLineEdit()
            edit.setMaxLength(READING_CHARS)
            low, high = plausible_range(measure)
            unit = MEASURES.get(measure, "")
            edit.setPlaceholderText(self.tr("required; limit {0}").format(limit.describe()))
            edit.setToolTip(self.tr("Plausible readings: {0:.10g} to {1:.10g} {2}").format(low, high, unit))
            self.edits[measure] = edit
            form.addRow(f"{measure.upper()} ({unit})", edit)
        self.tester_edit = QLineEdit()
        self.tester_edit.setMaxLength(MAX_TESTER_CHARS)
        self.tester_edit.setPlaceholderText(self.tr("Required: who took the readings"))
        form.addRow(self.tr("Tester"), self.tester_edit)
        self.problem_label = ElidedLabel(lines=None)  # quotes what was typed
        self.problem_label.setObjectName("GasTestProblems")
        self.problem_label.hide()
        form.addRow(self.problem_label)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("Record"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def readings(self) -> dict[str, float]:
        """The readings typed so far that are numbers (in the operator's locale or with a decimal point)."""
        out = {}
        for measure, edit in self.edits.items():
            value = _number(edit.text())
            if value is not None:
                out[measure] = value
        return out

    def tester(self) -> str:
        return self.tester_edit.text().strip()

    def problems(self) -> list[str]:
        """Why Record refuses now, in the operator's words (empty: it records)."""
        problems = []
        missing = [m.upper() for m, edit in self.edits.items() if not edit.text().strip()]
        if missing:
            problems.append(self.tr("Missing readings: {0}.").format(", ".join(missing)))
        for measure, edit in self.edits.items():
            text = edit.text().strip()
            value = _number(text)
            if text and (value is None or not is_plausible(measure, value)):
                low, high = plausible_range(measure)
                unit = MEASURES.get(measure, "")
                problems.append(
                    self.tr("{0}: “{1}” is not a plausible reading ({2:.10g} to {3:.10g} {4}).").format(
                        measure.upper(), text, low, high, unit
                    )
                )
        if not self.tester():
            problems.append(self.tr("The tester's name is required."))
        elif not self.tester().isprintable():
            problems.append(self.tr("The tester's name must be plain text."))
        return problems

    def accept(self) -> None:
        """Record only a complete, plausible test; otherwise say what is wrong and stay open."""
        problems = self.problems()
        self.problem_label.setText("\n".join(problems))
        self.problem_label.setVisible(bool(problems))
        if not problems:
            super().accept()


def _number(text: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    value, ok = QLocale().toDouble(text)
    if ok:
        return value
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return None
