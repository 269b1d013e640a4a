"""Alarm engine throughput against bare numpy, measured in one run.

    .venv/bin/python benchmarks/alarms_engine.py [--tags 100000] [--seconds 2]

Prints:
- tag-limit evaluations/s of `AlarmEngine.process_arrays` on 100,000 tags x 4 limits (deadband, delays,
  quality, state arrays), and its ratio to the bare numpy `(v >= hh) | (v >= h) | (v <= l) | (v <= ll)` on
  the same arrays, timed the same way (target >= 5 million/s);
- `AlarmEngine.process` throughput with 5 % of the tags changing per batch, with a communication rule per tag;
- the time to process a 10,000-alarm flood (one batch taking 10,000 tags past their high limit).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alarms.clock import ManualClock
from alarms.definitions import AlarmSpec, CommRule, Definitions, Limit, LimitRule, Priority, Tier
from alarms.engine import AlarmEngine
from alarms.samples import Quality, TagBatch

HH = Limit(90.0, Tier.LIFE, Priority.HIGH)
H = Limit(80.0, Tier.HIGH, Priority.MEDIUM)
L = Limit(20.0, Tier.LOW, Priority.LOW)
LL = Limit(10.0, Tier.HIGH, Priority.MEDIUM)


def definitions(n: int, comms: bool) -> Definitions:
    tags = tuple(f"T{i:06d}" for i in range(n))
    limits = tuple(LimitRule(t, f"area{i % 20}", HH, H, L, LL, deadband=1.0) for i, t in enumerate(tags))
    comm = tuple(
        CommRule(AlarmSpec(f"{t}.COMM", t, Tier.LOW, Priority.LOW, f"area{i % 20}", "{id}"), (t,))
        for i, t in enumerate(tags)
        if comms
    )
    return Definitions(tags, limits=limits, comms=comm)


def rate(run: Callable[[], object], seconds: float) -> float:
    """Calls per second: the best of several rounds of about `seconds` / 5 each."""
    run()
    calls = 1
    start = time.perf_counter()
    while time.perf_counter() - start < 0.05:
        run()
        calls += 1
    per_round = max(1, int(calls * seconds / 5 / max(time.perf_counter() - start, 1e-9)))
    best = 0.0
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(per_round):
            run()
        best = max(best, per_round / (time.perf_counter() - start))
    return best


def bench_limits(n: int, seconds: float) -> None:
    clock = ManualClock()
    engine = AlarmEngine(definitions(n, comms=False), clock)
    rng = np.random.default_rng(1)
    value = rng.uniform(30.0, 70.0, n)  # inside every limit: the steady state of a plant
    quality = np.zeros(n, dtype=np.int8)
    hh, h, low, ll = (np.full(n, lim.setpoint) for lim in (HH, H, L, LL))

    def ours() -> None:
        engine.process_arrays(value, quality)

    def bare() -> None:
        (value >= hh) | (value >= h) | (value <= low) | (value <= ll)

    ours_rate, bare_rate = rate(ours, seconds) * n * 4, rate(bare, seconds) * n * 4
    print(
        f"limit rules, {n:,} tags x 4 limits   {ours_rate:14,.0f} tag-limit evaluations/s (target >= 5,000,000)"
    )
    print(f"bare numpy on the same arrays        {bare_rate:14,.0f} tag-limit evaluations/s")
    print(f"ratio engine / bare numpy            {ours_rate / bare_rate:14.3f}")


def bench_batches(n: int, seconds: float) -> None:
    clock = ManualClock()
    engine = AlarmEngine(definitions(n, comms=True), clock)
    rng = np.random.default_rng(2)
    value = rng.uniform(30.0, 70.0, n)
    engine.process_arrays(value, np.zeros(n, dtype=np.int8))
    per_batch = n // 20
    batches = []
    for _ in range(50):
        index = rng.choice(n, per_batch, replace=False).astype(np.int32)
        value[index] = np.clip(value[index] + rng.normal(0.0, 3.0, per_batch), 0.0, 100.0)
        quality = np.where(rng.random(per_batch) < 0.001, Quality.BAD, Quality.GOOD).astype(np.int8)
        batches.append(
            TagBatch(index, value[index].copy(), quality, np.full(per_batch, clock.now()), clock.now())
        )
    transitions = 0
    i = 0

    def one() -> None:
        nonlocal i, transitions
        clock.advance(0.1)
        transitions += len(engine.process(batches[i % len(batches)]))
        i += 1

    per_s = rate(one, seconds)
    print(
        f"process, {per_batch:,} of {n:,} tags per batch  {per_s:10,.1f} batches/s = {per_s * per_batch:,.0f} tag"
        f" updates/s (limits + comm rule per tag; {transitions:,} transitions in {i:,} batches)"
    )


def bench_flood(n: int) -> None:
    clock = ManualClock()
    engine = AlarmEngine(definitions(n, comms=True), clock)
    engine.process_arrays(np.full(n, 50.0), np.zeros(n, dtype=np.int8))
    count = 10_000
    index = np.arange(count, dtype=np.int32)
    batch = TagBatch(
        index, np.full(count, 85.0), np.zeros(count, dtype=np.int8), np.zeros(count), clock.now()
    )
    start = time.perf_counter()
    transitions = engine.process(batch)
    elapsed = time.perf_counter() - start
    flooding = sum(engine.flood_state(f"area{a}").flooding for a in range(20))
    print(
        f"flood of {count:,} alarms in one batch   {elapsed * 1000:10.1f} ms"
        f" ({len(transitions):,} transitions, {flooding} of 20 areas in flood)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tags", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=2.0, help="measuring time per figure")
    args = parser.parse_args()
    bench_limits(args.tags, args.seconds)
    bench_batches(args.tags, args.seconds)
    bench_flood(args.tags)


if __name__ == "__main__":
    main()
