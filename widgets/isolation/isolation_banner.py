"""The standing lines under the alarm banner: every zone under maintenance isolation, as long as it lasts.

An isolated zone's alarms are suppressed by design, so they are missing from the banner above; this line
says that they are missing, until when, who asked and why, and how many alarms it hides now, with the
button that ends the isolation. ISA-101: grey like the banner, the isolation's grid hatch as its mark, bold
only where a tier-1 alarm is hidden. Updated from the GUI bridge; all methods run on the Qt thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QRect, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSizePolicy, QWidget

from widgets.common.banner_lines import BannerLines
from widgets.common.isolation_look import isolation_hatch
from widgets.common.plain_text import plain_tooltip
from widgets.common.theme import PALETTE
from widgets.common.time_text import clock_text

SWATCH_PX = 14


@dataclass(frozen=True, slots=True)
class IsolationNotice:
    """One isolation as the operator reads it; `active` counts the zone's active alarms it hides now."""

    zone: str
    zone_name: str
    until: float  # epoch s
    actor: str
    reason: str
    active: int
    tier1_active: int
    live: int = 0  # people's alarms active in the zone: an isolation never hides them

    def text(self) -> str:
        """ "Compressor house isolated until 14:30 by li.wei: hot-work maintenance — suppresses 1 tier-1 alarm"."""
        if self.tier1_active:
            if self.tier1_active == 1:
                hidden = _tr("suppresses {0} tier-1 alarm")
            else:
                hidden = _tr("suppresses {0} tier-1 alarms")
            others = self.active - self.tier1_active
            if others == 1:
                hidden += _tr(" and {1} other active alarm")
            elif others:
                hidden += _tr(" and {1} other active alarms")
            hidden = hidden.format(self.tier1_active, others)
        elif self.active:
            if self.active == 1:
                hidden = _tr("suppresses {0} active alarm, not tier 1").format(self.active)
            else:
                hidden = _tr("suppresses {0} active alarms, none tier 1").format(self.active)
        else:
            hidden = _tr("no alarm active there now")
        if self.live:
            hidden += live_text(self.live)
        return _tr("{0} isolated until {1} by {2}: {3} — {4}").format(
            self.zone_name, clock_text(self.until, False), self.actor, self.reason, hidden
        )


def live_text(live: int) -> str:
    """ "; 1 person's alarm there stays live": what an isolation does not hide, so the words match the list."""
    if live == 1:
        return _tr("; 1 person's alarm there stays live")
    return _tr("; {0} people's alarms there stay live").format(live)


def _tr(text: str) -> str:
    return QCoreApplication.translate("IsolationStrip", text)


class IsolationStrip(BannerLines):
    """One line per isolation with an "End isolation" button; hidden while no zone is isolated."""

    end_requested = Signal(str)  # zone id
    rows_changed = Signal()  # the lines were rebuilt: new "End isolation" buttons

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("IsolationStrip")

    def set_isolations(self, notices: Sequence[IsolationNotice]) -> None:
        """Show these isolations (soonest end first); rebuilt only when something changed."""
        if self._replace(sorted(notices, key=lambda n: (n.until, n.zone)), self._row):
            self.rows_changed.emit()

    def _row(self, notice: IsolationNotice) -> _NoticeRow:
        row = _NoticeRow(notice, self)
        row.end_button.clicked.connect(lambda _=False, zone=notice.zone: self.end_requested.emit(zone))
        return row

    def lines(self) -> list[str]:
        """The lines shown, top to bottom."""
        return [row.notice.text() for row in self._rows]

    def end_buttons(self) -> list[QPushButton]:
        return [row.end_button for row in self._rows]

    def end_button(self, zone: str) -> QPushButton:
        """The button that ends `zone`'s isolation (KeyError when it is not shown)."""
        for row in self._rows:
            if row.notice.zone == zone:
                return row.end_button
        raise KeyError(zone)


class _NoticeRow(QWidget):
    def __init__(self, notice: IsolationNotice, parent: QWidget) -> None:
        super().__init__(parent)
        self.notice = notice
        self.text = _NoticeText(notice)
        self.end_button = QPushButton(QCoreApplication.translate("IsolationStrip", "End isolation"))
        self.end_button.setToolTip(
            QCoreApplication.translate(
                "IsolationStrip", "Return {0} to service now: its active alarms come back unacknowledged"
            ).format(notice.zone_name)
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 1, 0, 1)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.end_button)


class _NoticeText(QWidget):
    """The hatch swatch and the line, elided to fit, whole in the tooltip."""

    def __init__(self, notice: IsolationNotice) -> None:
        super().__init__()
        self._text = notice.text()
        self._bold = notice.tier1_active > 0
        self.setToolTip(plain_tooltip(self._text))  # the reason as typed
        self.setAccessibleName(self._text)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(self.fontMetrics().height() + 8)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        top = (self.height() - SWATCH_PX) // 2
        swatch = QRect(8, top, SWATCH_PX, SWATCH_PX)
        painter.setBrushOrigin(swatch.center())  # a grid line through the middle each way, as on the map
        painter.fillRect(swatch, QColor(PALETTE.hollow_fill))
        painter.fillRect(swatch, isolation_hatch())
        painter.setPen(QColor(PALETTE.alarm_outline))
        painter.drawRect(swatch.adjusted(0, 0, -1, -1))
        font = QFont(self.font())
        font.setBold(self._bold)
        painter.setFont(font)
        painter.setPen(QColor(PALETTE.text))
        left = swatch.right() + 12
        shown = painter.fontMetrics().elidedText(
            self._text, Qt.TextElideMode.ElideRight, max(self.width() - left - 4, 0)
        )
        painter.drawText(
            QRect(left, 0, self.width() - left, self.height()), Qt.AlignmentFlag.AlignVCenter, shown
        )
