"""Alarm-system KPIs over 30 days of journal (about 1,000,000 alarm transitions), on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/kpis.py [--database-url postgresql+psycopg://USER@HOST/DB] [--runs 3]
                                        [--transitions 1000000] [--days 30]

Generates the journal (`generate_journal`, reusable by the other shift-lead benchmarks) into a fresh SQLite
file, and into a schema of its own on PostgreSQL (dropped afterwards) when `--database-url` is given; then
times `integrations.alarm_kpis.kpi_report` for the whole 30 days, for the site and for one area (target
< 2 s each) and the alarm history's first page of the 30 days (target < 500 ms); the median of `--runs`. Beside each, the raw limit measured in the same run: a plain
`SELECT count(*)` of the period's journal rows (one scan, what any report over them must at least read),
and the ratio of the report to it. Last, the handover snapshot and PDF of a 12 h shift
(`benchmarks/handover_pdf.py`, target < 3 s).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
import sqlalchemy as sa

from alarms.definitions import Priority, Tier
from alarms.history import HistoryFilter
from alarms.states import Event, State, occurrence_raised
from benchmarks.handover_pdf import pages, time_pdf
from benchmarks.measure import postgres_schema
from integrations.alarm_history import history_page
from integrations.alarm_kpis import kpi_report
from integrations.storage import Store, alarm_journal
from plant_maps.site_file import load_site

DEMO_SITE = Path(__file__).resolve().parent.parent / "resources" / "plants" / "demo" / "site.toml"
T0 = 1_800_000_000.0
DAY = 86_400.0
BATCH = 20_000
ALARMS = 400
OPERATORS = ("li.wei", "wang.fang", "zhang.min", "chen.jie")
_PRIORITY_MIX = (
    (Priority.LOW, 0.8),
    (Priority.MEDIUM, 0.15),
    (Priority.HIGH, 0.045),
    (Priority.URGENT, 0.005),
)


@dataclass(frozen=True, slots=True)
class Journal:
    """What `generate_journal` wrote: the period it covers and its areas (for a benchmark to query)."""

    since: float
    until: float
    areas: tuple[str, ...]
    alarm_rows: int
    event_rows: int


def generate_journal(
    store: Store, since: float = T0, days: int = 30, transitions: int = 1_000_000, seed: int = 16
) -> Journal:
    """Write a realistic month of journal into `store`: ~`transitions` alarm rows, plus permits and camera
    detections in the event journal.

    The mix: 400 alarms over the demo site's zones with ISA-18.2's priority mix; how often each is raised
    follows a Zipf law (a few bad actors carry much of the load); most occurrences are acknowledged after a
    lognormal delay (median 40 s) and clear after a few minutes, some clear before they are acknowledged,
    1 % are shelved, a few alarms chatter (bursts of raises seconds apart); a dozen are left standing at
    the end and some out of service. Rows go in in time order, as the writer commits them.
    """
    rng = np.random.default_rng(seed)
    until = since + days * DAY
    areas = tuple(z.id for z in load_site(DEMO_SITE).zones)
    weights = 1.0 / np.arange(1, ALARMS + 1) ** 0.8
    occurrences = (
        transitions / 2.1
    )  # rows per occurrence, on average (busy alarms are raised less often than drawn)
    rates = occurrences * weights / weights.sum() / (until - since)  # raises per second, per alarm
    drawn = rng.choice([p.value for p, _ in _PRIORITY_MIX], ALARMS, p=[w for _, w in _PRIORITY_MIX])
    priorities = [Priority(int(p)) for p in drawn]
    rows: list[tuple[Any, ...]] = []
    for a in range(ALARMS):
        rows += _alarm_rows(rng, a, rates[a], since, until, chatters=a % 37 == 5)
    rows.sort(key=lambda r: r[0])
    store_rows = (
        _row(seq, r, f"{areas[r[1] % len(areas)]}.GD-{r[1]:03d}", areas[r[1] % len(areas)], priorities[r[1]])
        for seq, r in enumerate(rows, 1)
    )
    for chunk in _chunks(store_rows, BATCH):
        store.write([], [], chunk)
    events = list(_events(rng, since, until))
    for chunk in _chunks(iter(events), BATCH):
        store.write([], chunk)
    return Journal(since, until, areas, len(rows), len(events))


def _alarm_rows(
    rng: np.random.Generator, a: int, rate: float, since: float, until: float, chatters: bool
) -> list[tuple[Any, ...]]:
    """(ts, alarm, event, from, to, active, acked, actor, comment, raised_ts) of one alarm's occurrences, in
    order."""
    N, U, A, R, S = State.NORMAL, State.UNACK, State.ACKED, State.RTN_UNACK, State.SHELVED
    out: list[tuple[Any, ...]] = []
    t = since + rng.exponential(1 / rate)
    operator = OPERATORS[a % len(OPERATORS)]
    while t < until:
        ack = float(rng.lognormal(np.log(40), 1.0))
        clear = float(rng.lognormal(np.log(240), 1.2))
        kind = rng.random()
        if chatters and kind < 0.3:  # a burst: raised and cleared every few seconds
            for _ in range(int(rng.integers(3, 8))):
                out += [
                    (t, a, Event.ACTIVATE, N, U, True, False, "", ""),
                    (t + 2, a, Event.CLEAR, U, R, False, False, "", ""),
                ]
                out.append((t + 3, a, Event.ACKNOWLEDGE, R, N, False, True, operator, ""))
                t += 5 + float(rng.exponential(5))
        elif kind < 0.01:  # shelved, cleared while shelved, unshelved by its timer
            out += [
                (t, a, Event.ACTIVATE, N, U, True, False, "", ""),
                (t + ack, a, Event.SHELVE, U, S, True, False, operator, "known fault"),
                (t + ack + clear, a, Event.CLEAR, S, S, False, False, "", ""),
                (t + ack + clear + 3600, a, Event.UNSHELVE_TIMER, S, N, False, False, "system", ""),
            ]
            t += ack + clear + 3600
        elif clear < ack:  # back to normal before anyone acknowledged it
            out += [
                (t, a, Event.ACTIVATE, N, U, True, False, "", ""),
                (t + clear, a, Event.CLEAR, U, R, False, False, "", ""),
                (t + ack, a, Event.ACKNOWLEDGE, R, N, False, True, operator, ""),
            ]
            t += ack
        else:
            out += [
                (t, a, Event.ACTIVATE, N, U, True, False, "", ""),
                (t + ack, a, Event.ACKNOWLEDGE, U, A, True, True, operator, ""),
                (t + clear, a, Event.CLEAR, A, N, False, True, "", ""),
            ]
            t += clear
        t += float(rng.exponential(1 / rate))
    if a % 33 == 7:  # standing at the end: raised on the last day, never cleared
        out.append((until - rng.uniform(600, DAY), a, Event.ACTIVATE, N, U, True, False, "", ""))
    elif a % 50 == 11:
        out.append(
            (
                until - 2 * DAY,
                a,
                Event.REMOVE_FROM_SERVICE,
                N,
                State.OUT_OF_SERVICE,
                False,
                True,
                operator,
                "sensor replaced",
            )
        )
    return _linked([r for r in out if r[0] < until])


def _linked(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """One alarm's rows in time order, each with when its occurrence was raised, as the engine links them."""
    raised = None
    out = []
    for r in sorted(rows, key=lambda r: r[0]):
        raised = occurrence_raised(r[2], r[3], r[0], raised)
        out.append((*r, raised))
    return out


