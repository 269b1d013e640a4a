"""The audit view's pages and the audit chain's status, read from the store on worker threads.

The chain is verified in full at start, every FULL_VERIFY_S and on *Verify chain* (100,000 entries take
well under 5 s, benchmarks/audit.py, off the Qt thread); every VERIFY_S in between only the entries since
the last verified one, which must still hash as it did. An edit, deletion or insertion among the new
entries shows within VERIFY_S, further back at the next full pass. The status bar says "audit verified up
to #N", or in the alarm colour which entry is the first broken one. Qt thread (the core's loop); the
store is only touched in `asyncio.to_thread`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel

from console.audit_report import describe
from integrations.audit_chain import Verdict, verify
from integrations.storage import Store
from widgets.common.plain_text import plain_tooltip
from widgets.common.theme import PALETTE
from widgets.records.audit_view import PAGE_ROWS, AuditFilter, AuditView

log = logging.getLogger(__name__)

VERIFY_S = 60.0
FULL_VERIFY_S = 3600.0


class AuditFeed(QObject):
    def __init__(self, store: Store, view: AuditView, status: QLabel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store, self.view, self.status = store, view, status
        self.verdict: Verdict | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._verifying = False
        self._pages_asked = 0  # only the latest page asked for is shown (an earlier answer may come later)
        view.query_requested.connect(lambda f, before: self._run(self._page(f, before)))
        view.verify_requested.connect(self.verify_now)
        self.timer = QTimer(self, interval=int(VERIFY_S * 1000))
        self.timer.timeout.connect(self._periodic)
        self._full_due = 0.0  # time.monotonic() of the next full pass
        status.setText(self.tr("audit: verifying…"))

    def start(self) -> None:
        self.timer.start()
        self.verify_now()
        self._run(self._page(AuditFilter(), None))

    def verify_now(self, full: bool = True) -> None:
        """Verify the whole chain (or, not `full`, the entries since the last intact verdict)."""
        if self._verifying:
            return
        since = None if full or self.verdict is None or not self.verdict.intact else self.verdict
        if since is None:
            self._full_due = time.monotonic() + FULL_VERIFY_S
        self._verifying = True
        self._run(self._verify(since))

    def _periodic(self) -> None:
        self.verify_now(full=time.monotonic() >= self._full_due)

    async def close(self) -> None:
        self.timer.stop()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _verify(self, since: Verdict | None) -> None:
        first = since.last_seq if since is not None else 0
        try:
            verdict = await asyncio.to_thread(lambda: verify(self.store.audit_rows(from_seq=first), since))
        except Exception as exc:  # the database did not answer: said in the status, tried again later
            log.exception("audit chain not verified")
            self._show(self.tr("audit NOT verified: {0}").format(exc), True)
            return
        finally:
            self._verifying = False
        self.verdict = verdict
        if verdict.intact:
            text = self.tr("audit verified up to #{0}").format(verdict.last_seq)
        else:
            text = self.tr("audit BROKEN at #{0}").format(verdict.broken_seq)
        self._show(text, not verdict.intact, describe(verdict))

    def _show(self, text: str, broken: bool, detail: str = "") -> None:
        self.status.setText(text)
        self.status.setToolTip(plain_tooltip(detail or text))
        look = f"background: {PALETTE.alarm_1}; color: white; font-weight: bold; padding: 0 6px;"
        self.status.setStyleSheet(look if broken else "")
        self.view.set_chain(detail or text, broken)

    async def _page(self, chosen: AuditFilter, before: int | None) -> None:
        self._pages_asked += 1
        asked = self._pages_asked

        def read() -> tuple[list[dict[str, Any]], list[str]]:
            rows = self.store.audit_page(
                user=chosen.user,
                action=chosen.action,
                since=chosen.since,
                until=chosen.until,
                before_seq=before,
                limit=PAGE_ROWS,
            )
            return rows, self.store.audit_actions()

        try:
            rows, actions = await asyncio.to_thread(read)
        except Exception as exc:
            log.exception("audit page not read")
            self.view.page_label.setText(self.tr("not read: {0}").format(exc))
            return
        if asked != self._pages_asked:
            return  # a newer page was asked for meanwhile (another filter, the tab raised again)
        self.view.set_actions(actions)
        self.view.set_page(rows, before is None)

    def _run(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
