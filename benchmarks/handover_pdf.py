"""The shift handover's PDF for a 12 h shift (target: under 3 s), median of 3.

    .venv/bin/python benchmarks/handover_pdf.py [--rounds 3] [--database-url URL]

Writes a realistic 12 h shift of the demo plant into a fresh database (SQLite in a temporary folder by
default): about 150 alarm occurrences on the site's detectors (acknowledged 10-180 s later, cleared minutes
later), a gas leak's flood of 15 alarms in 10 minutes, a chattering detector, shelves, 40 shift-log notes (half
in Chinese), permits opening, suspended and closed, broadcasts, interlock writes, two SOS responses, 300
audit entries. Then times what `controlroom report shift --out` does, in process: the snapshot (journals,
KPIs in SQL, the audit chain verified, the plant's state replayed) and the PDF, each round from a fresh
store. Prints each round, the split, the median and the PDF's pages.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alarms.definitions import Priority, Tier
from console.config import AppConfig
from console.server.handover_pdf import write_pdf
from console.shift_report import ShiftReport, make
from integrations.storage import AuditEntry, Store, append_audit
from integrations.users import UserStore
from plant_maps.site_file import load_site
from tests.journal_builder import JournalBuilder

DEMO_SITE = Path(__file__).resolve().parent.parent / "resources" / "plants" / "demo" / "site.toml"
T0 = (time.time() // 3600 - 13) * 3600.0  # the shift's start: 13 hours ago (the site's permits are of now)
SHIFT_S = 12 * 3600.0
OPERATORS = ("li.wei", "zhao.lei", "wang.fang")
NOTES_ZH = (
    "泵 P-101 已切换到备用",
    "K-301 密封渗漏，每轮巡检",
    "罐区 T-103 液位计校准完成",
    "动火作业 PTW-HW-001 监护人到位",
)


def build(url: str) -> None:
    """The 12 h shift, written into the store at `url` (and 300 audit entries chained)."""
    rng = random.Random(16)
    site = load_site(DEMO_SITE)
    detectors = [s for s in site.sensors if s.is_gas]
    shift = JournalBuilder()

    def occurrence(alarm_id: str, area: str, tier: Tier, ts: float) -> None:
        """Raised, acknowledged 10-180 s later (most), cleared 1-40 min later."""
        priority = {Tier.LIFE: Priority.URGENT, Tier.HIGH: Priority.HIGH}.get(tier, Priority.LOW)
        shift.alarm(alarm_id, area, priority, tier)
        shift.raise_(alarm_id, ts)
        if rng.random() < 0.92:
            shift.ack(alarm_id, ts + rng.uniform(10, 180), rng.choice(OPERATORS))
        shift.clear(alarm_id, ts + rng.uniform(60, 2400))

    for _ in range(150):  # routine load: about 2 per 10 min across the site
        s = rng.choice(detectors)
        occurrence(f"{s.id}.H", s.zone, Tier.HIGH, T0 + rng.uniform(0, SHIFT_S - 3000))
    leak = T0 + 5 * 3600
    for i, s in enumerate(detectors[:15]):  # the gas leak's flood: 15 alarms in 10 min, the first tier 1
        tier = Tier.LIFE if i == 0 else Tier.HIGH
        occurrence(f"{s.id}.HH" if i == 0 else f"{s.id}.H", s.zone, tier, leak + i * 40)
    chatter = f"{detectors[-1].id}.H"
    shift.alarm(chatter, detectors[-1].zone, Priority.HIGH)
    for k in range(12):  # a chattering detector: raised and cleared every 15 s for three minutes
        t = T0 + 8 * 3600 + k * 15
        shift.raise_(chatter, t)
        shift.clear(chatter, t + 5)
    shift.raise_(chatter, T0 + 8 * 3600 + 200)
    shift.shelve(
        chatter, T0 + 8 * 3600 + 210, "wang.fang", "chattering: vibration of pump P-101", T0 + 14 * 3600
    )
    for i in range(40):
        text = NOTES_ZH[i % len(NOTES_ZH)] if i % 2 else f"round {i}: all areas checked, nothing to report"
        shift.event("operator_note", T0 + i * 1000, "console", {"text": text}, rng.choice(OPERATORS))
    for i, permit in enumerate(p.id for p in site.permits):
        ts = T0 + 1800 + i * 2400
        shift.permit(permit, ts, "activate", "approved", "active")
        if i % 3 == 0:
            reason = "gas alarm in the work zone"
            shift.permit(permit, ts + 3600, "suspend", "active", "suspended", reason)
        elif i % 3 == 1:
            shift.permit(permit, ts + 7200, "close", "active", "closed")
    for i in range(5):
        payload = {"text": "请立即撤离罐区", "lang": "zh", "priority": "evacuation", "repeat": 2, "preset": "",
                   "zones": ["PA-NORTH"], "wearables": []}  # fmt: skip
        shift.event("broadcast", leak + 60 + i * 600, f"B-{i}", payload, "wang.fang")
    for i, il in enumerate(site.interlocks[:4]):
        shift.event(
            "interlock",
            leak + 120 + i * 30,
            il.id,
            {"step": "write", "value": True, "status": "Good"},
            "li.wei",
        )
    for i, worker in enumerate(site.workers[:2]):  # two SOS: acknowledged, a responder sent, resolved
        alarm_id, sos = f"{worker.id}.SOS", T0 + 3 * 3600 + i * 7200
        shift.alarm(alarm_id, "site", Priority.URGENT, Tier.LIFE)
        shift.raise_(alarm_id, sos)
        shift.ack(alarm_id, sos + 20)
        for step_name, after in (("assigned", 60), ("on_scene", 300), ("resolved", 900)):
            resolved = step_name == "resolved"
            payload = {
                "step": step_name,
                "responder": "W13",
                "responder_name": "Zhang Min (W13)",
                "notes": "worker found well: the band was pressed by a hoist" if resolved else "",
                "resolution": "false_alarm" if resolved else "",
            }
            shift.event("wearable_response", sos + after, alarm_id, payload, "li.wei")
        shift.clear(alarm_id, sos + 900)
    store = Store(url)
    try:
        shift.write(store)
        audit = [
            AuditEntry(T0 + i * 140, rng.choice(OPERATORS), "desk-1", "acknowledge", f"A{i}").row()
            for i in range(300)
        ]
        with store.engine.begin() as conn:
            append_audit(conn, audit)
        users = UserStore(store, "setup")
        users.add("wang.fang", "王芳", "outgoing pen 1", ["shift_lead"], "setup", T0)
        users.add("li.ming", "李明", "incoming pen 2", ["shift_lead"], "setup", T0)
    finally:
        store.close()
    print(
        f"journal: {len(shift.alarm_rows)} alarm transitions, {len(shift.events)} events, 300 audit entries"
    )


def time_pdf(rounds: int, url: str, folder: Path) -> tuple[float, Path]:
    """The 12 h shift built into `url`, then `rounds` handovers made and written: the median seconds, the last
    PDF. Each round prints its snapshot and PDF parts."""
    build(url)
    config = AppConfig(site_file=DEMO_SITE, database_url=url)
    asked = ShiftReport(T0, T0 + SHIFT_S, "wang.fang", "li.ming")
    times = []
    for round_ in range(rounds):
        started = time.perf_counter()
        handover = make(config, url, asked)
        gathered = time.perf_counter()
        pdf = write_pdf(handover, folder / f"shift-{round_}.pdf")
        done = time.perf_counter()
        times.append(done - started)
        print(
            f"round {round_ + 1}: {done - started:.2f} s (snapshot {gathered - started:.2f} s, PDF {done - gathered:.2f} s)"
        )
    return statistics.median(times), pdf


def pages(pdf: Path) -> str:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=False).stdout
    return next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), "?")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", help="an empty database (default: SQLite in a temporary folder)")
    parser.add_argument(
        "--keep", type=Path, metavar="FILE.pdf", help="keep the last PDF here (to look at it)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'shift.db'}"
        seconds, pdf = time_pdf(args.rounds, url, Path(tmp))
        if args.keep is not None:
            pdf = pdf.replace(args.keep)
        print(f"median of {args.rounds}: {seconds:.2f} s (target < 3 s); {pages(pdf)} pages")


if __name__ == "__main__":
    main()
