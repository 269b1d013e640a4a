"""The broadcast dialog: what to say (a stored preset, shown in Chinese and English, or typed plain text), in
which language, at which priority, how many times, to which PA zones; after Send, each zone's delivery as the
console follows it, and the summary naming the zones not reached.

Opened with `open()` (never a blocking `exec()`), so the asyncio loop keeps running while calls are followed;
it stays open after Send so that the operator sees the call land, and may send another. Only the zones not
reached are bold (ISA-101: nothing coloured for a call that went well). Runs on the Qt thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from plant_maps.broadcast_presets import MAX_BROADCAST_CHARS, MAX_REPEAT
from plant_maps.site import BROADCAST_PRIORITIES, BroadcastPreset, PAZone
from widgets.common.panel_look import set_bold
from widgets.common.plain_text import ElidedLabel, PlainLabel, plain_tooltip
from widgets.common.time_text import clock_text

PRIORITY_TEXTS = {
    "emergency": QT_TRANSLATE_NOOP("BroadcastDialog", "Emergency"),
    "evacuation": QT_TRANSLATE_NOOP("BroadcastDialog", "Evacuation"),
    "warning": QT_TRANSLATE_NOOP("BroadcastDialog", "Warning"),
    "information": QT_TRANSLATE_NOOP("BroadcastDialog", "Information"),
}
STATE_TEXTS = {  # the console's delivery states, as the operator reads them
    "queued": QT_TRANSLATE_NOOP("BroadcastDialog", "queued"),
    "sent": QT_TRANSLATE_NOOP("BroadcastDialog", "sent, waiting for the gateway"),
    "playing": QT_TRANSLATE_NOOP("BroadcastDialog", "playing"),
    "done": QT_TRANSLATE_NOOP("BroadcastDialog", "done"),
    "failed": QT_TRANSLATE_NOOP("BroadcastDialog", "FAILED"),
    "not answered": QT_TRANSLATE_NOOP("BroadcastDialog", "NOT ANSWERED"),
    "pre-empted": QT_TRANSLATE_NOOP("BroadcastDialog", "pre-empted"),
}
NOT_REACHED = frozenset({"failed", "not answered"})
REACHED = frozenset({"playing", "done"})
ENDED = frozenset({"done", "failed", "not answered", "pre-empted"})
ZONE, STATE, SINCE, REASON = range(4)


@dataclass(frozen=True, slots=True)
class BroadcastChoice:
    """What the operator asked for; `zones` empty means every PA zone."""

    preset: str
    text: str
    lang: str
    priority: str
    repeat: int
    zones: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ZoneRow:
    """One PA zone's delivery of the call shown, as the console follows it."""

    pa_zone: str
    state: str  # one of STATE_TEXTS
    since: float
    reason: str


def priority_text(priority: str) -> str:
    return QCoreApplication.translate("BroadcastDialog", PRIORITY_TEXTS[priority])


