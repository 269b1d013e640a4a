"""Memory follows the screen (issue 18): the console core's resident memory and start time at 1,000, 5,000
and 20,000 tags.

    .venv/bin/python benchmarks/memory.py [--tags 1000 5000 20000] [--runs 3]

Each size in a fresh process (RSS is a process's whole memory): the demo site with its sensors copied until
it has N tags (each copy a new id on the same zone, limits and deadband), parsed as a site file is; then
a `Core` on a fresh SQLite store. Printed per size, the median of `--runs` processes:
- start: parsing the site file and building the Core (target < 10 s at 20,000), each part apart;
- RSS after start, and after two hours of every tag (a sample of each every 10 s, through the trend buffer:
  every bucket of the coarse tier written) with 8 tags watched by a trend, their rings full (the most a
  trend holds). Target < 1.5 GB at 20,000. Beside it, the floor: the same process before the Core
  (Python, numpy, SQLAlchemy and the parsed site).
- RSS per 1,000 tags: the slope between the smallest and the largest size (what a tag costs, without what
  the process costs at all).
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from alarms.clock import Clock
from alarms.samples import TagBatch
from console.server.core import Core
from integrations.storage import Store, StoreWriter
from plant_maps.site_file import parse_site

DEMO_SITE = Path(__file__).resolve().parent.parent / "resources" / "plants" / "demo" / "site.toml"
WATCHED = 8  # pens of one trend


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def scaled_raw(n: int) -> dict[str, Any]:
    """The demo site file with its sensors copied until there are `n` (the copies read over OPC UA)."""
    raw = tomllib.loads(DEMO_SITE.read_text(encoding="utf-8"))
    base = raw["sensors"]
    copies = []
    for k in range(max(n - len(base), 0)):
        sensor = copy.deepcopy(base[k % len(base)])
        sensor["id"] = f"{sensor['id']}-{k}"
        sensor.pop("address", None)
        copies.append(sensor)
    raw["sensors"] = base + copies
    return raw


def fill_two_hours(core: Core) -> None:
    """A sample of every tag every 10 s for two hours, through the trend buffer, 8 tags watched."""
    n = len(core.tags.value)
    core.trends.watch(range(WATCHED))
    index = np.arange(n, dtype=np.int32)
    quality = np.zeros(n, np.int8)
    rng = np.random.default_rng(1)
    now = core.clock.now()
    for k in range(720, 0, -1):
        ts = now - 10 * k
        core.trends.append(TagBatch(index, rng.normal(size=n), quality, np.full(n, ts), ts))
    watched = np.arange(WATCHED, dtype=np.int32)
    samples = np.repeat(now - 2 * 3600 + np.arange(core.trends.capacity) * 0.5, WATCHED)
    core.trends.append(
        TagBatch(
            np.tile(watched, core.trends.capacity),
            np.sin(samples),
            np.zeros(samples.size, np.int8),
            samples,
            now,
        )
    )


def one(n: int) -> dict[str, float]:
    """Measured in this process (a fresh one per size)."""
    raw = scaled_raw(n)
    begin = time.perf_counter()
    site = parse_site(raw, DEMO_SITE, datetime.now(UTC))
    parsed = time.perf_counter()
    floor = rss_mb()
    with tempfile.TemporaryDirectory() as folder:
        writer = StoreWriter(Store(f"sqlite:///{folder}/bench.db"), site)
        core = Core(site, Clock(), writer, "bench-memory")
        built = time.perf_counter()
        started = rss_mb()
        fill_two_hours(core)
        filled = rss_mb()
        writer.close()
    return {
        "tags": len(site.sensors),
        "floor": floor,
        "site_s": parsed - begin,
        "core_s": built - parsed,
        "started": started,
        "filled": filled,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tags", type=int, nargs="+", default=[1000, 5000, 20000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child process: measure one size
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one)))
        return 0
    rows = []
    for n in args.tags:
        runs = [
            json.loads(
                subprocess.run(
                    [sys.executable, __file__, "--one", str(n)], check=True, capture_output=True, text=True
                ).stdout
            )
            for _ in range(args.runs)
        ]
        row = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
        rows.append(row)
        start = [r["site_s"] + r["core_s"] for r in runs]
        print(
            f"{int(row['tags']):>6} tags: start {statistics.median(start):.2f} s (site file {row['site_s']:.2f} s"
            f" + Core {row['core_s']:.2f} s; runs {_list(start, '.2f')}; target < 10 s)"
        )
        print(
            f"    RSS {row['started']:.0f} MB after start; {row['filled']:.0f} MB with 2 h of every tag and "
            f"{WATCHED} full rings (runs {_list([r['filled'] for r in runs], '.0f')}; target < 1,500 MB); "
            f"the process before the Core (libraries and the site): {row['floor']:.0f} MB"
        )
    if len(rows) > 1:
        small, large = rows[0], rows[-1]
        per_k = (large["filled"] - small["filled"]) / (large["tags"] - small["tags"]) * 1000
        print(f"RSS per 1,000 tags (slope {int(small['tags'])} -> {int(large['tags'])}): {per_k:.0f} MB")
    return 0


def _list(values: Any, fmt: str) -> str:
    return ", ".join(format(v, fmt) for v in values)


if __name__ == "__main__":
    sys.exit(main())
