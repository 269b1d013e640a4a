"""Helpers for the widget tests: what a widget shows as pixels, colours in it, the console's theme, data."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QComboBox, QTableView, QWidget
from pytestqt.qtbot import QtBot

from plant_maps.permit_lifecycle import PermitState
from plant_maps.permits import PermitBook, PermitStatus
from plant_maps.site import Site
from plant_maps.state import WorkerTable
from plant_maps.wearables import PositionBatch, Vitals
from widgets.common.theme import qt_palette, style_sheet


class Clock:
    """The console's clock as a widget takes it (`now()`), set by the test."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def pixels(widget: QWidget, save_as: Path | None = None) -> np.ndarray:
    """What the widget shows, as an (height, width, 3) RGB array (a copy: the image dies here)."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    if save_as is not None:
        assert image.save(str(save_as))
    raw = np.frombuffer(image.constBits(), dtype=np.uint8).reshape(
        image.height(), image.bytesPerLine() // 4, 4
    )
    return raw[:, : image.width(), 2::-1].copy()  # BGRA in memory on little-endian machines


def colour_mask(pixels: np.ndarray, colour: str, tolerance: int = 24) -> np.ndarray:
    c = QColor(colour)
    target = np.array([c.red(), c.green(), c.blue()])
    return np.abs(pixels.astype(int) - target).max(axis=2) <= tolerance


def colour_count(pixels: np.ndarray, colour: str, inside: QRect | None = None, tolerance: int = 24) -> int:
    """Pixels within a small tolerance of `colour`, in the whole image or inside a rectangle."""
    if inside is not None:
        pixels = pixels[
            max(inside.top(), 0) : inside.bottom() + 1,
            max(inside.left(), 0) : inside.right() + 1,
        ]
    return int(colour_mask(pixels, colour, tolerance).sum())


def around(point: QPoint, radius: int) -> QRect:
    return QRect(point.x() - radius, point.y() - radius, 2 * radius + 1, 2 * radius + 1)


def themed(widget: QWidget) -> None:
    """The console's palette and style sheet on this widget only, as the running console shows it."""
    widget.setPalette(qt_palette())
    widget.setStyleSheet(style_sheet())


def statuses(site: Site, **states: tuple[PermitState, str]) -> list[PermitStatus]:
    """The demo permits as the book holds them at start, with some put in another state (and reason):
    `statuses(site, **{"PTW-CS-003": (PermitState.SUSPENDED, "LEL 12 %LEL")})`."""
    out = []
    for s in PermitBook(site).statuses():
        if s.id in states:
            state, reason = states[s.id]
            s = replace(s, state=state, reason=reason)
        out.append(s)
    return out


def double_click_row(qtbot: QtBot, table: QTableView, row: int) -> None:
    """Double-click a row as a person does: QTest's double click alone lacks the press the view pairs it with."""
    centre = table.visualRect(table.model().index(row, 0)).center()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=centre)


def worker_table(
    site: Site,
    now: float,
    fixes: dict[str, tuple[float, float, float]] | None = None,
    vitals: dict[str, tuple[float, float, float]] | None = None,
) -> WorkerTable:
    """Live worker arrays as the core keeps them: every worker at home with a 2 s old fix and calm vitals,
    except `fixes` (id -> x, y, age of the fix in s; an infinite age: never located) and `vitals`
    (id -> heart rate, skin temperature, battery)."""
    table = WorkerTable(site)
    where = {w.id: (w.home[0], w.home[1], 2.0) for w in site.workers} | (fixes or {})
    located = [i for i, w in enumerate(site.workers) if np.isfinite(where[w.id][2])]
    rows = np.array(located, dtype=np.int32)
    table.apply_positions(
        PositionBatch(
            rows,
            np.array([where[site.workers[i].id][0] for i in located]),
            np.array([where[site.workers[i].id][1] for i in located]),
            np.zeros(len(located), dtype=np.int16),
            np.full(len(located), 0.5, dtype=np.float32),
            np.array([now - where[site.workers[i].id][2] for i in located]),
        )
    )
    calm = {w.id: (75.0, 36.4, 80.0) for w in site.workers} | (vitals or {})
    table.apply_vitals([Vitals(w.id, *calm[w.id], now - 3.0) for w in site.workers])
    return table


def choose(combo: QComboBox, label: str) -> None:
    """Pick a filter by the text the operator reads."""
    index = combo.findText(label)
    assert index >= 0, label
    combo.setCurrentIndex(index)
