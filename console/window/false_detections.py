"""Marking a camera detection false from the window: the alarm list's "Mark as false detection…" on a video-AI
alarm asks what the camera showed and sends the mark for the detection that raised it (the newest the core
remembers). Done once the core has journaled it: the alarm list's status line says so, the event log shows
the core's line; a refusal says why in the status line. Runs on the Qt thread.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt

from console.server.session import CommandResult, MarkFalseDetection, Session
from console.server.vision_marks import REASON_MAX_CHARS
from console.window.command_runner import CommandRunner
from console.window.main_window import MainWindow
from console.window.signed_in import SignedIn
from widgets.common.text_dialog import TextDialog
from widgets.common.time_text import dated_clock_text


class FalseDetections(QObject):
    """The alarm list's false-detection intents, turned into MarkFalseDetection with the signed-in user."""

    def __init__(self, core: Session, runner: CommandRunner, window: MainWindow, user: SignedIn) -> None:
        super().__init__(window)
        self.core, self.runner, self.window, self.user = core, runner, window, user
        self.dialog: TextDialog | None = None  # open now (tests type into it)
        window.alarm_table.false_detection_requested.connect(self.ask)

    def ask(self, alarm_id: str) -> None:
        table = self.window.alarm_table
        detection = self.core.vision.latest(alarm_id)
        if detection is None:
            table.set_status(
                self.tr("No camera detection behind {alarm} is remembered (older than a day)").format(
                    alarm=alarm_id
                ),
                refused=True,
            )
            return
        site = self.core.site
        seen = self.tr("{what} in {zone}, seen by {camera} at {time} ({confidence:.0%}).").format(
            what=detection.cls.replace("_", " "),
            zone=site.zone_name(detection.zone),
            camera=detection.camera,
            time=dated_clock_text(detection.ts, self.core.clock.now()),
            confidence=detection.confidence,
        )
        dialog = self.dialog = TextDialog(
            self.tr("False detection: {alarm}").format(alarm=alarm_id),
            seen + "\n" + self.tr("What did the camera show? (required, e.g. a shadow of the crane boom)"),
            self.tr("Mark as false"),
            required=True,
            max_length=REASON_MAX_CHARS,
            parent=self.window,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(
            lambda: self._send(MarkFalseDetection(self.user.name, detection.id, dialog.text()))
        )
        dialog.finished.connect(lambda: setattr(self, "dialog", None))
        dialog.open()

    def _send(self, command: MarkFalseDetection) -> None:
        self.window.alarm_table.set_status(self.tr("mark as false detection: saving…"))
        self.runner.send(command, self._show)

    def _show(self, result: CommandResult) -> None:
        self.window.alarm_table.set_status(result.message, refused=not result.ok)
