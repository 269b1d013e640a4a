"""Time the alarm history's first page over 30 days of journal (target: under 500 ms).

    .venv/bin/python -m benchmarks.history [--transitions 1000000] [--database-url URL]

Fills an empty database with about `transitions` alarm transitions over 30 days (200 alarms in 10 areas,
each raised about every 27 minutes: acknowledged by one of six operators or not, cleared, sometimes shelved
for a while), in journal order, then times `history_page` for the whole 30 days, median of 3, and the same
with each kind of filter (no target: printed for comparison, with how many occurrences match). Default: a SQLite file in a temporary folder. On PostgreSQL the
tables are analysed after the fill, as autovacuum would have done on a database 30 days old.
"""

from __future__ import annotations

import argparse
import heapq
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from alarms.history import HistoryFilter, HistoryState
from alarms.states import Event, State, Status, occurrence_raised
from integrations.alarm_history import history_page
from integrations.storage import Store

DAYS = 30
ALARMS = 200
AREAS = 10
OPERATORS = ("li.wei", "anna", "omar", "chen.jie", "sofia", "raj")
END = 1_800_000_000.0  # the journal's last moment
BATCH = 20_000
ROWS_PER_OCCURRENCE = 2.91  # activate, clear, 85 % acknowledged; a shelved one 4


def _alarm_rows(n: int, occurrences: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    """One alarm's transitions in time order: its occurrences, one per slot of the 30 days."""
    alarm = {
        "alarm_id": f"TT-{n:03d}.H",
        "source": f"TT-{n:03d}",
        "tier": 1 + n % 3,
        "priority": 1 + n % 4,
        "area": f"A{n % AREAS:02d}",
        "message": f"Temperature {n:03d} high",
        "unit": "°C",
    }
    status = Status()
    link: float | None = None  # the raise of the occurrence a row belongs to, as the engine links them
    slot = DAYS * 86_400 / occurrences
    for k in range(occurrences):
        raised = END - DAYS * 86_400 + k * slot + rng.uniform(0, slot / 4)
        events = [(raised, Event.ACTIVATE, "", "")]
        if rng.random() < 0.05:
            shelved = raised + rng.uniform(10, 120)
            events += [
                (shelved, Event.SHELVE, rng.choice(OPERATORS), "instrument fault"),
                (shelved + rng.uniform(10, 200), Event.CLEAR, "", ""),
                (shelved + 300, Event.UNSHELVE_TIMER, "", ""),
            ]
        else:
            events.append((raised + rng.uniform(30, 600), Event.CLEAR, "", ""))
            if rng.random() < 0.85:
                events.append((raised + rng.uniform(5, 300), Event.ACKNOWLEDGE, rng.choice(OPERATORS), ""))
        for ts, event, actor, comment in sorted(events):
            before, status = status, status.apply(event)
            link = occurrence_raised(event, before.state, ts, link)
            yield {
                **alarm,
                "seq": 0,
                "ts": ts,
                "event": event.value,
                "from_state": before.state.value,
                "to_state": status.state.value,
                "active": status.active,
                "acked": status.acked,
                "value": 80.0 + rng.random() * 20,
                "actor": actor,
                "console": "desk-1" if actor else "",
                "comment": comment,
                "annunciate": event is Event.ACTIVATE,
                "first_out": False,
                "chattering": False,
                "flood": False,
                "group_id": None,
                "shelve_until": ts + 300 if status.state is State.SHELVED else None,
                "shelve_one_shot": False,
                "response_s": ts - raised if event is Event.ACKNOWLEDGE else None,
                "raised_ts": link,
            }


def fill(url: str, transitions: int = 1_000_000) -> int:
    """Journal about `transitions` rows over the 30 days before END, in time order; returns how many."""
    rng = random.Random(16)
    per_alarm = round(transitions / ROWS_PER_OCCURRENCE / ALARMS)
    rows = heapq.merge(*(_alarm_rows(n, per_alarm, rng) for n in range(ALARMS)), key=lambda r: r["ts"])
    store = Store(url)
    count = 0
    try:
        batch: list[dict[str, Any]] = []
        for row in rows:
            count += 1
            batch.append({**row, "seq": count})
            if len(batch) == BATCH:
                store.write([], [], batch)
                batch = []
        store.write([], [], batch)
        if store.engine.dialect.name == "postgresql":
            with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE alarm_journal"))
    finally:
        store.close()
    return count


def _median_s(store: Store, query: HistoryFilter, rounds: int = 3) -> tuple[float, int]:
    """The median time of `rounds` first pages, and how many occurrences match."""
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        page = history_page(store.engine, query)
        times.append(time.perf_counter() - started)
    return statistics.median(times), page.total


THIRTY_DAYS = HistoryFilter(since=END - DAYS * 86_400, until=END + 1)


def history_first_page(url: str) -> float:
    """Seconds for the history's first page (and its total) over the 30 days `fill` wrote: median of 3."""
    store = Store(url)
    try:
        return _median_s(store, THIRTY_DAYS)[0]
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transitions", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="an empty database (default: SQLite in a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'history.db'}"
        started = time.perf_counter()
        count = fill(url, args.transitions)
        print(f"journal: {count} transitions over {DAYS} days in {time.perf_counter() - started:.0f} s")
        print(f"first page, 30 days: {history_first_page(url) * 1000:.0f} ms (target < 500 ms)")
        store = Store(url)
        try:
            for label, query in (
                ("area", replace(THIRTY_DAYS, area="A03")),
                ("who acted", replace(THIRTY_DAYS, actor="anna")),
                ("text", replace(THIRTY_DAYS, text="instrument")),
                ("still active", replace(THIRTY_DAYS, state=HistoryState.ACTIVE)),
                ("unacknowledged", replace(THIRTY_DAYS, state=HistoryState.UNACKNOWLEDGED)),
                ("cleared", replace(THIRTY_DAYS, state=HistoryState.CLEARED)),
                ("shelved", replace(THIRTY_DAYS, state=HistoryState.SHELVED)),
            ):
                seconds, total = _median_s(store, query)
                print(f"first page, 30 days, filter {label}: {seconds * 1000:.0f} ms ({total} match)")
        finally:
            store.close()


if __name__ == "__main__":
    main()