def _row(seq: int, r: tuple[Any, ...], alarm_id: str, area: str, priority: Priority) -> dict[str, Any]:
    ts, _, event, from_state, to_state, active, acked, actor, comment, raised_ts = r
    return {
        "seq": seq, "ts": ts, "alarm_id": alarm_id, "source": alarm_id.split(".")[1], "tier": Tier.HIGH.value,
        "priority": priority.value, "area": area, "message": f"{alarm_id} gas high", "event": event.value,
        "from_state": from_state.value, "to_state": to_state.value, "active": active, "acked": acked,
        "value": 25.0, "actor": actor, "console": "desk-1", "comment": comment, "annunciate": event is Event.ACTIVATE,
        "first_out": False, "chattering": False, "flood": False, "group_id": None,
        "shelve_until": ts + 3600 if event is Event.SHELVE else None, "shelve_one_shot": False,
        "response_s": None, "unit": "%LEL", "raised_ts": raised_ts,
    }  # fmt: skip


def _events(rng: np.random.Generator, since: float, until: float) -> Iterator[dict[str, Any]]:
    """Permits (about 40 a day: approved, activated, some suspended, closed or expired) and camera
    detections (about 600 a day, 3 % marked false), in time order."""
    out: list[dict[str, Any]] = []

    def add(ts: float, kind: str, source: str, payload: dict[str, Any], actor: str = "") -> None:
        out.append(
            {
                "ts": ts,
                "kind": kind,
                "source": source,
                "actor": actor,
                "console": "desk-1",
                "payload": payload,
            }
        )

    for i, start in enumerate(np.sort(rng.uniform(since, until, int(40 * (until - since) / DAY)))):
        permit, t = f"PTW-{i:05d}", float(start)
        steps = [("approve", "pending_approval", "approved", ""), ("activate", "approved", "active", "")]
        if rng.random() < 0.2:
            steps += [("suspend", "active", "suspended", str(rng.choice(["gas test failed", "SOS in zone"])))]
            steps += [("resume", "suspended", "active", "")]
        steps += [
            ("expire", "active", "expired", "validity ended")
            if rng.random() < 0.04
            else ("close", "active", "closed", "work done")
        ]
        for action, from_, to, reason in steps:
            add(
                t,
                "permit",
                permit,
                {"from": from_, "to": to, "action": action, "reason": reason, "approval": None},
                "zhao.lei",
            )
            t += float(rng.uniform(600, 7200))
    for i, ts in enumerate(np.sort(rng.uniform(since, until, int(600 * (until - since) / DAY)))):
        add(
            float(ts),
            "vision_detection",
            "CAM-01",
            {"id": f"d{i}", "class": "no_helmet", "confidence": 0.9, "zone": i % 4},
        )
        if rng.random() < 0.03:
            add(
                float(ts) + 30,
                "vision_false",
                "CAM-01",
                {"detection": f"d{i}", "zone": i % 4, "class": "no_helmet"},
                "li.wei",
            )
    out.sort(key=lambda e: e["ts"])
    yield from out


