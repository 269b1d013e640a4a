"""Right-click menus on what the operator sees: map objects (workers, detectors, permits, zones), permit and
worker rows. Each menu offers the commands the window already has for that object, enabled as its buttons
are, so that a right-click never offers something a button would refuse. Runs on the Qt thread.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QObject, QPoint
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QMenu

from console.window.main_window import MainWindow
from console.window.role_gate import RoleGate
from plant_maps.alarm_rules import wearable_worker
from widgets.common.wearable_response import awaiting_response, next_step


class ContextMenus(QObject):
    def __init__(self, window: MainWindow, gate: RoleGate) -> None:
        super().__init__(window)
        self.window, self.gate = window, gate
        self.menu: QMenu | None = None  # the menu open now (tests read it)
        window.plant_map.context_requested.connect(self.open_for_map)
        window.permit_panel.context_requested.connect(
            lambda permit, pos: self._open(self.permit_menu(permit), pos)
        )
        window.worker_panel.context_requested.connect(
            lambda worker, pos: self._open(self.worker_menu(worker), pos)
        )

    def open_for_map(self, kind: str, key: str, pos: QPoint) -> None:
        plant_map = self.window.plant_map
        at = plant_map.mapToScene(plant_map.viewport().mapFromGlobal(pos))  # where on the ground, metres
        menus: dict[str, Callable[[str], QMenu]] = {
            "worker": self.worker_menu,
            "detector": self.detector_menu,
            "permit": self.permit_menu,
            "zone": lambda zone_id: self.zone_menu(zone_id, (at.x(), at.y())),
        }
        self._open(menus[kind](key), pos)

    def worker_menu(self, worker_id: str) -> QMenu:
        w = self.window
        menu = self._menu()
        menu.addAction(w.tr("Details"), lambda: w.show_worker(worker_id))
        menu.addAction(w.tr("Follow on the map"), lambda: w.plant_map.follow_worker(worker_id))
        table = w.alarm_table
        for view in table.model.views():
            if wearable_worker(view.id) == worker_id and awaiting_response(view):
                step = next_step(view, table.model.response(view.id))
                action = menu.addAction(
                    f"{view.id}: {step.label}", lambda a=view.id: table.respond_requested.emit(a)
                )
                _enable(action, step.enabled, step.reason)
                self.gate.guard(action, "AssignResponder")
        return menu

    def detector_menu(self, sensor_id: str) -> QMenu:
        w = self.window
        menu = self._menu()
        menu.addAction(w.tr("Show its alarms in the list"), lambda: self._alarms_of(sensor_id))
        menu.addAction(w.tr("Centre the map on it"), lambda: w.plant_map.show_source(sensor_id))
        menu.addAction(w.tr("Trend"), lambda: w.open_trend(sensor_id))
        return menu

    def permit_menu(self, permit_id: str) -> QMenu:
        """The permit card's commands, as enabled as the card shows them for this permit."""
        w = self.window
        w.show_permit(permit_id)
        menu = self._menu()
        menu.addAction(w.tr("Open permit card"), lambda: w.show_permit(permit_id))
        card = w.permit_card
        for button in card.command_buttons():
            action = menu.addAction(button.text(), button.click)
            _enable(action, button.isEnabled(), button.toolTip())
        return menu

    def zone_menu(self, zone_id: str, at: tuple[float, float] = (math.nan, math.nan)) -> QMenu:
        """`at`: the point of the ground right-clicked (an incident can be declared around it)."""
        w = self.window
        menu = self._menu()
        if zone_id in w.isolated_zones():
            isolation = menu.addAction(w.tr("End isolation"), lambda: w.isolation_end_requested.emit(zone_id))
        else:
            isolation = menu.addAction(w.tr("Isolate zone…"), lambda: w.request_isolation(zone_id))
        self.gate.guard(isolation, "IsolateZone")
        menu.addAction(
            w.tr("Show its alarms in the list"), lambda: _choose(w.alarm_table.area_filter, zone_id)
        )
        menu.addAction(w.tr("Show its permits"), lambda: _choose(w.permit_panel.zone_filter, zone_id))
        pa_zones = w.plant_map.site.pa_zones_covering(zone_id)
        broadcast = menu.addAction(
            w.tr("Broadcast to this zone…"), lambda: w.broadcast_requested.emit(pa_zones, "")
        )
        _enable(broadcast, bool(pa_zones), "" if pa_zones else w.tr("Not possible: no PA zone covers it"))
        self.gate.guard(broadcast, "Broadcast")
        declare = menu.addAction(
            w.tr("Declare incident here…"), lambda: w.incident_requested.emit(zone_id, *at)
        )
        self.gate.guard(declare, "DeclareIncident")
        for interlock_id, zone in w.interlock_zones.items():
            if zone == zone_id:
                interlock = menu.addAction(
                    w.tr("Interlock {0}…").format(interlock_id),
                    lambda i=interlock_id: w.interlock_requested.emit(i),
                )
                self.gate.guard(interlock, "ArmInterlock")
        return menu

    def _alarms_of(self, sensor_id: str) -> None:
        self.window.alarm_table.text_filter.setText(sensor_id)
        self.window.alarm_dock.raise_()

    def _menu(self) -> QMenu:
        menu = QMenu(self.window)
        menu.setToolTipsVisible(True)
        return menu

    def _open(self, menu: QMenu, pos: QPoint) -> None:
        self.menu = menu
        menu.aboutToHide.connect(menu.deleteLater)
        menu.popup(pos)


def _enable(action: QAction, enabled: bool, why: str) -> None:
    action.setEnabled(enabled)
    action.setToolTip(why)


def _choose(combo: QComboBox, data: str) -> None:
    index = combo.findData(data)
    if index >= 0:
        combo.setCurrentIndex(index)
