"""The window's layout, kept per console: where its docks are and how big, saved when the console closes and
restored when it starts, so that each desk in a control room keeps the arrangement its operators chose.

A file per console name under `$XDG_CONFIG_HOME/controlroom/layouts/` (default `~/.config`), written with
QSettings' INI format. A file that Qt cannot restore (another version's dock names) is ignored and the
default layout is used; "Reset layout" in the toolbar removes it. The trend dock's pens, time and stacking
are kept there too (as JSON), so the last trend is back at start. Runs on the Qt thread.
"""

from __future__ import annotations

import json
import logging
import os
import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow

log = logging.getLogger(__name__)

LAYOUT_VERSION = 2  # the dock names and order of this release; a saved layout of another is not restored


def layout_file(console_name: str) -> Path:
    base = os.environ.get("XDG_CONFIG_HOME", "")
    root = Path(base) if os.path.isabs(base) else Path.home() / ".config"
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", console_name) or "console"
    return root / "controlroom" / "layouts" / f"{safe}.ini"


class LayoutStore:
    def __init__(self, console_name: str) -> None:
        self.path = layout_file(console_name)

    def restore(self, window: QMainWindow) -> bool:
        """Put the window back as it was saved; False when there is nothing usable (use the defaults)."""
        if not self.path.exists():
            return False
        settings = QSettings(str(self.path), QSettings.Format.IniFormat)
        geometry, state = settings.value("window/geometry"), settings.value("window/state")
        if not isinstance(geometry, QByteArray) or not isinstance(state, QByteArray):
            log.warning("layout %s is unreadable: the default layout is used", self.path)
            return False
        if not window.restoreGeometry(geometry) or not window.restoreState(state, LAYOUT_VERSION):
            log.warning("layout %s does not fit this version: the default layout is used", self.path)
            return False
        log.info("window layout restored from %s", self.path)
        return True

    def save(self, window: QMainWindow) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        settings = QSettings(str(self.path), QSettings.Format.IniFormat)
        settings.setValue("window/geometry", window.saveGeometry())
        settings.setValue("window/state", window.saveState(LAYOUT_VERSION))
        settings.sync()
        if settings.status() != QSettings.Status.NoError:
            log.error("could not save the window layout to %s", self.path)

    def trend_state(self) -> dict[str, Any] | None:
        """The trend saved with the layout (`TrendView.state()`), or None (none, or unreadable)."""
        if not self.path.exists():
            return None
        text = QSettings(str(self.path), QSettings.Format.IniFormat).value("trend/state")
        try:
            state = json.loads(text) if isinstance(text, str) else None
        except json.JSONDecodeError:
            state = None
        if not isinstance(state, dict):
            if text is not None:
                log.warning("the trend saved in %s is unreadable: an empty trend is shown", self.path)
            return None
        return state

    def save_trend(self, state: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        settings = QSettings(str(self.path), QSettings.Format.IniFormat)
        settings.setValue("trend/state", json.dumps(state))
        settings.sync()

    def forget(self) -> None:
        self.path.unlink(missing_ok=True)
