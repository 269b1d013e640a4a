"""`controlroom journal`: the alarm journal as CSV or JSON lines, for shift reports and audits.

Times given on the command line are ISO-8601 (a naive time is local time) or a duration back from now;
times in the output are local ISO-8601 with the offset, to the millisecond, so that a report is read the
way the control room's clocks show it and still compares exactly across zones.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import re
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TextIO

from alarms.records import Transition
from alarms.states import ACTIVE, Event
from integrations.storage import Store, require_existing

COLUMNS = (
    "seq",
    "time",
    "alarm_id",
    "source",
    "tier",
    "priority",
    "area",
    "message",
    "event",
    "state",
    "value",
    "unit",
    "time_to_ack_s",
    "actor",
    "console",
    "comment",
)
FORMATS = ("csv", "jsonl")

_DURATION = re.compile(r"(\d+)([smhd])")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_time(text: str, now: float | None = None) -> float:
    """Epoch seconds of an ISO-8601 time (naive: local time) or of a duration back from `now` (30m, 12h, 7d).

    Raises ArgumentTypeError, so that argparse names the option and exits with status 2.
    """
    duration = _DURATION.fullmatch(text.strip())
    if duration:
        return (time.time() if now is None else now) - int(duration[1]) * _UNIT_S[duration[2]]
    try:
        return datetime.fromisoformat(text.strip()).timestamp()  # a naive datetime is taken as local time
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a time: {text!r} (expected ISO-8601 like 2026-11-24T08:00 or 2026-11-24T08:00:00+01:00, "
            "or a duration back from now like 30m, 12h, 7d)"
        ) from None


def local_time(ts: float) -> str:
    """Local ISO-8601 with the offset; a time the local calendar cannot show (a journal written before
    device times were distrusted may hold year 9999 or year 1) in UTC, or as epoch seconds: a report
    prints every row whatever the time zone, never stops at one."""
    try:
        return datetime.fromtimestamp(ts).astimezone().isoformat(timespec="milliseconds")
    except (ValueError, OverflowError, OSError):
        pass
    try:
        return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds")
    except (ValueError, OverflowError, OSError):
        return f"{ts!r} (epoch seconds, outside the calendar)"


def report_row(t: Transition) -> dict[str, Any]:
    """One output row; `value` is None (empty in CSV, null in JSON) when there was no finite value; `unit` is
    its unit as the alarm's definition gave it ("s" for a time to threshold, "%LEL" for a gas limit; "" when
    the alarm carries no value).

    `time_to_ack_s`, on an acknowledgement, is the seconds from annunciation to acknowledgement as the engine
    measured them and the journal row holds them (shelved or isolated time not counted); so an
    acknowledgement carries it even when its activation lies before --since.
    """
    return {
        "seq": t.seq,
        "time": local_time(t.ts),
        "alarm_id": t.alarm_id,
        "source": t.source,
        "tier": int(t.tier),
        "priority": int(t.priority),
        "area": t.area,
        "message": t.message,
        "event": t.event.value,
        "state": t.to_state.value,
        "value": t.value if math.isfinite(t.value) else None,
        "unit": t.unit,
        "time_to_ack_s": None if t.response_s is None else round(t.response_s, 3),
        "actor": t.actor,
        "console": t.console,
        "comment": t.comment,
    }


def write_report(transitions: Iterable[Transition], fmt: str, out: TextIO) -> None:
    """CSV with a header, or one JSON object per line, with the keys of COLUMNS."""
    rows = map(report_row, transitions)
    if fmt == "csv":
        writer = csv.DictWriter(out, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    else:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def export(
    url: str,
    out: TextIO,
    *,
    since: float | None = None,
    until: float | None = None,
    area: str | None = None,
    tier: int | None = None,
    active: bool = False,
    fmt: str = "csv",
) -> None:
    """Write the alarm transitions that match to `out`; `active` keeps alarms whose latest state is active.

    `url` empty means the console's default database. Raises StorageError naming the URL (password masked)
    when the database cannot be opened, and for a SQLite file that does not exist (`require_existing`).
    """
    store = Store(require_existing(url))
    try:
        alarm_ids = None
        if active:
            state = {t.alarm_id: t for t in store.latest_alarm_transitions() if t.event is not Event.ESCALATE}
            alarm_ids = {alarm_id for alarm_id, t in state.items() if t.to_state in ACTIVE}  # the latest row
        transitions = store.alarm_transitions(since, until, area, tier, alarm_ids)
    finally:
        store.close()
    write_report(transitions, fmt, out)