class BroadcastDialog(QDialog):
    send_requested = Signal(object)  # BroadcastChoice

    def __init__(
        self,
        presets: Sequence[BroadcastPreset],
        pa_zones: Sequence[PAZone],
        zone_names: dict[str, str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Broadcast"))
        self.setObjectName("BroadcastDialog")
        self._presets = {p.id: p for p in presets}
        self._names = {p.id: p.name for p in pa_zones}
        self.preset_list = QTreeWidget()
        self.preset_list.setColumnCount(4)
        self.preset_list.setHeaderLabels(
            [self.tr("Preset"), self.tr("Priority"), self.tr("Chinese (中文)"), self.tr("English")]
        )
        self.preset_list.setRootIsDecorated(False)
        self.preset_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        for p in presets:
            item = QTreeWidgetItem([p.id, priority_text(p.priority), p.text_zh, p.text_en])
            item.setData(0, Qt.ItemDataRole.UserRole, p.id)
            for column in (2, 3):
                item.setToolTip(column, plain_tooltip(item.text(column)))
            self.preset_list.addTopLevelItem(item)
        header = self.preset_list.header()
        for column in (0, 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        for column in (2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        rows = max(len(presets), 3)
        self.preset_list.setFixedHeight(
            self.preset_list.sizeHintForRow(0) * rows + header.sizeHint().height() + 6
        )
        self.text_edit = QLineEdit()
        self.text_edit.setMaxLength(MAX_BROADCAST_CHARS)
        self.text_edit.setPlaceholderText(self.tr("Or type a message (plain text)"))
        self.lang_combo = QComboBox()
        self.lang_combo.addItem(self.tr("Chinese (中文)"), "zh")
        self.lang_combo.addItem(self.tr("English"), "en")
        self.priority_combo = QComboBox()
        for priority in BROADCAST_PRIORITIES:
            self.priority_combo.addItem(priority_text(priority), priority)
        self.priority_combo.setCurrentIndex(BROADCAST_PRIORITIES.index("warning"))
        self.repeat_spin = QSpinBox()
        self.repeat_spin.setRange(1, MAX_REPEAT)
        self.repeat_spin.setValue(2)
        self.all_zones = QCheckBox(self.tr("All zones"))
        self.zone_list = QListWidget()
        for (
            p
        ) in pa_zones:  # by name (the ids are the gateways' business); what it covers, unless its name says
            covers = ", ".join(zone_names.get(z, z) for z in p.zones)
            item = QListWidgetItem(p.name if covers == p.name else f"{p.name} ({covers})")
            item.setData(Qt.ItemDataRole.UserRole, p.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.zone_list.addItem(item)
        self.zone_list.setFixedHeight(self.zone_list.sizeHintForRow(0) * max(len(pa_zones), 3) + 6)
        self.delivery = QTreeWidget()
        self.delivery.setColumnCount(4)
        self.delivery.setHeaderLabels(
            [self.tr("PA zone"), self.tr("State"), self.tr("Since"), self.tr("Reason")]
        )
        self.delivery.setRootIsDecorated(False)
        self.delivery.header().setStretchLastSection(True)
        self.delivery.setFixedHeight(self.zone_list.height() + self.delivery.header().sizeHint().height())
        self.call_label = ElidedLabel(self.tr("Nothing sent yet."), lines=None)
        self.summary_label = ElidedLabel(lines=None)
        self.wearables_label = PlainLabel()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.send_button = QPushButton(self.tr("Send"))
        buttons.addButton(self.send_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.send_button.clicked.connect(self._send)
        self.preset_list.itemSelectionChanged.connect(self._preset_picked)
        self.text_edit.textEdited.connect(self._typed)
        self.all_zones.toggled.connect(self._all_toggled)
        self.zone_list.itemChanged.connect(lambda _item: self._update())
        self._lay_out(buttons)
        self.send_button.setDefault(True)  # Enter sends: made default once in the dialog, so it stays so
        self._update()

    def _lay_out(self, buttons: QDialogButtonBox) -> None:
        message = QGroupBox(self.tr("Message"))
        message_layout = QVBoxLayout(message)
        message_layout.addWidget(self.preset_list)
        message_layout.addWidget(self.text_edit)
        call = QGroupBox(self.tr("Call"))
        form = QFormLayout(call)
        form.addRow(self.tr("Language"), self.lang_combo)
        form.addRow(self.tr("Priority"), self.priority_combo)
        form.addRow(self.tr("Repetitions"), self.repeat_spin)
        zones = QGroupBox(self.tr("PA zones"))
        zones_layout = QVBoxLayout(zones)
        zones_layout.addWidget(self.all_zones)
        zones_layout.addWidget(self.zone_list)
        top = QHBoxLayout()
        top.addWidget(call)
        top.addWidget(zones, 1)
        delivery = QGroupBox(self.tr("Delivery"))
        delivery_layout = QVBoxLayout(delivery)
        delivery_layout.addWidget(self.call_label)
        delivery_layout.addWidget(self.delivery)
        delivery_layout.addWidget(self.summary_label)
        delivery_layout.addWidget(self.wearables_label)
        layout = QVBoxLayout(self)
        layout.addWidget(message)
        layout.addLayout(top)
        layout.addWidget(delivery)
        layout.addWidget(buttons)
        self.setMinimumWidth(70 * self.fontMetrics().horizontalAdvance("M"))

    # -- what the operator picks -------------------------------------------------------------------------

    def preselect(self, pa_zones: Sequence[str], preset: str = "") -> None:
        """Tick these PA zones (every zone: All zones) and pick `preset`, where the dialog was opened from."""
        everything = set(pa_zones) >= set(self._names) and bool(self._names)
        self.all_zones.setChecked(everything)
        for item in self._zone_items():
            item.setCheckState(
                Qt.CheckState.Checked
                if item.data(Qt.ItemDataRole.UserRole) in pa_zones
                else Qt.CheckState.Unchecked
            )
        for i in range(self.preset_list.topLevelItemCount()):
            item = self.preset_list.topLevelItem(i)
            item.setSelected(item.data(0, Qt.ItemDataRole.UserRole) == preset)
        self._update()

    def choice(self) -> BroadcastChoice | None:
        """What Send would ask for; None while something is missing."""
        preset = self.selected_preset()
        text = " ".join(self.text_edit.text().split())
        zones = self.checked_zones()
        if not (preset or text) or not (zones or self.all_zones.isChecked()):
            return None
        return BroadcastChoice(
            preset,
            "" if preset else text,
            self.lang_combo.currentData(),
            self.priority_combo.currentData(),
            self.repeat_spin.value(),
            () if self.all_zones.isChecked() else tuple(zones),
        )

    def selected_preset(self) -> str:
        items = self.preset_list.selectedItems()
        return items[0].data(0, Qt.ItemDataRole.UserRole) if items else ""

    def checked_zones(self) -> list[str]:
        return [
            item.data(Qt.ItemDataRole.UserRole)
            for item in self._zone_items()
            if item.checkState() == Qt.CheckState.Checked
        ]

    def _zone_items(self) -> list[QListWidgetItem]:
        return [self.zone_list.item(i) for i in range(self.zone_list.count())]

    def _preset_picked(self) -> None:
        preset = self._presets.get(self.selected_preset())
        if preset is not None:
            self.text_edit.clear()
            self.priority_combo.setCurrentIndex(BROADCAST_PRIORITIES.index(preset.priority))
        self._update()

    def _typed(self, text: str) -> None:
        if text.strip():
            self.preset_list.clearSelection()
        self._update()

    def _all_toggled(self, on: bool) -> None:
        self.zone_list.setEnabled(not on)
        self._update()

    def _update(self) -> None:
        choice = self.choice()
        self.send_button.setEnabled(choice is not None)
        if choice is None:
            self.send_button.setToolTip(self.tr("Pick a preset or type a message, and at least one PA zone"))
        else:
            self.send_button.setToolTip(self.tr("Speak it in the control room and send it to the PA zones"))

    def _send(self) -> None:
        choice = self.choice()
        if choice is not None:
            self.call_label.setText(self.tr("Sending…"))
            self.send_requested.emit(choice)

    # -- what the console says ---------------------------------------------------------------------------

    def show_refusal(self, message: str) -> None:
        self.call_label.setText(message)
        set_bold(self.call_label, True)

    def show_delivery(
        self, call: str, priority: str, rows: Sequence[ZoneRow], acknowledged: int, wearables: int
    ) -> None:
        """The call's state in every zone; once each zone has its outcome, the summary naming those not
        reached."""
        set_bold(self.call_label, False)
        self.call_label.setText(
            self.tr("{call} ({priority})").format(call=call, priority=priority_text(priority))
        )
        self.delivery.clear()
        for row in rows:
            item = QTreeWidgetItem(
                [
                    self._name(row.pa_zone),
                    QCoreApplication.translate("BroadcastDialog", STATE_TEXTS[row.state]),
                    clock_text(row.since),
                    row.reason,
                ]
            )
            item.setToolTip(REASON, plain_tooltip(row.reason) if row.reason else "")
            if row.state in NOT_REACHED:
                font = item.font(0)
                font.setBold(True)
                for column in range(4):
                    item.setFont(column, font)
            self.delivery.addTopLevelItem(item)
        self.delivery.resizeColumnToContents(ZONE)
        self.delivery.resizeColumnToContents(STATE)
        self.delivery.resizeColumnToContents(SINCE)
        self.summary_label.setText(self._summary(rows))
        set_bold(self.summary_label, any(r.state in NOT_REACHED for r in rows))
        self.wearables_label.setText(
            self.tr("Wearables: {acked} of {total} acknowledged").format(acked=acknowledged, total=wearables)
            if wearables
            else self.tr("Wearables: nobody in these zones now")
        )

    def _summary(self, rows: Sequence[ZoneRow]) -> str:
        if not all(r.state in ENDED for r in rows):
            waiting = sum(r.state not in ENDED for r in rows)
            return self.tr("Waiting for {count} zones…").format(count=waiting)
        parts = []
        if reached := [self._name(r.pa_zone) for r in rows if r.state in REACHED]:
            parts.append(self.tr("Played in {zones}.").format(zones=", ".join(reached)))
        if missed := [r for r in rows if r.state in NOT_REACHED]:
            named = ", ".join(
                f"{self._name(r.pa_zone)} ({QCoreApplication.translate('BroadcastDialog', STATE_TEXTS[r.state])})"
                for r in missed
            )
            parts.append(self.tr("NOT REACHED: {zones}.").format(zones=named))
        if cut := [self._name(r.pa_zone) for r in rows if r.state == "pre-empted"]:
            parts.append(self.tr("Pre-empted in {zones}.").format(zones=", ".join(cut)))
        return " ".join(parts)

    def _name(self, pa_zone: str) -> str:
        """A PA zone as the operator knows it: by its name (its id if the site has no such zone any more)."""
        return self._names.get(pa_zone, pa_zone)
