"""`controlroom audit`: verify the audit trail's hash chain, or export it as CSV or JSON lines.

Both stream the table in seq order, so that a trail of millions of entries is checked in one pass with one
batch of rows in memory.
"""

from __future__ import annotations

import csv
import json
from typing import TextIO

from console.journal_report import local_time
from integrations.audit_chain import Verdict, verify
from integrations.storage import Store, audit_trail, require_existing

COLUMNS = tuple(c.name for c in audit_trail.columns)


def check(url: str) -> Verdict:
    """Recompute the whole chain of the database at `url` (which must exist)."""
    store = Store(require_existing(url))
    try:
        return verify(store.audit_rows())
    finally:
        store.close()


def describe(verdict: Verdict) -> str:
    """One line for the terminal and the window's status bar."""
    if verdict.intact:
        if not verdict.count:
            return "audit trail empty"
        return f"verified up to #{verdict.last_seq} ({verdict.count} entries), head {verdict.last_hash[:16]}"
    return (
        f"audit trail BROKEN at #{verdict.broken_seq}: {verdict.why}; "
        f"intact up to #{verdict.last_seq} ({verdict.count} entries)"
    )


def export(url: str, out: TextIO, since: float | None, until: float | None, fmt: str) -> int:
    """Write the entries with since <= ts < until; returns how many. Times as local ISO-8601 in `time`,
    and the stored `ts` kept, since the hash covers it."""
    store = Store(require_existing(url))
    count = 0
    try:
        writer = csv.DictWriter(out, ("time", *COLUMNS)) if fmt == "csv" else None
        if writer is not None:
            writer.writeheader()
        for row in store.audit_rows(since, until):
            row = {"time": local_time(row["ts"]), **row}
            if writer is not None:
                writer.writerow(row)
            else:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    finally:
        store.close()
    return count
