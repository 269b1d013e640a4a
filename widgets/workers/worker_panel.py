"""The worker list: every worker of the site with zone, age of the last fix, battery, heart rate and alerts.

Reads the live worker arrays (`plant_maps.state.WorkerTable`, or a copy with the same fields) and the
tier-1 wearable alerts as snapshots, about once a second; a double-click or Enter emits the worker id,
so the console can open the worker's details and show the worker on the map. Only abnormal cells are
marked, each by the tier of the rule it breaks (plant_maps.alarm_rules): an SOS or man-down tier 1, a
heart rate out of range tier 2, a low battery tier 3; an old fix is written "(stale)". Workers in alert
sort first. All methods run on the Qt thread.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, QModelIndex, QPoint, Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from alarms.definitions import Tier
from plant_maps.site import Site, Worker
from plant_maps.worker_rules import WorkerRuleSettings
from widgets.common.keyed_table import KeyedSortFilterProxy, KeyedTableModel, Row, keyed_table, row_context
from widgets.common.time_text import ago_text
from widgets.common.wearable_response import alert_word

COLUMNS = (
    QT_TRANSLATE_NOOP("WorkerPanel", "Worker"),
    QT_TRANSLATE_NOOP("WorkerPanel", "Name"),
    QT_TRANSLATE_NOOP("WorkerPanel", "Company"),
    QT_TRANSLATE_NOOP("WorkerPanel", "Zone"),
    QT_TRANSLATE_NOOP("WorkerPanel", "Last fix"),
    QT_TRANSLATE_NOOP("WorkerPanel", "Battery"),
    QT_TRANSLATE_NOOP("WorkerPanel", "Heart rate"),
    QT_TRANSLATE_NOOP("WorkerPanel", "Alerts"),
)
WORKER, NAME, COMPANY, ZONE, LAST_FIX, BATTERY, HEART_RATE, ALERTS = range(len(COLUMNS))
COLUMN_SAMPLES = {
    WORKER: "W000",
    NAME: "Zhang Xiaoming",
    COMPANY: "Contractor A",
    ZONE: "Compressor house",
    LAST_FIX: "59 min ago (stale)",
    BATTERY: "100 %",
    HEART_RATE: "180 bpm",
}
DEFAULT_STALE_AFTER_S = 10.0  # README [workers] stale_after_s
OUTSIDE = "-"  # the zone filter's "outside every zone"
NOT_LOCATED = "?"  # the zone filter's "never located"
SHOW_FILTERS = (
    QT_TRANSLATE_NOOP("WorkerPanel", "All workers"),
    QT_TRANSLATE_NOOP("WorkerPanel", "In alert"),
    QT_TRANSLATE_NOOP("WorkerPanel", "No recent fix"),
    QT_TRANSLATE_NOOP("WorkerPanel", "Low battery"),
    QT_TRANSLATE_NOOP("WorkerPanel", "Heart rate out of range"),
)


class LiveWorkers(Protocol):
    """Every worker's latest fix and vitals by site row (NaN: unknown; `fix_ts` 0: never located;
    `zone` the zone row, -1 outside every zone). `plant_maps.state.WorkerTable` is one."""

    x: np.ndarray
    y: np.ndarray
    fix_ts: np.ndarray
    zone: np.ndarray
    battery: np.ndarray
    heart_rate: np.ndarray


@dataclass(frozen=True, slots=True)
class WorkerRecord:
    """One worker's row as the filters see it."""

    worker: str
    zone: str  # zone id, OUTSIDE or NOT_LOCATED
    alert: str
    stale: bool
    low_battery: bool
    heart_rate_off: bool
    words: str  # what the text filter searches, casefolded


