"""The alarm summary table (ISA-18.2 alarm list): filter, sort, acknowledge, shelve, find on the map.

Snapshots arrive up to 10 times a second; the model diffs them by alarm id (rows inserted, changed and
removed, never a model reset), so the operator's selection and scroll position survive every refresh.
The view emits the operator's intents; an acknowledgement names the `seq` of the alarm as the operator saw
it, so that the engine refuses one aimed at an older transition. All methods run on the Qt thread.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from alarms.definitions import Tier
from alarms.noise import FloodState
from alarms.records import AlarmView
from alarms.states import ACTIVE, UNACKNOWLEDGED, Event, State, allows
from plant_maps.alarm_rules import wearable_worker
from plant_maps.wearables import Response
from widgets.alarm_style import TIER_LOOKS, TierMarkers, clock_text, flag_texts, priority_text, state_text
from widgets.keyed_table import keyed_table, runs
from widgets.shelve_dialog import ShelveDialog
from widgets.wearable_response import NextStep, awaiting_response, next_step, response_text

Index = QModelIndex | QPersistentModelIndex

MAX_NEW_ROWS_PER_CALL = 500  # sorting them in costs ~25 ms: a flood is listed in slices, the loop stays live
COLUMNS = ("Time", "Priority", "Area", "Source", "Message", "Value", "State", "Flags")
TIME, PRIORITY, AREA, SOURCE, MESSAGE, VALUE, STATE, FLAGS = range(len(COLUMNS))
ICON_SIZE = 12
# The widest text a column usually holds: columns are sized to show it whole (Message takes the rest).
COLUMN_SAMPLES = {
    TIME: "00:00:00",
    PRIORITY: "T1 Urgent",
    AREA: "Compressor house",
    SOURCE: "GD-CH-01.HH",
    VALUE: "-1234.5",
    STATE: "Returned, unacknowledged",
    FLAGS: "chattering — shelve?",
}

RESPOND_SAMPLES = ("Assign responder…", "Responder on scene", "Resolve…", "Respond…")  # one width for all

# Sorting by state groups the unacknowledged (active or returned) first, then what still needs the operator.
_STATE_RANK = {
    State.UNACK: 0,
    State.RTN_UNACK: 0,
    State.ACKED: 1,
    State.LATCHED: 2,
    State.NORMAL: 3,
    State.SHELVED: 4,
    State.SUPPRESSED: 5,
    State.OUT_OF_SERVICE: 6,
}

# The state filter's choices, in the order of the combo box; None: every state.
STATE_FILTERS: tuple[tuple[str, frozenset[State] | None], ...] = (
    ("All states", None),
    ("Unacknowledged", UNACKNOWLEDGED),
    ("Active", ACTIVE),
    ("Shelved", frozenset({State.SHELVED})),
    ("Suppressed", frozenset({State.SUPPRESSED})),
    ("Out of service", frozenset({State.OUT_OF_SERVICE})),
)


@dataclass(frozen=True, slots=True)
class _Row:
    """One alarm with its cell texts and sort keys, computed once per change rather than per paint."""

    view: AlarmView
    first_out: bool
    texts: tuple[str, ...]
    keys: tuple[float | int | str, ...]  # per column, what Qt.UserRole returns
    default_key: tuple[int, int, int, float, str]  # unacknowledged first, tier, priority, newest


class AlarmTableModel(QAbstractTableModel):
    """One row per alarm, in arrival order; the proxy sorts and filters."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[_Row] = []
        self._row_of: dict[str, int] = {}
        self._area_names: dict[str, str] = {}
        self._responses: Mapping[str, Response] = {}
        self._markers = TierMarkers()
        self._bold = QFont()
        self._bold.setBold(True)

    def set_alarms(
        self, views: Sequence[AlarmView], first_out: Collection[str] = (), max_new: int | None = None
    ) -> int:
        """Show this snapshot: rows of vanished alarms are removed, changed ones updated, new ones appended.

        `first_out` names the alarms marked first out of a flood (FloodState.first_out). At most `max_new`
        new rows are appended (the oldest first), so that a flood is listed in slices that each keep the
        event loop responsive; returns how many are left for the next call.
        """
        incoming = {view.id: view for view in views}
        gone = [row for row, r in enumerate(self._rows) if r.view.id not in incoming]
        for first, last in reversed(runs(gone)):
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._rows[first : last + 1]
            self.endRemoveRows()
        if gone:
            self._row_of = {r.view.id: row for row, r in enumerate(self._rows)}
        changed = []
        for row, r in enumerate(self._rows):
            view, is_first = incoming[r.view.id], r.view.id in first_out
            if is_first != r.first_out or (view is not r.view and view != r.view):
                self._rows[row] = self._row(view, is_first)
                changed.append(row)
        for first, last in runs(changed):
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))
        new = [view for alarm_id, view in incoming.items() if alarm_id not in self._row_of]
        left = max(0, len(new) - max_new) if max_new is not None else 0
        new = new[: len(new) - left]
        if new:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(new) - 1)
            for row, view in enumerate(new, start):
                self._rows.append(self._row(view, view.id in first_out))
                self._row_of[view.id] = row
            self.endInsertRows()
        return left

    def set_area_names(self, names: Mapping[str, str]) -> None:
        """Area id -> name, for the Area column (an unknown area shows its id)."""
        self._area_names = dict(names)
        self._rows = [self._row(r.view, r.first_out) for r in self._rows]
        if self._rows:
            self.dataChanged.emit(self.index(0, AREA), self.index(len(self._rows) - 1, AREA))

    def set_responses(self, responses: Mapping[str, Response]) -> None:
        """Where the responses to SOS / man-down alarms stand (shown after the alarm's message)."""
        old, self._responses = self._responses, dict(responses)
        for alarm_id in {*old, *self._responses}:
            row = self._row_of.get(alarm_id)
            if row is not None and old.get(alarm_id) != self._responses.get(alarm_id):
                self._rows[row] = self._row(self._rows[row].view, self._rows[row].first_out)
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def response(self, alarm_id: str) -> Response | None:
        return self._responses.get(alarm_id)

    def views(self) -> list[AlarmView]:
        """Every alarm held, filtered out or not, in arrival order."""
        return [r.view for r in self._rows]

    def area_name(self, area: str) -> str:
        return self._area_names.get(area, area)

    def view_at(self, row: int) -> AlarmView:
        return self._rows[row].view

    def row_of(self, alarm_id: str) -> int | None:
        return self._row_of.get(alarm_id)

    def sort_key(self, row: int, column: int) -> tuple[object, ...]:
        """The column's key, ties broken by the default order, so equal cells never shuffle on refresh."""
        r = self._rows[row]
        return (r.keys[column], r.default_key)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        r, column = self._rows[index.row()], index.column()
        match role:
            case Qt.ItemDataRole.DisplayRole:
                return r.texts[column]
            case Qt.ItemDataRole.UserRole:
                return r.keys[column]
            case Qt.ItemDataRole.ToolTipRole:
                if column == PRIORITY:
                    look = TIER_LOOKS[r.view.tier]
                    return f"{look.name} ({look.meaning}), priority {r.view.priority.name.lower()} — {look.marker}"
                return r.texts[column] or None
            case Qt.ItemDataRole.DecorationRole if column == PRIORITY:
                return self._markers.icon(r.view.tier, ICON_SIZE)
            case Qt.ItemDataRole.FontRole if r.view.state in UNACKNOWLEDGED:
                return self._bold
            case Qt.ItemDataRole.TextAlignmentRole if column == VALUE:
                return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def _row(self, view: AlarmView, first_out: bool) -> _Row:
        area = self.area_name(view.area)
        value = "—" if math.isnan(view.value) else f"{view.value:.4g}"
        state, flags = state_text(view), " · ".join(flag_texts(view, first_out))
        message = view.message
        if awaiting_response(view):  # as on the banner: the message says where the response stands
            message = f"{message} — {response_text(view, self._responses.get(view.id))}"
        texts = (
            clock_text(view.ts),
            priority_text(view.tier, view.priority),
            area,
            view.source,
            message,
            value,
            state,
            flags,
        )
        keys = (
            view.ts,
            int(view.tier) * 10 - int(view.priority),  # tier first, then the higher priority
            area.casefold(),
            view.source.casefold(),
            message.casefold(),
            math.inf if math.isnan(view.value) else view.value,
            _STATE_RANK[view.state],
            flags,
        )
        unacked = 0 if view.state in UNACKNOWLEDGED else 1
        return _Row(view, first_out, texts, keys, (unacked, view.tier, -view.priority, -view.ts, view.id))


