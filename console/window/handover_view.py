"""The shift handover in the window: the toolbar's "Shift handover…" opens the dialog; its intents become
the handover commands (sent as the signed-in lead), each lead signs their side in the signature dialog with
their own password (the incoming lead at the same console), and the dialog follows the core's handovers.

Lives on the Qt thread (the core's loop under qasync).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, QUrl
from PySide6.QtGui import QDesktopServices

from alarms.kpis import GROUP_NAMES
from console.server.handover import HandoverService
from console.server.handover_record import SECTIONS, Handover, Item
from console.server.handover_words import light_text, section_title
from console.server.session import (
    ClearHandoverFlag,
    CommandResult,
    FinaliseHandover,
    FlagHandoverItem,
    Session,
    SignHandover,
    StartHandover,
    Topic,
)
from console.server.signatures import handover_meaning
from console.window.command_runner import CommandRunner
from console.window.main_window import MainWindow
from console.window.role_gate import RoleGate
from console.window.signed_in import SignedIn
from console.window.signing import sign_and_send
from integrations.users import User
from plant_maps.shifts import Period
from widgets.common.time_text import dated_clock_text
from widgets.handover.handover_dialog import HandoverDialog, HandoverShown, KpiShown, SectionShown
from widgets.sign_in.sign_in_dialogs import SignatureDialog

_BUTTONS = (
    ("start_button", "StartHandover"),
    ("flag_button", "FlagHandoverItem"),
    ("clear_button", "ClearHandoverFlag"),
    ("sign_outgoing_button", "SignHandover"),
    ("sign_incoming_button", "SignHandover"),
    ("finalise_button", "FinaliseHandover"),
)


class HandoverView(QObject):
    def __init__(
        self,
        core: Session,
        window: MainWindow,
        user: SignedIn,
        runner: CommandRunner,
        gate: RoleGate,
        users: Callable[[], list[User]],
    ) -> None:
        super().__init__(window)
        self.core, self.window, self.user, self.runner, self.gate = core, window, user, runner, gate
        self._users = users  # the accounts (blocking: asked on a worker thread)
        self.dialog: HandoverDialog | None = None  # while open
        self.signature: SignatureDialog | None = None  # while open
        self._tasks: set[asyncio.Task[None]] = set()
        window.handover_requested.connect(self.open_dialog)
        self._unsubscribe = core.subscribe(Topic.HANDOVERS, lambda _ids: self.refresh())

    @property
    def service(self) -> HandoverService:
        return self.core.handovers

    def close(self) -> None:
        self._unsubscribe()
        for task in self._tasks:
            task.cancel()

    def open_dialog(self) -> None:
        """The dialog (one: a second request raises it), sized to fit inside the window (its monitor)."""
        if self.dialog is None:
            dialog = self.dialog = HandoverDialog(self.window)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.finished.connect(lambda _result: self._closed())
            dialog.start_requested.connect(self._start)
            dialog.flag_requested.connect(lambda text: self._send(FlagHandoverItem(self.user.name, text)))
            dialog.clear_requested.connect(lambda flag: self._send(ClearHandoverFlag(self.user.name, flag)))
            dialog.sign_requested.connect(self._sign)
            dialog.finalise_requested.connect(self._finalise)
            dialog.open_folder_requested.connect(open_folder)
            for name, command in _BUTTONS:
                self.gate.guard(getattr(dialog, name), command)
            self.gate.refreshers.append(self.refresh)
            dialog.resize(min(1180, self.window.width() - 40), min(720, self.window.height() - 40))
            tr = QCoreApplication.translate
            dialog.set_periods(
                [
                    (Period.THIS_SHIFT.value, tr("HandoverView", "This shift")),
                    (Period.LAST_SHIFT.value, tr("HandoverView", "Last shift")),
                ]
            )
            self._later(self._load_leads())
            self.refresh()
            dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()

    def refresh(self) -> None:
        dialog = self.dialog
        if dialog is None:
            return
        current = self._current()
        dialog.show_handover(None if current is None else shown(current, self.core.clock.now()))
        now = self.core.clock.now()
        dialog.show_flags(
            [
                (f.subject, f"{f.text} — {f.who}, {dated_clock_text(f.ts or now, now)}")
                for f in self.service.flags.values()
            ]
        )

    def _current(self) -> Handover | None:
        """The handover under way, else the newest of this console's run (its PDF stays at hand)."""
        handovers = self.service.handovers.values()
        return self.service.open() or max(handovers, key=lambda h: h.snapshot.started, default=None)

    async def _load_leads(self) -> None:
        users = await asyncio.to_thread(self._users)
        leads = [
            (u.name, f"{u.full_name} ({u.name})")
            for u in users
            if "shift_lead" in u.roles and not u.disabled and u.name != self.user.name
        ]
        if self.dialog is not None:
            self.dialog.set_leads(leads)

    def _start(self, incoming: str, period: str) -> None:
        """This shift (by default) or the last one, by the config's shift pattern, as of now."""
        since, until = self.service.shifts.period(Period(period or Period.THIS_SHIFT), self.core.clock.now())
        self._send(StartHandover(self.user.name, incoming, since, until))

    def _finalise(self) -> None:
        current = self._current()
        if current is not None:
            self._send(FinaliseHandover(self.user.name, current.id))

    def _sign(self, side: str) -> None:
        """The signature dialog for `side`, signed by that side's lead (the incoming one at this console too)."""
        current = self._current()
        if current is None or self.dialog is None:
            return
        lead = current.lead(side)
        subject = QCoreApplication.translate("HandoverView", "Shift handover {id}").format(id=current.id)
        self.signature = sign_and_send(
            self.dialog,
            self.user,
            self.runner,
            subject,
            handover_meaning(side),
            lambda signature: SignHandover(self.user.name, current.id, side, lead.name, signature),
            self._answered,
            signer=f"{lead.full_name} ({lead.name})",
        )
        self.signature.finished.connect(lambda _result: setattr(self, "signature", None))

    def _send(self, command: StartHandover | FlagHandoverItem | ClearHandoverFlag | FinaliseHandover) -> None:
        self.runner.send(command, self._answered)

    def _answered(self, result: CommandResult) -> None:
        if self.dialog is not None:
            self.dialog.show_message(result.message)
        self.window.statusBar().showMessage(result.message, 10_000)

    def _later(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _closed(self) -> None:
        if self.refresh in self.gate.refreshers:
            self.gate.refreshers.remove(self.refresh)
        self.dialog = None


def open_folder(pdf: str) -> None:
    """The PDF's folder in the desktop's file manager."""
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(pdf).parent)))


