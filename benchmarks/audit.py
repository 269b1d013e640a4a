"""Time `controlroom audit verify` on an untouched chain of 100,000 entries (target: under 5 s).

    .venv/bin/python -m benchmarks.audit [--entries 100000] [--rounds 3] [--database-url URL]

Builds the chain with the store's own `append_audit` (in batches, as the writer does), then runs the real
command `rounds` times in a fresh process each and prints every time and the median. Default: a SQLite file
in a temporary folder.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from integrations.storage import AuditEntry, Store, append_audit

REPO = Path(__file__).resolve().parent.parent
BATCH = 5_000


def fill(url: str, entries: int) -> None:
    store = Store(url)
    try:
        t0 = 1_800_000_000.0
        for start in range(0, entries, BATCH):
            rows = [
                AuditEntry(
                    t0 + i, "li.wei", "desk-1", "acknowledge", f"GD-CH-{i % 40:02d}.HH", None,
                    {"alarms": [[f"GD-CH-{i % 40:02d}.HH", i]], "comment": "gas team sent"},
                ).row()
                for i in range(start, min(start + BATCH, entries))
            ]  # fmt: skip
            with store.engine.begin() as conn:
                append_audit(conn, rows)
    finally:
        store.close()


def verify_once(url: str) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "console", "audit", "verify", "--database-url", url],
        capture_output=True, text=True, cwd=REPO, check=False,
    )  # fmt: skip
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"verify failed ({done.returncode}): {done.stdout}{done.stderr}")
    return elapsed, done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", help="an empty database (default: SQLite in a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/audit.db"
        started = time.perf_counter()
        fill(url, args.entries)
        print(f"built a chain of {args.entries} entries in {time.perf_counter() - started:.1f} s")
        times = []
        for _ in range(args.rounds):
            elapsed, said = verify_once(url)
            times.append(elapsed)
            print(f"controlroom audit verify: {elapsed:.2f} s ({said})")
        print(
            f"median of {args.rounds}: {statistics.median(times):.2f} s (target < 5 s, process start included)"
        )


if __name__ == "__main__":
    main()
