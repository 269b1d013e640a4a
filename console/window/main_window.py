"""The operator's main window: alarm banner, plant overview map, alarm list, event log, connection status."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Collection, Sequence

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSizePolicy,
    QStackedWidget,
    QTabBar,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from plant_maps.shifts import ShiftPattern
from plant_maps.site import Site
from widgets.alarms.alarm_banner import AlarmBanner
from widgets.alarms.alarm_table import AlarmTable
from widgets.common.plain_text import ElidedLabel, plain_tooltip
from widgets.common.text_dialog import MAX_NOTE, TextDialog
from widgets.common.time_text import clock_text
from widgets.history.alarm_history_view import AlarmHistoryView
from widgets.incidents.incident_panel import IncidentPanel
from widgets.interlocks.interlock_panel import InterlockPanel
from widgets.interlocks.interlock_requests import InterlockRequestStrip
from widgets.isolation.isolation_banner import IsolationNotice, IsolationStrip
from widgets.kpis.kpi_view import KpiView
from widgets.map.legend import Legend
from widgets.map.plant_map import PlantMapView
from widgets.map.replay_bar import ReplayBar
from widgets.permits.permit_card import PermitCard
from widgets.permits.permit_panel import PermitPanel
from widgets.records.audit_view import AuditView
from widgets.records.event_log import EventLogView
from widgets.shell.status_bar import ConnectionStatusBar
from widgets.trends.trend_pens import vitals_pens
from widgets.trends.trend_view import TrendView
from widgets.workers.muster_panel import MusterPanel
from widgets.workers.worker_details import WorkerDetails
from widgets.workers.worker_panel import WorkerPanel

LAYERS = (
    ("zones", QT_TRANSLATE_NOOP("MainWindow", "Zones")),
    ("equipment", QT_TRANSLATE_NOOP("MainWindow", "Equipment")),
    ("permits", QT_TRANSLATE_NOOP("MainWindow", "Permits")),
    ("detectors", QT_TRANSLATE_NOOP("MainWindow", "Detectors")),
    ("workers", QT_TRANSLATE_NOOP("MainWindow", "Workers")),
    ("trail", QT_TRANSLATE_NOOP("MainWindow", "Trail")),
    ("muster", QT_TRANSLATE_NOOP("MainWindow", "Muster points")),
)

# The default layout, for a console without a saved one: docks sized from the window's size.
WIDE_PX = 1600  # from this width the event log sits beside the alarm list; below, behind it in a tab
RIGHT_SHARE, RIGHT_MIN_PX, RIGHT_MAX_PX = 0.34, 420, 620  # permits, workers, muster and the details
BOTTOM_SHARE, BOTTOM_MIN_PX, BOTTOM_MAX_PX = 0.3, 250, 340  # the alarm list: never shrunk to its buttons
LISTS_SHARE = 0.4  # of the right column's height; the details (permit card, worker) take the rest
TALL_PX = 900  # from this height the details sit under the lists; below, in a tab beside them
TREND_AROUND_S = 15 * 60  # an alarm's trend from the history: this long before and after it was raised
TREND_SHARE = 0.5  # of a short window's height: the bottom tabs while a trend is in front (its plot needs it)


class MainWindow(QMainWindow):
    """Level-1 overview (ISA-101 display hierarchy): the whole site at a glance, the alarms always in view.

    The banner sits above the map, where the eye starts; the alarm list and the event log share the bottom.
    """

    closed = Signal()  # the operator confirmed closing: the console shuts down, then closes the window
    note_requested = Signal(str)  # a shift-log note the operator wrote
    layout_reset_requested = Signal()  # forget the saved layout: back to the default
    trend_window_requested = Signal()  # a trend of its own, in a separate window
    isolation_requested = Signal(str)  # zone id: ask the reason and duration, confirm, isolate
    isolation_end_requested = Signal(str)  # zone id: return it to service now
    permit_shown = Signal(str)  # the console fills the card with the permit's live status
    worker_shown = Signal(str)  # the console fills the details with the worker's live data
    broadcast_requested = Signal(object, str)  # PA zone ids to tick (a tuple, maybe empty), preset id or ""
    permit_suspended = Signal(str)  # a suspension from this console was journaled: offer a broadcast
    handover_requested = Signal()  # the toolbar's "Handover…"
    interlock_requested = Signal(str)  # interlock id: arm it and show its confirmation (map menu, banner)
    incident_requested = Signal(str, float, float)  # zone id, x, y (NaN: none): declare one by hand there
    switch_user_requested = Signal()  # a shift change: the next user signs in
    lock_requested = Signal()  # lock the console now (commands need the password again)
    replay_requested = Signal()  # show the map as it was (the map replay's bar, over the map)

    def __init__(
        self,
        site: Site,
        operator: str,
        console_name: str,
        now: Callable[[], float] = time.time,
        stakes: Callable[[], Sequence[str]] = tuple,
        shifts: ShiftPattern = ShiftPattern(),  # noqa: B008 (frozen)
    ) -> None:
        """`stakes` names what closing would leave unwatched now (the close question lists it)."""
        super().__init__()
        self._may_close = False
        self._stakes = stakes
        self._now = now
        self._last_seen = ""  # the missing worker whose "last seen here" the map shows
        self._sized = False
        self._close_box: QMessageBox | None = None
        self.note_dialog: TextDialog | None = None  # while open
        self.legend: Legend | None = None
        self.setObjectName("MainWindow")
        self._site_name = site.name
        self._title(operator, console_name)
        areas = [(z.id, z.name) for z in site.zones] + [("site", self.tr("Site-wide"))]
        self.layout_restored = False  # the console put back a saved layout: no default sizing
        self.compact = False  # a short window: the details share the lists' tabs
        self.alarm_banner = AlarmBanner()
        self.alarm_banner.set_areas(areas)
        self.isolation_strip = IsolationStrip()  # the standing lines of isolated zones, under the alarms
        self.isolation_strip.end_requested.connect(self.isolation_end_requested)
        self.interlock_requests = InterlockRequestStrip()  # interlocks site rules asked for, under the alarms
        self.plant_map = PlantMapView(site)
        self.replay_bar = ReplayBar()  # over the map while it replays the history
        self.replay_bar.hide()
        map_area = _stacked(self.replay_bar, self.plant_map)
        self.replay_bar.add_keys(map_area)
        self.setCentralWidget(map_area)
        banner = self._dock(
            self.tr("Alarm banner"),
            "AlarmBannerDock",
            _stacked(self.alarm_banner, self.interlock_requests, self.isolation_strip),
        )
        banner.setTitleBarWidget(QWidget())  # no title, not movable: the banner is always on top, full width
        banner.setFeatures(QDockWidget.DockWidgetFeature.NoDockWidgetFeatures)
        for corner in (Qt.Corner.TopLeftCorner, Qt.Corner.TopRightCorner):
            self.setCorner(corner, Qt.DockWidgetArea.TopDockWidgetArea)
        self.addDockWidget(Qt.DockWidgetArea.TopDockWidgetArea, banner)
        self.alarm_table = AlarmTable(site.alarms.max_shelve_s)
        self.alarm_table.set_areas(areas)
        self.event_log = EventLogView(now=now)
        alarms = self._dock(self.tr("Alarms"), "AlarmDock", self.alarm_table)
        log = self._dock(self.tr("Event log"), "EventLogDock", self.event_log)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, alarms)
        self.splitDockWidget(alarms, log, Qt.Orientation.Horizontal)
        self.trend_view = TrendView(site, now, site.trend_sets)
        self.trend_dock = self._dock(self.tr("Trends"), "TrendDock", self.trend_view)
        # in the alarm list's tabs: a trend needs the width (the banner keeps the alarms in view meanwhile)
        self.tabifyDockWidget(alarms, self.trend_dock)
        self._bottom_px = 0  # the bottom tabs' height before a trend came to the front of a short window
        self.trend_dock.visibilityChanged.connect(self._trend_in_front)
        self.audit_view = AuditView()  # the shift lead's audit trail, in the same tabs once opened
        self.audit_dock = self._record_tab(self.tr("Audit trail"), "AuditDock", self.audit_view, alarms)
        areas_named = [(z.id, z.name) for z in site.zones]
        self.history_view = AlarmHistoryView(shifts, areas_named, now, site.tag_index)  # any role may open it
        self.history_dock = self._record_tab(
            self.tr("Alarm history"), "HistoryDock", self.history_view, alarms
        )
        self.incident_panel = IncidentPanel()  # the incident declared (or restored), in the same tabs
        self.incident_dock = self._dock(self.tr("Incident"), "IncidentDock", self.incident_panel)
        # not closable: an incident once declared stays at hand (closed, it is read-only)
        self.incident_dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self.tabifyDockWidget(alarms, self.incident_dock)
        self.incident_dock.hide()
        self.incident_dock.visibilityChanged.connect(self._incident_in_front)
        self.kpi_view = KpiView([(z.id, z.name) for z in site.zones])  # the shift lead's alarm-system KPIs
        self.kpi_dock = self._dock(self.tr("Alarm KPIs"), "KpiDock", self.kpi_view)
        self.kpi_dock.setFeatures(self.audit_dock.features())
        self.tabifyDockWidget(alarms, self.kpi_dock)
        self.kpi_dock.hide()
        self.kpi_dock.visibilityChanged.connect(self._kpis_in_front)
        self.history_view.trend_requested.connect(self.open_trend_at)
        self.history_view.map_requested.connect(self.show_alarm_source)
        alarms.raise_()
        alarms.visibilityChanged.connect(self.alarm_table.set_in_sight)  # a tab switched away: order not held
        self._bottom_docks = (alarms, log)
        self.alarm_dock = alarms
        self.alarm_table.trendable = frozenset(site.tag_index)
        self.alarm_table.trend_requested.connect(self.open_trend)
        self.plant_map.detector_double_clicked.connect(self.open_trend)
        self._build_field_docks(site, now)
        self.alarm_table.show_on_map.connect(self.plant_map.show_source)
        self.alarm_banner.alarm_clicked.connect(self.focus_alarm)
        self.status_bar = ConnectionStatusBar()
        self.setStatusBar(self.status_bar)
        # who works at this console, always in view at the toolbar's right end: it takes the room the
        # buttons leave, never widening the window (whole in its tooltip)
        self.user_label = ElidedLabel()  # the state first: at 1366 px its end may go, never its start
        self.user_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.user_label.setMinimumWidth(1)
        self.user_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.user_label.setContentsMargins(12, 0, 6, 0)
        self.chain_label = ElidedLabel()  # the audit chain: verified up to #N, or where it is broken
        self.chain_label.setObjectName("AuditChainStatus")
        self.chain_label.setContentsMargins(6, 0, 10, 0)
        self.status_bar.addPermanentWidget(self.chain_label)
        self._build_toolbar()

    def _build_field_docks(self, site: Site, now: Callable[[], float]) -> None:
        """Right: the permit, worker and muster lists in tabs, and below them the card of what was picked."""
        self.permit_panel = PermitPanel(site, now)
        self.worker_panel = WorkerPanel(site, now)
        self.muster_panel = MusterPanel(site, now)
        self.interlock_panel = InterlockPanel()
        self.permit_card = PermitCard(site, now)
        self.worker_details = WorkerDetails(site, now)
        self.details = QStackedWidget()
        self.details.addWidget(self.permit_card)
        self.details.addWidget(self.worker_details)
        lists = [
            self._dock(self.tr("Permits"), "PermitDock", self.permit_panel),
            self._dock(self.tr("Workers"), "WorkerDock", self.worker_panel),
            self._dock(self.tr("Muster"), "MusterDock", self.muster_panel),
            self._dock(self.tr("Interlocks"), "InterlockDock", self.interlock_panel),
        ]
        details = self._dock(self.tr("Details"), "DetailsDock", self.details)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, lists[0], Qt.Orientation.Vertical)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, details, Qt.Orientation.Vertical)
        for dock in lists[1:]:
            self.tabifyDockWidget(lists[0], dock)
        lists[0].raise_()
        self.muster_dock = lists[2]  # raised when a muster starts: the missing are the emergency
        self.muster_panel.started.connect(self._muster_started)
        self.interlock_dock = lists[3]
        self.interlock_zones = {il.id: il.zone for il in site.interlocks}  # the map's zone menu offers them
        self._right_docks = (lists[0], details)
        self.permit_panel.permit_activated.connect(self.show_permit)
        self.plant_map.permit_clicked.connect(self.show_permit)
        self.worker_panel.worker_activated.connect(self.show_worker)
        self.plant_map.worker_clicked.connect(self.show_worker)
        self.muster_panel.worker_activated.connect(self.show_missing)
        self.permit_card.show_on_map_requested.connect(self.plant_map.show_source)
        self.worker_details.show_on_map_requested.connect(self.plant_map.show_source)
        self.worker_details.follow_requested.connect(self.plant_map.follow_worker)
        self.worker_details.trend_requested.connect(self.open_vitals_trend)

    def show_permit(self, permit_id: str) -> None:
        """A permit picked in its list or on the map: its card, and its zone on the map."""
        self.details.setCurrentWidget(self.permit_card)
        self._show_details()
        self.permit_shown.emit(permit_id)
        self.plant_map.show_source(permit_id)

    def show_worker(self, worker_id: str) -> None:
        """A worker picked in a list or on the map: their details, and where they are."""
        self.details.setCurrentWidget(self.worker_details)
        self._show_details()
        self.worker_shown.emit(worker_id)
        self.plant_map.show_source(worker_id)

    def show_missing(self, worker_id: str) -> None:
        """A missing worker picked on the muster board: their details, and "last seen here" on the map."""
        self.show_worker(worker_id)
        m = self.muster_panel.missing_worker(worker_id)
        self._last_seen = worker_id
        if m is None or m.fix_age_s is None or not math.isfinite(m.x):
            self.plant_map.show_last_seen(None)
            return
        seen = self._now() - m.fix_age_s
        self.plant_map.show_last_seen(
            m.x, m.y, self.tr("{name} last seen here at {time}").format(name=m.name, time=clock_text(seen))
        )

    def missing_changed(self) -> None:
        """The muster board moved on: "last seen here" goes once its worker is no longer missing."""
        if self._last_seen and self.muster_panel.missing_worker(self._last_seen) is None:
            self._last_seen = ""
            self.plant_map.show_last_seen(None)

    def show_interlock(self, interlock_id: str) -> None:
        """An interlock picked on the map or the banner: its row in the panel, the panel raised."""
        self.interlock_dock.show()
        self.interlock_dock.raise_()
        self.interlock_panel.select(interlock_id)

    def open_trend(self, tag: str) -> None:
        """A tag's trend (from the alarm list, the map or the tag list): its pen added, the dock raised."""
        self.trend_view.add_pen(tag)
        self.trend_dock.show()
        self.trend_dock.raise_()

    def open_vitals_trend(self, worker: str) -> None:
        """A worker's heart rate and skin temperature as pens (the worker details' "Trend vitals")."""
        for tag in vitals_pens(worker):
            self.open_trend(tag)

    # bound methods, not lambdas: Qt disconnects them when the window goes, a lambda would outlive it
    def _trend_in_front(self, shown: bool) -> None:
        self._tall_in_front(self.trend_dock, shown)

    def _kpis_in_front(self, shown: bool) -> None:
        self._tall_in_front(self.kpi_dock, shown)

    def _incident_in_front(self, shown: bool) -> None:
        self._tall_in_front(self.incident_dock, shown)

    def _tall_in_front(self, dock: QDockWidget, shown: bool) -> None:
        """On a short window (1366x768) a trend in front takes half the height, or its plot is a strip of
        about 110 px under the legend; the KPI page (a table beside charts) and the incident (the coordinator's
        situation beside the timeline) take it on any window. The alarm list back in front gets its height
        back."""
        if dock.isFloating() or not (self.compact or dock in (self.kpi_dock, self.incident_dock)):
            return
        if shown and not self._bottom_px:
            self._bottom_px = self.alarm_dock.height() + self._tab_bar_height(self.alarm_dock)
            self.resizeDocks([dock], [round(self.height() * TREND_SHARE)], Qt.Orientation.Vertical)
        elif not shown and self._bottom_px and not self._other_tall_in_front(dock):
            self.resizeDocks([dock], [self._bottom_px], Qt.Orientation.Vertical)
            self._bottom_px = 0

    def _other_tall_in_front(self, dock: QDockWidget) -> bool:
        """Another tall page took the front (the tabs switched from one to the other): it keeps the height."""
        return any(
            d is not dock and d.isVisible() and not d.widget().visibleRegion().isEmpty()
            for d in (self.trend_dock, self.kpi_dock, self.incident_dock)
        )

    def _tab_bar_height(self, dock: QDockWidget) -> int:
        """The height of the tab bar under `dock`'s tab group (resizeDocks sizes the group with it)."""
        title = dock.windowTitle()
        for bar in self.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if bar.isVisible() and any(bar.tabText(i) == title for i in range(bar.count())):
                return bar.height()
        return 0

    def _show_details(self) -> None:
        if self.compact:
            self._right_docks[1].raise_()

    def focus_alarm(self, alarm_id: str) -> None:
        """An alarm picked in the banner: selected in the list (saying so when the list's filter hides it)
        and shown where it is, whatever the filter; a person's alarm (an SOS or man-down, with the response's
        next step; an entry without a permit) opens their details and centres the map on them."""
        view = self.alarm_table.listed(alarm_id)
        if view is None:
            return
        if not self.alarm_table.select_alarm(alarm_id):
            self.alarm_table.set_status(self.tr("{0}: hidden in the list by its filter").format(alarm_id))
        if view.source in self.plant_map.site.worker_index:
            self.show_worker(view.source)
        else:
            self.plant_map.show_source(view.source)

    def next_unacknowledged(self) -> None:
        """F7: the next unacknowledged alarm, selected in the list and shown on the map."""
        if self.alarm_table.select_next_unacknowledged():
            [view] = self.alarm_table.selected_alarms()
            self.plant_map.show_source(view.source)

    def open_note(self) -> None:
        """A shift-log note: plain text, journaled with the operator's name and this console."""
        dialog = self.note_dialog = TextDialog(
            self.tr("Shift log"),
            self.tr("Note for the shift log (who and when are added):"),
            self.tr("Save note"),
            required=True,
            max_length=MAX_NOTE,
            parent=self,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.note_requested.emit(dialog.text()))
        dialog.finished.connect(lambda: setattr(self, "note_dialog", None))
        dialog.open()

    def open_legend(self) -> None:
        if self.legend is None:
            self.legend = Legend(self)
        self.legend.show()
        self.legend.raise_()

    def _record_tab(
        self, title: str, name: str, view: AuditView | AlarmHistoryView, beside: QDockWidget
    ) -> QDockWidget:
        """A record the shift lead opens (audit trail, alarm history): a closable tab beside the alarm list,
        hidden until opened, read afresh whenever it comes into view."""
        dock = self._dock(title, name, view)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.tabifyDockWidget(beside, dock)
        dock.hide()
        dock.visibilityChanged.connect(lambda shown: shown and view.refresh())
        return dock

    def _dock(self, title: str, name: str, widget: QWidget) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)
        return dock

    def _build_toolbar(self) -> None:
        bar = QToolBar(self.tr("View"), self)
        bar.setObjectName("ViewToolbar")
        bar.setMovable(False)
        self.addToolBar(bar)
        bar.addAction(self.tr("Fit site"), self.plant_map.fit_site)
        bar.addAction(self.tr("Zoom in"), lambda: self.plant_map.zoom_by(1.25))
        bar.addAction(self.tr("Zoom out"), lambda: self.plant_map.zoom_by(0.8))
        bar.addWidget(
            self._menu_button(
                self.tr("Layers"), self.tr("Show or hide what the map draws"), self._layers_menu()
            )
        )
        self.replay_action = bar.addAction(self.tr("Replay"), self.replay_requested.emit)
        self.replay_action.setShortcut("Ctrl+Shift+R")
        self.replay_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.replay_action.setToolTip(
            self.tr(
                "The map as it was: workers, detectors, alarms and permits from the history (Ctrl+Shift+R)"
            )
        )
        bar.addSeparator()
        isolate = self.isolate_button = QToolButton(bar)
        isolate.setText(self.tr("Isolate zone"))
        isolate.setToolTip(
            self.tr(
                "Maintenance isolation: a zone's alarms suppressed by design, with a reason, for a set time"
            )
        )
        isolate.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(isolate)
        self.isolation_actions: dict[str, QAction] = {}
        self._isolated: dict[str, float] = {}  # zone id -> end of its isolation, as the core journaled it
        for zone in self.plant_map.site.zones:
            action = menu.addAction(self.tr("{0}…").format(zone.name))
            action.setCheckable(True)  # the check mark shows an isolation in force
            action.triggered.connect(lambda _=False, z=zone.id: self._isolation_chosen(z))
            self.isolation_actions[zone.id] = action
        isolate.setMenu(menu)
        bar.addWidget(isolate)
        self.muster_action = QAction(self.tr("Muster"), self, checkable=True)
        self.muster_action.toggled.connect(lambda on: on and self.muster_dock.raise_())
        self.muster_action.setToolTip(
            self.tr("Evacuation: count everyone seen at a muster point, list the missing")
        )
        bar.addAction(self.muster_action)
        self.broadcast_action = bar.addAction(
            self.tr("Broadcast…"), lambda: self.broadcast_requested.emit((), "")
        )
        self.broadcast_action.setShortcut("Ctrl+B")
        self.broadcast_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.broadcast_action.setToolTip(
            self.tr("Speak to PA zones and the wearables there: a preset or typed text (Ctrl+B)")
        )
        bar.addSeparator()
        bar.addWidget(
            self._menu_button(
                self.tr("Shift"),
                self.tr("The shift's records: log note, alarm history, KPIs, audit trail, handover"),
                self._shift_menu(),
            )
        )
        self.legend_action = bar.addAction(self.tr("Legend"), self.open_legend)
        self.legend_action.setToolTip(self.tr("What every symbol and colour means; the keyboard shortcuts"))
        layout_menu = QMenu(self)
        layout_menu.addAction(self.tr("Reset layout"), lambda: self.layout_reset_requested.emit())
        layout_menu.addAction(self.tr("New trend window"), lambda: self.trend_window_requested.emit())
        bar.addWidget(
            self._menu_button(
                self.tr("Layout"), self.tr("The arrangement of this console's panels"), layout_menu
            )
        )
        bar.addWidget(self.user_label)
        bar.addWidget(
            self._menu_button(self.tr("User"), self.tr("Sign in, switch user, lock"), self._user_menu())
        )
        self._shortcut("F7", self.next_unacknowledged)
        self._shortcut("F9", self.alarm_banner.silence_requested.emit)

    def _shift_menu(self) -> QMenu:
        """The shift lead's desk in one menu: a toolbar button each would squeeze the user's name out at 1366 px."""
        menu = QMenu(self)
        menu.setToolTipsVisible(True)
        self.note_action = menu.addAction(self.tr("Shift log note…"), self.open_note)
        self.note_action.setToolTip(self.tr("Write a note into the shift log (journaled with your name)"))
        self.note_action.setShortcut("Ctrl+Shift+N")
        menu.addSeparator()
        self.history_action = menu.addAction(self.tr("Alarm history"), self.open_history)
        self.history_action.setToolTip(
            self.tr("Every alarm of a shift or period: who acknowledged it and how fast, shelves, clears")
        )
        self.history_action.setShortcut("Ctrl+Shift+H")
        self.kpi_action = menu.addAction(self.tr("Alarm KPIs"), self.open_kpis)
        self.kpi_action.setToolTip(
            self.tr("How the alarm system performed: rates, floods, bad actors, responses (EEMUA 191)")
        )
        self.kpi_action.setShortcut("Ctrl+Shift+K")
        self.audit_action = menu.addAction(self.tr("Audit trail"), self.open_audit)
        self.audit_action.setToolTip(
            self.tr("Who did what at every console, and whether the record is intact")
        )
        menu.addSeparator()
        self.handover_action = menu.addAction(self.tr("Handover…"), self.handover_requested.emit)
        self.handover_action.setToolTip(
            self.tr("Shift handover: freeze the shift's picture, both leads sign, finalise to a PDF")
        )
        for action in (self.note_action, self.history_action, self.kpi_action):
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.addAction(action)  # the shortcut works while the menu is closed
        return menu

    def _user_menu(self) -> QMenu:
        menu = QMenu(self)
        menu.setToolTipsVisible(True)
        self.switch_user_action = menu.addAction(self.tr("Switch user…"), self.switch_user_requested.emit)
        self.switch_user_action.setShortcut("Ctrl+Shift+U")
        self.lock_action = menu.addAction(self.tr("Lock console"), self.lock_requested.emit)
        self.lock_action.setShortcut("Ctrl+Shift+L")
        for action in (self.switch_user_action, self.lock_action):
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.addAction(action)  # the shortcut works while the menu is closed
        return menu

    def set_demo(self) -> None:
        """DEMO: the demo user is signed in for good; switching and locking are greyed, saying why."""
        why = self.tr("DEMO: the demo user is signed in; there is no one to switch to and nothing to lock")
        for action in (self.switch_user_action, self.lock_action):
            action.setEnabled(False)
            action.setToolTip(why)

    def open_kpis(self) -> None:
        """The alarm-system KPIs, in the alarm list's tabs; the first opening shows this shift's."""
        first = self.kpi_view.report is None and self.kpi_dock.isHidden()
        self.kpi_dock.show()
        self.kpi_dock.raise_()
        if first:
            self.kpi_view.request()

    def open_audit(self) -> None:
        """The audit trail, in the alarm list's tabs (the banner keeps the alarms in view meanwhile)."""
        self.audit_dock.show()
        self.audit_dock.raise_()

    def open_incident(self) -> None:
        """The incident tab, in the alarm list's tabs (the banner keeps the alarms in view meanwhile)."""
        self.incident_dock.show()
        self.incident_dock.raise_()

    def open_history(self) -> None:
        """The alarm history, in the alarm list's tabs (the banner keeps the alarms in view meanwhile)."""
        self.history_dock.show()
        self.history_dock.raise_()

    def open_trend_at(self, tag: str, ts: float) -> None:
        """`tag`'s trend over TREND_AROUND_S either side of `ts` (an alarm in the history: how it came)."""
        self.open_trend(tag)
        self.trend_view.show_range(ts - TREND_AROUND_S, ts + TREND_AROUND_S)

    def show_alarm_source(self, source: str) -> None:
        """Where an alarm came from, as a click on it in the banner shows: a person's details and place, or
        the detector or zone on the map."""
        if source in self.plant_map.site.worker_index:
            self.show_worker(source)
        else:
            self.plant_map.show_source(source)

    def _title(self, user: str, console: str) -> None:
        self.setWindowTitle(
            self.tr("Control room — {site} — {operator}@{console}").format(
                site=self._site_name, operator=user, console=console
            )
        )

    def _shortcut(self, key: str, slot: Callable[[], object]) -> None:
        """A key that works wherever the focus is in this window."""
        action = QAction(self)
        action.setShortcut(key)
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        self.addAction(action)

    def _menu_button(self, text: str, tip: str, menu: QMenu) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        button.setMenu(menu)
        return button

    def _layers_menu(self) -> QMenu:
        menu = QMenu(self)
        self.layer_actions: dict[str, QAction] = {}
        for name, label in LAYERS:
            action = menu.addAction(self.tr(label))
            action.setCheckable(True)
            action.setChecked(True)
            action.toggled.connect(lambda on, layer=name: self.plant_map.set_layer_visible(layer, on))
            self.layer_actions[name] = action
        return menu

    def show_user(
        self,
        user: str,
        full_name: str,
        roles: Collection[str] | None,
        console: str,
        demo: bool,
        locked: bool = False,
    ) -> None:
        """The user, their full name, roles and the console, always visible; DEMO said plainly; nobody
        signed in, or the console locked, said so in bold (commands are refused then, and this says why)."""
        signed_in = roles is not None and bool(user)
        if not signed_in:  # never a dead end: it says how to sign in, and User → Sign in… does
            text = self.tr(
                "NOT SIGNED IN: commands are refused; sign in with User → Sign in… (Ctrl+Shift+U) — {console}"
            ).format(console=console)
        elif demo:
            text = self.tr("DEMO — {user}@{console}, every role").format(user=user, console=console)
        else:
            text = self.tr("{user} ({full_name})@{console} — {roles}").format(
                user=user,
                full_name=full_name,
                console=console,
                roles=", ".join(sorted(r.replace("_", " ") for r in roles)) or self.tr("no roles"),
            )
            if locked:
                text = self.tr("LOCKED — {0}: commands need the password").format(text)
        self.user_label.setText(text)
        self.user_label.setToolTip(plain_tooltip(text))
        font = self.user_label.font()
        font.setBold(demo or locked or not signed_in)
        self.user_label.setFont(font)
        self._title(user or self.tr("nobody"), console)
        self.switch_user_action.setText(self.tr("Switch user…") if signed_in else self.tr("Sign in…"))

    def isolated_zones(self) -> set[str]:
        """The zones under maintenance isolation now, as the core last said."""
        return set(self._isolated)

    def request_isolation(self, zone_id: str) -> None:
        """Start isolating a zone (the toolbar's menu, a right-click on the map): the reason and duration
        dialog, then the confirmation of what it suppresses."""
        self.isolation_requested.emit(zone_id)

    def set_isolations(self, notices: Sequence[IsolationNotice]) -> None:
        """The isolations in force: hatched on the map, a standing line each under the banner, checked in
        the toolbar's menu (whose entry then ends it)."""
        self._isolated = {n.zone: n.until for n in notices}
        self.plant_map.set_isolations(self._isolated)
        self.isolation_strip.set_isolations(notices)
        names = {z.id: z.name for z in self.plant_map.site.zones}
        for zone, action in self.isolation_actions.items():
            until = self._isolated.get(zone)
            action.setChecked(until is not None)
            if until is None:
                action.setText(self.tr("{0}…").format(names[zone]))
            else:
                action.setText(
                    self.tr("{0}: isolated until {1}, end now").format(names[zone], clock_text(until, False))
                )

    def _isolation_chosen(self, zone_id: str) -> None:
        """A zone picked in the toolbar's menu: isolate it, or end the isolation it is under."""
        self.isolation_actions[zone_id].setChecked(zone_id in self._isolated)  # the core says, not the click
        if zone_id in self._isolated:
            self.isolation_end_requested.emit(zone_id)
        else:
            self.request_isolation(zone_id)

    def showEvent(self, event: QShowEvent) -> None:
        """Size the docks once the window has its size (before that Qt ignores resizeDocks)."""
        super().showEvent(event)
        if not self._sized and not self.layout_restored:
            QTimer.singleShot(0, self.default_layout)
        elif not self._sized:
            QTimer.singleShot(0, self.hide_stray_tab_bars)
        self._sized = True

    def default_layout(self) -> None:
        """The layout for this window's size: from 1366x768 to 4K, the alarm list keeps about seven rows
        and its message room; on a narrow window the event log waits in a tab behind the alarms."""
        width, height = self.width(), self.height()
        alarms, log = self._bottom_docks
        lists, details = self._right_docks
        self._tab_or_place(alarms, log, width < WIDE_PX, Qt.DockWidgetArea.BottomDockWidgetArea)
        if width >= WIDE_PX:
            self.resizeDocks([alarms, log], [3, 1], Qt.Orientation.Horizontal)
        self.tabifyDockWidget(alarms, self.trend_dock)  # the trends always in the alarm list's tabs
        for record in (self.audit_dock, self.history_dock, self.kpi_dock):
            self.tabifyDockWidget(alarms, record)
            record.hide()  # until the shift lead opens it
        alarms.raise_()
        self.compact = height < TALL_PX  # 1366x768: the card needs the column; picking a row shows its tab
        self._tab_or_place(lists, details, self.compact, Qt.DockWidgetArea.RightDockWidgetArea)
        right = round(min(max(width * RIGHT_SHARE, RIGHT_MIN_PX), RIGHT_MAX_PX))
        bottom = round(min(max(height * BOTTOM_SHARE, BOTTOM_MIN_PX), BOTTOM_MAX_PX))
        self.resizeDocks([lists], [right], Qt.Orientation.Horizontal)
        self.resizeDocks([alarms], [bottom], Qt.Orientation.Vertical)
        if not self.compact:
            QTimer.singleShot(0, self._split_right_column)  # once the bottom dock has taken its height
        self.hide_stray_tab_bars()

    def hide_stray_tab_bars(self) -> None:
        """Qt (6.11) leaves a stale tab bar behind when a second group of tabbed docks forms; it showed as
        a line across the muster counts. A tab bar whose tabs are not the open docks of a tab group now is
        hidden (Qt shows a bar again itself if it ever reuses it)."""
        groups = set()
        for dock in self.findChildren(QDockWidget):
            group = (dock, *self.tabifiedDockWidgets(dock))
            groups.add(frozenset(d.windowTitle() for d in group if d.toggleViewAction().isChecked()))
        for bar in self.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if frozenset(bar.tabText(i) for i in range(bar.count())) not in groups:
                bar.hide()

    def _tab_or_place(
        self, main: QDockWidget, other: QDockWidget, tabbed: bool, area: Qt.DockWidgetArea
    ) -> None:
        """`other` in a tab behind `main`, or beside it (bottom area) / under it (right area); `main` in front.
        Out of the tab group first: QMainWindow.splitDockWidget would put it back in as a tab."""
        if tabbed:
            self.tabifyDockWidget(main, other)
        else:
            self.removeDockWidget(other)
            bottom = area == Qt.DockWidgetArea.BottomDockWidgetArea
            self.addDockWidget(area, other, Qt.Orientation.Horizontal if bottom else Qt.Orientation.Vertical)
            other.show()
        main.raise_()

    def _muster_started(self) -> None:
        """A muster in progress (started, or found running at start): its tab in front, and on a tall window
        room in the column for MISSING_ROWS of the missing (the lists' share showed only the header)."""
        self.muster_dock.raise_()
        if not self.compact:
            QTimer.singleShot(0, self._split_right_column)

    def _split_right_column(self) -> None:
        """The details get the larger share, unless a muster runs: then the missing list gets its rows."""
        lists, details = self._right_docks
        if self.muster_panel.running:
            extra = self.muster_dock.height() - self.muster_panel.height()  # the dock's title
            room = self.muster_dock.height() + details.height() - details.minimumSizeHint().height()
            _enlarge(self.muster_dock, min(self.muster_panel.height_for_rows() + extra, room))  # never taller
        else:
            _enlarge(details, round((lists.height() + details.height()) * (1 - LISTS_SHARE)))

    def allow_close(self) -> None:
        """The console has shut down cleanly: the next close really closes the window."""
        self._may_close = True

    def closeEvent(self, event: QCloseEvent) -> None:
        """A close from the window manager, Alt+F4 or the title bar asks first: a closed console no longer
        shows or sounds alarms. Confirmed, the console stops its sources and store, then closes the window
        itself; the close event is refused until then so that nothing is torn down under a running core.
        The question is asked without a nested event loop (`open`, not `exec`), so the core runs on."""
        if self._may_close:
            super().closeEvent(event)
            return
        event.ignore()
        if self._close_box is None:
            self._close_box = self._close_confirmation()
        stakes = self._stakes()
        self._close_box.setInformativeText(
            self.tr("Left unwatched:") + "".join(f"\n• {line}" for line in stakes) if stakes else ""
        )
        self._close_box.open()

    def _close_confirmation(self) -> QMessageBox:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Close the console"),
            self.tr("Close this console? It will no longer show or sound alarms."),
            QMessageBox.StandardButton.Close | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("CloseConfirmation")
        box.setTextFormat(Qt.TextFormat.PlainText)  # alarm messages and names as they are, never markup
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)  # Enter keeps the console open
        box.finished.connect(self._close_answered)
        return box

    def _close_answered(self) -> None:
        if self._close_box is not None and self._close_box.clickedButton() is self._close_box.button(
            QMessageBox.StandardButton.Close
        ):
            self.closed.emit()


def _enlarge(dock: QDockWidget, height: int) -> None:
    """At least `height` pixels for `dock` (taken from its neighbour), by raising its minimum for one layout
    pass: QMainWindow.resizeDocks leaves a dock beside a tab group as it is."""
    dock.setMinimumHeight(height)
    QTimer.singleShot(0, lambda: dock.setMinimumHeight(0))


def _stacked(*widgets: QWidget) -> QWidget:
    """One widget holding `widgets` top to bottom, without margins (the banner and its isolation lines)."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    for widget in widgets:
        layout.addWidget(widget)
    return box
