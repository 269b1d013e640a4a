"""The operator's main window: alarm banner, plant overview map, alarm list, event log, connection status."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QMainWindow,
    QMenu,
    QStackedWidget,
    QToolBar,
    QToolButton,
    QWidget,
)

from plant_maps.alarm_rules import wearable_worker
from plant_maps.site import Site
from widgets.alarm_banner import AlarmBanner
from widgets.alarm_table import AlarmTable
from widgets.event_log import EventLogView
from widgets.muster_panel import MusterPanel
from widgets.permit_card import PermitCard
from widgets.permit_panel import PermitPanel
from widgets.plant_map import PlantMapView
from widgets.status_bar import ConnectionStatusBar
from widgets.worker_details import WorkerDetails
from widgets.worker_panel import WorkerPanel

LAYERS = (
    ("zones", "Zones"),
    ("equipment", "Equipment"),
    ("permits", "Permits"),
    ("detectors", "Detectors"),
    ("workers", "Workers"),
    ("trail", "Trail"),
    ("muster", "Muster points"),
)

RIGHT_DOCK_WIDTH_PX = 580
DOCK_HEIGHT_PX = 300  # about ten alarm rows: the list must never shrink to its buttons


class MainWindow(QMainWindow):
    """Level-1 overview (ISA-101 display hierarchy): the whole site at a glance, the alarms always in view.

    The banner sits above the map, where the eye starts; the alarm list and the event log share the bottom.
    """

    closed = Signal()
    zone_isolation_toggled = Signal(str, bool)  # zone id, isolated
    permit_shown = Signal(str)  # the console fills the card with the permit's live status
    worker_shown = Signal(str)  # the console fills the details with the worker's live data

    def __init__(
        self, site: Site, operator: str, console_name: str, now: Callable[[], float] = time.time
    ) -> None:
        super().__init__()
        self.setObjectName("MainWindow")
        self.setWindowTitle(f"Control room — {site.name} — {operator}@{console_name}")
        areas = [(z.id, z.name) for z in site.zones] + [("site", "Site-wide")]
        self.alarm_banner = AlarmBanner()
        self.alarm_banner.set_areas(areas)
        self.plant_map = PlantMapView(site)
        self.setCentralWidget(self.plant_map)
        banner = self._dock("Alarm banner", "AlarmBannerDock", self.alarm_banner)
        banner.setTitleBarWidget(QWidget())  # no title, not movable: the banner is always on top, full width
        banner.setFeatures(QDockWidget.DockWidgetFeature.NoDockWidgetFeatures)
        for corner in (Qt.Corner.TopLeftCorner, Qt.Corner.TopRightCorner):
            self.setCorner(corner, Qt.DockWidgetArea.TopDockWidgetArea)
        self.addDockWidget(Qt.DockWidgetArea.TopDockWidgetArea, banner)
        self.alarm_table = AlarmTable(site.alarms.max_shelve_s)
        self.alarm_table.set_areas(areas)
        self.event_log = EventLogView()
        alarms = self._dock("Alarms", "AlarmDock", self.alarm_table)
        log = self._dock("Event log", "EventLogDock", self.event_log)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, alarms)
        self.splitDockWidget(alarms, log, Qt.Orientation.Horizontal)
        self.resizeDocks([alarms, log], [2, 1], Qt.Orientation.Horizontal)
        self._bottom_dock = alarms
        self._build_field_docks(site, now)
        self.alarm_table.show_on_map.connect(self.plant_map.show_source)
        self.alarm_banner.alarm_clicked.connect(self.focus_alarm)
        self.status_bar = ConnectionStatusBar()
        self.setStatusBar(self.status_bar)
        self._build_toolbar()

    def _build_field_docks(self, site: Site, now: Callable[[], float]) -> None:
        """Right: the permit, worker and muster lists in tabs, and below them the card of what was picked."""
        self.permit_panel = PermitPanel(site, now)
        self.worker_panel = WorkerPanel(site, now)
        self.muster_panel = MusterPanel(site, now)
        self.permit_card = PermitCard(site, now)
        self.worker_details = WorkerDetails(site, now)
        self.details = QStackedWidget()
        self.details.addWidget(self.permit_card)
        self.details.addWidget(self.worker_details)
        lists = [
            self._dock("Permits", "PermitDock", self.permit_panel),
            self._dock("Workers", "WorkerDock", self.worker_panel),
            self._dock("Muster", "MusterDock", self.muster_panel),
        ]
        details = self._dock("Details", "DetailsDock", self.details)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, lists[0], Qt.Orientation.Vertical)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, details, Qt.Orientation.Vertical)
        for dock in lists[1:]:
            self.tabifyDockWidget(lists[0], dock)
        lists[0].raise_()
        self._right_docks = lists[0]
        self.permit_panel.permit_activated.connect(self.show_permit)
        self.plant_map.permit_clicked.connect(self.show_permit)
        self.worker_panel.worker_activated.connect(self.show_worker)
        self.plant_map.worker_clicked.connect(self.show_worker)
        self.muster_panel.worker_activated.connect(self.show_worker)
        self.permit_card.show_on_map_requested.connect(self.plant_map.show_source)
        self.worker_details.show_on_map_requested.connect(self.plant_map.show_source)
        self.worker_details.follow_requested.connect(self.plant_map.follow_worker)

    def show_permit(self, permit_id: str) -> None:
        """A permit picked in its list or on the map: its card, and its zone on the map."""
        self.details.setCurrentWidget(self.permit_card)
        self.permit_shown.emit(permit_id)
        self.plant_map.show_source(permit_id)

    def show_worker(self, worker_id: str) -> None:
        """A worker picked in a list or on the map: their details, and where they are."""
        self.details.setCurrentWidget(self.worker_details)
        self.worker_shown.emit(worker_id)
        self.plant_map.show_source(worker_id)

    def focus_alarm(self, alarm_id: str) -> None:
        """An alarm picked in the banner: select it in the list and show where it is; a wearer's SOS or
        man-down also opens the wearer's details, with the response's next step."""
        if self.alarm_table.select_alarm(alarm_id):
            [view] = self.alarm_table.selected_alarms()
            worker = wearable_worker(alarm_id)
            if worker is not None:
                self.show_worker(worker)
            else:
                self.plant_map.show_source(view.source)

    def _dock(self, title: str, name: str, widget: QWidget) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)
        return dock

    def _build_toolbar(self) -> None:
        bar = QToolBar("View", self)
        bar.setObjectName("ViewToolbar")
        bar.setMovable(False)
        self.addToolBar(bar)
        bar.addAction("Fit site", self.plant_map.fit_site)
        bar.addAction("Zoom in", lambda: self.plant_map.zoom_by(1.25))
        bar.addAction("Zoom out", lambda: self.plant_map.zoom_by(0.8))
        bar.addSeparator()
        isolate = QToolButton(bar)
        isolate.setText("Isolate zone")
        isolate.setToolTip("Maintenance isolation: a zone's alarms are suppressed by design until released")
        isolate.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(isolate)
        self.isolation_actions: dict[str, QAction] = {}
        for zone in self.plant_map.site.zones:
            action = menu.addAction(zone.name)
            action.setCheckable(True)
            action.toggled.connect(lambda on, z=zone.id: self.zone_isolation_toggled.emit(z, on))
            self.isolation_actions[zone.id] = action
        isolate.setMenu(menu)
        bar.addWidget(isolate)
        self.muster_action = QAction("Muster", self, checkable=True)
        self.muster_action.setToolTip("Evacuation: count everyone seen at a muster point, list the missing")
        bar.addAction(self.muster_action)
        bar.addSeparator()
        for name, label in LAYERS:
            action = QAction(label, self, checkable=True, checked=True)
            action.toggled.connect(lambda on, layer=name: self.plant_map.set_layer_visible(layer, on))
            bar.addAction(action)

    def showEvent(self, event: QShowEvent) -> None:
        """Size the docks once the window has its size (before that Qt ignores resizeDocks)."""
        super().showEvent(event)
        if self._right_docks is not None:
            QTimer.singleShot(0, self._size_docks)

    def _size_docks(self) -> None:
        if self._right_docks is None:
            return
        self.resizeDocks([self._right_docks], [RIGHT_DOCK_WIDTH_PX], Qt.Orientation.Horizontal)
        self.resizeDocks([self._bottom_dock], [DOCK_HEIGHT_PX], Qt.Orientation.Vertical)
        self._right_docks = None

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closed.emit()
        super().closeEvent(event)
