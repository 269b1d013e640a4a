"""The trend view's controls: the searchable tag list (sensors, then the workers' vitals), the time and
layout bar, export, and the readout. `TrendView` builds on it and says what each control does.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from plant_maps.site import TrendSet
from widgets.common.plain_text import ElidedLabel
from widgets.trends.trend_pens import Pen, TrendTag
from widgets.trends.trend_plots import TrendPlots
from widgets.trends.trend_time import HISTORY_PRESETS, LIVE_SPANS


def _tr(text: str) -> str:
    return QCoreApplication.translate("TrendView", text)


class TrendControls(QWidget):
    """Widgets and layout only; the behaviour is `TrendView`'s (add_pen, remove_pen, _mode_chosen…)."""

    pens: dict[str, Pen]
    catalogue: dict[str, TrendTag]
    live: bool

    def __init__(self, catalogue: dict[str, TrendTag], sets: Sequence[TrendSet]) -> None:
        super().__init__()
        self.trend_sets = list(sets)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Find a tag or a worker…"))
        self.search.setMaxLength(64)
        self.search.textChanged.connect(self._filter_tags)
        self.search.returnPressed.connect(self._add_first_match)
        self.tag_list = QListWidget()
        self._items: dict[str, QListWidgetItem] = {}
        self._heading: QListWidgetItem | None = None  # over the workers' vitals
        for tag in catalogue.values():
            if tag.worker and self._heading is None:
                self._heading = QListWidgetItem(self.tr("Workers' vitals"))
                self._heading.setFlags(Qt.ItemFlag.NoItemFlags)
                font = QFont(self._heading.font())
                font.setBold(True)
                self._heading.setFont(font)
                self.tag_list.addItem(self._heading)
            item = QListWidgetItem(f"{tag.id}  {tag.name} ({tag.unit})")
            item.setData(Qt.ItemDataRole.UserRole, tag.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)  # checked: trended
            self.tag_list.addItem(item)
            self._items[tag.id] = item
        self.tag_list.setToolTip(self.tr("Check a tag to trend it; click a pen's legend entry to hide it"))
        self.tag_list.setMinimumHeight(44)
        self.tag_list.itemChanged.connect(self._check_changed)
        self.tag_list.itemDoubleClicked.connect(self._double_clicked)
        self.add_button = QPushButton(self.tr("Add pen"))
        self.add_button.clicked.connect(self._add_selected)
        self.remove_button = QPushButton(self.tr("Remove pen"))
        self.remove_button.clicked.connect(self._remove_selected)
        self.status = ElidedLabel()  # it may name a path the operator typed

        self.mode_box = QComboBox()
        for label, span in LIVE_SPANS:
            self.mode_box.addItem(_tr(label), ("live", span))
        for label, key in HISTORY_PRESETS:
            self.mode_box.addItem(_tr(label), ("history", key))
        self.mode_box.addItem(self.tr("Range…"), ("pick", None))  # From/To
        self.mode_box.addItem(self.tr("Range shown"), ("custom", None))  # after a pan, zoom or a picked range
        self.mode_box.activated.connect(self._mode_chosen)
        self.live_button = QPushButton(self.tr("Live"))
        self.live_button.clicked.connect(lambda: self.set_live_span(self.span_s))
        self.stacked_button = QToolButton()
        self.stacked_button.setText(self.tr("Stacked"))
        self.stacked_button.setCheckable(True)
        self.stacked_button.setToolTip(self.tr("One plot per unit on one time axis"))
        self.stacked_button.toggled.connect(self.set_stacked)
        self.sets_box = QComboBox()
        self.sets_box.addItem(self.tr("Sets…"))
        for trend_set in self.trend_sets:
            self.sets_box.addItem(trend_set.name)
        self.sets_box.setToolTip(self.tr("The site's named trend sets"))
        self.sets_box.setVisible(bool(self.trend_sets))
        self.sets_box.activated.connect(self._set_chosen)
        self.pop_button = QToolButton()
        self.pop_button.setText(self.tr("Pop out"))
        self.pop_button.setToolTip(self.tr("These pens in a window of their own"))
        self.pop_button.clicked.connect(self.pop_out_requested)
        export = QMenu(self)
        export.setToolTipsVisible(True)
        self.csv_action = export.addAction(self.tr("CSV of the stored rows…"), self._export_csv)
        self.csv_action.setToolTip(self.tr("The stored rows of the visible range, one column per pen"))
        self.png_action = export.addAction(self.tr("PNG image…"), self._export_png)
        self.export_button = QToolButton()  # one button: the dock stays narrow enough beside the alarm list
        self.export_button.setText(self.tr("Export"))
        self.export_button.setToolTip(self.tr("Export the visible range"))
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.export_button.setMenu(export)
        self.readout = ElidedLabel()  # the crosshair's time and every pen's value there
        self.plot = TrendPlots()
        self._layout()

    # -- the tag list -----------------------------------------------------------------------------------

    def _set_checked(self, tag: str, on: bool) -> None:
        self.tag_list.blockSignals(True)
        self._items[tag].setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self.tag_list.blockSignals(False)

    def _check_changed(self, item: QListWidgetItem) -> None:
        """A tag checked or unchecked in the list: its pen added (or refused, unchecked again) or removed."""
        tag = item.data(Qt.ItemDataRole.UserRole)
        if item.checkState() == Qt.CheckState.Checked and tag not in self.pens:
            if not self.add_pen(tag):
                self._set_checked(tag, False)
        elif item.checkState() == Qt.CheckState.Unchecked and tag in self.pens:
            self.remove_pen(tag)

    def _double_clicked(self, item: QListWidgetItem) -> None:
        if item.data(Qt.ItemDataRole.UserRole):
            self.add_pen(item.data(Qt.ItemDataRole.UserRole))

    def _filter_tags(self, text: str) -> None:
        words = text.strip().lower().split()
        for item in self._items.values():
            item.setHidden(not all(w in item.text().lower() for w in words))
        if self._heading is not None:
            vitals = [i for t, i in self._items.items() if self.catalogue[t].worker]
            self._heading.setHidden(all(i.isHidden() for i in vitals))

    def _add_first_match(self) -> None:
        shown = [tag for tag, item in self._items.items() if not item.isHidden()]
        if shown:
            self.add_pen(shown[0])

    def _add_selected(self) -> None:
        for item in self.tag_list.selectedItems():
            if item.data(Qt.ItemDataRole.UserRole):
                self.add_pen(item.data(Qt.ItemDataRole.UserRole))

    def _remove_selected(self) -> None:
        for item in self.tag_list.selectedItems():
            if item.data(Qt.ItemDataRole.UserRole) in self.pens:
                self.remove_pen(item.data(Qt.ItemDataRole.UserRole))

    # -- time and sets ----------------------------------------------------------------------------------

    def _select_mode(self, data: tuple[str, object]) -> None:
        for index in range(self.mode_box.count()):  # findData does not compare Python tuples
            if self.mode_box.itemData(index) == data:
                self.mode_box.setCurrentIndex(index)
                return
        if data[0] == "live":  # a set's own span: offered from now on
            self.mode_box.insertItem(0, self.tr("Live {m:g} min").format(m=float(data[1]) / 60), data)
            self.mode_box.setCurrentIndex(0)

    def _set_chosen(self, index: int) -> None:
        if index > 0:
            self.load_set(self.trend_sets[index - 1])
        self.sets_box.setCurrentIndex(0)

    def _update_buttons(self) -> None:
        has_pens = bool(self.pens)
        self.remove_button.setEnabled(has_pens)
        self.export_button.setEnabled(has_pens)
        self.pop_button.setEnabled(has_pens)
        self.live_button.setEnabled(not self.live)
        self.live_button.setToolTip(self.tr("Following now") if self.live else self.tr("Follow now again"))

    # -- layout -----------------------------------------------------------------------------------------

    def _layout(self) -> None:
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.search)
        column.addWidget(self.tag_list, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        column.addLayout(buttons)
        right = QWidget()
        plot_column = QVBoxLayout(right)
        plot_column.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        for widget in (
            self.mode_box,
            self.live_button,
            self.stacked_button,
            self.sets_box,
            self.export_button,
            self.pop_button,
        ):
            bar.addWidget(widget)
        bar.addWidget(self.status, 1)
        plot_column.addLayout(bar)
        plot_column.addWidget(self.readout)
        plot_column.addWidget(self.plot, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([220, 800])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(splitter)
