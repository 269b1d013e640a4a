"""The incident tab: its header (who commands, since when, the elapsed time, its state), its timeline (time,
actor, kind, text; read-only) with a kind filter, and its commands. What is shown is given by the console;
the panel only says what the coordinator asked for."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

HEADER = ("id", "type", "zone", "severity", "commander", "safety_officer", "declared", "elapsed", "state")


class IncidentPanel(QWidget):
    transfer_requested = Signal()
    note_requested = Signal()
    close_requested = Signal()
    reopen_requested = Signal()
    kind_changed = Signal()  # the filter: read `kinds()`

    def __init__(self) -> None:
        super().__init__()
        titles = (
            self.tr("Incident"),
            self.tr("Type"),
            self.tr("Zone"),
            self.tr("Severity"),
            self.tr("Incident commander"),
            self.tr("Safety officer"),
            self.tr("Declared"),
            self.tr("Elapsed"),
            self.tr("State"),
        )
        self.fields: dict[str, QLabel] = {}
        columns = [QFormLayout() for _ in range(3)]  # three rows high: the timeline keeps the height
        for n, (key, title) in enumerate(zip(HEADER, titles, strict=True)):
            label = self.fields[key] = QLabel()
            label.setTextFormat(Qt.TextFormat.PlainText)
            columns[n // 3].addRow(title, label)
        self.kind_filter = QComboBox()
        self.kind_filter.currentIndexChanged.connect(lambda _i: self.kind_changed.emit())
        self.transfer_button = QPushButton(self.tr("Transfer command…"))
        self.note_button = QPushButton(self.tr("Add note…"))
        self.close_button = QPushButton(self.tr("Close…"))
        self.reopen_button = QPushButton(self.tr("Reopen…"))
        self.transfer_button.clicked.connect(self.transfer_requested)
        self.note_button.clicked.connect(self.note_requested)
        self.close_button.clicked.connect(self.close_requested)
        self.reopen_button.clicked.connect(self.reopen_requested)
        self.timeline = QTableWidget(0, 4)
        self.timeline.setHorizontalHeaderLabels(
            [self.tr("Time"), self.tr("Actor"), self.tr("Kind"), self.tr("What happened")]
        )
        self.timeline.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.timeline.verticalHeader().hide()
        self.timeline.horizontalHeader().setStretchLastSection(True)
        self.timeline.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = QHBoxLayout()
        for column in columns:
            header.addLayout(column)
        header.addStretch()
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("Show")))
        bar.addWidget(self.kind_filter)
        bar.addStretch()
        for button in (self.transfer_button, self.note_button, self.close_button, self.reopen_button):
            bar.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addLayout(bar)
        layout.addWidget(self.timeline)
        self.is_open = False
        self.update_buttons()

    def set_kinds(self, kinds: Sequence[tuple[str, str]]) -> None:
        self.kind_filter.addItem(self.tr("All kinds"), "")
        for key, label in kinds:
            self.kind_filter.addItem(label, key)

    def kind(self) -> str:
        """The kind shown ("": all)."""
        return self.kind_filter.currentData() or ""

    def show_header(self, texts: dict[str, str], is_open: bool) -> None:
        for key, text in texts.items():
            self.fields[key].setText(text)
        self.is_open = is_open
        self.update_buttons()

    def show_timeline(self, rows: Sequence[tuple[str, str, str, str]]) -> None:
        """The timeline in time order, the newest in view (appended live, like an event log)."""
        self.timeline.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                self.timeline.setItem(r, c, QTableWidgetItem(text))
        self.timeline.scrollToBottom()

    def timeline_rows(self) -> list[tuple[str, ...]]:
        t = self.timeline
        return [tuple(t.item(r, c).text() for c in range(4)) for r in range(t.rowCount())]

    def update_buttons(self) -> None:
        """An open incident takes notes, transfers and a close; a closed one (read-only) only a reopening."""
        closed = self.tr("Not possible: the incident is closed and read-only (reopen it first)")
        for button in (self.transfer_button, self.note_button, self.close_button):
            button.setEnabled(self.is_open)
            button.setToolTip("" if self.is_open else closed)
        self.reopen_button.setEnabled(not self.is_open)
        self.reopen_button.setToolTip(
            "" if not self.is_open else self.tr("Not possible: the incident is open")
        )
