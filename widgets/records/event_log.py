"""Event log: the console's own events (connections, errors, operator actions), newest on top.

Bounded so that a long shift or a flood cannot grow it without limit. Entries arrive in batches from the
GUI bridge and each batch is one model insertion (plus one removal once full), never a signal per entry.
A time carries its date when it is not of today (as of the console's clock, when the row is drawn: a line of
yesterday evening says so after midnight). All methods run on the Qt thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QFont, QIcon
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLineEdit, QTableView, QVBoxLayout, QWidget

from alarms.definitions import Tier
from widgets.common.plain_text import plain_tooltip
from widgets.common.shapes import Shape, simple_marker
from widgets.common.theme import PALETTE
from widgets.common.tiers import TierMarkers
from widgets.common.time_text import dated_clock_text

Entry = tuple[
    float, str, str, str
]  # epoch seconds, severity (console.server.session.SEVERITIES), source, text
Index = QModelIndex | QPersistentModelIndex

COLUMNS = (
    QT_TRANSLATE_NOOP("EventLog", "Time"),
    QT_TRANSLATE_NOOP("EventLog", "Severity"),
    QT_TRANSLATE_NOOP("EventLog", "Source"),
    QT_TRANSLATE_NOOP("EventLog", "Text"),
)
TIME_COLUMN, SEVERITY_COLUMN = 0, 1
_SEVERITY_WORDS = {
    "tier1": QT_TRANSLATE_NOOP("EventLog", "T1 alarm"),
    "tier2": QT_TRANSLATE_NOOP("EventLog", "T2 alarm"),
    "tier3": QT_TRANSLATE_NOOP("EventLog", "T3 alarm"),
    "error": QT_TRANSLATE_NOOP("EventLog", "error"),
    "warning": QT_TRANSLATE_NOOP("EventLog", "warning"),
    "action": QT_TRANSLATE_NOOP("EventLog", "action"),
    "info": QT_TRANSLATE_NOOP("EventLog", "info"),
}


class EventLogModel(QAbstractTableModel):
    """Row 0 is the newest entry; beyond `max_rows` the oldest entries are dropped."""

    def __init__(self, max_rows: int = 5000, now: Callable[[], float] = time.time) -> None:
        super().__init__()
        self.max_rows = max_rows
        self._now = now
        self._rows: list[Entry] = []  # oldest first
        # ISA-101, one symbol language: an alarm line carries its tier's symbol (as in the banner, the list
        # and the map); faults and warnings of the console take circles, which no tier uses.
        markers = TierMarkers()
        self._icons = {
            **{f"tier{int(tier)}": markers.icon(tier, 11) for tier in Tier},
            "error": QIcon(simple_marker(Shape.CIRCLE, PALETTE.alarm_outline, PALETTE.alarm_outline)),
            "warning": QIcon(simple_marker(Shape.CIRCLE, PALETTE.hollow_fill, PALETTE.alarm_outline)),
        }
        self._bold = QFont()
        self._bold.setBold(True)

    def append(self, entries: list[Entry]) -> None:
        """Add a batch (oldest first, as they happened)."""
        new = entries[-self.max_rows :]
        if not new:
            return
        if len(new) == self.max_rows:
            self.beginResetModel()
            self._rows = new
            self.endResetModel()
            return
        overflow = len(self._rows) + len(new) - self.max_rows
        if overflow > 0:
            self.beginRemoveRows(QModelIndex(), len(self._rows) - overflow, len(self._rows) - 1)
            del self._rows[:overflow]
            self.endRemoveRows()
        self.beginInsertRows(QModelIndex(), 0, len(new) - 1)
        self._rows.extend(new)
        self.endInsertRows()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        row = self._rows[len(self._rows) - 1 - index.row()]
        column, severity = index.column(), row[SEVERITY_COLUMN]
        if role == Qt.ItemDataRole.DisplayRole:
            if column == TIME_COLUMN:
                return dated_clock_text(row[TIME_COLUMN], self._now())
            if column == SEVERITY_COLUMN:
                return QCoreApplication.translate("EventLog", _SEVERITY_WORDS.get(severity, severity))
            return row[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == TIME_COLUMN:  # always the whole date
                return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(row[TIME_COLUMN]))
            return plain_tooltip(str(row[column]))
        if column == SEVERITY_COLUMN and role == Qt.ItemDataRole.DecorationRole:
            return self._icons.get(severity)
        if column == SEVERITY_COLUMN and role == Qt.ItemDataRole.FontRole and severity in ("error", "tier1"):
            return self._bold
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return QCoreApplication.translate("EventLog", COLUMNS[section])
        return None


class EventLogView(QWidget):
    """The log table with a filter box (matches any column, case-insensitive)."""

    def __init__(
        self, max_rows: int = 5000, now: Callable[[], float] = time.time, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.model = EventLogModel(max_rows, now)
        self._proxy = QSortFilterProxyModel(self)
        self._proxy.setSourceModel(self.model)
        self._proxy.setFilterKeyColumn(-1)
        self._proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.filter_box = QLineEdit()
        self.filter_box.setPlaceholderText(self.tr("Filter events"))
        self.filter_box.setMaxLength(100)
        self.filter_box.setClearButtonEnabled(True)
        self.filter_box.textChanged.connect(self._proxy.setFilterFixedString)
        self.table = QTableView()
        self.table.setModel(self._proxy)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        rows = self.table.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 6)
        columns = self.table.horizontalHeader()
        # a column sized to its contents reads the rows in view only (Qt reads this from the column header)
        columns.setResizeContentsPrecision(0)
        columns.setStretchLastSection(True)
        columns.setHighlightSections(False)
        em = self.fontMetrics().horizontalAdvance("M")
        for column, width in ((SEVERITY_COLUMN, 9), (2, 10)):  # severity, source; the text takes the rest
            self.table.setColumnWidth(column, width * em)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(2)
        layout.addWidget(self.filter_box)
        layout.addWidget(self.table)
        self.table.verticalScrollBar().valueChanged.connect(self._fit_time)
        self._fit_time()

    def _fit_time(self) -> None:
        """The time column fits the times in view: narrow for today's, wider while a line of another day shows
        its date (the text keeps the room otherwise)."""
        self.table.resizeColumnToContents(TIME_COLUMN)

    def append(self, entries: list[Entry]) -> None:
        """Add a batch of (epoch seconds, severity, source, text), oldest first."""
        self.model.append(entries)
        self._fit_time()

    def visible_rows(self) -> list[tuple[str, ...]]:
        """The rows as shown, top to bottom, after the filter."""
        proxy = self._proxy
        return [
            tuple(proxy.index(row, column).data() for column in range(len(COLUMNS)))
            for row in range(proxy.rowCount())
        ]
