"""The operator's actions on the plant, measured in one run (issue 12's figures):

    .venv/bin/python -m benchmarks.actions

1. Interlock execute -> feedback verified, minus the simulated PLC's delay, under full demo ingest, as a
   ratio to a raw asyncua write + feedback round trip on the same server (target <= 1.5):
   `benchmarks.actions_interlock`.
2. Broadcast press -> every PA zone "playing" over MQTT with the simulated gateways (target p99 < 1 s),
   beside the raw MQTT QoS 1 round trip: `benchmarks.actions_broadcast`.

Each part runs with its defaults here; run a part's module for its options.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import actions_broadcast, actions_interlock


def main() -> None:
    actions_interlock.main([])
    print()
    actions_broadcast.main([])


if __name__ == "__main__":
    main()
