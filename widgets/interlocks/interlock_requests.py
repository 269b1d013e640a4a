"""The standing lines under the alarm banner: interlocks a site rule requested, until someone acts.

"IL-CH-TRIP requested: Zhao Lei (W16) entered a permit zone without being on its permit (Compressor house)"
with Execute… (the arm-and-confirm flow) and Dismiss. A request is a call to act on the plant, so its line
carries the tier-1 mark and bold text; one executed at once by an `auto` rule says so and offers nothing.
Updated by the console's interlock view; all methods run on the Qt thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from alarms.definitions import Tier
from widgets.common.banner_lines import BannerLines
from widgets.common.panel_look import set_bold
from widgets.common.plain_text import ElidedLabel, plain_tooltip
from widgets.common.tiers import TierMarkers
from widgets.common.time_text import clock_text

MARK_PX = 14


@dataclass(frozen=True, slots=True)
class RequestNotice:
    interlock_id: str
    reason: str
    ts: float
    auto: bool

    def text(self) -> str:
        if self.auto:
            line = _tr("{0} executed automatically at {1}: {2}")
        else:
            line = _tr("{0} requested at {1}: {2}")
        return line.format(self.interlock_id, clock_text(self.ts), self.reason)


def _tr(text: str) -> str:
    return QCoreApplication.translate("InterlockRequests", text)


class InterlockRequestStrip(BannerLines):
    """One line per open request; hidden while there is none."""

    execute_requested = Signal(str)  # interlock id: arm it and open its confirmation
    dismiss_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("InterlockRequestStrip")
        self._markers = TierMarkers()

    def set_requests(self, notices: Sequence[RequestNotice]) -> None:
        self._replace(notices, self._row)

    def _row(self, notice: RequestNotice) -> _RequestRow:
        row = _RequestRow(notice, self._markers, self)
        il = notice.interlock_id
        row.execute_button.clicked.connect(lambda _=False: self.execute_requested.emit(il))
        row.dismiss_button.clicked.connect(lambda _=False: self.dismiss_requested.emit(il))
        return row

    def lines(self) -> list[str]:
        return [row.notice.text() for row in self._rows]

    def buttons(self, interlock_id: str) -> tuple[QPushButton, QPushButton]:
        """(Execute…, Dismiss) of a request's line; KeyError when it is not shown."""
        for row in self._rows:
            if row.notice.interlock_id == interlock_id:
                return row.execute_button, row.dismiss_button
        raise KeyError(interlock_id)


class _RequestRow(QWidget):
    def __init__(self, notice: RequestNotice, markers: TierMarkers, parent: QWidget) -> None:
        super().__init__(parent)
        self.notice = notice
        mark = QLabel()
        mark.setPixmap(markers.pixmap(Tier.LIFE, MARK_PX, self.devicePixelRatioF()))
        text = ElidedLabel(notice.text())
        text.setToolTip(plain_tooltip(notice.text()))
        set_bold(text, True)
        self.execute_button = QPushButton(_tr("Execute…"))
        self.execute_button.setToolTip(
            _tr("Arm {0} and confirm: the confirmation shows what it does").format(notice.interlock_id)
        )
        self.dismiss_button = QPushButton(_tr("Dismiss"))
        self.dismiss_button.setToolTip(_tr("Decline the request: nothing is written (audited)"))
        self.execute_button.setVisible(not notice.auto)
        self.dismiss_button.setText(_tr("Dismiss") if not notice.auto else _tr("Seen"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 1, 0, 1)
        layout.addWidget(mark)
        layout.addWidget(text, 1)
        layout.addWidget(self.execute_button)
        layout.addWidget(self.dismiss_button)
