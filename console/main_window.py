"""The operator's main window: alarm banner, plant overview map, alarm list, event log, connection status."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import QDockWidget, QMainWindow, QToolBar, QVBoxLayout, QWidget

from plant_maps.site import Site
from widgets.alarm_banner import AlarmBanner
from widgets.alarm_table import AlarmTable
from widgets.event_log import EventLogView
from widgets.plant_map import PlantMapView
from widgets.status_bar import ConnectionStatusBar

LAYERS = (
    ("zones", "Zones"),
    ("equipment", "Equipment"),
    ("detectors", "Detectors"),
    ("workers", "Workers"),
    ("muster", "Muster points"),
)

DOCK_HEIGHT_PX = 300  # about ten alarm rows: the list must never shrink to its buttons


class MainWindow(QMainWindow):
    """Level-1 overview (ISA-101 display hierarchy): the whole site at a glance, the alarms always in view.

    The banner sits above the map, where the eye starts; the alarm list and the event log share the bottom.
    """

    closed = Signal()

    def __init__(self, site: Site, operator: str, console_name: str) -> None:
        super().__init__()
        self.setObjectName("MainWindow")
        self.setWindowTitle(f"Control room — {site.name} — {operator}@{console_name}")
        areas = [(z.id, z.name) for z in site.zones] + [("site", "Site-wide")]
        self.alarm_banner = AlarmBanner()
        self.alarm_banner.set_areas(areas)
        self.plant_map = PlantMapView(site)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.alarm_banner)
        layout.addWidget(self.plant_map, 1)
        self.setCentralWidget(central)
        self.alarm_table = AlarmTable(site.alarms.max_shelve_s)
        self.alarm_table.set_areas(areas)
        self.event_log = EventLogView()
        alarms = self._dock("Alarms", "AlarmDock", self.alarm_table)
        log = self._dock("Event log", "EventLogDock", self.event_log)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, alarms)
        self.splitDockWidget(alarms, log, Qt.Orientation.Horizontal)
        self.resizeDocks([alarms, log], [2, 1], Qt.Orientation.Horizontal)
        self.resizeDocks([alarms], [DOCK_HEIGHT_PX], Qt.Orientation.Vertical)
        self.alarm_table.show_on_map.connect(self.plant_map.show_source)
        self.alarm_banner.alarm_clicked.connect(self.focus_alarm)
        self.status_bar = ConnectionStatusBar()
        self.setStatusBar(self.status_bar)
        self._build_toolbar()

    def focus_alarm(self, alarm_id: str) -> None:
        """An alarm picked in the banner: select it in the list and show where it is."""
        if self.alarm_table.select_alarm(alarm_id):
            [view] = self.alarm_table.selected_alarms()
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
        for name, label in LAYERS:
            action = QAction(label, self, checkable=True, checked=True)
            action.toggled.connect(lambda on, layer=name: self.plant_map.set_layer_visible(layer, on))
            bar.addAction(action)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closed.emit()
        super().closeEvent(event)
