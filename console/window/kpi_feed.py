"""The KPI page's reports, computed from the store on a worker thread.

The page asks for a period (this shift, last shift, 24 h, 7 d from the `[shifts]` pattern, or custom) and
an area; the report is computed in the database (`integrations.alarm_kpis`, a month in a few seconds) in
`asyncio.to_thread`, and only the latest answer asked for is shown. The load is per operator position and
the heat map's hours are on the plant's clock, both from `[shifts]`. Qt thread (the core's loop).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject

from integrations.alarm_kpis import kpi_report
from integrations.storage import Store
from plant_maps.shifts import Period, ShiftPattern
from widgets.kpis.kpi_view import CUSTOM, KpiView

log = logging.getLogger(__name__)


class KpiFeed(QObject):
    def __init__(
        self,
        store: Store,
        view: KpiView,
        shifts: ShiftPattern,
        now: Callable[[], float],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store, self.view, self.shifts, self.now = store, view, shifts, now
        self._tasks: set[asyncio.Task[None]] = set()
        self._asked = 0  # only the latest report asked for is shown
        view.query_requested.connect(
            lambda p, since, until, area: self._run(self._report(p, since, until, area))
        )

    def period(self, which: str, since: float, until: float) -> tuple[float, float]:
        return (since, until) if which == CUSTOM else self.shifts.period(Period(which), self.now())

    async def close(self) -> None:
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _report(self, which: str, since: float, until: float, area: str) -> None:
        self._asked += 1
        asked = self._asked
        since, until = self.period(which, since, until)
        if until <= since:
            self.view.set_failure(self.tr("the period ends before it starts"))
            return
        try:
            report = await asyncio.to_thread(
                kpi_report,
                self.store,
                since,
                until,
                area or None,
                self.shifts.operator_positions,
                utc_offset_s(self.shifts, since),
            )
        except Exception as exc:  # the database did not answer: said on the page, asked again by the user
            log.exception("KPIs not computed")
            if asked == self._asked:
                self.view.set_failure(str(exc))
            return
        if asked == self._asked:
            self.view.set_report(report, self.now())

    def _run(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def utc_offset_s(shifts: ShiftPattern, ts: float) -> float:
    """The plant clock's offset from UTC at `ts` (the heat map's hours of day are the plant's)."""
    moment = (
        datetime.fromtimestamp(ts, ZoneInfo(shifts.timezone))
        if shifts.timezone
        else datetime.fromtimestamp(ts).astimezone()
    )
    offset = moment.utcoffset()
    return offset.total_seconds() if offset is not None else 0.0
