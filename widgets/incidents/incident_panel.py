"""The incident tab, the coordinator's layout beside the map: its header (who commands, since when, the
elapsed time, its state); the situation (who is in the danger area and near it with the age of their
position, the permits there with "Suspend all", the objectives); its timeline (time, actor, kind, text;
read-only) with a kind filter; and its commands. What is shown is given by the console; the panel only says
what the coordinator asked for."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from widgets.common.plain_text import ElidedLabel

SITUATION_SHARE = 45  # % of the width: the people's four columns and the tabs' whole titles at 1366 px
HEADER = ("id", "type", "zone", "severity", "commander", "safety_officer", "declared", "elapsed", "state")


Row = tuple[str, ...]


def _table(titles: Sequence[str]) -> QTableWidget:
    """A read-only table, its last column stretched."""
    table = QTableWidget(0, len(titles))
    table.setHorizontalHeaderLabels(list(titles))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().hide()
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return table


def _fill(table: QTableWidget, rows: Sequence[Row]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(text))


def _rows(table: QTableWidget) -> list[Row]:
    return [
        tuple(table.item(r, c).text() for c in range(table.columnCount())) for r in range(table.rowCount())
    ]


class IncidentPanel(QWidget):
    transfer_requested = Signal()
    note_requested = Signal()
    close_requested = Signal()
    reopen_requested = Signal()
    suspend_all_requested = Signal()
    report_requested = Signal()
    open_folder_requested = Signal(str)  # the report's path
    objective_requested = Signal()
    kind_changed = Signal()  # the filter: read `kinds()`
    incident_chosen = Signal(str)  # another incident picked to follow

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
        self.incident_box = QComboBox()  # several at once: which one the tab follows
        self.incident_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.incident_box.activated.connect(
            lambda i: self.incident_chosen.emit(self.incident_box.itemData(i))
        )
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
        self.timeline = _table([self.tr("Time"), self.tr("Actor"), self.tr("Kind"), self.tr("What happened")])
        self.people = _table(
            [self.tr("Worker"), self.tr("Where"), self.tr("Position age"), self.tr("SOS / man down")]
        )
        self.permits = _table([self.tr("Permit"), self.tr("Zone"), self.tr("State"), self.tr("Distance")])
        self.objectives = _table([self.tr("Time"), self.tr("By"), self.tr("Objective")])
        self.suspend_all_button = QPushButton(self.tr("Suspend all…"))
        self.suspend_all_button.clicked.connect(self.suspend_all_requested)
        self.objective_button = QPushButton(self.tr("Add objective…"))
        self.objective_button.clicked.connect(self.objective_requested)
        self.report_button = QPushButton(self.tr("After-action report"))
        self.report_button.setToolTip(self.tr("Write the incident's after-action report as a PDF"))
        self.report_button.clicked.connect(self.report_requested)
        self.report_label = ElidedLabel()  # a long path never widens the window
        self.folder_button = QPushButton(self.tr("Open folder"))
        self.folder_button.clicked.connect(lambda: self.open_folder_requested.emit(self.report_path))
        self.folder_button.setEnabled(False)
        self.report_path = ""
        self.situation = QTabWidget()
        self.situation.addTab(self.people, self.tr("People"))
        self.situation.addTab(_with_button(self.permits, self.suspend_all_button), self.tr("Permits"))
        self.situation.addTab(_with_button(self.objectives, self.objective_button), self.tr("Objectives"))
        header = QHBoxLayout()
        for column in columns:
            header.addLayout(column)
        header.addStretch()
        report = QVBoxLayout()
        report_buttons = QHBoxLayout()
        report_buttons.addWidget(self.report_button)
        report_buttons.addWidget(self.folder_button)
        report.addLayout(report_buttons)
        report.addWidget(self.report_label)
        report.addStretch()
        header.addLayout(report)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("Follow")))
        bar.addWidget(self.incident_box)
        bar.addWidget(QLabel(self.tr("Show")))
        bar.addWidget(self.kind_filter)
        bar.addStretch()
        for button in (self.transfer_button, self.note_button, self.close_button, self.reopen_button):
            bar.addWidget(button)
        record = QWidget()
        right = QVBoxLayout(record)
        right.setContentsMargins(0, 0, 0, 0)
        right.addLayout(bar)
        right.addWidget(self.timeline)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.situation)
        self.splitter.addWidget(record)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.splitter, 1)
        self.is_open = False
        self._split = False  # the splitter shared out once the tab is first in view
        self._running = 0  # active permits "Suspend all" would stop
        self.update_buttons()

    def set_kinds(self, kinds: Sequence[tuple[str, str]]) -> None:
        self.kind_filter.addItem(self.tr("All kinds"), "")
        for key, label in kinds:
            self.kind_filter.addItem(label, key)

    def showEvent(self, event: QShowEvent) -> None:
        """The first time in view: the situation takes SITUATION_SHARE of the width (then the user's)."""
        super().showEvent(event)
        if not self._split:
            self._split = True
            width = self.splitter.width()
            self.splitter.setSizes([width * SITUATION_SHARE // 100, width * (100 - SITUATION_SHARE) // 100])

    def set_incidents(self, choices: Sequence[tuple[str, str]], shown: str) -> None:
        """The incidents to pick from (id, what it says), `shown` the one followed."""
        box = self.incident_box
        box.blockSignals(True)
        box.clear()
        for key, text in choices:
            box.addItem(text, key)
        box.setCurrentIndex(box.findData(shown))
        box.blockSignals(False)

    def kind(self) -> str:
        """The kind shown ("": all)."""
        return self.kind_filter.currentData() or ""

    def show_header(self, texts: dict[str, str], is_open: bool) -> None:
        for key, text in texts.items():
            self.fields[key].setText(text)
        self.is_open = is_open
        self.update_buttons()

    def show_timeline(self, rows: Sequence[Row]) -> None:
        """The timeline in time order, the newest in view (appended live, like an event log)."""
        _fill(self.timeline, rows)
        self.timeline.scrollToBottom()

    def timeline_rows(self) -> list[Row]:
        return _rows(self.timeline)

    def show_situation(
        self,
        people: Sequence[Row],
        inside: int,
        permits: Sequence[Row],
        running: int,
        objectives: Sequence[Row],
    ) -> None:
        """Who is in and near the danger area (`inside` of them in it), the permits there (`running` of them
        active: what "Suspend all" stops), and the objectives; the counts on the tabs."""
        _fill(self.people, people)
        _fill(self.permits, permits)
        _fill(self.objectives, objectives)
        self.situation.setTabText(
            0, self.tr("People: {inside} in, {near} near").format(inside=inside, near=len(people) - inside)
        )
        self.situation.setTabText(1, self.tr("Permits: {n} running").format(n=running))
        self.situation.setTabText(2, self.tr("Objectives ({n})").format(n=len(objectives)))
        self._running = running
        self.update_buttons()

    def show_report(self, path: str, written: bool) -> None:
        """The report written (its path, and "Open folder"), or why it could not be (`path` is then the
        reason; "": none written yet)."""
        self.report_path = path if written else ""
        self.folder_button.setEnabled(written)
        if not path:
            self.report_label.setText("")
        elif written:
            self.report_label.setText(self.tr("PDF: {path}").format(path=path))
        else:
            self.report_label.setText(self.tr("Not written: {why}").format(why=path))

    def people_rows(self) -> list[Row]:
        return _rows(self.people)

    def permit_rows(self) -> list[Row]:
        return _rows(self.permits)

    def objective_rows(self) -> list[Row]:
        return _rows(self.objectives)

    def update_buttons(self) -> None:
        """An open incident takes notes, transfers and a close; a closed one (read-only) only a reopening."""
        closed = self.tr("Not possible: the incident is closed and read-only (reopen it first)")
        for button in (self.transfer_button, self.note_button, self.close_button, self.objective_button):
            button.setEnabled(self.is_open)
            button.setToolTip("" if self.is_open else closed)
        self.suspend_all_button.setEnabled(self.is_open and self._running > 0)
        self.suspend_all_button.setToolTip(
            closed
            if not self.is_open
            else ""
            if self._running
            else self.tr("Not possible: no active permit in or near the danger area")
        )
        self.reopen_button.setEnabled(not self.is_open)
        self.reopen_button.setToolTip(
            "" if not self.is_open else self.tr("Not possible: the incident is open")
        )


def _with_button(table: QTableWidget, button: QPushButton) -> QWidget:
    """A table with its command under it, on the right."""
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(table, 1)
    row = QHBoxLayout()
    row.addStretch()
    row.addWidget(button)
    layout.addLayout(row)
    return page