@dataclass(frozen=True, slots=True)
class AlarmFilter:
    """What the filter bar lets through; None (or empty text) lets everything through."""

    area: str | None = None
    tier: Tier | None = None
    states: frozenset[State] | None = None
    text: str = ""  # case-insensitive, in the alarm id, source or message

    def accepts(self, view: AlarmView) -> bool:
        if self.area is not None and view.area != self.area:
            return False
        if self.tier is not None and view.tier != self.tier:
            return False
        if self.states is not None and view.state not in self.states:
            return False
        needle = self.text.casefold()
        return not needle or any(needle in s.casefold() for s in (view.id, view.source, view.message))


class AlarmSortFilterProxy(QSortFilterProxyModel):
    """Filters by an AlarmFilter and sorts by the column's key, ties in the default order."""

    def __init__(self, model: AlarmTableModel) -> None:
        super().__init__()
        self._model = model
        self._filter = AlarmFilter()
        self.setSourceModel(model)
        self.setDynamicSortFilter(True)

    def set_filter(self, alarm_filter: AlarmFilter) -> None:
        self.beginFilterChange()
        self._filter = alarm_filter
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        return self._filter.accepts(self._model.view_at(source_row))

    def lessThan(self, source_left: Index, source_right: Index) -> bool:
        column = source_left.column()
        return self._model.sort_key(source_left.row(), column) < self._model.sort_key(
            source_right.row(), column
        )


