"""The permit card: one GB 30871 permit in full, and the operator's permit commands (suspend, resume, close).

Shows what the permit book knows of it (`PermitStatus`): category, grade, zone, title, people, validity
with the time left, the gas limits a test must meet and the latest test's verdict, the approval route and
its signatures, the guardian's check-in, the state with the reason of a suspension, and SIMOPS flags. Each
button is enabled exactly when the permit book would carry its command out now (`PermitChecks`, the rule
the book refuses by), and greyed with the book's reason otherwise; the buttons emit intents, the core
decides and the console reports the outcome with `set_status`. A suspension always asks for a reason (DOMAIN: every suspension has
one) and closing asks for confirmation (it cannot be undone); both dialogs open with `open()`, never a
blocking `exec()`, so the asyncio loop keeps running. All methods run on the Qt thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, QTimer, Signal, SignalInstance
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from plant_maps.gas_tests import GAS_TEST_MAX_AGE_S, fresh_enough, gas_limits, readings_text
from plant_maps.permit_lifecycle import LIVE, TERMINAL, PermitAction, PermitState
from plant_maps.permits import PermitChecks, PermitStatus
from plant_maps.simops import SimopsFlag
from plant_maps.site import Site
from plant_maps.words import Words
from widgets.common.panel_look import command_button, heading_font, set_bold
from widgets.common.permit_look import STATE_LOOKS, category_code, category_grade_text
from widgets.common.plain_text import ElidedLabel, PlainLabel, plain_tooltip
from widgets.common.tiers import TierMarkers
from widgets.common.time_text import ago_text, day_clock_text, duration_text, remaining_text
from widgets.common.words import translated_all
from widgets.permits.gas_test_dialog import GasTestDialog

SUSPEND_REASONS = (  # offered, not imposed: the operator may type any reason
    QT_TRANSLATE_NOOP("SuspendDialog", "Gas alarm in the work zone"),
    QT_TRANSLATE_NOOP("SuspendDialog", "SOS or man-down in the work zone"),
    QT_TRANSLATE_NOOP("SuspendDialog", "Guardian not at the work location"),
    QT_TRANSLATE_NOOP("SuspendDialog", "Unsafe act observed"),
    QT_TRANSLATE_NOOP("SuspendDialog", "Process upset nearby"),
)
FIELDS = (  # the fields' names (`field_text` takes them) and, translated, their labels
    QT_TRANSLATE_NOOP("PermitCard", "State"),
    QT_TRANSLATE_NOOP("PermitCard", "Reason"),
    QT_TRANSLATE_NOOP("PermitCard", "Category"),
    QT_TRANSLATE_NOOP("PermitCard", "Zone"),
    QT_TRANSLATE_NOOP("PermitCard", "Applicant"),
    QT_TRANSLATE_NOOP("PermitCard", "Guardian"),
    QT_TRANSLATE_NOOP("PermitCard", "Workers"),
    QT_TRANSLATE_NOOP("PermitCard", "Valid"),
    QT_TRANSLATE_NOOP("PermitCard", "Gas limits"),
    QT_TRANSLATE_NOOP("PermitCard", "Latest gas test"),
    QT_TRANSLATE_NOOP("PermitCard", "Approvals"),
    QT_TRANSLATE_NOOP("PermitCard", "SIMOPS"),
)

Check = Callable[[PermitStatus, float], list[Words]]  # why a command cannot be given now ([]: it can)

STATUS_LINES = 3  # the core's answer under the buttons; longer, it ends in "…" (whole in its tooltip)


def _always(_s: PermitStatus, _now: float) -> list[Words]:
    return []


class SuspendDialog(QDialog):
    """Asks why a permit is suspended; it will not accept without a reason."""

    def __init__(self, permit_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.permit_id = permit_id
        self.setWindowTitle(self.tr("Suspend {permit}").format(permit=permit_id))
        self.setMinimumWidth(40 * self.fontMetrics().horizontalAdvance("M"))
        self.reason_edit = QComboBox()
        self.reason_edit.setEditable(True)
        self.reason_edit.addItems([self.tr(reason) for reason in SUSPEND_REASONS])
        self.reason_edit.setCurrentIndex(-1)
        line = self.reason_edit.lineEdit()
        assert line is not None
        line.setPlaceholderText(self.tr("Required: why must the work stop?"))
        note = QLabel(
            self.tr(
                "The work stops now; the permit's workers, guardian and area lead are told. "
                "Resuming needs a new gas test and the guardian's check-in."
            )
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("Suspend"))
        self.ok_button.setEnabled(False)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.reason_edit.editTextChanged.connect(lambda: self.ok_button.setEnabled(bool(self.reason())))
        form = QFormLayout()
        form.addRow(self.tr("Reason"), self.reason_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def reason(self) -> str:
        return self.reason_edit.currentText().strip()

    def accept(self) -> None:
        """Refuse to close without a reason, also when accepted programmatically."""
        if self.reason():
            super().accept()


class PermitCard(QWidget):
    """One permit in full with its commands; `now` is the console's clock (epoch seconds)."""

    suspend_requested = Signal(str, str)  # permit id, reason (never empty)
    resume_requested = Signal(str)
    close_requested = Signal(str)
    show_on_map_requested = Signal(str)
    gas_test_requested = Signal(str, object, str)  # permit id, {measure: reading}, tester
    check_in_requested = Signal(str)  # the guardian is at the work: check them in where they are
    activate_requested = Signal(str)
    submit_requested = Signal(str)
    approve_requested = Signal(str, str)  # permit id, the role the operator signs as
    broadcast_requested = Signal(str)  # permit id: speak to the people in its zone

    def __init__(
        self,
        site: Site,
        now: Callable[[], float] = time.time,
        parent: QWidget | None = None,
        checks: PermitChecks | None = None,
    ) -> None:
        super().__init__(parent)
        self.site = site
        self._now = now
        self.checks = checks or PermitChecks(site)  # the permit book's own rule (the same defaults)
        self._status: PermitStatus | None = None
        # the roles the signed-in user may sign as (None: any, as in DEMO); the console sets it
        self.signing_roles: Callable[[], frozenset[str] | None] = lambda: None
        self._simops: tuple[SimopsFlag, ...] = ()
        self._markers = TierMarkers()
        self.suspend_dialog: SuspendDialog | None = None  # while open
        self.close_dialog: QMessageBox | None = None  # while open
        self.code_label = QLabel()
        self.code_label.setObjectName("PermitCode")
        self.code_label.setFrameShape(QFrame.Shape.Box)
        self.code_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title_label = PlainLabel()  # the permit's title, as typed
        self.title_label.setWordWrap(True)
        for label in (self.code_label, self.title_label):
            label.setFont(heading_font(self))
        self.state_mark = QLabel()
        self.state_mark.hide()
        self.fields: dict[str, QLabel] = {}
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for name in FIELDS:
            value = PlainLabel()  # reasons, titles, names: as typed
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields[name] = value
            if name == "State":
                row = QHBoxLayout()
                row.setContentsMargins(0, 0, 0, 0)
                row.setSpacing(6)
                row.addWidget(self.state_mark, 0, Qt.AlignmentFlag.AlignTop)
                row.addWidget(value, 1)
                self.form.addRow(self.tr(name), row)
            else:
                self.form.addRow(self.tr(name), value)
        tr = self.tr
        self.suspend_button = command_button(tr("Suspend…"))
        self.resume_button = command_button(tr("Resume"))
        self.close_button = command_button(tr("Close…"))
        self.map_button = command_button(tr("Show on map"))
        self.broadcast_button = command_button(tr("Broadcast…"))
        self.gas_test_button = command_button(tr("Gas test…"))
        self.check_in_button = command_button(tr("Guardian check-in"))
        self.activate_button = command_button(tr("Activate"))
        self.submit_button = command_button(tr("Submit"))
        self.approve_button = QToolButton()
        self.approve_button.setText(tr("Approve as…"))
        self.approve_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.approve_menu = QMenu(self.approve_button)
        self.approve_menu.setToolTipsVisible(True)
        self.approve_button.setMenu(self.approve_menu)
        self._enablement = self._declare_enablement()
        self._tips: dict[QAbstractButton, str] = {}  # the tooltip each button was given last
        self.submit_button.clicked.connect(lambda: self._emit(self.submit_requested))
        self.gas_test_dialog: GasTestDialog | None = None  # while open
        self.gas_test_button.clicked.connect(self._open_gas_test_dialog)
        self.check_in_button.clicked.connect(lambda: self._emit(self.check_in_requested))
        self.activate_button.clicked.connect(lambda: self._emit(self.activate_requested))
        self.suspend_button.clicked.connect(self._open_suspend_dialog)
        self.resume_button.clicked.connect(lambda: self._emit(self.resume_requested))
        self.close_button.clicked.connect(self._open_close_dialog)
        self.map_button.clicked.connect(lambda: self._emit(self.show_on_map_requested))
        self.broadcast_button.clicked.connect(lambda: self._emit(self.broadcast_requested))
        self.status_label = ElidedLabel(lines=STATUS_LINES)  # the core's answer, quoting what was typed
        self._timer = QTimer(self)  # the time left, while the card is on screen
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._refresh_times)
        self._lay_out()
        self.clear()

    # --- data in -------------------------------------------------------------------------------------------

    def command_buttons(self) -> list[QPushButton]:
        """The card's commands in the order a permit goes through them (a right-click menu offers them too)."""
        return [
            self.submit_button,
            self.gas_test_button,
            self.check_in_button,
            self.activate_button,
            self.suspend_button,
            self.resume_button,
            self.close_button,
            self.broadcast_button,
        ]

    def set_permit(self, status: PermitStatus, simops: Sequence[SimopsFlag] = ()) -> None:
        """Show this permit as the book holds it now (call again on every change of it)."""
        if self._status is None or status.id != self._status.id:
            self.set_status("")
        self._status = status
        self._simops = tuple(f for f in simops if status.id in (f.first, f.second))
        self._fill()

    def clear(self) -> None:
        """No permit chosen: an empty card with its commands disabled."""
        self._status = None
        self._simops = ()
        self.code_label.setText("—")
        self.title_label.setText(self.tr("No permit selected"))
        for name, label in self.fields.items():
            label.setText("")
            if name != "State":  # (showing a row shows every widget in it, the state's hidden mark too)
                self.form.setRowVisible(FIELDS.index(name), False)
        self.state_mark.hide()
        self.update_buttons()

    def set_status(self, text: str, refused: bool = False) -> None:
        """Show the result of the last command; a refusal is bold, but not coloured (ISA-101)."""
        font = self.status_label.font()
        font.setBold(refused)
        self.status_label.setFont(font)
        self.status_label.setText(text)
        self.status_label.setToolTip(plain_tooltip(text) if text else "")

    # --- what the operator sees ----------------------------------------------------------------------------

    @property
    def permit_id(self) -> str | None:
        return self._status.id if self._status else None

    def field_text(self, name: str) -> str:
        """The text of one field ("State", "Valid", "Latest gas test", ...), "" when hidden."""
        return self.fields[name].text() if self.form.isRowVisible(FIELDS.index(name)) else ""

    def state_marked(self) -> bool:
        """The state carries a tier mark (only an abnormal state: suspended)."""
        return not self.state_mark.isHidden()

    # --- inside --------------------------------------------------------------------------------------------

    def _fill(self) -> None:
        s = self._status
        assert s is not None
        p, now, look = s.permit, self._now(), STATE_LOOKS[s.state]
        self.code_label.setText(category_code(p.category))
        self.title_label.setText(f"{p.id}  {p.title}")
        if look.tier is not None:
            self.state_mark.setPixmap(self._markers.pixmap(look.tier, 14, self.devicePixelRatioF()))
        self.state_mark.setVisible(look.tier is not None)
        set_bold(self.fields["State"], look.tier is not None)
        values = {
            "State": self.tr("{state} since {time}").format(
                state=look.text, time=day_clock_text(s.since, now)
            ),
            "Reason": s.reason if s.reason and s.state in (PermitState.SUSPENDED, *TERMINAL) else "",
            "Category": category_grade_text(p.category, p.grade),
            "Zone": self.site.zone(p.zone).name if p.zone in self.site.zone_index else p.zone,
            "Applicant": self._person(p.applicant),
            "Guardian": self._guardian(s, now),
            "Workers": ", ".join(self._person(w) for w in p.workers) or self.tr("none assigned"),
            "Valid": self._validity(s, now),
            "Gas limits": self._gas_limits(s),
            "Latest gas test": self._gas_verdict(s, now),
            "Approvals": self._approvals(s, now),
            "SIMOPS": "\n".join(f.explanation for f in self._simops),
        }
        self.form.setRowVisible(FIELDS.index("Reason"), bool(values["Reason"]))
        self.form.setRowVisible(FIELDS.index("SIMOPS"), bool(self._simops))
        self.form.setRowVisible(
            FIELDS.index("Latest gas test"), bool(gas_limits(p)) or s.gas_verdict is not None
        )
        for name in FIELDS:
            if name not in ("State", "Reason", "SIMOPS", "Latest gas test"):
                self.form.setRowVisible(FIELDS.index(name), True)
            self.fields[name].setText(values[name])
        failed = s.gas_verdict is not None and not s.gas_verdict.passed
        for name, bold in (("Latest gas test", failed), ("SIMOPS", bool(self._simops)), ("Reason", True)):
            set_bold(self.fields[name], bold)
        self.update_buttons()

    def _refresh_times(self) -> None:
        if self._status is not None:
            now = self._now()
            self.fields["Valid"].setText(self._validity(self._status, now))
            self.fields["Latest gas test"].setText(self._gas_verdict(self._status, now))
            self.update_buttons()  # a gas test grows too old, a validity ends

    def _person(self, worker_id: str) -> str:
        index = self.site.worker_index
        return (
            f"{self.site.workers[index[worker_id]].name} ({worker_id})" if worker_id in index else worker_id
        )

    def _guardian(self, s: PermitStatus, now: float) -> str:
        text = self._person(s.permit.guardian)
        if s.check_in is not None:
            c = s.check_in
            return self.tr("{guardian} — checked in {time}, {distance:.0f} m from the zone").format(
                guardian=text, time=day_clock_text(c.ts, now), distance=c.distance_m
            )
        if s.state in LIVE:
            return self.tr("{guardian} — not checked in").format(guardian=text)
        return text

    def _validity(self, s: PermitStatus, now: float) -> str:
        start = s.permit.valid_from.timestamp()
        text = self.tr("{start} to {end}").format(
            start=day_clock_text(start, now), end=day_clock_text(s.end, now)
        )
        if s.end < s.permit.valid_to.timestamp():
            text += self.tr(" (cut to the grade's {span})").format(span=duration_text(s.end - start))
        return f"{text} · {remaining_text(s.end, now)}" if s.state not in TERMINAL else text

    def _gas_limits(self, s: PermitStatus) -> str:
        limits = gas_limits(s.permit)
        if not limits:
            return self.tr("no gas test required")
        return "\n".join(f"{m.upper()} {limit.describe()} ({limit.source})" for m, limit in limits.items())

    def _gas_verdict(self, s: PermitStatus, now: float) -> str:
        v = s.gas_verdict
        if v is None:
            return self.tr("none recorded")
        t = v.test
        readings = readings_text(t.readings)
        taken = self.tr("taken {time} ({ago})").format(
            time=day_clock_text(t.taken_at, now), ago=ago_text(now - t.taken_at)
        )
        if t.tester:
            taken += self.tr(" by {tester}").format(tester=self._person(t.tester))
        if not v.passed:
            return self.tr("FAILED, {taken}: {failures}").format(taken=taken, failures="; ".join(v.failures))
        note = ""
        if s.state is PermitState.SUSPENDED and t.taken_at <= s.since:
            note = self.tr(" — taken before the suspension: resuming needs a new test")
        elif not fresh_enough(t, now, GAS_TEST_MAX_AGE_S) and s.state is not PermitState.ACTIVE:
            note = self.tr(" — older than {minutes:g} min: a new test is needed before work starts").format(
                minutes=GAS_TEST_MAX_AGE_S / 60
            )
        return self.tr("Passed, {taken}: {readings}").format(taken=taken, readings=readings) + note

    def _approvals(self, s: PermitStatus, now: float) -> str:
        signed = {a.step: a for a in s.approvals}
        lines = []
        for step in s.route:
            name = step.name.replace("_", " ")
            a = signed.get(step.name)
            if a is None:
                waiting = self.tr("{step}: on record") if s.restored else self.tr("{step}: waiting")
                lines.append(waiting.format(step=name))
                continue
            when = day_clock_text(a.ts, now)
            if a.signer:  # an electronic signature: the signer's full name, the time and its meaning
                line = self.tr("{step}: signed by {signer} ({approver}) {time}, {meaning}").format(
                    step=name, signer=a.signer, approver=a.approver, time=when, meaning=a.meaning
                )
            else:
                line = self.tr("{step}: signed by {approver} {time}").format(
                    step=name, approver=self._person(a.approver), time=when
                )
            lines.append(line + (self.tr(", from {where}").format(where=a.where) if a.where else ""))
        return "\n".join(lines) or self.tr("none needed")

    def _declare_enablement(self) -> dict[QAbstractButton, tuple[str, Check]]:
        """Every command of the card, once (STYLE: enablement declared once, with the reason): what it does
        (its tooltip when it can be given) and the check that says why not (`PermitChecks`, the rule the
        permit book refuses the command by). The role gate greys by role on top, with its own reason."""
        tr, checks = self.tr, self.checks

        def lifecycle(action: PermitAction) -> Check:
            return lambda s, now: checks.why_not(s, action, now)

        return {
            self.submit_button: (tr("Send the draft for approval"), lifecycle(PermitAction.SUBMIT)),
            self.approve_button: (
                tr("Sign the next approval step GB 30871 routes this permit to"),
                lifecycle(PermitAction.SIGN),
            ),
            self.gas_test_button: (tr("Record the gas tester's readings"), lambda s, _: checks.gas_test(s)),
            self.check_in_button: (
                tr("Check the guardian in at their wearable's position (within 50 m of the zone)"),
                lambda s, _: checks.check_in(s),
            ),
            self.activate_button: (
                tr("Start the work: needs a passing gas test <= 30 min old and the guardian checked in"),
                lifecycle(PermitAction.ACTIVATE),
            ),
            self.suspend_button: (
                tr("Stop the work now; a reason is required"),
                lifecycle(PermitAction.SUSPEND),
            ),
            self.resume_button: (
                tr(
                    "Restart the work: needs a new passing gas test and the guardian's check-in since the stop"
                ),
                lifecycle(PermitAction.RESUME),
            ),
            self.close_button: (
                tr("The work is finished and the site handed back"),
                lifecycle(PermitAction.CLOSE),
            ),
            self.map_button: (tr("Centre the map on the permit's zone"), _always),
            self.broadcast_button: (tr("Speak to the people in the permit's zone"), _always),
        }

    def update_buttons(self) -> None:
        """Each command enabled only when the permit book would carry it out now; greyed, its tooltip says why."""
        s, now = self._status, self._now()
        self._fill_approve_menu()
        for button, (does, check) in self._enablement.items():
            why = self.tr("no permit is selected") if s is None else translated_all(check(s, now))
            button.setEnabled(not why)
            tip = self.tr("Not possible now: {reason}").format(reason=why) if why else does
            if self._tips.get(button) != tip:  # (set again, it would wake the role gate every second)
                self._tips[button] = tip
                button.setToolTip(tip)

    def _emit(self, signal: SignalInstance) -> None:
        if self._status is not None:
            signal.emit(self._status.id)

    def _fill_approve_menu(self) -> None:
        """One entry per role that may sign a step still missing; greyed where the user does not hold it."""
        self.approve_menu.clear()
        s, held = self._status, self.signing_roles()
        if s is not None and s.state is PermitState.PENDING_APPROVAL:
            for step in s.pending_steps:
                for role in sorted(step.roles):
                    action = self.approve_menu.addAction(
                        self.tr("{role} ({step} step)").format(role=role.replace("_", " "), step=step.name)
                    )
                    action.triggered.connect(
                        lambda _=False, r=role, p=s.id: self.approve_requested.emit(p, r)
                    )
                    if held is not None and role not in held:
                        action.setEnabled(False)
                        action.setToolTip(
                            self.tr("Not yours to sign: you do not hold the role {role}").format(role=role)
                        )

    def _open_gas_test_dialog(self) -> None:
        if self._status is None:
            return
        dialog = self.gas_test_dialog = GasTestDialog(self._status.id, gas_limits(self._status.permit), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda result: self._gas_test_finished(dialog, result))
        dialog.open()

    def _gas_test_finished(self, dialog: GasTestDialog, result: int) -> None:
        self.gas_test_dialog = None
        if result == QDialog.DialogCode.Accepted:
            self.gas_test_requested.emit(dialog.permit_id, dialog.readings(), dialog.tester())

    def _open_suspend_dialog(self) -> None:
        if self._status is None:
            return
        dialog = self.suspend_dialog = SuspendDialog(self._status.id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda result: self._suspend_finished(dialog, result))
        dialog.open()

    def _suspend_finished(self, dialog: SuspendDialog, result: int) -> None:
        self.suspend_dialog = None
        if result == QDialog.DialogCode.Accepted and dialog.reason():
            self.suspend_requested.emit(dialog.permit_id, dialog.reason())

    def _open_close_dialog(self) -> None:
        if self._status is None:
            return
        permit_id = self._status.id
        box = self.close_dialog = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Close {permit}").format(permit=permit_id),
            self.tr(
                "Close permit {permit}? The work is finished and the site handed back. This cannot be undone."
            ).format(permit=permit_id),
            QMessageBox.StandardButton.Cancel,
            self,
        )
        confirm = box.addButton(self.tr("Close permit"), QMessageBox.ButtonRole.AcceptRole)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def finished() -> None:
            self.close_dialog = None
            if box.clickedButton() is confirm:
                self.close_requested.emit(permit_id)

        box.finished.connect(finished)
        box.open()

    def _lay_out(self) -> None:
        heading = QHBoxLayout()
        heading.addWidget(self.code_label)
        heading.addWidget(self.title_label, 1)
        code_width = self.code_label.fontMetrics().horizontalAdvance("WW") + 16
        self.code_label.setFixedSize(code_width, self.code_label.fontMetrics().height() + 8)
        body = QWidget()
        inner = QVBoxLayout(body)
        inner.setContentsMargins(6, 6, 6, 6)
        inner.addLayout(heading)
        inner.addLayout(self.form)
        inner.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(scroll, 1)
        for row in (
            (
                self.submit_button,
                self.approve_button,
                self.gas_test_button,
                self.check_in_button,
                self.activate_button,
            ),
            (
                self.suspend_button,
                self.resume_button,
                self.close_button,
                self.map_button,
                self.broadcast_button,
            ),
        ):
            buttons = QHBoxLayout()
            for button in row:
                buttons.addWidget(button)
            buttons.addStretch(1)
            layout.addLayout(buttons)
        layout.addWidget(self.status_label)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._timer.start()

    def hideEvent(self, event: QHideEvent) -> None:
        self._timer.stop()
        super().hideEvent(event)