def _chunks(rows: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def median_of(runs: int, measure: Callable[[], float]) -> tuple[float, list[float]]:
    values = [measure() for _ in range(runs)]
    return statistics.median(values), values


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def measure(name: str, store: Store, journal: Journal, runs: int) -> None:
    """Print the KPI report's medians (site, one area) beside the raw scan of the same rows."""
    since, until, area = journal.since, journal.until, journal.areas[0]
    c = alarm_journal.c
    scan = sa.select(sa.func.count()).where(c.ts >= since, c.ts < until)

    def count_rows() -> None:
        with store.engine.connect() as conn:
            conn.execute(scan).scalar_one()

    print(f"{name}: load average before measuring {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    raw, _ = median_of(runs, lambda: timed(count_rows))
    print(
        f"{name}: raw limit, SELECT count(*) of the period's {journal.alarm_rows} rows: {raw * 1000:.0f} ms"
    )
    for label, where in (("site", None), (f"area {area}", area)):
        seconds, all_s = median_of(runs, lambda w=where: timed(lambda: kpi_report(store, since, until, w)))
        runs_text = ", ".join(f"{s:.2f}" for s in all_s)
        print(
            f"{name}: kpi_report, {journal.alarm_rows / 1e6:.2f} M transitions over 30 days, {label}: "
            f"median {seconds:.2f} s ({runs_text}; target < 2 s), {seconds / raw:.1f}x the raw scan"
        )
    first = HistoryFilter(since=since, until=until)
    seconds, all_s = median_of(runs, lambda: timed(lambda: history_page(store.engine, first)))
    print(
        f"{name}: alarm history, first page of the 30 days: median {seconds * 1000:.0f} ms "
        f"({', '.join(f'{s * 1000:.0f}' for s in all_s)}; target < 500 ms), {seconds / raw:.1f}x the raw scan"
    )


def run(name: str, url: str, args: argparse.Namespace) -> None:
    store = Store(url)
    try:
        started = time.perf_counter()
        journal = generate_journal(store, days=args.days, transitions=args.transitions)
        print(
            f"{name}: generated {journal.alarm_rows} alarm transitions and {journal.event_rows} journal events "
            f"in {time.perf_counter() - started:.0f} s"
        )
        if (
            store.engine.dialect.name == "postgresql"
        ):  # what autovacuum does after a load: statistics, visibility
            with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE alarm_journal"))
        measure(name, store, journal, args.runs)
    finally:
        store.close()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="", help="PostgreSQL to measure on too")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--transitions", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run("SQLite", f"sqlite:///{tmp}/kpis.db", args)
    if args.database_url:
        url, drop = postgres_schema(args.database_url, "kpis")
        try:
            run("PostgreSQL", url, args)
        finally:
            drop()
    with tempfile.TemporaryDirectory() as tmp:
        seconds, pdf = time_pdf(args.runs, f"sqlite:///{tmp}/shift.db", Path(tmp))
        print(
            f"handover PDF of a 12 h shift (snapshot and PDF): median {seconds:.2f} s (target < 3 s), {pages(pdf)} pages"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