class WorkerPanel(QWidget):
    """The worker list with its filter bar; `now` is the console's clock (epoch seconds)."""

    context_requested = Signal(str, QPoint)  # right-click on a row: its worker id, where (global)
    worker_activated = Signal(
        str
    )  # a click, double-click or Enter: open the details, show the worker on the map

    def __init__(
        self,
        site: Site,
        now: Callable[[], float] = time.time,
        stale_after_s: float = DEFAULT_STALE_AFTER_S,
        settings: WorkerRuleSettings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.site = site
        self.stale_after_s = stale_after_s
        self.settings = settings or WorkerRuleSettings()
        self._now = now
        # What never changes for a worker, cased and joined once rather than on every refresh.
        self._static = {
            w.id: (
                w.name.casefold(),
                w.company.casefold(),
                " ".join((w.id, w.name, w.company, w.role)).casefold(),
                f"{w.name}, {w.role}",
            )
            for w in site.workers
        }
        self.model = KeyedTableModel(COLUMNS, "WorkerPanel", align_right=(LAST_FIX, BATTERY, HEART_RATE))
        self.proxy = KeyedSortFilterProxy(self.model)
        self.text_filter = QLineEdit()
        self.text_filter.setPlaceholderText(self.tr("Filter by id, name, company or role"))
        self.text_filter.setClearButtonEnabled(True)
        self.zone_filter = QComboBox()
        self.zone_filter.addItem(self.tr("All zones"), None)
        for zone in site.zones:
            self.zone_filter.addItem(zone.name, zone.id)
        self.zone_filter.addItem(self.tr("Outside every zone"), OUTSIDE)
        self.zone_filter.addItem(self.tr("Never located"), NOT_LOCATED)
        self.show_filter = QComboBox()
        self.show_filter.addItems([self.tr(text) for text in SHOW_FILTERS])
        self.count_label = QLabel()
        for combo in (self.zone_filter, self.show_filter):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.currentIndexChanged.connect(self._apply_filter)
        self.text_filter.textChanged.connect(self._apply_filter)
        self.table = keyed_table(self.proxy, COLUMN_SAMPLES, ALERTS, self)
        self.table.sortByColumn(ALERTS, Qt.SortOrder.AscendingOrder)
        self.table.activated.connect(self._activated)
        # one click opens it, as an operator expects of a list beside the map
        self.table.clicked.connect(self._activated)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(
            lambda pos: row_context(
                self.table, self.proxy, pos, self.worker_activated.emit, self.context_requested
            )
        )
        self._lay_out()
        self._apply_filter()

    # --- data in -------------------------------------------------------------------------------------------

    def update_workers(self, workers: LiveWorkers, alerts: Mapping[str, str] | None = None) -> None:
        """The latest arrays of every site worker, and the tier-1 wearable alerts by worker id ("SOS",
        "MAN DOWN": the same mapping the map's `set_worker_alerts` takes)."""
        now, alerts = self._now(), alerts or {}
        # Python lists, not numpy scalars, cell by cell. Measured: a refresh of 2,000 workers ~35 ms, of
        # 10,000 ~150 ms (rows, diff and re-sort): refresh about once a second, not at the map's rate.
        columns = zip(
            self.site.workers,
            workers.x.tolist(),
            workers.fix_ts.tolist(),
            workers.zone.tolist(),
            workers.battery.tolist(),
            workers.heart_rate.tolist(),
            strict=True,
        )
        self.model.set_rows([self._row(*c, alerts.get(c[0].id, ""), now) for c in columns])
        self._update_count()

    # --- what the operator sees and picks ------------------------------------------------------------------

    def visible_workers(self) -> list[str]:
        """The worker ids as listed, top to bottom, after filter and sort."""
        return [row.key for row in self.proxy.rows()]

    def cell_text(self, worker_id: str, column: int) -> str:
        row = self.model.row_of(worker_id)
        return "" if row is None else self.model.row_at(row).texts[column]

    def cell_marked(self, worker_id: str, column: int) -> Tier | None:
        """The tier mark drawn in a cell (None: a calm cell)."""
        row = self.model.row_of(worker_id)
        marks = dict(self.model.row_at(row).marks) if row is not None else {}
        return marks.get(column)

    def select_worker(self, worker_id: str) -> bool:
        """Select and scroll to a worker (clicked on the map); False when it is not listed (filtered out)."""
        return self.proxy.select(self.table, worker_id)

    def selected_worker(self) -> str | None:
        return self.proxy.selected(self.table)

    # --- inside --------------------------------------------------------------------------------------------

    def _row(
        self,
        worker: Worker,
        x: float,
        fix_ts: float,
        zone_row: int,
        battery: float,
        heart_rate: float,
        alert: str,
        now: float,
    ) -> Row:
        s = self.settings
        name_key, company_key, words, who = self._static[worker.id]
        located = fix_ts > 0 and math.isfinite(x)
        if not located:
            zone_id, zone = NOT_LOCATED, self.tr("never located")
        elif zone_row < 0:
            zone_id, zone = OUTSIDE, self.tr("outside zones")
        else:
            zone_id, zone = self.site.zones[zone_row].id, self.site.zones[zone_row].name
        age = now - fix_ts if located else math.inf
        stale = located and age > self.stale_after_s
        if not located:
            fix = self.tr("never")
        else:
            fix = self.tr("{ago} (stale)").format(ago=ago_text(age)) if stale else ago_text(age)
        low = battery < s.low_battery_pct  # NaN: unknown, not low
        off = not s.heart_rate_min <= heart_rate <= s.heart_rate_max if math.isfinite(heart_rate) else False
        marks = []
        bold = set()
        if alert:
            marks.append((ALERTS, Tier.LIFE))
            bold |= {WORKER, NAME, ALERTS}
        if off:
            marks.append((HEART_RATE, Tier.HIGH))
            bold.add(HEART_RATE)
        if low:
            marks.append((BATTERY, Tier.LOW))
            bold.add(BATTERY)
        if stale:
            bold.add(LAST_FIX)
        return Row(
            key=worker.id,
            texts=(
                worker.id,
                worker.name,
                worker.company,
                zone,
                fix,
                f"{battery:.0f} %" if math.isfinite(battery) else "—",
                f"{heart_rate:.0f} bpm" if math.isfinite(heart_rate) else "—",
                alert_word(alert),
            ),
            keys=(
                worker.id,
                name_key,
                company_key,
                zone.casefold(),
                age,
                battery if math.isfinite(battery) else math.inf,
                heart_rate if math.isfinite(heart_rate) else math.inf,
                (0, alert) if alert else (1, ""),
            ),
            record=WorkerRecord(
                worker.id,
                zone_id,
                alert,
                stale,
                low,
                off,
                words,
            ),
            tooltips=(
                who,
                "",
                "",
                "",
                self.tr("no position fix yet")
                if not located
                else self.tr("last fix {ago}").format(ago=ago_text(age)),
                self.tr("low: below {pct:g} %").format(pct=s.low_battery_pct) if low else "",
                self.tr("outside {low:g}-{high:g} bpm").format(low=s.heart_rate_min, high=s.heart_rate_max)
                if off
                else "",
                self.tr("{alert} (tier 1)").format(alert=alert_word(alert)) if alert else "",
            ),
            bold=frozenset(bold),
            marks=tuple(marks),
            default_key=(worker.id,),
        )

    def _lay_out(self) -> None:
        filters = QHBoxLayout()
        for label, widget in ((self.tr("Zone"), self.zone_filter), (self.tr("Show"), self.show_filter)):
            filters.addWidget(QLabel(label))
            filters.addWidget(widget)
            filters.addSpacing(8)
        filters.addWidget(self.text_filter, 1)
        filters.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)

    def _apply_filter(self) -> None:
        zone, show = self.zone_filter.currentData(), self.show_filter.currentIndex()
        needle = self.text_filter.text().strip().casefold()
        wanted: Callable[[WorkerRecord], bool] = (
            lambda r: True,
            lambda r: bool(r.alert),
            lambda r: r.stale or r.zone == NOT_LOCATED,
            lambda r: r.low_battery,
            lambda r: r.heart_rate_off,
        )[show]

        def accepts(row: Row) -> bool:
            r = row.record
            assert isinstance(r, WorkerRecord)
            return (zone is None or r.zone == zone) and wanted(r) and (not needle or needle in r.words)

        self.proxy.set_filter(accepts)
        self._update_count()

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count_label.setText(
            self.tr("{n} workers").format(n=shown)
            if shown == total
            else self.tr("{n} of {total} workers").format(n=shown, total=total)
        )

    def _activated(self, index: QModelIndex) -> None:
        self.worker_activated.emit(self.proxy.row(index.row()).key)
