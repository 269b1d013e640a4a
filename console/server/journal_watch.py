"""The store's health as the operator must see it: a database that does not commit is never silent.

The store writer retries a failing database for as long as it takes, and the core shows what it could not
journal all the same (`console.server.shown`); without this watch nobody would know that nothing is being
journaled or audited. While the writer's transaction has waited longer than STORE_GRACE_S to commit (a
failed write, or a database that does not answer), the journal is NOT SAVING: the status bar says since when
and how much waits, and the core raises the tier-2 STORE.COMM alarm; both clear once the backlog is written.
Runs on the core's asyncio loop thread (the core's tick).
"""

from __future__ import annotations

from dataclasses import dataclass

from console.server.zone_isolation import utc_text
from integrations.storage import StorePlace, WriterHealth

# A commit takes well under 250 ms, and a busy SQLite file waits up to 5 s for its lock before failing: a
# single slow commit is not an outage, one that has not landed in 5 s is.
STORE_GRACE_S = 5.0


@dataclass(frozen=True, slots=True)
class JournalStatus:
    """Where the journal is written and, while it is not saving, since when, how much waits and why."""

    place: StorePlace
    since: float | None = None  # console time it stopped saving; None while it saves
    rows: int = 0  # journal, alarm and audit rows waiting to be written
    why: str = ""  # the database's words, or that it does not answer

    @property
    def saving(self) -> bool:
        return self.since is None

    def outage(self) -> str:
        """The outage in words, as the alarm and the event log say it (times in UTC, as the core writes them)."""
        since = utc_text(self.since) if self.since is not None else "now"
        rows = "1 row" if self.rows == 1 else f"{self.rows} rows"
        return f"Journal not saving since {since}: {rows} waiting ({self.why})"


def saving_again(since: float | None) -> str:
    """The end of an outage in words (`since`: when it began; None: before a restart)."""
    if since is None:
        return "Journal saving again"
    return f"Journal saving again: what waited since {utc_text(since)} is written"


def journal_status(
    place: StorePlace, health: WriterHealth, now: float, was: JournalStatus | None = None
) -> JournalStatus:
    """The journal's status now, from the writer's `health`; `was` (the previous status) keeps the start of
    an outage that goes on, so that "since" never moves."""
    if health.waiting_s < STORE_GRACE_S:
        return JournalStatus(place)
    since = was.since if was is not None and was.since is not None else now - health.waiting_s
    why = health.error or f"no answer from the database for {health.waiting_s:.0f} s"
    return JournalStatus(place, since, health.rows, why)
