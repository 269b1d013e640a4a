"""The operator's main window: plant overview map, event log, connection status bar."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import QDockWidget, QMainWindow, QToolBar

from plant_maps.site import Site
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


class MainWindow(QMainWindow):
    """Level-1 overview (ISA-101 display hierarchy): the whole site at a glance."""

    closed = Signal()

    def __init__(self, site: Site, operator: str, console_name: str) -> None:
        super().__init__()
        self.setObjectName("MainWindow")
        self.setWindowTitle(f"Control room — {site.name} — {operator}@{console_name}")
        self.plant_map = PlantMapView(site)
        self.setCentralWidget(self.plant_map)
        self.event_log = EventLogView()
        dock = QDockWidget("Event log", self)
        dock.setObjectName("EventLogDock")
        dock.setWidget(self.event_log)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        self.status_bar = ConnectionStatusBar()
        self.setStatusBar(self.status_bar)
        self._build_toolbar()

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
