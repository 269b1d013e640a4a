"""A table model of rows keyed by id, refreshed from snapshots, and a proxy that filters and sorts it.

The permit list, the worker list and the muster list all take whole snapshots at a bounded rate; the
model diffs each snapshot by key (rows removed, changed, appended; never a model reset), so the
operator's selection and scroll position survive every refresh, like the alarm list. Each row carries its
cell texts, sort keys, tooltips, bold cells and tier marks, computed once per change rather than per paint.
Sized for the hundreds to few thousands of rows a site has, refreshed about once a second.
All methods run on the Qt thread.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QCoreApplication,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QSize,
    QSortFilterProxyModel,
    Qt,
    SignalInstance,
)
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from alarms.definitions import Tier
from widgets.common.plain_text import plain_tooltip
from widgets.common.tiers import TierMarkers

Index = QModelIndex | QPersistentModelIndex
ICON_SIZE = 12
ELIDED_LEAST_CHARS = 4  # an elided column keeps this many characters and its "…"


@dataclass(frozen=True, slots=True)
class Row:
    """One row: its key (permit or worker id), cell texts and per-column sort keys.

    `record` is whatever the row shows (a PermitStatus, a worker's snapshot) for filters and callers.
    """

    key: str
    texts: tuple[str, ...]
    keys: tuple[object, ...]
    record: object = None
    tooltips: tuple[str, ...] = ()  # per column; "" (or missing): the cell's text
    bold: frozenset[int] = frozenset()  # columns written bold (what needs the operator)
    marks: tuple[tuple[int, Tier], ...] = ()  # (column, tier): the tier's shape before the text
    default_key: tuple[object, ...] = field(default=())  # ties of every column sort by this


class KeyedTableModel(QAbstractTableModel):
    """Rows in arrival order; a `KeyedSortFilterProxy` sorts and filters them.

    `columns` are source texts (marked with QT_TRANSLATE_NOOP in `context`), translated when the header is
    drawn; the cells are the caller's, already in the operator's words."""

    def __init__(self, columns: Sequence[str], context: str, align_right: Iterable[int] = ()) -> None:
        super().__init__()
        self.columns = tuple(columns)
        self._context = context
        self._right = frozenset(align_right)
        self._rows: list[Row] = []
        self._row_of: dict[str, int] = {}
        self._markers = TierMarkers()
        self._bold = QFont()
        self._bold.setBold(True)

    def set_rows(self, rows: Sequence[Row]) -> None:
        """Show this snapshot: vanished rows are removed, changed ones updated, new ones appended."""
        incoming = {r.key: r for r in rows}
        gone = [i for i, r in enumerate(self._rows) if r.key not in incoming]
        for first, last in reversed(runs(gone)):
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._rows[first : last + 1]
            self.endRemoveRows()
        if gone:
            self._row_of = {r.key: i for i, r in enumerate(self._rows)}
        changed = []
        for i, r in enumerate(self._rows):
            new = incoming[r.key]
            if new != r:
                self._rows[i] = new
                changed.append(i)
        for first, last in runs(changed):
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(self.columns) - 1))
        new_rows = [r for key, r in incoming.items() if key not in self._row_of]
        if new_rows:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(new_rows) - 1)
            for i, r in enumerate(new_rows, start):
                self._rows.append(r)
                self._row_of[r.key] = i
            self.endInsertRows()

    def row_at(self, row: int) -> Row:
        return self._rows[row]

    def row_of(self, key: str) -> int | None:
        return self._row_of.get(key)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        r, column = self._rows[index.row()], index.column()
        match role:
            case Qt.ItemDataRole.DisplayRole:
                return r.texts[column]
            case Qt.ItemDataRole.ToolTipRole:
                tip = (r.tooltips[column] if column < len(r.tooltips) else "") or r.texts[column]
                return plain_tooltip(tip) if tip else None  # a title or a reason as typed, never markup
            case Qt.ItemDataRole.DecorationRole:
                tier = next((t for c, t in r.marks if c == column), None)
                return None if tier is None else self._markers.icon(tier, ICON_SIZE)
            case Qt.ItemDataRole.FontRole if column in r.bold:
                return self._bold
            case Qt.ItemDataRole.TextAlignmentRole if column in self._right:
                return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return QCoreApplication.translate(self._context, self.columns[section])
        return None


class KeyedSortFilterProxy(QSortFilterProxyModel):
    """Lets through the rows `accepts` takes; sorts by the column's key, ties by the row's default key."""

    def __init__(self, model: KeyedTableModel) -> None:
        super().__init__()
        self._model = model
        self._accepts: Callable[[Row], bool] = lambda row: True
        self.setSourceModel(model)
        self.setDynamicSortFilter(True)

    def set_filter(self, accepts: Callable[[Row], bool]) -> None:
        self.beginFilterChange()
        self._accepts = accepts
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def row(self, proxy_row: int) -> Row:
        return self._model.row_at(self.mapToSource(self.index(proxy_row, 0)).row())

    def rows(self) -> list[Row]:
        """The rows as listed, top to bottom."""
        return [self.row(i) for i in range(self.rowCount())]

    def select(self, table: QTableView, key: str) -> bool:
        """Select and scroll to the row of `key` in `table`; False when it is not listed (filtered out)."""
        row = self._model.row_of(key)
        index = self.mapFromSource(self._model.index(row, 0)) if row is not None else QModelIndex()
        if not index.isValid():
            return False
        table.selectRow(index.row())
        table.scrollTo(index)
        return True

    def selected(self, table: QTableView) -> str | None:
        """The key of the selected row of `table`, if any."""
        rows = table.selectionModel().selectedRows()
        return self.row(rows[0].row()).key if rows else None

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        return self._accepts(self._model.row_at(source_row))

    def lessThan(self, source_left: Index, source_right: Index) -> bool:
        column = source_left.column()
        left, right = self._model.row_at(source_left.row()), self._model.row_at(source_right.row())
        return (left.keys[column], left.default_key, left.key) < (
            right.keys[column],
            right.default_key,
            right.key,
        )


def keyed_table(
    proxy: QAbstractItemModel,
    samples: dict[int, str],
    stretch: int,
    owner: QWidget,
    *,
    many: bool = False,
    icon_columns: Collection[int] | None = None,
    stretch_min: int = 160,
    elide: Collection[int] = (),
) -> QTableView:
    """A read-only list view in the console's look: whole-row selection (of `many` rows or one), sortable,
    columns sized to show `samples` (the widest text a column usually holds, in bold) whole, with room for
    an icon in `icon_columns` (all when None); `stretch` takes the remaining width, never less than
    `stretch_min` pixels. Short of width, the `elide` columns (`stretch` may be one) give it up first, down to
    a few characters ending in "…" (whole in the tooltip); only then does the list scroll sideways."""
    table = QTableView()
    table.setModel(proxy)
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)
    table.setWordWrap(False)
    table.setIconSize(QSize(ICON_SIZE + 6, ICON_SIZE + 6))
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    mode = QAbstractItemView.SelectionMode
    table.setSelectionMode(mode.ExtendedSelection if many else mode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSortingEnabled(True)
    rows = table.verticalHeader()
    rows.hide()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(owner.fontMetrics().height() + 8)
    columns = table.horizontalHeader()
    columns.setHighlightSections(False)
    bold = owner.font()
    bold.setBold(True)
    metrics = QFontMetrics(bold)
    for column, sample in samples.items():
        icon = ICON_SIZE + 14 if icon_columns is None or column in icon_columns else 0
        table.setColumnWidth(column, metrics.horizontalAdvance(sample) + 16 + icon)
    columns.setTextElideMode(
        Qt.TextElideMode.ElideRight
    )  # a narrowed title ends in "…", not cut at both ends
    least = owner.fontMetrics().averageCharWidth() * ELIDED_LEAST_CHARS + 16
    _ColumnFit(table, stretch, stretch_min, frozenset(elide), least)
    return table


class _ColumnFit(QObject):
    """Fits the columns to the view: `stretch` takes the width the others leave, at least `minimum`
    (QHeaderView's Stretch mode would squeeze it to nothing when the others fill the view: a 35-pixel alarm
    message at 1366x768); short of width, the `elide` columns shrink toward `least` pixels, each in
    proportion to what it has above that, so that the others (a permit's state) stay whole in a narrow dock.

    A column the operator (or the owner's code) resized keeps that width: it becomes the column's preferred
    width, and an elided one is no longer shrunk."""

    def __init__(
        self, table: QTableView, stretch: int, minimum: int, elide: frozenset[int], least: int
    ) -> None:
        super().__init__(table)
        self.table, self.stretch, self.minimum, self.least = table, stretch, minimum, least
        header = table.horizontalHeader()
        self._preferred = {c: header.sectionSize(c) for c in range(header.count()) if c != stretch}
        self._elide = set(elide)
        self._fitting = False
        table.viewport().installEventFilter(self)
        header.sectionResized.connect(self._resized)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self._fit()
        return False

    def _resized(self, column: int, _old: int, new: int) -> None:
        if self._fitting:
            return
        if column != self.stretch:
            self._preferred[column] = new
            self._elide.discard(column)
        self._fit()

    def _fit(self) -> None:
        widths = {**self._preferred, self.stretch: self.minimum}
        excess = sum(widths.values()) - self.table.viewport().width()
        spare = {c: widths[c] - self.least for c in self._elide if widths[c] > self.least}
        if excess > 0 and spare:
            share = min(1.0, excess / sum(spare.values()))
            for column, above in spare.items():
                widths[column] -= math.ceil(above * share)
        others = sum(w for c, w in widths.items() if c != self.stretch)
        widths[self.stretch] = max(widths[self.stretch], self.table.viewport().width() - others)
        header = self.table.horizontalHeader()
        self._fitting = True
        try:
            for column, width in widths.items():
                if header.sectionSize(column) != width:
                    header.resizeSection(column, width)
        finally:
            self._fitting = False


def row_context(
    table: QTableView,
    proxy: KeyedSortFilterProxy,
    pos: QPoint,
    open_row: Callable[[str], None],
    menu: SignalInstance,
) -> None:
    """A right-click on a row: it is selected and opened (as one click does), then `menu` is asked for,
    with the row's key and where (global)."""
    index = table.indexAt(pos)
    if index.isValid():
        key = proxy.row(index.row()).key
        table.selectRow(index.row())
        open_row(key)
        menu.emit(key, table.viewport().mapToGlobal(pos))


def runs(rows: Iterable[int]) -> list[tuple[int, int]]:
    """Ascending row numbers as (first, last) runs of consecutive rows: one model signal per run."""
    out: list[tuple[int, int]] = []
    for row in rows:
        if out and out[-1][1] == row - 1:
            out[-1] = (out[-1][0], row)
        else:
            out.append((row, row))
    return out
