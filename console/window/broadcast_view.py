"""Broadcasting from the window: the dialog opened from the toolbar (Ctrl+B), a zone on the map, an alarm row
or a permit card, preselected from where it was opened; the call signed with the signed-in user's name, spoken in
the control room, and followed zone by zone in the dialog as the core hears the gateways. Suspending a
permit offers a broadcast to its zone with the site's matching preset.

Lives on the Qt thread (the core's loop under qasync).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMessageBox

from console.server.broadcasts import BroadcastCall, BroadcastService
from console.server.session import Broadcast, CommandResult, Session, Topic
from console.window.command_runner import CommandRunner
from console.window.main_window import MainWindow
from console.window.signed_in import SignedIn
from plant_maps.broadcast_presets import suspend_preset
from plant_maps.site import Permit
from widgets.broadcasts.broadcast_dialog import BroadcastChoice, BroadcastDialog, ZoneRow

STATUS_SHOWN_MS = 10_000


class BroadcastView(QObject):
    """Turns the window's broadcast requests into signed Broadcast commands and shows how they land."""

    def __init__(
        self,
        core: Session,
        broadcasts: BroadcastService,
        window: MainWindow,
        user: SignedIn,
        runner: CommandRunner,
        speak: Callable[[str], None],
    ) -> None:
        super().__init__(window)
        self.core, self.broadcasts, self.window = core, broadcasts, window
        self.user, self.runner, self._speak = user, runner, speak
        self.dialog: BroadcastDialog | None = None  # while open
        self.offer: QMessageBox | None = None  # while open: broadcast after a suspension?
        self._call: str | None = None  # the call the dialog follows
        site = core.site
        window.broadcast_requested.connect(self.open_dialog)
        window.alarm_table.broadcast_requested.connect(
            lambda area: self.open_dialog(site.pa_zones_covering(area))
        )
        window.permit_card.broadcast_requested.connect(
            lambda permit: self.open_dialog(site.pa_zones_covering(self._permit(permit).zone))
        )
        window.permit_suspended.connect(self.offer_after_suspension)
        self._unsubscribe = core.subscribe(Topic.BROADCASTS, self._moved)

    def close(self) -> None:
        self._unsubscribe()

    def open_dialog(self, pa_zones: Sequence[str] = (), preset: str = "") -> None:
        """The dialog with these PA zones ticked and `preset` picked (one dialog: a second request reuses it)."""
        site = self.core.site
        if self.dialog is None:
            names = {z.id: z.name for z in site.zones}
            dialog = self.dialog = BroadcastDialog(site.broadcast_presets, site.pa_zones, names, self.window)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.finished.connect(lambda _result: self._closed())
            dialog.send_requested.connect(self._send)
            self._call = None
            dialog.open()
        self.dialog.preselect(tuple(pa_zones), preset)
        self.dialog.raise_()

    def offer_after_suspension(self, permit_id: str) -> None:
        """A permit was suspended: offer to tell its zone, with the preset the site keeps for its category."""
        site, permit = self.core.site, self._permit(permit_id)
        pa_zones = site.pa_zones_covering(permit.zone)
        if not pa_zones:
            return
        preset = suspend_preset(site.broadcast_presets, permit.category)
        zone = site.zone(permit.zone).name
        names = ", ".join(p.name for p in site.pa_zones if p.id in pa_zones)
        text = (
            self.tr("{permit} is suspended. Tell the people in {zone} now?").format(
                permit=permit_id, zone=zone
            )
            if names == zone
            else self.tr("{permit} is suspended. Tell the people in {zone} (PA zone {pa}) now?").format(
                permit=permit_id, zone=zone, pa=names
            )
        )
        if preset is not None:
            text += "\n\n" + f"{preset.id}: {preset.text_zh}\n{preset.text_en}"
        box = self.offer = QMessageBox(
            QMessageBox.Icon.Question, self.tr("Broadcast to the work zone"), text, parent=self.window
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        confirm = box.addButton(
            self.tr("Broadcast to {zone}…").format(zone=zone), QMessageBox.ButtonRole.AcceptRole
        )
        box.addButton(self.tr("Not now"), QMessageBox.ButtonRole.RejectRole)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered() -> None:
            self.offer = None
            if box.clickedButton() is confirm:
                self.open_dialog(pa_zones, preset.id if preset else "")

        box.finished.connect(answered)
        box.open()

    def _permit(self, permit_id: str) -> Permit:
        return self.core.permits.status(permit_id).permit

    def _send(self, choice: BroadcastChoice) -> None:
        before = set(self.broadcasts.calls)
        preset = next((p for p in self.core.site.broadcast_presets if p.id == choice.preset), None)
        spoken = preset.text(choice.lang) if preset else choice.text
        command = Broadcast(
            self.user.name,
            choice.priority,
            choice.zones,
            choice.preset,
            choice.text,
            choice.lang,
            choice.repeat,
        )
        self.runner.send(command, lambda result: self._sent(result, before, spoken))

    def _sent(self, result: CommandResult, before: set[str], spoken: str) -> None:
        self.window.statusBar().showMessage(result.message, STATUS_SHOWN_MS)
        if not result.ok:
            if self.dialog is not None:
                self.dialog.show_refusal(result.message)
            return
        self._speak(spoken)  # the control room hears what the plant hears
        new = [call_id for call_id in self.broadcasts.calls if call_id not in before]
        if new:
            self._call = new[-1]
            self._show()

    def _moved(self, calls: list[BroadcastCall]) -> None:
        if self._call is not None and any(c.id == self._call for c in calls):
            self._show()

    def _show(self) -> None:
        call = self.broadcasts.calls.get(self._call or "")
        if self.dialog is None or call is None:
            return
        rows = [ZoneRow(d.pa_zone, str(d.state), d.since, d.reason) for d in call.zones.values()]
        self.dialog.show_delivery(call.id, call.priority, rows, call.acknowledged, len(call.wearables))

    def _closed(self) -> None:
        self.dialog = None
        self._call = None
