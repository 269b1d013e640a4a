"""The alarm history's pages, read from the store on worker threads, and what a row opens in the window.

Qt thread (the core's loop); the store is only touched in `asyncio.to_thread`. Only the latest page asked
for is shown: an earlier answer that comes later (a slow 7-day query overtaken by a filter) is dropped.
"""

from __future__ import annotations

import asyncio
import logging

from PySide6.QtCore import QObject

from alarms.history import HistoryFilter, HistoryPage
from integrations.alarm_history import history_actors, history_page
from integrations.storage import Store
from widgets.history.alarm_history_view import AlarmHistoryView

log = logging.getLogger(__name__)


class HistoryFeed(QObject):
    def __init__(self, store: Store, view: AlarmHistoryView, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store, self.view = store, view
        self._tasks: set[asyncio.Task[None]] = set()
        self._asked = 0
        view.query_requested.connect(self._ask)

    def _ask(self, chosen: HistoryFilter, page: int) -> None:
        self._asked += 1
        task = asyncio.ensure_future(self._page(chosen, page, self._asked))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _page(self, chosen: HistoryFilter, page: int, asked: int) -> None:
        def read() -> tuple[HistoryPage, list[str]]:
            engine = self.store.engine
            return history_page(engine, chosen, page), history_actors(engine, chosen.since, chosen.until)

        try:
            found, actors = await asyncio.to_thread(read)
        except Exception as exc:  # the database did not answer: said where the page would be
            log.exception("alarm history not read")
            if asked == self._asked:
                self.view.set_error(str(exc))
            return
        if asked != self._asked:
            return  # a newer page was asked for meanwhile
        self.view.set_actors(actors)
        self.view.set_page(found)

    async def close(self) -> None:
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
