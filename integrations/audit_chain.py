"""The audit trail's hash chain: canonical JSON, SHA-256 over the previous hash and the entry, and the
streaming check that finds the first entry edited, deleted or inserted (DESIGN: keep it boring).

Pure Python, no database: `integrations.storage` appends with `link`, `controlroom audit verify` feeds
`verify` the rows in seq order as they stream out of the database.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64  # the previous hash of entry #1
HASHED = (  # what an entry's hash covers: every column but the two hashes
    "seq",
    "ts",
    "username",
    "console",
    "action",
    "target",
    "old_value",
    "new_value",
    "outcome",
    "reason",
)


def canonical(value: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, no NaN; the same text for the same value on every machine."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def entry_hash(prev_hash: str, row: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the previous entry's hash followed by the canonical JSON of this entry."""
    body = canonical({k: row[k] for k in HASHED})
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


def link(rows: Iterable[dict[str, Any]], last_seq: int, last_hash: str) -> list[dict[str, Any]]:
    """The rows numbered on from `last_seq` and chained on from `last_hash` (their seq, prev_hash, hash set)."""
    linked = []
    for row in rows:
        last_seq += 1
        row = {**row, "seq": last_seq, "prev_hash": last_hash}
        last_hash = row["hash"] = entry_hash(last_hash, row)
        linked.append(row)
    return linked


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a verification found: `broken_seq` is None for an intact chain of `count` entries up to
    `last_seq`, otherwise the first entry that does not follow from the one before and `why`."""

    count: int
    last_seq: int
    last_hash: str
    broken_seq: int | None = None
    why: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_seq is None


def verify(rows: Iterable[Mapping[str, Any]], since: Verdict | None = None) -> Verdict:
    """One streaming pass over the rows in seq order; stops at the first broken link.

    An edited entry no longer hashes to its stored hash; a deleted one leaves a gap in seq and the next
    entry's prev_hash pointing at nothing; an inserted one has a seq out of line or a hash that is not the
    chain's. Deleting entries at the very end leaves no trace in the table itself: compare `last_seq` and
    `last_hash` with a value written down elsewhere (the window's status bar shows them).

    With `since` (an intact verdict) only what came after it is checked: `rows` start at its last entry,
    which must still be there and hash as it did. An edit further back shows at the next full pass.
    """
    count, seq, prev = 0, 0, GENESIS
    rows = iter(rows)
    if since is not None and since.last_seq:
        head = next(rows, None)
        if (
            head is None
            or head["seq"] != since.last_seq
            or entry_hash(head["prev_hash"], head) != since.last_hash
        ):
            return Verdict(0, 0, GENESIS, since.last_seq, "changed or deleted since it was verified")
        count, seq, prev = since.count, since.last_seq, since.last_hash
    for row in rows:
        expected = seq + 1
        if row["seq"] > expected:
            return Verdict(count, seq, prev, expected, f"missing (deleted): the next entry is #{row['seq']}")
        if row["seq"] < expected:
            return Verdict(count, seq, prev, row["seq"], f"out of line before #{expected} (inserted)")
        if row["prev_hash"] != prev:
            return Verdict(count, seq, prev, row["seq"], "does not link to the entry before it")
        if entry_hash(prev, row) != row["hash"]:
            return Verdict(count, seq, prev, row["seq"], "its content does not match its hash (edited)")
        count, seq, prev = count + 1, row["seq"], row["hash"]
    return Verdict(count, seq, prev)
