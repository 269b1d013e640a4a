"""The shift handover dialog (issue 16, after Hexagon j5): choose the incoming lead and start the handover,
read the frozen snapshot in sections, flag items for every handover until cleared, sign as outgoing and as
incoming lead, finalise; then the PDF's path with "Open folder".

A view: it shows `HandoverShown` (texts the glue made) and emits the lead's intents; the glue sends the
commands and signs. The KPI lights are a shape and a word on a muted fill, never colour alone (ISA-101).
Opened with `show()` beside the main window (not modal: the alarms stay in reach). Qt thread only.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from widgets.common.plain_text import ElidedLabel, PlainLabel
from widgets.common.text_dialog import MAX_NOTE, TextDialog

# A missed KPI: the tier shape it looks like on the KPI page (amber diamond, red inverted triangle) and a muted
# fill; a met one stays plain grey (ISA-101: colour only for what is abnormal, never colour alone).
LIGHT_SHAPES = {"warn": "◆ ", "bad": "▼ "}
LIGHT_FILLS = {"warn": "#ece0b8", "bad": "#e8c6c2"}


@dataclass(frozen=True, slots=True)
class KpiShown:
    group: str
    label: str
    value: str
    target: str
    light: str  # "ok", "warn", "bad", "none"
    light_words: str


@dataclass(frozen=True, slots=True)
class SectionShown:
    title: str
    rows: tuple[tuple[str, str, str, str, str], ...]  # since/at, what, who, details, until


@dataclass(frozen=True, slots=True)
class HandoverShown:
    """One handover as the dialog shows it (every text made by the glue, times already local)."""

    id: str
    header: tuple[tuple[str, str], ...]  # (label, value): period, leads, signatures, audit head, state
    kpis: tuple[KpiShown, ...]
    sections: tuple[SectionShown, ...]
    signed: frozenset[str]  # "outgoing", "incoming"
    locked: bool
    pdf: str = ""


class HandoverDialog(QDialog):
    """See the module docstring; `show_handover(None)` when no handover is under way."""

    start_requested = Signal(str, str)  # the incoming lead's user name, the period's key
    flag_requested = Signal(str)  # the item's text
    clear_requested = Signal(str)  # the flag's id
    sign_requested = Signal(str)  # "outgoing" or "incoming"
    finalise_requested = Signal()
    open_folder_requested = Signal(str)  # the PDF's path

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("HandoverDialog")
        self.setWindowTitle(self.tr("Shift handover"))
        self.shown: HandoverShown | None = None
        self.flag_dialog: TextDialog | None = None  # while open

        self.incoming_combo = QComboBox()
        self.incoming_combo.setEditable(True)
        self.incoming_combo.setMinimumContentsLength(18)
        self.incoming_combo.setToolTip(self.tr("The shift lead who takes over (their user name)"))
        self.start_button = QPushButton(self.tr("Start handover"))
        self.start_button.setToolTip(
            self.tr("Freeze this shift's picture: KPIs, standing alarms, permits, events, notes and flags")
        )
        self.start_button.clicked.connect(self._start)
        self.incoming_combo.editTextChanged.connect(self._update_buttons)
        self.period_combo = QComboBox()
        self.period_combo.setToolTip(self.tr("The period the handover covers (shift times from the config)"))
        start_row = QHBoxLayout()
        start_row.addWidget(QLabel(self.tr("Incoming lead:")))
        start_row.addWidget(self.incoming_combo, 1)
        start_row.addWidget(QLabel(self.tr("Period:")))
        start_row.addWidget(self.period_combo)
        start_row.addWidget(self.start_button)

        self.status_label = PlainLabel()
        self.status_label.setWordWrap(True)
        self.message_label = PlainLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setObjectName("HandoverMessage")

        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.flags_list = QListWidget()
        self.flags_list.setWordWrap(True)
        self.flags_list.itemSelectionChanged.connect(self._update_buttons)
        self.flag_button = QPushButton(self.tr("Flag item…"))
        self.flag_button.setToolTip(self.tr("An item that comes back at every handover until it is cleared"))
        self.flag_button.clicked.connect(self.open_flag_dialog)
        self.clear_button = QPushButton(self.tr("Clear flag"))
        self.clear_button.clicked.connect(self._clear)
        flags = QGroupBox(self.tr("Flagged items"))
        flag_buttons = QHBoxLayout()
        flag_buttons.addWidget(self.flag_button)
        flag_buttons.addWidget(self.clear_button)
        flags_layout = QVBoxLayout(flags)
        flags_layout.addWidget(self.flags_list, 1)
        flags_layout.addLayout(flag_buttons)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.browser)
        splitter.addWidget(flags)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)

        self.sign_outgoing_button = QPushButton(self.tr("Sign as outgoing lead…"))
        self.sign_outgoing_button.clicked.connect(lambda: self.sign_requested.emit("outgoing"))
        self.sign_incoming_button = QPushButton(self.tr("Sign as incoming lead…"))
        self.sign_incoming_button.clicked.connect(lambda: self.sign_requested.emit("incoming"))
        self.finalise_button = QPushButton(self.tr("Finalise and write PDF"))
        self.finalise_button.setToolTip(self.tr("Lock the handover (no change after) and write its PDF"))
        self.finalise_button.clicked.connect(self.finalise_requested.emit)
        self.pdf_label = ElidedLabel()  # a long path never widens the dialog past the screen
        self.pdf_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_folder_button = QPushButton(self.tr("Open folder"))
        self.open_folder_button.clicked.connect(lambda: self.open_folder_requested.emit(self._pdf()))
        close = QPushButton(self.tr("Close"))
        close.clicked.connect(self.close)
        actions = QHBoxLayout()
        for button in (self.sign_outgoing_button, self.sign_incoming_button, self.finalise_button):
            actions.addWidget(button)
        actions.addWidget(self.pdf_label, 1)
        actions.addWidget(self.open_folder_button)
        actions.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addLayout(start_row)
        layout.addWidget(self.status_label)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.message_label)
        layout.addLayout(actions)
        self.show_handover(None)

    # -- what the glue shows ------------------------------------------------------------------------

    def set_leads(self, leads: Sequence[tuple[str, str]]) -> None:
        """The shift leads to choose from: (user name, how they read), the typed text kept."""
        typed = self.incoming_combo.currentText()
        self.incoming_combo.clear()
        for name, label in leads:
            self.incoming_combo.addItem(label, name)
        self.incoming_combo.setEditText(typed if typed else self.incoming_combo.itemText(0))

    def set_periods(self, periods: Sequence[tuple[str, str]]) -> None:
        """The periods offered: (key, how it reads), the first chosen (this shift)."""
        self.period_combo.clear()
        for key, label in periods:
            self.period_combo.addItem(label, key)

    def show_handover(self, shown: HandoverShown | None) -> None:
        self.shown = shown
        if shown is None:
            self.status_label.setText(
                self.tr("No handover under way: choose the incoming lead and start it.")
            )
            self.browser.setHtml(
                "<p>" + html.escape(self.tr("The snapshot appears here once the handover starts.")) + "</p>"
            )
        else:
            self.status_label.setText(self._status(shown))
            scroll = self.browser.verticalScrollBar().value()
            self.browser.setHtml(snapshot_html(shown))
            self.browser.verticalScrollBar().setValue(scroll)
        self.pdf_label.setText(self.tr("PDF: {path}").format(path=shown.pdf) if shown and shown.pdf else "")
        self._update_buttons()

    def show_flags(self, flags: Sequence[tuple[str, str]]) -> None:
        """The flags standing now: (flag id, "text — who, since")."""
        self.flags_list.clear()
        for flag_id, text in flags:
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, flag_id)
            self.flags_list.addItem(item)
        self._update_buttons()

    def show_message(self, text: str) -> None:
        self.message_label.setText(text)

    # -- intents ------------------------------------------------------------------------------------

    def open_flag_dialog(self) -> None:
        dialog = self.flag_dialog = TextDialog(
            self.tr("Flag an item"),
            self.tr("It comes back at every handover until someone clears it:"),
            self.tr("Flag"),
            required=True,
            max_length=MAX_NOTE,
            parent=self,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.flag_requested.emit(dialog.text()))
        dialog.finished.connect(lambda _result: setattr(self, "flag_dialog", None))
        dialog.open()

    def incoming(self) -> str:
        """The chosen lead's user name (the typed text when it is none of the list's)."""
        index = self.incoming_combo.findText(self.incoming_combo.currentText())
        data = self.incoming_combo.itemData(index) if index >= 0 else None
        return str(data) if data else self.incoming_combo.currentText().strip()

    def _start(self) -> None:
        if self.incoming():
            self.start_requested.emit(self.incoming(), str(self.period_combo.currentData() or ""))

    def _clear(self) -> None:
        item = self.flags_list.currentItem()
        if item is not None:
            self.clear_requested.emit(str(item.data(Qt.ItemDataRole.UserRole)))

    def _pdf(self) -> str:
        return self.shown.pdf if self.shown is not None else ""

    def _status(self, shown: HandoverShown) -> str:
        if shown.locked:
            return self.tr("{id} is finalised and locked; a correction is a new handover.").format(
                id=shown.id
            )
        missing = [
            self.tr("outgoing lead") if side == "outgoing" else self.tr("incoming lead")
            for side in ("outgoing", "incoming")
            if side not in shown.signed
        ]
        if missing:
            return self.tr("{id} is under way; waiting for the signature of: {who}.").format(
                id=shown.id, who=", ".join(missing)
            )
        return self.tr("{id} is signed by both leads: finalise it to lock it and write the PDF.").format(
            id=shown.id
        )

    def _update_buttons(self) -> None:
        shown = self.shown
        open_ = shown is not None and not shown.locked
        signed = shown.signed if shown is not None else frozenset()
        self.start_button.setEnabled(not open_ and bool(self.incoming()))
        self.incoming_combo.setEnabled(not open_)
        self.period_combo.setEnabled(not open_)
        self.sign_outgoing_button.setEnabled(open_ and "outgoing" not in signed)
        self.sign_incoming_button.setEnabled(open_ and "incoming" not in signed)
        self.finalise_button.setEnabled(open_ and len(signed) == 2)
        self.open_folder_button.setEnabled(bool(self._pdf()))
        self.clear_button.setEnabled(self.flags_list.currentItem() is not None)


def snapshot_html(shown: HandoverShown) -> str:
    """The snapshot as a readable page: the header, the KPI table (shape and word for each light), then each
    section as a table. Every text is escaped: nothing typed is taken as markup."""
    e = html.escape
    tr = QCoreApplication.translate
    out = [_TABLE]
    out += [f"<tr><th align='left' width='22%'>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in shown.header]
    out.append("</table>")
    if shown.kpis:
        out.append("<h3>" + e(tr("HandoverDialog", "Alarm-system KPIs (ISA-18.2 / EEMUA 191)")) + "</h3>")
        out.append(_TABLE + _heads(tr("HandoverDialog", w) for w in _KPI_HEADS))
        for k in shown.kpis:
            fill = f" bgcolor='{LIGHT_FILLS[k.light]}'" if k.light in LIGHT_FILLS else ""
            light = LIGHT_SHAPES.get(k.light, "") + k.light_words
            out.append(
                f"<tr><td>{e(k.group)}</td><td>{e(k.label)}</td><td>{e(k.value)}</td>"
                f"<td>{e(k.target)}</td><td{fill}>{e(light)}</td></tr>"
            )
        out.append("</table>")
    for section in shown.sections:
        out.append(f"<h3>{e(section.title)} ({len(section.rows)})</h3>")
        if not section.rows:
            out.append("<p>—</p>")
            continue
        out.append(_TABLE + _heads(tr("HandoverDialog", w) for w in _SECTION_HEADS))
        out += ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in section.rows]
        out.append("</table>")
    return "".join(out)


_TABLE = "<table cellspacing='0' cellpadding='3' border='1' width='100%'>"
_KPI_HEADS = (
    QT_TRANSLATE_NOOP("HandoverDialog", "Group"),
    QT_TRANSLATE_NOOP("HandoverDialog", "KPI"),
    QT_TRANSLATE_NOOP("HandoverDialog", "Value"),
    QT_TRANSLATE_NOOP("HandoverDialog", "Target"),
    QT_TRANSLATE_NOOP("HandoverDialog", "Light"),
)
_SECTION_HEADS = (
    QT_TRANSLATE_NOOP("HandoverDialog", "Since / at"),
    QT_TRANSLATE_NOOP("HandoverDialog", "What"),
    QT_TRANSLATE_NOOP("HandoverDialog", "Who"),
    QT_TRANSLATE_NOOP("HandoverDialog", "Details"),
    QT_TRANSLATE_NOOP("HandoverDialog", "Until"),
)


def _heads(words: Iterable[str]) -> str:
    return "<tr>" + "".join(f"<th align='left'>{html.escape(w)}</th>" for w in words) + "</tr>"
