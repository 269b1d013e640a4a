"""The alarm-system KPI page: a period and an area chosen, each KPI with its value, target and traffic light,
the charts, and the alarms standing or hidden at the period's end.

ISA-101 lights: a KPI that meets its target is plain grey ("met"); one that misses it shows the tier-2
amber diamond ("missed"), one far off the tier-1 red triangle ("far off"): colour only where something is
wrong, and the shape and the word say it without the colour. The page asks for a report
(`query_requested`); whoever reads the store answers with `set_report` (or `set_failure`). Qt thread only.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, QDateTime, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from alarms.definitions import Tier
from alarms.kpis import AlarmAtEnd, KpiReport, Light
from plant_maps.shifts import Period
from plant_maps.words import QT_TRANSLATE_NOOP
from widgets.common.keyed_table import KeyedSortFilterProxy, KeyedTableModel, Row, keyed_table
from widgets.common.time_text import dated_clock_text, duration_text
from widgets.kpis.kpi_charts import HeatMap, ParetoChart, RateChart

CUSTOM = "custom"
PERIODS = (
    (Period.THIS_SHIFT.value, QT_TRANSLATE_NOOP("KpiView", "This shift")),
    (Period.LAST_SHIFT.value, QT_TRANSLATE_NOOP("KpiView", "Last shift")),
    (Period.LAST_24_H.value, QT_TRANSLATE_NOOP("KpiView", "Last 24 h")),
    (Period.LAST_7_D.value, QT_TRANSLATE_NOOP("KpiView", "Last 7 days")),
    (CUSTOM, QT_TRANSLATE_NOOP("KpiView", "Custom")),
)
COLUMNS = (
    QT_TRANSLATE_NOOP("KpiView", "KPI"),
    QT_TRANSLATE_NOOP("KpiView", "Value"),
    QT_TRANSLATE_NOOP("KpiView", "Target"),
    QT_TRANSLATE_NOOP("KpiView", "Status"),
)
KPI, VALUE, TARGET, STATUS = range(4)
TABLE_PX = 600
SAMPLES = {VALUE: "0.58 / 10 min", TARGET: "<= 1 / 10 min", STATUS: "far off"}
AT_END_COLUMNS = (
    QT_TRANSLATE_NOOP("KpiView", "Alarm"),
    QT_TRANSLATE_NOOP("KpiView", "Area"),
    QT_TRANSLATE_NOOP("KpiView", "State"),
    QT_TRANSLATE_NOOP("KpiView", "Since"),
    QT_TRANSLATE_NOOP("KpiView", "For"),
    QT_TRANSLATE_NOOP("KpiView", "By"),
    QT_TRANSLATE_NOOP("KpiView", "Reason"),
)
AT_END_SAMPLES = {
    0: "GD-CH-01.HH",
    1: "Compressor house",
    2: "out of service",
    3: "2026-12-07 08:00:00",
    4: "23 h 59 min",
}
_STATUS = {
    Light.OK: QT_TRANSLATE_NOOP("KpiView", "met"),
    Light.WARN: QT_TRANSLATE_NOOP("KpiView", "missed"),
    Light.BAD: QT_TRANSLATE_NOOP("KpiView", "far off"),
    Light.NONE: "",
}
_MARK = {Light.WARN: Tier.HIGH, Light.BAD: Tier.LIFE}  # the tier shapes: amber diamond, red triangle
_STATES = {
    "unack": QT_TRANSLATE_NOOP("KpiView", "unacknowledged"),
    "acked": QT_TRANSLATE_NOOP("KpiView", "acknowledged"),
    "shelved": QT_TRANSLATE_NOOP("KpiView", "shelved"),
    "suppressed": QT_TRANSLATE_NOOP("KpiView", "suppressed"),
    "out_of_service": QT_TRANSLATE_NOOP("KpiView", "out of service"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("KpiView", text) if text else ""


class KpiView(QWidget):
    """Emits `query_requested(period, since, until, area)`: a `plant_maps.shifts.Period` value or "custom"
    (then since/until, epoch seconds, are the chosen bounds), and an area id ("" for the site)."""

    query_requested = Signal(str, float, float, str)

    def __init__(self, areas: Sequence[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.areas = tuple(areas)  # (id, name)
        self.report: KpiReport | None = None
        self.period = QComboBox()
        for key, text in PERIODS:
            self.period.addItem(_tr(text), key)
        self.area = QComboBox()
        self.area.addItem(self.tr("Site"), "")
        for area_id, name in self.areas:
            self.area.addItem(name, area_id)
        self.since_edit, self.until_edit = QDateTimeEdit(), QDateTimeEdit()
        for edit in (self.since_edit, self.until_edit):
            edit.setDisplayFormat("yyyy-MM-dd HH:mm")
            edit.setCalendarPopup(True)
        self.show_button = QPushButton(self.tr("Show"))
        self.show_button.setToolTip(self.tr("Compute the KPIs of the period for the area (from the journal)"))
        self.status = QLabel()
        self.status.setObjectName("KpiStatus")
        self.model = KeyedTableModel(COLUMNS, "KpiView")
        self.proxy = KeyedSortFilterProxy(self.model)
        self.table = keyed_table(
            self.proxy, SAMPLES, KPI, self, icon_columns=(STATUS,), stretch_min=120, elide=(KPI,)
        )
        self.table.setSortingEnabled(False)  # the report's order: by group
        self.proxy.sort(KPI, Qt.SortOrder.AscendingOrder)  # every column's key is that order
        self.at_end_model = KeyedTableModel(AT_END_COLUMNS, "KpiView")
        self.at_end = keyed_table(
            KeyedSortFilterProxy(self.at_end_model),
            AT_END_SAMPLES,
            6,
            self,
            stretch_min=80,
            elide=(0, 1, 5, 6),
        )
        self.rate_chart, self.pareto, self.heat = RateChart(), ParetoChart(), HeatMap()
        self.charts = QTabWidget()
        self.charts.addTab(self.rate_chart, self.tr("Alarm rate"))
        self.charts.addTab(self.pareto, self.tr("Bad actors"))
        self.charts.addTab(self.heat, self.tr("Per area and hour"))
        self.charts.addTab(self.at_end, self.tr("Standing and hidden"))
        self._lay_out()
        self.period.currentIndexChanged.connect(self._period_changed)
        self.show_button.clicked.connect(self.request)
        self._period_changed()

    def _lay_out(self) -> None:
        bar = QHBoxLayout()
        for label, widget in (
            (self.tr("Period"), self.period),
            (self.tr("From"), self.since_edit),
            (self.tr("To"), self.until_edit),
            (self.tr("Area"), self.area),
        ):
            caption = QLabel(label)
            caption.setBuddy(widget)
            bar.addWidget(caption)
            bar.addWidget(widget)
        bar.addWidget(self.show_button)
        bar.addWidget(self.status, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(self.charts)
        split.setSizes([TABLE_PX, TABLE_PX])  # the table's labels whole at 1366 px; more width goes evenly
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(split, 1)

    def _period_changed(self) -> None:
        custom = self.period.currentData() == CUSTOM
        for edit in (self.since_edit, self.until_edit):
            edit.setEnabled(custom)

    def request(self) -> None:
        """Ask for the chosen period and area (the custom bounds only count for "custom")."""
        since = self.since_edit.dateTime().toSecsSinceEpoch()
        until = self.until_edit.dateTime().toSecsSinceEpoch()
        self.status.setText(self.tr("computing…"))
        self.show_button.setEnabled(False)
        self.query_requested.emit(
            self.period.currentData(), float(since), float(until), self.area.currentData()
        )

    def set_custom(self, since: float, until: float) -> None:
        """Choose "custom" with these bounds (what a handover or a test asks for)."""
        self.period.setCurrentIndex(self.period.findData(CUSTOM))
        self.since_edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(since)))
        self.until_edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(until)))

    def set_report(self, report: KpiReport, now: float) -> None:
        self.report = report
        self.show_button.setEnabled(True)
        where = self.tr("site") if report.area is None else dict(self.areas).get(report.area, report.area)
        self.status.setText(
            self.tr("{since} – {until}, {where}, {positions} operator position(s)").format(
                since=dated_clock_text(report.since, now),
                until=dated_clock_text(report.until, now),
                where=where,
                positions=report.positions,
            )
        )
        self.since_edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(report.since)))
        self.until_edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(report.until)))
        self.model.set_rows(
            [
                Row(
                    k.key,
                    (
                        QCoreApplication.translate("Kpi", k.label),
                        k.text,
                        k.target,
                        _tr(_STATUS[Light(k.light)]),
                    ),
                    (i, i, i, i),
                    k,
                    marks=((STATUS, _MARK[k.light]),) if k.light in _MARK else (),
                )
                for i, k in enumerate(report.kpis)
            ]
        )
        self.rate_chart.show_rate(report.rate, report.positions)
        self.pareto.show_actors(report.bad_actors)
        shown = self.areas if report.area is None else [a for a in self.areas if a[0] == report.area]
        self.heat.show_heat(report.heat, shown)
        self.at_end_model.set_rows(
            [self._at_end_row(a, report.until, now) for a in (*report.standing, *report.hidden)]
        )

    def set_failure(self, text: str) -> None:
        self.show_button.setEnabled(True)
        self.status.setText(self.tr("not computed: {0}").format(text))

    def _at_end_row(self, a: AlarmAtEnd, until: float, now: float) -> Row:
        texts = (
            a.alarm_id,
            dict(self.areas).get(a.area, a.area),
            _tr(_STATES.get(a.state, a.state)),
            dated_clock_text(a.since, now),
            duration_text(until - a.since),
            a.actor,
            a.comment,
        )
        return Row(f"{a.state}:{a.alarm_id}", texts, (*texts[:3], a.since, a.since, a.actor, a.comment), a)

    def shown(self) -> dict[str, tuple[str, str, str]]:
        """KPI key -> (value, target, status) as the table shows them (for tests and the handover)."""
        out = {}
        for r in range(self.model.rowCount()):
            row = self.model.row_at(r)
            out[row.key] = (row.texts[VALUE], row.texts[TARGET], row.texts[STATUS])
        return out
