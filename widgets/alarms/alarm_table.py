"""The alarm summary table (ISA-18.2 alarm list): filter, sort, acknowledge (with a comment), shelve,
unshelve, reset, find on the map; from the buttons, a right-click menu or the keyboard.

Snapshots arrive up to 10 times a second; the model diffs them by alarm id (rows inserted, changed and
removed, never a model reset), so the operator's selection and scroll position survive every refresh.
While the pointer is on the list (its rows, filters or buttons) or its right-click menu is open, its order
is held (new alarms are added at the end), so that a row never jumps away under a second click and a page
acknowledged is the page the operator read; it is sorted again when the pointer leaves, the menu closes or
the list is hidden (its dock's tab switched away). A menu's commands act on the alarms it was opened for,
whatever arrives meanwhile. A command is offered only
when it can succeed, otherwise greyed with the reason (`widgets.alarms.alarm_actions`).
The view emits the operator's intents; an acknowledgement names the `seq` of the alarm as the operator saw
it, so that the engine refuses one aimed at an older transition. All methods run on the Qt thread.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QCursor, QEnterEvent, QFont, QFontMetrics, QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from alarms.definitions import Tier
from alarms.noise import FloodState
from alarms.records import AlarmView
from alarms.states import ACTIVE, UNACKNOWLEDGED, State
from plant_maps.alarm_rules import wearable_worker
from plant_maps.alarm_settings import AlarmSettings
from plant_maps.wearables import Response
from widgets.alarms.alarm_actions import AlarmAction, acknowledgeable, comment_required, why_not
from widgets.alarms.shelve_dialog import ShelveDialog
from widgets.common.keyed_table import keyed_table, runs
from widgets.common.plain_text import ElidedLabel, PlainLabel, plain_tooltip
from widgets.common.text_dialog import TextDialog
from widgets.common.tiers import (
    TIER_LOOKS,
    TierMarkers,
    ack_text,
    flag_texts,
    measured_text,
    priority_text,
    state_text,
    value_text,
)
from widgets.common.time_text import clock_text
from widgets.common.wearable_response import NextStep, awaiting_response, next_step, response_text

Index = QModelIndex | QPersistentModelIndex

MAX_NEW_ROWS_PER_CALL = 500  # sorting them in costs ~25 ms: a flood is listed in slices, the loop stays live
COLUMNS = tuple(
    QT_TRANSLATE_NOOP("AlarmTable", name)
    for name in ("Active", "Ack", "Clear", "Priority", "Area", "Source", "Message", "Value", "State", "Flags")
)
ACTIVE_AT, ACK_AT, CLEAR_AT, PRIORITY, AREA, SOURCE, MESSAGE, VALUE, STATE, FLAGS = range(len(COLUMNS))
TIMES = (ACTIVE_AT, ACK_AT, CLEAR_AT)
ICON_SIZE = 12
MESSAGE_MIN_PX = 240  # below this the list scrolls sideways rather than hide the message
FLAGS_MAX_PX = 230  # a longer flag is elided (whole in its tooltip): the message needs the room more
VALUE_MAX_PX = 130  # "12.34 %LEL/min" whole; a longer unit is elided (whole in its tooltip)
FITTED = {VALUE: VALUE_MAX_PX, FLAGS: FLAGS_MAX_PX}  # as wide as their widest cell shown, up to these
# The widest text a column usually holds: columns are sized to show it whole (Message takes the rest,
# Value and Flags are as wide as the cells shown).
COLUMN_SAMPLES = {
    ACTIVE_AT: "00:00:00",
    ACK_AT: "00:00:00",
    CLEAR_AT: "00:00:00",
    PRIORITY: "T1 Urgent",
    AREA: "Compressor house",
    SOURCE: "GD-CH-01.HH",
    STATE: "Returned, unacknowledged",
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
    default_key: tuple[object, ...]  # unacknowledged first, tier, priority, newest; under its cause
    cause_key: tuple[object, ...] | None = None  # the default key of the cause it is grouped under


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
            cause = _cause_key(view, incoming) if view.group else None  # most alarms have no cause
            if is_first != r.first_out or cause != r.cause_key or (view is not r.view and view != r.view):
                self._rows[row] = self._row(view, is_first, cause)
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
                self._rows.append(self._row(view, view.id in first_out, _cause_key(view, incoming)))
                self._row_of[view.id] = row
            self.endInsertRows()
        return left

    def set_area_names(self, names: Mapping[str, str]) -> None:
        """Area id -> name, for the Area column (an unknown area shows its id)."""
        self._area_names = dict(names)
        self._rows = [self._row(r.view, r.first_out, r.cause_key) for r in self._rows]
        if self._rows:
            self.dataChanged.emit(self.index(0, AREA), self.index(len(self._rows) - 1, AREA))

    def set_responses(self, responses: Mapping[str, Response]) -> None:
        """Where the responses to SOS / man-down alarms stand (shown after the alarm's message)."""
        old, self._responses = self._responses, dict(responses)
        for alarm_id in {*old, *self._responses}:
            row = self._row_of.get(alarm_id)
            if row is not None and old.get(alarm_id) != self._responses.get(alarm_id):
                old_row = self._rows[row]
                self._rows[row] = self._row(old_row.view, old_row.first_out, old_row.cause_key)
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

    def less(self, left: int, right: int, column: int) -> bool:
        """Row `left` before row `right` by the column's key, ties broken by the default order, so equal
        cells never shuffle on refresh. Called thousands of times as a flood is sorted in: no tuples made."""
        a, b = self._rows[left], self._rows[right]
        key_a, key_b = a.keys[column], b.keys[column]
        return key_a < key_b if key_a != key_b else a.default_key < b.default_key

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
                if column == ACK_AT and r.view.ack_by:
                    return ack_text(r.view)
                if column == VALUE and math.isfinite(r.view.value):  # the cell may round it (a time)
                    return measured_text(r.view.value, r.view.unit)
                return plain_tooltip(r.texts[column]) if r.texts[column] else None
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
            return QCoreApplication.translate("AlarmTable", COLUMNS[section])
        return None

    def column_texts(self, column: int) -> set[str]:
        """The distinct cells of a column (Value and Flags are sized to the widest of them)."""
        return {r.texts[column] for r in self._rows}

    def _row(self, view: AlarmView, first_out: bool, cause_key: tuple[object, ...] | None = None) -> _Row:
        area = self.area_name(view.area)
        # a consequence is never the first out: its cause came first
        state, flags = state_text(view), " · ".join(flag_texts(view, first_out and not view.group))
        times = (view.active_ts, view.ack_ts, view.clear_ts)
        message = view.message
        if awaiting_response(view):  # as on the banner: the message says where the response stands
            message = f"{message} — {response_text(view, self._responses.get(view.id))}"
        texts = (
            *(clock_text(t) if t is not None else "" for t in times),
            priority_text(view.tier, view.priority),
            area,
            view.source,
            message,
            value_text(view.value, view.unit),
            state,
            flags,
        )
        keys = (
            *(math.inf if t is None else t for t in times),
            int(view.tier) * 10 - int(view.priority),  # tier first, then the higher priority
            area.casefold(),
            view.source.casefold(),
            message.casefold(),
            math.inf if math.isnan(view.value) else view.value,
            _STATE_RANK[view.state],
            flags,
        )
        # cause first: a grouped alarm sorts right under its cause (the cause's key, then its own)
        default = _own_key(view) if cause_key is None else (*cause_key, 1, *_own_key(view))
        return _Row(view, first_out, texts, keys, default, cause_key)


def _own_key(view: AlarmView) -> tuple[object, ...]:
    """Unacknowledged first, then tier, priority and newest."""
    return (0 if view.state in UNACKNOWLEDGED else 1, view.tier, -view.priority, -view.ts, view.id)


def _cause_key(view: AlarmView, incoming: Mapping[str, AlarmView]) -> tuple[object, ...] | None:
    cause = incoming.get(view.group) if view.group else None
    return _own_key(cause) if cause is not None else None


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
        return self._model.less(source_left.row(), source_right.row(), source_left.column())


class AlarmTable(QWidget):
    """The alarm list with its filter bar and the operator's alarm commands.

    Default order (the State column): unacknowledged first, then tier, priority and newest.
    """

    acknowledge_requested = Signal(list, str)  # [(alarm_id, seq), ...], comment ("" for none)
    shelve_requested = Signal(str, str, object)  # alarm_id, reason, duration_s (float, None: one-shot)
    unshelve_requested = Signal(str)  # alarm_id: back now, acknowledged (ISA-18.2 manual unshelve)
    reset_requested = Signal(str)  # alarm_id: a latched alarm that returned and was acknowledged
    show_on_map = Signal(str)  # the alarm's source
    remove_requested = Signal(str, str)  # alarm_id, reason: out of service (privileged consoles only)
    return_requested = Signal(str)  # alarm_id: back in service
    respond_requested = Signal(str)  # alarm_id: the next step of the response to an SOS or man-down
    trend_requested = Signal(str)  # a measured tag (the alarm's source): open its trend
    broadcast_requested = Signal(str)  # the alarm's area (a zone id or "site"): broadcast to it
    false_detection_requested = Signal(str)  # a video-AI alarm: mark its latest detection false (a shadow)
    incident_requested = Signal(str, str)  # a tier-1 alarm (an SOS): declare an incident from it, its area

    def __init__(self, max_shelve_s: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.max_shelve_s = max_shelve_s
        self.comment_tiers: frozenset[Tier] = frozenset()  # the site asks for a comment on these
        self.privileged = False
        self.why_not: Callable[[str], str] = lambda command: (
            ""
        )  # the console's role gate: why a command is not
        # for the signed-in user (for the menu entries the table makes itself)
        self.trendable: frozenset[str] = frozenset()  # the sources that are measured tags
        self.model = AlarmTableModel()
        self.proxy = AlarmSortFilterProxy(self.model)
        self.shelve_dialog: ShelveDialog | None = None  # while open
        self.text_dialog: TextDialog | None = None  # a comment or a reason being asked for
        self.held = False  # its order is held (the pointer is on the list, or its menu is open)
        self._holds: set[str] = set()  # why: "pointer", "menu"
        self._menu_views: list[AlarmView] | None = None  # the alarms the open right-click menu is for
        self._in_sight = False
        markers = TierMarkers()
        self.area_filter = QComboBox()
        self.area_filter.addItem(self.tr("All areas"), None)
        self.tier_filter = QComboBox()
        self.tier_filter.addItem(self.tr("All tiers"), None)
        for tier, look in TIER_LOOKS.items():
            self.tier_filter.addItem(markers.icon(tier, ICON_SIZE), f"{look.name} ({look.meaning})", tier)
        self.state_filter = QComboBox()
        for label, states in STATE_FILTERS:
            self.state_filter.addItem(QCoreApplication.translate("AlarmTable", label), states)
        self.text_filter = QLineEdit()
        self.text_filter.setPlaceholderText(self.tr("Filter by alarm id, source or message"))
        self.text_filter.setClearButtonEnabled(True)
        self.text_filter.setMaxLength(100)
        self.count_label = PlainLabel()
        for combo in (self.area_filter, self.tier_filter, self.state_filter):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.currentIndexChanged.connect(self._apply_filter)
        self.text_filter.textChanged.connect(self._apply_filter)
        self.table = self._build_table()
        self._fitted = dict.fromkeys(FITTED, 0)  # column -> width set
        self._fit_columns()
        self.actions = self._build_actions()
        self.addActions(list(self.actions.values()))  # their shortcuts work while the list is in a window
        self.acknowledge_page_button = QPushButton(self.tr("Acknowledge page"))
        self.acknowledge_page_button.clicked.connect(self.acknowledge_page)
        page = self.acknowledge_page_action = QAction(self.tr("Acknowledge page"), self)
        page.setShortcut("Shift+F8")
        page.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        page.triggered.connect(self.acknowledge_page)
        self.addAction(page)
        self.buttons = {
            action: QPushButton(self.actions[action].text())
            for action in (
                AlarmAction.ACKNOWLEDGE,
                AlarmAction.SHELVE,
                AlarmAction.UNSHELVE,
                AlarmAction.RESET,
                AlarmAction.SHOW_ON_MAP,
                AlarmAction.REMOVE_FROM_SERVICE,
                AlarmAction.RETURN_TO_SERVICE,
            )
        }
        for action, button in self.buttons.items():
            button.clicked.connect(self.actions[action].trigger)
        self.acknowledge_button = self.buttons[AlarmAction.ACKNOWLEDGE]
        self.shelve_button = self.buttons[AlarmAction.SHELVE]
        self.map_button = self.buttons[AlarmAction.SHOW_ON_MAP]
        self.remove_button = self.buttons[AlarmAction.REMOVE_FROM_SERVICE]
        self.return_button = self.buttons[AlarmAction.RETURN_TO_SERVICE]
        self.respond_button = QPushButton()
        self.respond_button.setMinimumWidth(
            max(map(self.respond_button.fontMetrics().horizontalAdvance, RESPOND_SAMPLES)) + 24
        )
        self.respond_button.clicked.connect(self._respond_selected)
        self.set_privileged(False)
        self.status_label = ElidedLabel()  # the last command's outcome: one line, whole in its tooltip
        self.table.doubleClicked.connect(lambda index: self.show_on_map.emit(self._view(index).source))
        self.table.selectionModel().selectionChanged.connect(self.update_buttons)
        self.table.verticalScrollBar().valueChanged.connect(self.update_buttons)  # another page in view
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._open_menu)
        self._lay_out()
        self._update_count()
        self.update_buttons()

    def set_alarms(self, views: Sequence[AlarmView], floods: Sequence[FloodState] = ()) -> int:
        """Show a snapshot of the alarms; the first-out alarm of each burst (two or more alarms in an area
        after a quiet window, flood or not) carries the "first out" flag.

        Lists at most MAX_NEW_ROWS_PER_CALL new alarms; returns how many wait for the next call.
        """
        first_out = {f.first_out for f in floods if f.flooding and f.first_out}
        first_out |= {f.burst_first_out for f in floods if f.burst_first_out}
        left = self.model.set_alarms(views, first_out, MAX_NEW_ROWS_PER_CALL)
        self._fit_columns()
        self._update_count()
        self.update_buttons()
        return left

    def set_areas(self, areas: Sequence[tuple[str, str]]) -> None:
        """The operator areas as (id, name), for the area filter and the Area column."""
        chosen = self.area_filter.currentData()
        self.area_filter.blockSignals(True)
        self.area_filter.clear()
        self.area_filter.addItem(self.tr("All areas"), None)
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
        self.status_label.setToolTip(plain_tooltip(text))

    def listed(self, alarm_id: str) -> AlarmView | None:
        """The alarm as the list holds it, filtered out or not (None: not in the list)."""
        row = self.model.row_of(alarm_id)
        return None if row is None else self.model.view_at(row)

    def select_alarm(self, alarm_id: str) -> bool:
        """Select and scroll to an alarm (clicked in the banner); False when it is not listed (filtered out)."""
        row = self.model.row_of(alarm_id)
        index = self.proxy.mapFromSource(self.model.index(row, 0)) if row is not None else QModelIndex()
        if not index.isValid():
            return False
        self.table.selectRow(index.row())
        self.table.scrollTo(index)
        return True

    def select_next_unacknowledged(self) -> bool:
        """Select the next unacknowledged alarm below the selection (wrapping to the top); False if none."""
        rows = self.proxy.rowCount()
        selected = self.table.selectionModel().selectedRows()
        start = max((i.row() for i in selected), default=-1) + 1
        for step in range(rows):
            row = (start + step) % rows
            if acknowledgeable(self._view(self.proxy.index(row, 0))):
                self.table.selectRow(row)
                self.table.scrollTo(self.proxy.index(row, 0))
                return True
        self.set_status(self.tr("No unacknowledged alarm"))
        return False

    def set_privileged(self, privileged: bool) -> None:
        """Only a privileged console offers out of service (ISA-18.2); others do not show the commands."""
        self.privileged = privileged
        for action in (AlarmAction.REMOVE_FROM_SERVICE, AlarmAction.RETURN_TO_SERVICE):
            self.buttons[action].setVisible(privileged)
            self.actions[action].setVisible(privileged)

    def set_comment_required(self, tiers: Collection[Tier]) -> None:
        """The site asks for a comment when these tiers are acknowledged: Acknowledge asks for it."""
        self.comment_tiers = frozenset(tiers)

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

    def menu_for(self, views: Sequence[AlarmView]) -> QMenu:
        """The right-click menu for `views`: every command, greyed with the reason where it cannot succeed."""
        menu = QMenu(self)
        menu.setToolTipsVisible(True)
        for action in self.actions.values():
            if action.isVisible():
                menu.addAction(action)
        step = self.respond_step()
        if step is not None:  # an SOS or man-down: the next step of its response, as its button offers it
            respond = menu.addAction(step.label, self._respond_selected)
            respond.setEnabled(self.respond_button.isEnabled())
            respond.setToolTip(self.respond_button.toolTip())
        sources = {v.source for v in views}
        source = next(iter(sources), "")
        trend = menu.addAction(self.tr("Trend"), lambda: self.trend_requested.emit(source))
        if len(sources) != 1:
            trend.setEnabled(False)
            trend.setToolTip(self.tr("Not possible: select the alarms of one source"))
        elif not sources <= self.trendable:
            trend.setEnabled(False)
            trend.setToolTip(self.tr("Not possible: the source is not a measured tag"))
        else:
            trend.setToolTip(self.tr("Its value over time, with its limits and alarms"))
        area = next(iter({v.area for v in views}), "")
        broadcast = menu.addAction(
            self.tr("Broadcast to its zone…"), lambda: self.broadcast_requested.emit(area)
        )
        broadcast.setToolTip(self.tr("Speak to the people where the alarm is"))
        refused = self.why_not("Broadcast")
        if len({v.area for v in views}) != 1:
            broadcast.setEnabled(False)
            broadcast.setToolTip(self.tr("Not possible: select the alarms of one zone"))
        elif refused:
            broadcast.setEnabled(False)
            broadcast.setToolTip(refused)
        if len(views) == 1 and AlarmSettings.is_vision_alarm(views[0].id):
            alarm_id = views[0].id
            mark = menu.addAction(
                self.tr("Mark as false detection…"), lambda: self.false_detection_requested.emit(alarm_id)
            )
            refused = self.why_not("MarkFalseDetection")
            mark.setEnabled(not refused)
            mark.setToolTip(refused or self.tr("The camera saw a shadow or a reflection, not what it says"))
        if len(views) == 1 and views[0].tier is Tier.LIFE:
            alarm_id, area = views[0].id, views[0].area
            declare = menu.addAction(
                self.tr("Declare incident…"), lambda: self.incident_requested.emit(alarm_id, area)
            )
            refused = self.why_not("DeclareIncident")
            declare.setEnabled(not refused)
            declare.setToolTip(refused or self.tr("Take command: one timeline, commander and safety officer"))
        return menu

    # -- the operator's commands (buttons, menu, shortcuts) ---------------------------------------------

    def acknowledge_selected(self) -> None:
        self._acknowledge(self.targets(), self.tr("No unacknowledged alarm is selected"))

    def acknowledge_page(self) -> None:
        self._acknowledge(self.page_alarms(), self.tr("No unacknowledged alarm on this page"))

    def _acknowledge(self, views: list[AlarmView], nothing: str, with_comment: bool = False) -> None:
        pairs = [(v.id, v.seq) for v in views if acknowledgeable(v)]
        if not pairs:
            self.set_status(nothing)
        elif with_comment or comment_required(views, self.comment_tiers):
            self._ask_comment(pairs, required=comment_required(views, self.comment_tiers))
        else:
            self.acknowledge_requested.emit(pairs, "")

    def _ask_comment(self, pairs: list[tuple[str, int]], required: bool) -> None:
        names = ", ".join(alarm_id for alarm_id, _ in pairs[:3]) + (" …" if len(pairs) > 3 else "")
        prompt = self.tr("Comment on acknowledging {alarms}").format(alarms=names)
        if required:
            prompt += "\n" + self.tr("This site requires a comment for tier-1 alarms.")
        dialog = self.text_dialog = TextDialog(
            self.tr("Acknowledge"), prompt, self.tr("Acknowledge"), required=required, parent=self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.acknowledge_requested.emit(pairs, dialog.text()))
        dialog.finished.connect(lambda: setattr(self, "text_dialog", None))
        dialog.open()

    def _open_shelve_dialog(self) -> None:
        [view] = self.targets()
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
        [view] = self.targets()
        dialog = self.text_dialog = TextDialog(
            self.tr("Out of service: {alarm}").format(alarm=view.id),
            self.tr("Why? (required, e.g. detector replaced under work order 4711)"),
            self.tr("Take out of service"),
            required=True,
            parent=self,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.remove_requested.emit(view.id, dialog.text()))
        dialog.finished.connect(lambda: setattr(self, "text_dialog", None))
        dialog.open()

    def _one(self, signal: Signal) -> None:
        [view] = self.targets()
        signal.emit(view.id)

    # -- layout and upkeep --------------------------------------------------------------------------------

    def _build_actions(self) -> dict[AlarmAction, QAction]:
        def action(text: str, slot: object, tip: str, shortcut: str = "") -> QAction:
            a = QAction(text, self)
            a.setToolTip(tip)
            a.setData(tip)  # the tooltip while enabled; a greyed one says why not
            if shortcut:
                a.setShortcut(shortcut)
                a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)  # wherever the focus is
            a.triggered.connect(slot)
            return a

        tr = self.tr
        return {
            AlarmAction.ACKNOWLEDGE: action(
                tr("Acknowledge"), self.acknowledge_selected, tr("Acknowledge the selected alarms (F8)"), "F8"
            ),
            AlarmAction.ACKNOWLEDGE_WITH_COMMENT: action(
                tr("Acknowledge with comment…"),
                lambda: self._acknowledge(self.targets(), "", with_comment=True),
                tr("Acknowledge the selected alarms with a comment for the journal"),
            ),
            AlarmAction.SHELVE: action(
                tr("Shelve…"), self._open_shelve_dialog, tr("Shelve the alarm for a time, with a reason")
            ),
            AlarmAction.UNSHELVE: action(
                tr("Unshelve"),
                lambda: self._one(self.unshelve_requested),
                tr("Bring the shelved alarm back now (it returns acknowledged)"),
            ),
            AlarmAction.RESET: action(
                tr("Reset"),
                lambda: self._one(self.reset_requested),
                tr("Reset the latched alarm (it has returned and been acknowledged)"),
            ),
            AlarmAction.SHOW_ON_MAP: action(
                tr("Show on map"),
                lambda: self.show_on_map.emit(self.targets()[0].source),
                tr("Centre the map on the alarm's source"),
            ),
            AlarmAction.REMOVE_FROM_SERVICE: action(
                tr("Out of service…"),
                self._open_remove_dialog,
                tr("Privileged: take the alarm out of service, with a reason (audited)"),
            ),
            AlarmAction.RETURN_TO_SERVICE: action(
                tr("Return to service"),
                lambda: self._one(self.return_requested),
                tr("Privileged: put the alarm back in service"),
            ),
        }

    def _build_table(self) -> QTableView:
        table = keyed_table(
            self.proxy,
            COLUMN_SAMPLES,
            MESSAGE,
            self,
            many=True,
            icon_columns={PRIORITY},
            stretch_min=MESSAGE_MIN_PX,
        )
        table.sortByColumn(STATE, Qt.SortOrder.AscendingOrder)
        return table

    def _lay_out(self) -> None:
        filters = QHBoxLayout()
        for label, widget in (
            (self.tr("Area"), self.area_filter),
            (self.tr("Tier"), self.tier_filter),
            (self.tr("State"), self.state_filter),
        ):
            filters.addWidget(QLabel(label))
            filters.addWidget(widget)
            filters.addSpacing(8)
        filters.addWidget(self.text_filter, 1)
        filters.addWidget(self.count_label)
        actions = QHBoxLayout()
        actions.addWidget(self.acknowledge_button)
        actions.addWidget(self.acknowledge_page_button)
        actions.addWidget(self.respond_button)
        for action, button in self.buttons.items():
            if action is not AlarmAction.ACKNOWLEDGE:
                actions.addWidget(button)
        actions.addSpacing(12)
        actions.addWidget(self.status_label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)  # as the other panels: nothing flush with an edge
        layout.setSpacing(4)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)

    def enterEvent(self, event: QEnterEvent) -> None:
        """The pointer came onto the list (rows, filters or buttons): hold the order."""
        self._hold("pointer", True)
        super().enterEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        """The pointer left the list (or a menu popped up over it, which holds the order itself)."""
        self._hold("pointer", False)
        super().leaveEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        self.set_in_sight(False)
        super().hideEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        self.set_in_sight(True)
        super().showEvent(event)

    def set_in_sight(self, in_sight: bool) -> None:
        """The list came into sight or went out of it (hidden, or its dock's tab switched away, which moves
        the dock off screen without hiding it): out of sight, nothing can be under the pointer, so nothing
        holds its order."""
        self._in_sight = in_sight
        if not in_sight:
            self._holds.clear()
            self._hold("pointer", False)

    def targets(self) -> list[AlarmView]:
        """The alarms a command acts on: those its right-click menu was opened for, else the selection."""
        return list(self._menu_views) if self._menu_views is not None else self.selected_alarms()

    def _hold(self, reason: str, on: bool) -> None:
        """Hold the order while any reason does; sort again when none is left."""
        if on:
            self._holds.add(reason)
        else:
            self._holds.discard(reason)
        held = bool(self._holds)
        if held == self.held:
            return
        self.held = held
        self.proxy.setDynamicSortFilter(not held)
        if not held:
            header = self.table.horizontalHeader()
            self.proxy.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
            self._apply_filter()
        self._update_count()

    def _fit_columns(self) -> None:
        """Value and Flags are only as wide as their widest cell shown (none: the header), so Message keeps
        the room: a unit such as "%LEL/min" or a flag is wide only while an alarm shows it."""
        bold = QFont(self.font())
        bold.setBold(True)
        metrics = QFontMetrics(bold)
        header = self.table.horizontalHeader()
        for column, most in FITTED.items():
            title = header.fontMetrics().horizontalAdvance(
                self.model.headerData(column, Qt.Orientation.Horizontal)
            )
            texts = self.model.column_texts(column)
            width = min(max([title + 24, *(metrics.horizontalAdvance(t) + 16 for t in texts if t)]), most)
            if width != self._fitted[column]:
                self._fitted[column] = width
                self.table.setColumnWidth(column, width)

    def _open_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        if not index.isValid():
            return
        if not self.table.selectionModel().isRowSelected(index.row(), index.parent()):
            self.table.selectRow(index.row())
        self._menu_views = self.selected_alarms()
        self._hold("menu", True)
        menu = self.menu_for(self._menu_views)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # an entry is triggered right after the menu hides: let it act on the menu's alarms first
        menu.aboutToHide.connect(lambda: QTimer.singleShot(0, self._menu_closed))
        menu.popup(self.table.viewport().mapToGlobal(pos))

    def _menu_closed(self) -> None:
        """The menu is gone: commands act on the selection again, and the order holds only while the pointer
        is still on the list (no Enter event follows a popup that closes over it)."""
        self._menu_views = None
        on_list = self._in_sight and self.rect().contains(self.mapFromGlobal(QCursor.pos()))
        self._hold("pointer", on_list)
        self._hold("menu", False)

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
        self.update_buttons()

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        text = (
            self.tr("{n} alarms").format(n=shown)
            if shown == total
            else self.tr("{n} of {total} alarms").format(n=shown, total=total)
        )
        if self.held:
            text += " · " + self.tr("order held")
        self.count_label.setText(text)
        self.count_label.setToolTip(
            self.tr(
                "The order is held while the pointer is on the list or its menu is open, so rows do not move"
                " under it"
            )
            if self.held
            else ""
        )

    def update_buttons(self) -> None:
        """Every command enabled only when it can succeed; greyed, its tooltip says why not."""
        selected = self.selected_alarms()
        for kind, action in self.actions.items():
            reason = why_not(kind, selected)
            action.setEnabled(reason is None)
            tip = action.data() if reason is None else self.tr("Not possible: {reason}").format(reason=reason)
            action.setToolTip(tip)
            button = self.buttons.get(kind)
            if button is not None:
                button.setEnabled(reason is None)
                button.setToolTip(tip)
        self._update_respond_button(selected[0] if len(selected) == 1 else None)
        self._update_page_button()

    def _update_page_button(self) -> None:
        """Acknowledge page: enabled while the page shows an unacknowledged alarm, else greyed saying so."""
        some = any(acknowledgeable(v) for v in self.page_alarms())
        tip = (
            self.tr("Acknowledge the unacknowledged alarms shown on screen (Shift+F8)")
            if some
            else self.tr("Not possible: no unacknowledged alarm on this page")
        )
        for widget in (self.acknowledge_page_button, self.acknowledge_page_action):
            widget.setEnabled(some)
            widget.setToolTip(tip)

    def set_responses(self, responses: Mapping[str, Response]) -> None:
        """Where the responses to SOS / man-down alarms stand (the core's open responses by alarm id)."""
        self.model.set_responses(responses)
        self.update_buttons()

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
        [view] = self.targets()
        self.respond_requested.emit(view.id)
