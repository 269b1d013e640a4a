"""Isolating a zone from the window: the reason and duration dialog, the confirmation with what it will
suppress (counted from the core's alarms at that moment), the command signed with the signed-in user's
name, and the isolations in force as the window shows them.

Lives on the Qt thread (the core's loop under qasync). The outcome of each command is shown in the alarm
list's status line and the status bar; the map and the banner follow what the core journaled (the bridge
draws `isolation_notices`).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, Qt

from alarms.records import AlarmView
from console.server.session import CommandResult, IsolateZone, Session
from console.server.zone_isolation import MAX_REASON_CHARS, impact
from console.window.command_runner import CommandRunner
from console.window.main_window import MainWindow
from console.window.signed_in import SignedIn
from widgets.common.time_text import clock_text
from widgets.isolation.isolation_banner import IsolationNotice
from widgets.isolation.isolation_dialog import IsolationConfirmation, IsolationDialog

STATUS_SHOWN_MS = 10_000


def isolation_notices(core: Session, views: Sequence[AlarmView]) -> list[IsolationNotice]:
    """The isolations in force, each with the active alarms it hides now (from one snapshot of the alarms)."""
    site, out = core.site, []
    for isolation in core.alarms.isolations.all():
        hidden = impact(site, isolation.zone, views)
        out.append(
            IsolationNotice(
                isolation.zone,
                site.zone(isolation.zone).name,
                isolation.until,
                isolation.actor,
                isolation.reason,
                hidden.active,
                hidden.tier1_active,
                hidden.live,
            )
        )
    return out


class IsolationView(QObject):
    """Turns the window's isolation requests into confirmed, signed session commands."""

    def __init__(self, core: Session, window: MainWindow, user: SignedIn, runner: CommandRunner) -> None:
        super().__init__(window)
        self.core, self.window, self.user, self.runner = core, window, user, runner
        self.dialog: IsolationDialog | None = None  # while open
        self.confirmation: IsolationConfirmation | None = None  # while open
        window.isolation_requested.connect(self.open_dialog)
        window.isolation_end_requested.connect(self.end)

    def open_dialog(self, zone: str) -> None:
        """Ask the reason and the duration of isolating `zone` (any zone can still be picked in the dialog)."""
        isolation = self.core.alarms.isolations.get(zone)
        if isolation is not None:
            self._show(
                CommandResult(
                    False,
                    self.tr("{0} is isolated already, until {1}: end it from the banner first").format(
                        self.core.site.zone(zone).name, clock_text(isolation.until, False)
                    ),
                )
            )
            return
        site = self.core.site
        dialog = self.dialog = IsolationDialog(
            [(z.id, z.name) for z in site.zones],
            zone,
            self.core.alarms.isolations.max_s,
            MAX_REASON_CHARS,
            self.window,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _result: self._chosen(dialog))
        dialog.open()

    def end(self, zone: str) -> None:
        """Return an isolated zone to service now (its still-active alarms come back unacknowledged)."""
        self._send(IsolateZone(self.user.name, zone, False))

    def _chosen(self, dialog: IsolationDialog) -> None:
        """The reason and duration are given: confirm, saying what goes silent and until when."""
        self.dialog = None
        choice = dialog.choice()
        if choice is None:
            return
        zone, reason, duration_s = choice
        hidden = impact(self.core.site, zone, self.core.alarms.views())
        box = self.confirmation = IsolationConfirmation(
            self.core.site.zone(zone).name,
            reason,
            self.core.clock.now() + duration_s,
            hidden.detectors,
            hidden.active,
            hidden.tier1_active,
            hidden.live,
            self.window,
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _result: self._confirmed(box, zone, reason, duration_s))
        box.open()

    def _confirmed(self, box: IsolationConfirmation, zone: str, reason: str, duration_s: float) -> None:
        self.confirmation = None
        if box.confirmed():
            self._send(IsolateZone(self.user.name, zone, True, reason, duration_s))

    def _send(self, command: IsolateZone) -> None:
        self.window.alarm_table.set_status(self.tr("isolation: saving…"))
        self.runner.send(command, self._show)

    def _show(self, result: CommandResult) -> None:
        self.window.alarm_table.set_status(result.message, refused=not result.ok)
        self.window.statusBar().showMessage(result.message, STATUS_SHOWN_MS)
