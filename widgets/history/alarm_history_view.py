"""The alarm history for the shift lead: which alarms came in a period (this shift, the last one, 24 h,
7 days or dates chosen), who acknowledged each and how fast, which were shelved or hidden and for how long;
one row per occurrence, newest first, 200 to a page. From a row: its trend at that moment (Enter) and its
place on the map.

A read-model widget: it asks (`query_requested`) and shows what the console reads from the store on a
worker thread (`set_page`); the period is resolved to times when asked, so that paging stays on the same
occurrences. Shift times come from the site's shift pattern. Qt thread only.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from PySide6.QtCore import QT_TRANSLATE_NOOP, QDateTime, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from alarms.definitions import Tier
from alarms.history import HistoryFilter, HistoryPage, HistoryState, Occurrence
from plant_maps.shifts import DAY_S, Period, ShiftPattern
from widgets.common.keyed_table import KeyedSortFilterProxy, KeyedTableModel, keyed_table
from widgets.common.plain_text import ElidedLabel
from widgets.common.tiers import TIER_LOOKS
from widgets.history.occurrence_texts import (
    ACKNOWLEDGED,
    ALARM,
    AREA,
    CLEARED,
    COLUMNS,
    CONTEXT,
    HIDDEN,
    MESSAGE,
    PRIORITY,
    RAISED,
    RESPONSE,
    STATE,
    occurrence_row,
)

CUSTOM = "custom"
_STATE_WORDS = {
    HistoryState.ACTIVE: QT_TRANSLATE_NOOP("AlarmHistoryView", "still active"),
    HistoryState.UNACKNOWLEDGED: QT_TRANSLATE_NOOP("AlarmHistoryView", "unacknowledged"),
    HistoryState.CLEARED: QT_TRANSLATE_NOOP("AlarmHistoryView", "cleared"),
    HistoryState.SHELVED: QT_TRANSLATE_NOOP("AlarmHistoryView", "was shelved"),
    HistoryState.SUPPRESSED: QT_TRANSLATE_NOOP("AlarmHistoryView", "was suppressed"),
    HistoryState.OUT_OF_SERVICE: QT_TRANSLATE_NOOP("AlarmHistoryView", "was out of service"),
}


AREA_CHARS = 16  # "Compressor house" whole at 1366 px: the text filters give the room


class AlarmHistoryView(QWidget):
    query_requested = Signal(object, int)  # HistoryFilter, page (from 0)
    trend_requested = Signal(str, float)  # the alarm's source (a tag), the time it was raised
    map_requested = Signal(str)  # the alarm's source

    def __init__(
        self,
        shifts: ShiftPattern,
        areas: Sequence[tuple[str, str]],
        now: Callable[[], float],
        trendable: Collection[str] = (),
        parent: QWidget | None = None,
    ) -> None:
        """`areas`: (id, name) of the site's areas; `trendable`: the sources that have a trend."""
        super().__init__(parent)
        self.shifts, self.now, self.trendable = shifts, now, frozenset(trendable)
        self.filter: HistoryFilter | None = None  # of the page shown (or asked for)
        self.page: HistoryPage | None = None
        self.period_combo = self._combo(self.tr("Period"))
        for period, text in (
            (Period.THIS_SHIFT, self.tr("This shift")),
            (Period.LAST_SHIFT, self.tr("Last shift")),
            (Period.LAST_24_H, self.tr("Last 24 h")),
            (Period.LAST_7_D, self.tr("Last 7 days")),
            (CUSTOM, self.tr("From – to…")),
        ):
            self.period_combo.addItem(text, period)
        self.since_edit, self.until_edit = self._time_edit(), self._time_edit()
        self.area_combo = self._combo(self.tr("Only the alarms of this area"), self.tr("any area"))
        self.area_combo.setMinimumContentsLength(AREA_CHARS)
        self.area_names = dict(areas)
        for area_id, name in areas:
            self.area_combo.addItem(name, area_id)
        self.tier_combo = self._combo(self.tr("Only the alarms of this tier"), self.tr("any tier"))
        for tier in Tier:
            self.tier_combo.addItem(TIER_LOOKS[tier].name, tier)
        self.state_combo = self._combo(self.tr("How the occurrences stand"), self.tr("any state"))
        for state, word in _STATE_WORDS.items():
            self.state_combo.addItem(self.tr(word), state)
        self.actor_combo = self._combo(self.tr("Only the occurrences this user acted on"), self.tr("anyone"))
        self.tag_edit = self._line(self.tr("tag or alarm"), self.tr("Part of the alarm's id or its tag"))
        self.text_edit = self._line(self.tr("text"), self.tr("Part of the message or of a comment"))
        self.show_button = QPushButton(self.tr("Show"))
        self.show_button.setToolTip(self.tr("The newest occurrences that match, read again"))
        self.model = KeyedTableModel(COLUMNS, CONTEXT, align_right=(RESPONSE,))
        self.proxy = KeyedSortFilterProxy(self.model)
        samples = {
            RAISED: "12-07 20:00",
            PRIORITY: "T1 Urgent",
            ALARM: "GD-CH-01.HH",
            AREA: "Compressor house",
            MESSAGE: "",
            ACKNOWLEDGED: "li.wei +1 min 30 s",
            CLEARED: "12-07 20:00",
            HIDDEN: "Shelved anna 1 h",
            RESPONSE: "5 min 30 s",
            STATE: "Returned, unacknowledged",
        }
        elide = (ALARM, AREA, MESSAGE, ACKNOWLEDGED, HIDDEN, STATE)
        self.table = keyed_table(self.proxy, samples, MESSAGE, self, icon_columns=(PRIORITY,), elide=elide)
        self.table.setSortingEnabled(False)  # newest first, as paged: a page sorted alone would mislead
        self.previous_button = QPushButton(self.tr("Newer"))
        self.previous_button.setToolTip(self.tr("The previous page: newer occurrences"))
        self.next_button = QPushButton(self.tr("Older"))
        self.next_button.setToolTip(self.tr("The next page: older occurrences"))
        self.page_label = ElidedLabel()  # may quote the store's error
        self.trend_button = QPushButton(self.tr("Open trend at this time"))
        self.trend_button.setToolTip(self.tr("The alarm's tag around the moment it was raised (Enter)"))
        self.map_button = QPushButton(self.tr("Show on map"))
        self.map_button.setToolTip(self.tr("Centre the map on where the alarm came from"))
        self._wire()
        self._lay_out()
        self._period_chosen()
        self._update_buttons()

    def _combo(self, tip: str, anything: str | None = None) -> QComboBox:
        combo = QComboBox()
        combo.setToolTip(tip)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(8)  # long names elide: the row never widens the window
        if anything is not None:
            combo.addItem(anything, None)
        return combo

    def _line(self, placeholder: str, tip: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setPlaceholderText(placeholder)
        edit.setToolTip(tip)
        edit.setClearButtonEnabled(True)
        edit.setMinimumWidth(60)
        return edit

    def _time_edit(self) -> QDateTimeEdit:
        edit = QDateTimeEdit()
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        return edit

    def _wire(self) -> None:
        self.period_combo.currentIndexChanged.connect(self._period_chosen)
        self.period_combo.activated.connect(self._period_activated)
        for combo in (self.area_combo, self.tier_combo, self.state_combo, self.actor_combo):
            combo.activated.connect(lambda _=0: self.show_newest())
        for edit in (self.tag_edit, self.text_edit):
            edit.returnPressed.connect(self.show_newest)
        self.show_button.clicked.connect(self.show_newest)
        self.previous_button.clicked.connect(lambda: self._turn(-1))
        self.next_button.clicked.connect(lambda: self._turn(1))
        self.trend_button.clicked.connect(self.open_trend)
        self.map_button.clicked.connect(self.show_on_map)
        self.table.activated.connect(lambda _: self.open_trend())  # Enter (or a double click) on a row
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)

    def _lay_out(self) -> None:
        filters = QHBoxLayout()
        for widget in (
            self.period_combo,
            self.since_edit,
            self.until_edit,
            self.area_combo,
            self.tier_combo,
            self.state_combo,
            self.actor_combo,
        ):
            filters.addWidget(widget)
        filters.addWidget(self.tag_edit, 1)
        filters.addWidget(self.text_edit, 1)
        filters.addWidget(self.show_button)
        footer = QHBoxLayout()
        footer.addWidget(self.previous_button)
        footer.addWidget(self.next_button)
        footer.addWidget(self.page_label, 1)
        footer.addWidget(self.trend_button)
        footer.addWidget(self.map_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(footer)

    # -- asking -------------------------------------------------------------------------------------------

    def show_period(self, period: Period) -> None:
        """Choose `period` and show its newest occurrences."""
        self.period_combo.setCurrentIndex(self.period_combo.findData(period))
        self.show_newest()

    def show_newest(self) -> None:
        """The first page of what the period and filters choose now."""
        self._ask(0)

    def refresh(self) -> None:
        """Fresh whenever it comes into view (opened, back from a trend): the period as it stands now (this
        shift has moved on), on the page the shift lead was at."""
        self._ask(0 if self.page is None else self.page.page)

    def _ask(self, page: int) -> None:
        since, until = self._period()
        tier, state = self.tier_combo.currentData(), self.state_combo.currentData()
        self.filter = HistoryFilter(
            since=since,
            until=until,
            area=self.area_combo.currentData() or "",
            tier=None if tier is None else Tier(tier),  # Qt hands an enum back as its plain value
            tag=self.tag_edit.text().strip(),
            state=None if state is None else HistoryState(state),
            actor=self.actor_combo.currentData() or "",
            text=self.text_edit.text().strip(),
        )
        self.page_label.setText(self.tr("reading…"))
        self.query_requested.emit(self.filter, page)

    def _turn(self, pages: int) -> None:
        if self.filter is not None and self.page is not None:
            self.page_label.setText(self.tr("reading…"))
            self.query_requested.emit(self.filter, self.page.page + pages)

    def _period(self) -> tuple[float, float]:
        chosen = self.period_combo.currentData()
        if chosen == CUSTOM:
            return (
                self.since_edit.dateTime().toSecsSinceEpoch(),
                self.until_edit.dateTime().toSecsSinceEpoch(),
            )
        return self.shifts.period(Period(chosen), self.now())

    def _period_chosen(self) -> None:
        """Dates to pick for a custom period, starting from the period shown."""
        custom = self.period_combo.currentData() == CUSTOM
        if custom:
            since, until = (
                (self.filter.since, self.filter.until) if self.filter else (self.now() - DAY_S, self.now())
            )
            self.since_edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(since)))
            self.until_edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(until)))
        self.since_edit.setVisible(custom)
        self.until_edit.setVisible(custom)

    def _period_activated(self) -> None:
        """A period picked shows at once; custom dates wait for Show."""
        if self.period_combo.currentData() != CUSTOM:
            self.show_newest()

    # -- showing ------------------------------------------------------------------------------------------

    def set_page(self, page: HistoryPage) -> None:
        """Show a page the console read for `self.filter`."""
        self.page = page
        now = self.now()
        self.model.set_rows([occurrence_row(o, now, self.area_names) for o in page.rows])
        if page.total:
            first = page.page * page.page_size + 1
            self.page_label.setText(
                self.tr("{first}–{last} of {total} occurrences").format(
                    first=first, last=first + len(page.rows) - 1, total=page.total
                )
            )
        else:
            self.page_label.setText(self.tr("No alarm occurrences match"))
        self.previous_button.setEnabled(page.page > 0)
        self.next_button.setEnabled(page.page + 1 < page.pages)
        if page.rows and not self.table.selectionModel().hasSelection():
            self.table.selectRow(0)
        self._update_buttons()

    def set_actors(self, actors: Sequence[str]) -> None:
        """Who acted on alarms in the period, for the filter (the choice made is kept)."""
        chosen = self.actor_combo.currentData()
        self.actor_combo.blockSignals(True)
        while self.actor_combo.count() > 1:
            self.actor_combo.removeItem(1)
        for actor in sorted({*actors, *([chosen] if chosen else [])}):
            self.actor_combo.addItem(actor, actor)
        self.actor_combo.setCurrentIndex(max(0, self.actor_combo.findData(chosen)))
        self.actor_combo.blockSignals(False)

    def set_error(self, text: str) -> None:
        self.page_label.setText(self.tr("not read: {0}").format(text))

    # -- a row --------------------------------------------------------------------------------------------

    def selected(self) -> Occurrence | None:
        key = self.proxy.selected(self.table)
        if key is None:
            return None
        row = self.model.row_of(key)
        return None if row is None else self.model.row_at(row).record  # type: ignore[return-value]

    def select(self, key: int) -> bool:
        return self.proxy.select(self.table, str(key))

    def open_trend(self) -> None:
        """The selected alarm's tag, trended around the time it was raised."""
        occurrence = self.selected()
        if occurrence is not None and occurrence.source in self.trendable:
            self.trend_requested.emit(occurrence.source, occurrence.raised)

    def show_on_map(self) -> None:
        occurrence = self.selected()
        if occurrence is not None:
            self.map_requested.emit(occurrence.source)

    def _update_buttons(self) -> None:
        occurrence = self.selected()
        self.map_button.setEnabled(occurrence is not None)
        self.trend_button.setEnabled(occurrence is not None and occurrence.source in self.trendable)