class AlarmTable(QWidget):
    """The alarm list with its filter bar and the operator's alarm commands.

    Default order (the State column): unacknowledged first, then tier, priority and newest.
    """

    acknowledge_requested = Signal(list)  # [(alarm_id, seq), ...]
    shelve_requested = Signal(str, str, object)  # alarm_id, reason, duration_s (float, None: one-shot)
    show_on_map = Signal(str)  # the alarm's source
    remove_requested = Signal(str, str)  # alarm_id, reason: out of service (privileged consoles only)
    return_requested = Signal(str)  # alarm_id: back in service
    respond_requested = Signal(str)  # alarm_id: the next step of the response to an SOS or man-down

    def __init__(self, max_shelve_s: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.max_shelve_s = max_shelve_s
        self.model = AlarmTableModel()
        self.proxy = AlarmSortFilterProxy(self.model)
        self.shelve_dialog: ShelveDialog | None = None  # while open
        markers = TierMarkers()
        self.area_filter = QComboBox()
        self.area_filter.addItem("All areas", None)
        self.tier_filter = QComboBox()
        self.tier_filter.addItem("All tiers", None)
        for tier, look in TIER_LOOKS.items():
            self.tier_filter.addItem(markers.icon(tier, ICON_SIZE), f"{look.name} ({look.meaning})", tier)
        self.state_filter = QComboBox()
        for label, states in STATE_FILTERS:
            self.state_filter.addItem(label, states)
        self.text_filter = QLineEdit()
        self.text_filter.setPlaceholderText("Filter by alarm id, source or message")
        self.text_filter.setClearButtonEnabled(True)
        self.count_label = QLabel()
        for combo in (self.area_filter, self.tier_filter, self.state_filter):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.currentIndexChanged.connect(self._apply_filter)
        self.text_filter.textChanged.connect(self._apply_filter)
        self.table = self._build_table()
        self.acknowledge_button = QPushButton("Acknowledge")
        self.acknowledge_button.setToolTip("Acknowledge the selected unacknowledged alarms")
        self.acknowledge_page_button = QPushButton("Acknowledge page")
        self.acknowledge_page_button.setToolTip("Acknowledge the unacknowledged alarms shown on screen")
        self.shelve_button = QPushButton("Shelve…")
        self.map_button = QPushButton("Show on map")
        self.remove_button = QPushButton("Out of service…")
        self.remove_button.setToolTip("Privileged: take the alarm out of service, with a reason (audited)")
        self.return_button = QPushButton("Return to service")
        self.respond_button = QPushButton()
        self.respond_button.setMinimumWidth(
            max(map(self.respond_button.fontMetrics().horizontalAdvance, RESPOND_SAMPLES)) + 24
        )
        self.respond_button.clicked.connect(self._respond_selected)
        self.remove_button.clicked.connect(self._open_remove_dialog)
        self.return_button.clicked.connect(self._return_selected)
        self.remove_dialog: QInputDialog | None = None  # while open
        self.set_privileged(False)
        self.status_label = QLabel()
        self.acknowledge_button.clicked.connect(self._acknowledge_selected)
        self.acknowledge_page_button.clicked.connect(self._acknowledge_page)
        self.shelve_button.clicked.connect(self._open_shelve_dialog)
        self.map_button.clicked.connect(self._show_selected_on_map)
        self.table.doubleClicked.connect(lambda index: self.show_on_map.emit(self._view(index).source))
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self._lay_out()
        self._update_count()
        self._update_buttons()

    def set_alarms(self, views: Sequence[AlarmView], floods: Sequence[FloodState] = ()) -> int:
        """Show a snapshot of the alarms; the first-out alarms of floods carry the "first out" flag.

        Lists at most MAX_NEW_ROWS_PER_CALL new alarms; returns how many wait for the next call.
        """
        first_out = {f.first_out for f in floods if f.flooding and f.first_out}
        left = self.model.set_alarms(views, first_out, MAX_NEW_ROWS_PER_CALL)
        self._update_count()
        self._update_buttons()
        return left

    def set_areas(self, areas: Sequence[tuple[str, str]]) -> None:
        """The operator areas as (id, name), for the area filter and the Area column."""
        chosen = self.area_filter.currentData()
        self.area_filter.blockSignals(True)
        self.area_filter.clear()
        self.area_filter.addItem("All areas", None)
        for area_id, name in areas:
            self.area_filter.addItem(name, area_id)
        self.area_filter.setCurrentIndex(max(0, self.area_filter.findData(chosen)))
        self.area_filter.blockSignals(False)
        self.model.set_area_names(dict(areas))
        self._apply_filter()

    def set_status(self, text: str, refused: bool = False) -> None:
        """Show the result of the last command; a refusal is bold, but not coloured (ISA-101)."""
        font = self.status_label.font()
        font.setBold(refused)
        self.status_label.setFont(font)
        self.status_label.setText(text)
        self.status_label.setToolTip(text)

    def select_alarm(self, alarm_id: str) -> bool:
        """Select and scroll to an alarm (clicked in the banner); False when it is not listed (filtered out)."""
        row = self.model.row_of(alarm_id)
        index = self.proxy.mapFromSource(self.model.index(row, 0)) if row is not None else QModelIndex()
        if not index.isValid():
            return False
        self.table.selectRow(index.row())
        self.table.scrollTo(index)
        return True

    def set_privileged(self, privileged: bool) -> None:
        """Only a privileged console offers out of service (ISA-18.2); others do not show the buttons."""
        self.remove_button.setVisible(privileged)
        self.return_button.setVisible(privileged)

    def visible_alarms(self) -> list[AlarmView]:
        """The alarms as listed, top to bottom, after filter and sort."""
        return [self._view(self.proxy.index(row, 0)) for row in range(self.proxy.rowCount())]

    def selected_alarms(self) -> list[AlarmView]:
        """The selected alarms, top to bottom."""
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [self._view(self.proxy.index(row, 0)) for row in rows]

    def page_alarms(self) -> list[AlarmView]:
        """The alarms whose rows are wholly inside the viewport: what the operator can read right now."""
        table, height = self.table, self.table.viewport().height()
        row = max(table.rowAt(0), 0)
        page = []
        while row < self.proxy.rowCount():
            top = table.rowViewportPosition(row)
            if top + table.rowHeight(row) > height:
                break
            if top >= 0:
                page.append(self._view(self.proxy.index(row, 0)))
            row += 1
        return page

    def _build_table(self) -> QTableView:
        table = keyed_table(self.proxy, COLUMN_SAMPLES, MESSAGE, self, many=True, icon_columns={PRIORITY})
        table.sortByColumn(STATE, Qt.SortOrder.AscendingOrder)
        return table

    def _lay_out(self) -> None:
        filters = QHBoxLayout()
        for label, widget in (
            ("Area", self.area_filter),
            ("Tier", self.tier_filter),
            ("State", self.state_filter),
        ):
            filters.addWidget(QLabel(label))
            filters.addWidget(widget)
            filters.addSpacing(8)
        filters.addWidget(self.text_filter, 1)
        filters.addWidget(self.count_label)
        actions = QHBoxLayout()
        for button in (
            self.acknowledge_button,
            self.acknowledge_page_button,
            self.respond_button,
            self.shelve_button,
            self.map_button,
            self.remove_button,
            self.return_button,
        ):
            actions.addWidget(button)
        actions.addSpacing(12)
        actions.addWidget(self.status_label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)

    def _view(self, proxy_index: QModelIndex) -> AlarmView:
        return self.model.view_at(self.proxy.mapToSource(proxy_index).row())

    def _apply_filter(self) -> None:
        self.proxy.set_filter(
            AlarmFilter(
                area=self.area_filter.currentData(),
                tier=self.tier_filter.currentData(),
                states=self.state_filter.currentData(),
                text=self.text_filter.text().strip(),
            )
        )
        self._update_count()
        self._update_buttons()

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count_label.setText(f"{shown} alarms" if shown == total else f"{shown} of {total} alarms")

    def _update_buttons(self) -> None:
        selected = self.selected_alarms()
        self.acknowledge_button.setEnabled(any(_acknowledgeable(v) for v in selected))
        self.shelve_button.setEnabled(len(selected) == 1 and allows(selected[0].state, Event.SHELVE))
        self.map_button.setEnabled(len(selected) == 1)
        one = selected[0] if len(selected) == 1 else None
        self.remove_button.setEnabled(one is not None and allows(one.state, Event.REMOVE_FROM_SERVICE))
        self.return_button.setEnabled(one is not None and allows(one.state, Event.RETURN_TO_SERVICE))
        self._update_respond_button(one)

    def set_responses(self, responses: Mapping[str, Response]) -> None:
        """Where the responses to SOS / man-down alarms stand (the core's open responses by alarm id)."""
        self.model.set_responses(responses)
        self._update_buttons()

    def respond_step(self) -> NextStep | None:
        """The next response step of the one selected SOS / man-down alarm (what its button offers)."""
        selected = self.selected_alarms()
        if len(selected) != 1 or wearable_worker(selected[0].id) is None:
            return None
        return next_step(selected[0], self.model.response(selected[0].id))

    def _update_respond_button(self, one: AlarmView | None) -> None:
        """Always in its place (a calm layout); it names the next step of a selected SOS / man-down."""
        step = self.respond_step() if one is not None else None
        if step is None:
            self.respond_button.setText(self.tr("Respond…"))
            self.respond_button.setEnabled(False)
            self.respond_button.setToolTip(self.tr("Select an SOS or man-down alarm to respond to it"))
            return
        self.respond_button.setText(step.label)
        self.respond_button.setEnabled(step.enabled)
        self.respond_button.setToolTip(step.reason or self.tr("The next step of the response"))

    def _respond_selected(self) -> None:
        [view] = self.selected_alarms()
        self.respond_requested.emit(view.id)

    def _acknowledge_selected(self) -> None:
        self._acknowledge(self.selected_alarms(), "No unacknowledged alarm is selected")

    def _acknowledge_page(self) -> None:
        self._acknowledge(self.page_alarms(), "No unacknowledged alarm on this page")

    def _acknowledge(self, views: list[AlarmView], nothing: str) -> None:
        pairs = [(v.id, v.seq) for v in views if _acknowledgeable(v)]
        if pairs:
            self.acknowledge_requested.emit(pairs)
        else:
            self.set_status(nothing)

    def _open_shelve_dialog(self) -> None:
        [view] = self.selected_alarms()
        dialog = self.shelve_dialog = ShelveDialog(view, self.max_shelve_s, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda: self._shelve_dialog_finished(dialog))
        dialog.open()

    def _shelve_dialog_finished(self, dialog: ShelveDialog) -> None:
        self.shelve_dialog = None
        choice = dialog.choice()
        if choice is not None:
            self.shelve_requested.emit(dialog.view.id, *choice)

    def _open_remove_dialog(self) -> None:
        [view] = self.selected_alarms()
        dialog = self.remove_dialog = QInputDialog(self)
        dialog.setWindowTitle(f"Out of service: {view.id}")
        dialog.setLabelText("Why? (required, e.g. detector replaced under work order 4711)")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.textValueSelected.connect(lambda reason: self._remove(view.id, reason))
        dialog.finished.connect(lambda: setattr(self, "remove_dialog", None))
        dialog.open()

    def _remove(self, alarm_id: str, reason: str) -> None:
        if reason.strip():
            self.remove_requested.emit(alarm_id, reason.strip())
        else:
            self.set_status("Out of service needs a reason", refused=True)

    def _return_selected(self) -> None:
        [view] = self.selected_alarms()
        self.return_requested.emit(view.id)

    def _show_selected_on_map(self) -> None:
        [view] = self.selected_alarms()
        self.show_on_map.emit(view.source)


def _acknowledgeable(view: AlarmView) -> bool:
    """ISA-18.2: only an unacknowledged alarm (active or returned) takes an acknowledgement."""
    return allows(view.state, Event.ACKNOWLEDGE)
