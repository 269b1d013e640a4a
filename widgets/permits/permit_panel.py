"""The permit list: every GB 30871 permit of the site with its state, filtered by text, zone, state, category.

Reads the permit book's statuses (and its SIMOPS flags) as snapshots; a double-click or Enter on a row
emits the permit id, so the console can open the permit card and show the permit on the map. Suspended
permits sort first and are the only ones marked (bold, with the tier-2 amber diamond): ISA-101, the rest
are grey. All methods run on the Qt thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QModelIndex, QPoint, Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from plant_maps.permit_lifecycle import LIVE, TERMINAL, PermitState
from plant_maps.permits import PermitStatus
from plant_maps.simops import SimopsFlag
from plant_maps.site import PERMIT_CATEGORIES, Site
from widgets.common.keyed_table import KeyedSortFilterProxy, KeyedTableModel, Row, keyed_table, row_context
from widgets.common.permit_look import (
    STATE_LOOKS,
    category_code,
    category_grade_text,
    category_text,
    grade_text,
    graded,
)
from widgets.common.time_text import day_clock_text, remaining_text

COLUMNS = (
    QT_TRANSLATE_NOOP("PermitPanel", "Permit"),
    QT_TRANSLATE_NOOP("PermitPanel", "Category"),
    QT_TRANSLATE_NOOP("PermitPanel", "Zone"),
    QT_TRANSLATE_NOOP("PermitPanel", "State"),
    QT_TRANSLATE_NOOP("PermitPanel", "Guardian"),
    QT_TRANSLATE_NOOP("PermitPanel", "Valid to"),
    QT_TRANSLATE_NOOP("PermitPanel", "People"),
    QT_TRANSLATE_NOOP("PermitPanel", "Flags"),
)
PERMIT, CATEGORY, ZONE, STATE, GUARDIAN, VALID_TO, PEOPLE, FLAGS = range(len(COLUMNS))
COLUMN_SAMPLES = {
    PERMIT: "PTW-HW-001",
    CATEGORY: "TE Temporary electricity",
    ZONE: "Compressor house",
    STATE: "Pending approval",
    GUARDIAN: "Zhang Min (W02)",
    VALID_TO: "16:30 · 5 h 12 min left",
    PEOPLE: "People",
}

# The state filter's choices besides one per state, in the order of the combo box; None: every state.
OPEN, LIVE_STATES, ENDED, ALL_STATES = (
    (QT_TRANSLATE_NOOP("PermitPanel", "Open (not ended)"), frozenset(PermitState) - TERMINAL),
    (QT_TRANSLATE_NOOP("PermitPanel", "Live (approved, active, suspended)"), LIVE),
    (QT_TRANSLATE_NOOP("PermitPanel", "Ended (closed, expired, cancelled)"), TERMINAL),
    (QT_TRANSLATE_NOOP("PermitPanel", "All states"), None),
)


def state_filters() -> list[tuple[str, frozenset[PermitState] | None]]:
    """The state filter's choices in the operator's words: open, live, each state (as the permit's state
    reads), ended, all."""

    def tr(choice: tuple[str, frozenset[PermitState] | None]) -> tuple[str, frozenset[PermitState] | None]:
        return QCoreApplication.translate("PermitPanel", choice[0]), choice[1]

    by_rank = sorted(PermitState, key=lambda s: STATE_LOOKS[s].rank)
    return [
        tr(OPEN),
        tr(LIVE_STATES),
        *((STATE_LOOKS[s].text, frozenset({s})) for s in by_rank),
        tr(ENDED),
        tr(ALL_STATES),
    ]


COMBO_CHARS = 11


@dataclass(frozen=True, slots=True)
class PermitFilter:
    """What the filter bar lets through; None (or empty text) lets everything through."""

    zone: str | None = None
    category: str | None = None
    states: frozenset[PermitState] | None = None
    text: str = ""  # case-insensitive, in the id, title and the names and ids of its people

    def accepts(self, status: PermitStatus, words: str) -> bool:
        if self.zone is not None and status.permit.zone != self.zone:
            return False
        if self.category is not None and status.permit.category != self.category:
            return False
        if self.states is not None and status.state not in self.states:
            return False
        return not self.text or self.text.casefold() in words


@dataclass(frozen=True, slots=True)
class _Record:
    status: PermitStatus
    words: str  # what the text filter searches, casefolded


class PermitPanel(QWidget):
    """The permit list with its filter bar; `now` is the console's clock (epoch seconds)."""

    context_requested = Signal(str, QPoint)  # right-click on a row: its permit id, where (global)
    permit_activated = Signal(str)  # a click, double-click or Enter: open the card, show it on the map

    def __init__(
        self, site: Site, now: Callable[[], float] = time.time, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.site = site
        self._now = now
        self._names = {w.id: w.name for w in site.workers}
        self.model = KeyedTableModel(COLUMNS, "PermitPanel", align_right=(PEOPLE,))
        self.proxy = KeyedSortFilterProxy(self.model)
        self.text_filter = QLineEdit()
        self.text_filter.setPlaceholderText(self.tr("Filter by permit, title or person"))
        self.text_filter.setClearButtonEnabled(True)
        self.zone_filter = QComboBox()
        self.zone_filter.addItem(self.tr("All zones"), None)
        for zone in site.zones:
            self.zone_filter.addItem(zone.name, zone.id)
        self.state_filter = QComboBox()
        for label, states in state_filters():
            self.state_filter.addItem(label, states)
        self.category_filter = QComboBox()
        self.category_filter.addItem(self.tr("All categories"), None)
        for category in PERMIT_CATEGORIES:
            self.category_filter.addItem(category_text(category), category)
        self.count_label = QLabel()
        for combo in (self.zone_filter, self.state_filter, self.category_filter):
            # narrow when closed, so the panel fits beside the map; the open list shows whole names
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(COMBO_CHARS)
            combo.view().setMinimumWidth(combo.view().sizeHintForColumn(0) + 24)
            combo.currentIndexChanged.connect(self._apply_filter)
        self.text_filter.textChanged.connect(self._apply_filter)
        # In a dock beside the map (about 570 px at 1366x768) the id, state and head count stay whole; the
        # long texts end in "…" (whole in the tooltip) rather than push the state out of sight.
        self.table = keyed_table(
            self.proxy,
            COLUMN_SAMPLES,
            FLAGS,
            self,
            icon_columns={STATE},
            elide=(CATEGORY, ZONE, GUARDIAN, VALID_TO, FLAGS),
        )
        self.table.sortByColumn(STATE, Qt.SortOrder.AscendingOrder)
        self.table.activated.connect(self._activated)
        # one click opens it, as an operator expects of a list beside the map
        self.table.clicked.connect(self._activated)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(
            lambda pos: row_context(
                self.table, self.proxy, pos, self.permit_activated.emit, self.context_requested
            )
        )
        self._lay_out()
        self._apply_filter()

    # --- data in -------------------------------------------------------------------------------------------

    def set_permits(self, statuses: Sequence[PermitStatus], simops: Sequence[SimopsFlag] = ()) -> None:
        """Show the book's permits now (all of them: the state filter chooses), with the SIMOPS flags."""
        now = self._now()
        flags: dict[str, list[SimopsFlag]] = {}
        for flag in simops:
            flags.setdefault(flag.first, []).append(flag)
            flags.setdefault(flag.second, []).append(flag)
        self.model.set_rows([self._row(s, flags.get(s.id, []), now) for s in statuses])
        self._update_count()

    # --- what the operator sees and picks ------------------------------------------------------------------

    def visible_permits(self) -> list[str]:
        """The permit ids as listed, top to bottom, after filter and sort."""
        return [row.key for row in self.proxy.rows()]

    def cell_text(self, permit_id: str, column: int) -> str:
        row = self.model.row_of(permit_id)
        return "" if row is None else self.model.row_at(row).texts[column]

    def select_permit(self, permit_id: str) -> bool:
        """Select and scroll to a permit (clicked on the map); False when it is not listed (filtered out)."""
        return self.proxy.select(self.table, permit_id)

    def selected_permit(self) -> str | None:
        return self.proxy.selected(self.table)

    # --- inside --------------------------------------------------------------------------------------------

    def _row(self, s: PermitStatus, simops: list[SimopsFlag], now: float) -> Row:
        p, look = s.permit, STATE_LOOKS[s.state]
        zone = self.site.zone(p.zone).name if p.zone in self.site.zone_index else p.zone
        guardian = self._person(p.guardian)
        people = tuple(dict.fromkeys((*p.workers, p.guardian)))
        grade = grade_text(p.grade)
        category = category_text(p.category) + (f" ({grade})" if graded(p.grade) else "")
        valid = day_clock_text(s.end, now)
        if s.state not in TERMINAL:
            valid += f" · {remaining_text(s.end, now)}"
        flags, flag_tips = [], []
        if simops:
            others = sorted({f.second if f.first == s.id else f.first for f in simops})
            flags.append(self.tr("SIMOPS: {permits}").format(permits=", ".join(others)))
            flag_tips += [f.explanation for f in simops]
        if s.gas_verdict is not None and not s.gas_verdict.passed:
            flags.append(self.tr("gas test failed"))
            flag_tips += list(s.gas_verdict.failures)
        state_tip = look.text
        if s.state is PermitState.SUSPENDED:
            state_tip = self.tr("Suspended since {time}: {reason}").format(
                time=day_clock_text(s.since, now), reason=s.reason or self.tr("no reason recorded")
            )
        words = " ".join(
            (p.id, p.title, p.applicant, self._names.get(p.applicant, ""), *(self._person(w) for w in people))
        ).casefold()
        bold = {STATE} if s.state is PermitState.SUSPENDED else set()
        if simops:
            bold.add(FLAGS)
        return Row(
            key=s.id,
            texts=(p.id, category, zone, look.text, guardian, valid, str(len(people)), " · ".join(flags)),
            keys=(
                p.id,
                category_code(p.category),
                zone.casefold(),
                look.rank,
                guardian.casefold(),
                s.end,
                len(people),
                (0 if flags else 1, " ".join(flags)),
            ),
            record=_Record(s, words),
            tooltips=(
                p.title,
                category_grade_text(p.category, p.grade),
                "",
                state_tip,
                "",
                self.tr("Valid {start} to {end}").format(
                    start=day_clock_text(p.valid_from.timestamp(), now), end=day_clock_text(s.end, now)
                ),
                self.tr("Workers: {workers}; guardian {guardian}").format(
                    workers=", ".join(self._person(w) for w in p.workers), guardian=guardian
                ),
                "\n".join(flag_tips),
            ),
            bold=frozenset(bold),
            marks=((STATE, look.tier),) if look.tier is not None else (),
            default_key=(look.rank, s.end),
        )

    def _person(self, worker_id: str) -> str:
        name = self._names.get(worker_id)
        return f"{name} ({worker_id})" if name else worker_id

    def _lay_out(self) -> None:
        filters = QHBoxLayout()
        for label, widget in (
            (self.tr("Zone"), self.zone_filter),
            (self.tr("State"), self.state_filter),
            (self.tr("Category"), self.category_filter),
        ):
            filters.addWidget(QLabel(label))
            filters.addWidget(widget)
            filters.addSpacing(8)
        filters.addStretch(1)
        search = QHBoxLayout()  # a row of its own: the panel stays narrow enough to sit beside the map
        search.addWidget(self.text_filter, 1)
        search.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addLayout(filters)
        layout.addLayout(search)
        layout.addWidget(self.table, 1)

    def _apply_filter(self) -> None:
        chosen = PermitFilter(
            zone=self.zone_filter.currentData(),
            category=self.category_filter.currentData(),
            states=self.state_filter.currentData(),
            text=self.text_filter.text().strip(),
        )

        def accepts(row: Row) -> bool:
            record = row.record
            assert isinstance(record, _Record)
            return chosen.accepts(record.status, record.words)

        self.proxy.set_filter(accepts)
        self._update_count()

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count_label.setText(
            self.tr("{n} permits").format(n=shown)
            if shown == total
            else self.tr("{n} of {total} permits").format(n=shown, total=total)
        )

    def _activated(self, index: QModelIndex) -> None:
        self.permit_activated.emit(self.proxy.row(index.row()).key)
