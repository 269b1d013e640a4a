"""The muster board: during an evacuation, how many are expected, accounted for and missing, and who.

Counts are written large enough to read across the control room. Missing people are the emergency
coordinator's tier-1 question, so a missing count above zero carries the tier-1 mark (red inverted
triangle) and bold text; when everyone is accounted for it says so, in grey. The missing list shows each
person's last known zone and position and how old that fix is, the most urgent first (the order
`plant_maps.muster.Muster.missing` gives). The board is laid out tight so that, in the column of a
1366x768 window, the list shows MISSING_ROWS rows whole (`height_for_rows` says what that takes, for the
window to make room); every text on it is elided, never widening the window. A double-click or "Show on map" emits the worker id; "Head count" emits it for a warden's count;
"End muster…" asks to end it. All methods run on the Qt thread.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

from PySide6.QtCore import QT_TRANSLATE_NOOP, QModelIndex, Qt, Signal, SignalInstance
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from alarms.definitions import Tier
from plant_maps.muster import OVERDUE_CRITICAL_S, OVERDUE_WARNING_S, MissingWorker, MusterCounts, Overdue
from plant_maps.site import Site
from widgets.common.keyed_table import KeyedSortFilterProxy, KeyedTableModel, Row, keyed_table
from widgets.common.panel_look import command_button, set_bold
from widgets.common.plain_text import ElidedLabel, plain_tooltip
from widgets.common.tiers import TierMarkers
from widgets.common.time_text import ago_text, clock_text, duration_text

COLUMNS = (
    QT_TRANSLATE_NOOP("MusterPanel", "Worker"),
    QT_TRANSLATE_NOOP("MusterPanel", "Name"),
    QT_TRANSLATE_NOOP("MusterPanel", "Last zone"),
    QT_TRANSLATE_NOOP("MusterPanel", "Last position"),
    QT_TRANSLATE_NOOP("MusterPanel", "Fix age"),
)
WORKER, NAME, LAST_ZONE, POSITION, FIX_AGE = range(len(COLUMNS))
COLUMN_SAMPLES = {
    WORKER: "W000",
    NAME: "Zhang Xiaoming",
    LAST_ZONE: "Compressor house",
    POSITION: "(388, 244) m",
    FIX_AGE: "never located",
}
COUNT_FONT_PX = 34
MISSING_ROWS = 8  # the coordinator's most important list: this many names in view while a muster runs
HEADCOUNT = "headcount"  # Muster's point id for a count by hand
_OVERDUE_TIER = {Overdue.WARNING: Tier.HIGH, Overdue.CRITICAL: Tier.LIFE}  # the shape before the age


class _Count(QFrame):
    """One big number with its caption beside it (one row of tiles leaves the height to the list)."""

    def __init__(self, caption: str) -> None:
        super().__init__()
        self.setObjectName("MusterCount")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.number = ElidedLabel("—")
        font = QFont(self.font())
        font.setPixelSize(COUNT_FONT_PX)
        font.setBold(True)
        self.number.setFont(font)
        self.number.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.mark = QLabel()
        self.mark.hide()
        self.caption = ElidedLabel(caption)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 0, 8, 0)
        layout.setSpacing(6)
        layout.addStretch(1)
        layout.addWidget(self.mark)
        layout.addWidget(self.number)
        layout.addWidget(self.caption)
        layout.addStretch(1)


class MusterPanel(QWidget):
    """Counts and the missing list of the muster in progress; `now` is the console's clock."""

    worker_activated = Signal(str)  # double-click or "Show on map"
    account_requested = Signal(str)  # a warden has seen this person: count them by hand
    end_requested = Signal()  # "End muster…": the console asks, naming how many are still missing
    started = Signal()  # a muster is shown where none was: the window makes room for the missing

    def __init__(
        self, site: Site, now: Callable[[], float] = time.time, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.site = site
        self._now = now
        self._markers = TierMarkers()
        self.status_label = ElidedLabel()
        set_bold(self.status_label, True)
        self.expected = _Count(self.tr("Expected"))
        self.accounted = _Count(self.tr("Accounted for"))
        self.missing = _Count(self.tr("Missing"))
        self.missing.mark.setPixmap(self._markers.pixmap(Tier.LIFE, 24, self.devicePixelRatioF()))
        self.by_point_label = ElidedLabel()  # how many each muster point (and head count) has accounted for
        self.running = False  # a muster is shown
        self.model = KeyedTableModel(COLUMNS, "MusterPanel", align_right=(FIX_AGE,))
        self.proxy = KeyedSortFilterProxy(self.model)
        self.table = keyed_table(
            self.proxy, COLUMN_SAMPLES, LAST_ZONE, self, icon_columns=(FIX_AGE,), stretch_min=100
        )
        self.table.setSortingEnabled(False)  # the muster's order: the longest unseen first
        self.proxy.sort(WORKER, Qt.SortOrder.AscendingOrder)  # every column's key is that order
        self.table.activated.connect(self._activated)
        self.table.selectionModel().selectionChanged.connect(self.update_buttons)
        self.map_button = command_button(self.tr("Show on map"))
        self.account_button = command_button(
            self.tr("Head count"),
            self.tr("A warden has seen this person: count them as accounted for (by head count)"),
        )
        self.end_button = command_button(
            self.tr("End muster…"), self.tr("Stop counting: asks first, saying how many are still missing")
        )
        self.end_button.clicked.connect(self.end_requested)
        self.map_button.clicked.connect(lambda: self._emit_selected(self.worker_activated))
        self.account_button.clicked.connect(lambda: self._emit_selected(self.account_requested))
        self._lay_out()
        self.set_muster(None, ())

    # --- data in -------------------------------------------------------------------------------------------

    def set_muster(
        self, counts: MusterCounts | None, missing: Sequence[MissingWorker], started_at: float | None = None
    ) -> None:
        """The muster's counts and missing list now (None: no muster in progress)."""
        now = self._now()
        was_running, self.running = self.running, counts is not None
        if counts is None:
            self.status_label.setText(self.tr("No muster in progress"))
            for tile in (self.expected, self.accounted, self.missing):
                tile.number.setText("—")
            self.missing.caption.setText(self.tr("Missing"))
            self._set_missing_look(False)
            self.by_point_label.setText("")
            self.end_button.setEnabled(False)
            self.model.set_rows([])
            self.update_buttons()
            return
        if started_at is None:
            self.status_label.setText(self.tr("Muster in progress"))
        else:
            self.status_label.setText(
                self.tr("Muster in progress since {time} ({span})").format(
                    time=clock_text(started_at), span=duration_text(now - started_at)
                )
            )
        self.expected.number.setText(str(counts.expected))
        self.accounted.number.setText(str(counts.accounted))
        self.missing.number.setText(str(counts.missing))
        self.missing.caption.setText(
            self.tr("Missing") if counts.missing else self.tr("Missing: all accounted for")
        )
        self._set_missing_look(counts.missing > 0)
        names = {m.id: m.name for m in self.site.muster_points} | {HEADCOUNT: self.tr("head count")}
        self.end_button.setEnabled(True)
        by_point = " · ".join(f"{names.get(point, point)} {n}" for point, n in counts.by_point.items())
        self.by_point_label.setText(by_point)
        self.by_point_label.setToolTip(
            plain_tooltip(
                self.tr("Accounted for at each muster point, and by head count: {0}").format(by_point)
            )
        )
        self.model.set_rows([self._row(i, m, now) for i, m in enumerate(missing)])
        self.update_buttons()
        if not was_running:
            self.started.emit()

    # --- what the operator sees ----------------------------------------------------------------------------

    def counts_text(self) -> tuple[str, str, str]:
        """(expected, accounted, missing) as written."""
        return self.expected.number.text(), self.accounted.number.text(), self.missing.number.text()

    def missing_marked(self) -> bool:
        """The missing count carries the tier-1 mark."""
        return not self.missing.mark.isHidden()

    def missing_worker(self, worker: str) -> MissingWorker | None:
        """The missing worker's row as given (None: not missing)."""
        rows = [r for r in self.proxy.rows() if r.key == worker]
        return rows[0].record if rows else None  # type: ignore[return-value]

    def missing_rows(self) -> list[tuple[str, ...]]:
        """The missing list as written, top to bottom."""
        return [row.texts for row in self.proxy.rows()]

    # --- inside --------------------------------------------------------------------------------------------

    def _row(self, order: int, m: MissingWorker, now: float) -> Row:
        seen = m.fix_age_s is not None and math.isfinite(m.x)
        zone = (
            self.site.zone(m.zone).name
            if m.zone in self.site.zone_index
            else (self.tr("outside zones") if seen else "—")
        )
        age = self.tr("never located") if m.fix_age_s is None else ago_text(m.fix_age_s)
        overdue = m.overdue  # the tier's shape before the age, in bold (the column keeps its width)
        tip = self.tr(
            "Overdue: unseen for {warning} min is a warning, for {critical} min (or never located) critical"
        ).format(warning=round(OVERDUE_WARNING_S / 60), critical=round(OVERDUE_CRITICAL_S / 60))
        return Row(
            key=m.worker,
            texts=(m.worker, m.name, zone, f"({m.x:.0f}, {m.y:.0f}) m" if seen else "—", age),
            keys=(order,) * len(COLUMNS),
            record=m,
            tooltips=("", "", "", "", tip),
            bold=frozenset({WORKER, NAME, *((FIX_AGE,) if overdue is not Overdue.NO else ())}),
            marks=((FIX_AGE, _OVERDUE_TIER[overdue]),) if overdue is not Overdue.NO else (),
        )

    def _set_missing_look(self, missing: bool) -> None:
        self.missing.mark.setVisible(missing)
        set_bold(self.missing.caption, missing)

    def height_for_rows(self, rows: int = MISSING_ROWS) -> int:
        """The board's height at which the list shows `rows` rows whole under its header."""
        table = self.table
        rows_px = (
            rows * table.verticalHeader().defaultSectionSize()
            + table.horizontalHeader().sizeHint().height()
            + 2 * table.frameWidth()
        )
        return self.layout().minimumSize().height() - table.minimumSizeHint().height() + rows_px

    def _lay_out(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.status_label, 1)
        top.addWidget(self.end_button)
        counts = QHBoxLayout()
        counts.setSpacing(6)
        for tile in (self.expected, self.accounted, self.missing):
            tile.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            counts.addWidget(tile)
        buttons = QHBoxLayout()
        buttons.addWidget(self.map_button)
        buttons.addWidget(self.account_button)
        buttons.addWidget(self.by_point_label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addLayout(counts)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

    def _selected(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return self.proxy.row(rows[0].row()).key if rows else None

    def update_buttons(self) -> None:
        chosen = self._selected() is not None
        self.map_button.setEnabled(chosen)
        self.account_button.setEnabled(chosen)

    def _emit_selected(self, signal: SignalInstance) -> None:
        worker = self._selected()
        if worker is not None:
            signal.emit(worker)

    def _activated(self, index: QModelIndex) -> None:
        self.worker_activated.emit(self.proxy.row(index.row()).key)
