"""The two response steps that need words from the operator: who goes, and what was found.

Both are plain text with a length limit (the core enforces the same limits): a responder is picked from the
site's workers or typed (e.g. the fire brigade's crew), and a resolution says whether it was an actual
incident or a false alarm, with notes. Nothing is sent until the dialog is accepted; the console sends it.
Runs on the Qt thread.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from plant_maps.wearables import NOTES_MAX_CHARS, RESPONDER_MAX_CHARS, Resolution
from widgets.common.plain_text import ElidedLabel


def _plain_label(text: str) -> QLabel:
    """A label for data (an alarm's message): never read as rich text."""
    label = ElidedLabel(text, lines=None)
    return label


def _buttons(dialog: QDialog, ok_text: str) -> tuple[QDialogButtonBox, QPushButton]:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(ok_text)
    ok.setEnabled(False)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons, ok


class AssignResponderDialog(QDialog):
    """Who goes to the wearer: a site worker from the list, or a typed name."""

    def __init__(
        self, alarm_id: str, message: str, workers: Sequence[tuple[str, str]], parent: QWidget | None = None
    ) -> None:
        """`workers` as (id, "Zhang Min (W13) — Tank farm, 35 m"), in the order to offer them (nearest
        first)."""
        super().__init__(parent)
        self.alarm_id = alarm_id
        self.setWindowTitle(self.tr("Assign responder: {alarm}").format(alarm=alarm_id))
        self.responder_box = QComboBox()
        self.responder_box.setEditable(True)
        self.responder_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.responder_box.lineEdit().setMaxLength(RESPONDER_MAX_CHARS)
        self.responder_box.lineEdit().setPlaceholderText(
            self.tr("Pick a worker (the nearest first) or type a name")
        )
        for worker_id, text in workers:
            self.responder_box.addItem(text, worker_id)
        self.responder_box.setCurrentIndex(-1)
        self.responder_box.setMinimumContentsLength(46)  # "Ma Lin (W13) — Compressor house, 10 m" whole
        self.responder_box.view().setMinimumWidth(self.responder_box.view().sizeHintForColumn(0) + 24)
        buttons, self.ok_button = _buttons(self, self.tr("Assign"))
        self.responder_box.editTextChanged.connect(lambda: self.ok_button.setEnabled(bool(self.responder())))
        form = QFormLayout(self)
        form.addRow(_plain_label(message))
        form.addRow(self.tr("Responder"), self.responder_box)
        form.addRow(buttons)
        self.responder_box.setFocus()  # the arrow keys pick, the typing names, at once

    def responder(self) -> str:
        """The chosen worker's id, or the typed name as typed (trimmed)."""
        text = self.responder_box.currentText().strip()
        index = self.responder_box.findText(text, Qt.MatchFlag.MatchFixedString)
        return str(self.responder_box.itemData(index)) if index >= 0 else text

    def accept(self) -> None:
        if self.responder():
            super().accept()


class ResolveDialog(QDialog):
    """The responder's finding: actual incident or false alarm (one must be chosen), and notes."""

    def __init__(self, alarm_id: str, message: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.alarm_id = alarm_id
        self.setWindowTitle(self.tr("Resolve: {alarm}").format(alarm=alarm_id))
        self.incident_button = QRadioButton(self.tr("Actual incident"))
        self.false_alarm_button = QRadioButton(self.tr("False alarm"))
        self._found = QButtonGroup(self)
        self._found.addButton(self.incident_button)
        self._found.addButton(self.false_alarm_button)
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setPlaceholderText(
            self.tr("Required: what was found, what was done (Ctrl+Enter resolves)")
        )
        self.notes_edit.setTabChangesFocus(True)
        self.count_label = QLabel()
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        buttons, self.ok_button = _buttons(self, self.tr("Resolve"))
        # Enter submits, from the notes too: there Enter starts a new line, so Ctrl+Enter resolves
        submit = QAction(self)
        submit.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        submit.triggered.connect(self.ok_button.click)  # nothing while Resolve is greyed
        self.addAction(submit)
        self._found.buttonToggled.connect(self._check)
        self.notes_edit.textChanged.connect(self._check)
        found = QHBoxLayout()
        found.addWidget(self.incident_button)
        found.addWidget(self.false_alarm_button)
        found.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(_plain_label(message))
        layout.addWidget(QLabel(self.tr("What was it?")))
        layout.addLayout(found)
        layout.addWidget(QLabel(self.tr("Notes")))
        layout.addWidget(self.notes_edit, 1)
        layout.addWidget(self.count_label)
        layout.addWidget(buttons)
        self.resize(460, 320)
        self._check()

    def resolution(self) -> Resolution | None:
        if self.incident_button.isChecked():
            return Resolution.ACTUAL_INCIDENT
        return Resolution.FALSE_ALARM if self.false_alarm_button.isChecked() else None

    def notes(self) -> str:
        return self.notes_edit.toPlainText().strip()

    def accept(self) -> None:
        if self._ready():
            super().accept()

    def _ready(self) -> bool:
        notes = self.notes()
        return self.resolution() is not None and bool(notes) and len(notes) <= NOTES_MAX_CHARS

    def _check(self) -> None:
        """Too long is said, not cut: the operator shortens it and nothing typed is lost."""
        length = len(self.notes())
        over = length > NOTES_MAX_CHARS
        text = self.tr("{n} / {max} characters").format(n=length, max=NOTES_MAX_CHARS)
        self.count_label.setText(self.tr("Too long: ") + text if over else text)
        font = self.count_label.font()
        font.setBold(over)
        self.count_label.setFont(font)
        self.ok_button.setEnabled(self._ready())