def shown(h: Handover, now: float) -> HandoverShown:
    """The handover's texts for the dialog: the PDF's words (`handover_words`), local times."""
    s = h.snapshot

    def when(ts: float | None) -> str:
        return dated_clock_text(ts, now) if ts is not None else ""

    tr = QCoreApplication.translate
    header = [
        (tr("HandoverView", "Site"), s.site),
        (tr("HandoverView", "Period"), f"{when(s.since)} – {when(s.until)}"),
        (tr("HandoverView", "Outgoing lead"), f"{s.outgoing.full_name} ({s.outgoing.name})"),
        (tr("HandoverView", "Incoming lead"), f"{s.incoming.full_name} ({s.incoming.name})"),
    ]
    labels = (tr("HandoverView", "Signed (outgoing)"), tr("HandoverView", "Signed (incoming)"))
    for side, label in zip(("outgoing", "incoming"), labels, strict=True):
        signed = h.signatures.get(side)
        text = (
            f"{signed.full_name} ({signed.name}), {when(signed.ts)}: {signed.meaning}"
            if signed
            else tr("HandoverView", "not signed")
        )
        header.append((label, text))
    header.append(
        (
            tr("HandoverView", "Audit trail"),
            tr("HandoverView", "verified up to #{seq}, hash {hash}").format(
                seq=s.audit_seq, hash=s.audit_hash[:16]
            ),
        )
    )
    kpis = tuple(
        KpiShown(
            tr("Kpi", GROUP_NAMES[k.group]),
            tr("Kpi", k.label),
            k.text,
            k.target,
            k.light,
            light_text(k.light, k.target),
        )
        for k in s.kpis
    )
    sections = tuple(
        SectionShown(section_title(name), tuple(_row(i, when) for i in s.section(name))) for name in SECTIONS
    )
    return HandoverShown(s.id, tuple(header), kpis, sections, frozenset(h.signatures), h.locked, h.pdf)


def _row(i: Item, when: Callable[[float | None], str]) -> tuple[str, str, str, str, str]:
    return (when(i.ts), i.subject, i.who, i.text, when(i.until))
