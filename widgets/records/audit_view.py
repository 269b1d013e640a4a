"""The audit trail for the shift lead: who did what, from which console, with what outcome, newest first,
filtered by user, action and time, one page at a time; and whether the hash chain is intact.

A read-model widget: it asks (`query_requested`, `verify_requested`) and shows what the console reads from
the store on a worker thread (`set_page`, `set_chain`). Times are the console's local time. Qt thread only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QDateTime, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateTimeEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from widgets.common.plain_text import ElidedLabel, plain_tooltip

PAGE_ROWS = 200
_ANY_TIME = QDateTime.fromSecsSinceEpoch(0)  # the edits' minimum: shown as "any time", no bound


@dataclass(frozen=True, slots=True)
class AuditFilter:
    user: str = ""
    action: str = ""
    since: float | None = None
    until: float | None = None


class AuditView(QWidget):
    query_requested = Signal(object, object)  # AuditFilter, seq to page before (None: the newest)
    verify_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.user_edit = QLineEdit()
        self.user_edit.setPlaceholderText(self.tr("any user"))
        self.action_combo = QComboBox()
        self.action_combo.addItem(self.tr("any action"), "")
        self.since_edit, self.until_edit = self._time_edit(), self._time_edit()
        self.apply_button = QPushButton(self.tr("Show"))
        self.apply_button.setToolTip(self.tr("The newest entries that match the filters"))
        self.older_button = QPushButton(self.tr("Older"))
        self.older_button.setToolTip(self.tr("The next page of older entries"))
        self.verify_button = QPushButton(self.tr("Verify chain"))
        self.verify_button.setToolTip(
            self.tr("Recompute every entry's hash now (it is also done every minute)")
        )
        self.page_label = ElidedLabel()  # may quote the store's error
        self.chain_label = ElidedLabel()
        self.chain_label.setObjectName("AuditChain")
        self.table = QTableWidget(0, 8)
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("#"),
                self.tr("Time"),
                self.tr("User"),
                self.tr("Console"),
                self.tr("Action"),
                self.tr("Target"),
                self.tr("Outcome"),
                self.tr("Details"),
            ]
        )
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.filter = AuditFilter()
        self._last_seq: int | None = None
        self._newest_shown = True  # the page shown starts at the newest entry that matches
        self.apply_button.clicked.connect(self.show_newest)
        self.user_edit.returnPressed.connect(self.show_newest)
        self.older_button.clicked.connect(self._older)
        self.verify_button.clicked.connect(self.verify_requested)
        self._lay_out()

    def _time_edit(self) -> QDateTimeEdit:
        edit = QDateTimeEdit()
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        edit.setMinimumDateTime(_ANY_TIME)
        edit.setSpecialValueText(self.tr("any time"))
        edit.setDateTime(_ANY_TIME)
        return edit

    def _lay_out(self) -> None:
        filters = QHBoxLayout()
        for text, widget in (
            (self.tr("User"), self.user_edit),
            (self.tr("Action"), self.action_combo),
            (self.tr("From"), self.since_edit),
            (self.tr("Until"), self.until_edit),
        ):
            filters.addWidget(QLabel(text))
            filters.addWidget(widget)
        filters.addWidget(self.apply_button)
        filters.addStretch(1)
        footer = QHBoxLayout()
        footer.addWidget(self.page_label)
        footer.addWidget(self.older_button)
        footer.addStretch(1)
        footer.addWidget(self.chain_label, 3)
        footer.addWidget(self.verify_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(footer)

    def set_actions(self, actions: Sequence[str]) -> None:
        """The actions the trail holds, for the filter (the choice made is kept)."""
        chosen = self.action_combo.currentData()
        self.action_combo.blockSignals(True)
        while self.action_combo.count() > 1:
            self.action_combo.removeItem(1)
        for action in actions:
            self.action_combo.addItem(action, action)
        self.action_combo.setCurrentIndex(max(0, self.action_combo.findData(chosen)))
        self.action_combo.blockSignals(False)

    def show_newest(self) -> None:
        self.filter = AuditFilter(
            self.user_edit.text().strip(),
            self.action_combo.currentData() or "",
            _bound(self.since_edit),
            _bound(self.until_edit),
        )
        self.query_requested.emit(self.filter, None)

    def refresh(self) -> None:
        """Fresh whenever it comes into view (opened, its tab raised): the newest entries read again, unless
        an older page is being read (older entries do not change: the trail is append-only)."""
        if self._newest_shown:
            self.query_requested.emit(self.filter, None)

    def _older(self) -> None:
        if self._last_seq is not None:
            self.query_requested.emit(self.filter, self._last_seq)

    def set_page(self, rows: Sequence[Mapping[str, Any]], first_page: bool) -> None:
        """A page of entries, newest first; `first_page` when it starts at the newest that match."""
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            details = "; ".join(t for t in (row["reason"], row["new_value"]) if t)
            when = datetime.fromtimestamp(row["ts"]).strftime("%Y-%m-%d %H:%M:%S")
            cells = (
                str(row["seq"]),
                when,
                row["username"],
                row["console"],
                row["action"],
                row["target"],
                row["outcome"],
                details,
            )
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 7:
                    item.setToolTip(plain_tooltip(text))
                if row["outcome"] != "done":
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self._last_seq = rows[-1]["seq"] if rows else None
        self._newest_shown = first_page
        self.older_button.setEnabled(len(rows) >= PAGE_ROWS)
        if not rows:
            self.page_label.setText(self.tr("no entries match"))
        else:
            self.page_label.setText(
                self.tr("#{newest} to #{oldest}{newest_note}").format(
                    newest=rows[0]["seq"],
                    oldest=rows[-1]["seq"],
                    newest_note=self.tr(" (newest)") if first_page else "",
                )
            )

    def set_chain(self, text: str, broken: bool) -> None:
        self.chain_label.setText(text)
        self.chain_label.setToolTip(plain_tooltip(text))
        self.chain_label.setProperty("abnormal", broken)
        font = self.chain_label.font()
        font.setBold(broken)
        self.chain_label.setFont(font)

    def rows_shown(self) -> list[tuple[str, ...]]:
        """The table as text (tests read it)."""
        return [
            tuple(self.table.item(r, c).text() for c in range(self.table.columnCount()))
            for r in range(self.table.rowCount())
        ]


def _bound(edit: QDateTimeEdit) -> float | None:
    value = edit.dateTime()
    return None if value == _ANY_TIME else value.toSecsSinceEpoch()
