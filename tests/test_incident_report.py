"""The incident's after-action report (issue 17, item 5) as a coordinator gets it, from an incident run through
the real core: W01's SOS at the compressor house, the incident declared from it, acknowledged, a responder
sent, an evacuation broadcast, a muster with a head count, command transferred, closed. The PDF holds the
summary, the first response against the seeds' 90 s (met, then missed), the people and permits involved,
the actions and the whole timeline (split across pages under its header); page 1 rendered to PNG. Written
from the window's function and from `controlroom report incident`. SQLite and (when configured) PostgreSQL.
"""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

from alarms.clock import ManualClock
from console.server.core import Core
from console.server.incident_pdf import write_incident_report
from console.server.incident_report import gather, replayed_positions
from console.server.session import (
    AccountForWorker,
    Acknowledge,
    AddIncidentNote,
    AddIncidentObjective,
    AssignResponder,
    Broadcast,
    CloseIncident,
    DeclareIncident,
    StartMuster,
    StopMuster,
    TransferIncidentCommand,
)
from integrations.pa_contract import PaContract
from integrations.storage import Store
from tests.test_field_operations import _fix
from tests.test_handover import pdf_text
from tests.test_incidents import _core, _sign_in, _sos_incident
from tests.test_shift_report import controlroom

NEAR = {"W01": (330.0, 190.0), "W02": (320.0, 197.0), "W03": (336.0, 181.0)}  # in the compressor house
AWAY = {"W05": (200.0, 67.0), "W16": (332.0, 78.0)}  # the workshop, the control building
EAST_GATE = (392.0, 124.0)  # muster point East


def _place(core: Core, clock: ManualClock, where: dict[str, tuple[float, float]]) -> None:
    for worker, (x, y) in where.items():
        core.on_positions(_fix(core.site.worker_index[worker], x, y, clock.now()))


async def _incident(core: Core, clock: ManualClock, answer_after_s: float, notes: int = 0) -> str:
    """The SOS incident, acknowledged `answer_after_s` after the declaration, run to its close."""
    core.broadcasts.attach(PaContract(core.site), lambda topic, _: None, 30.0)
    _place(core, clock, NEAR | AWAY)
    sos, iid = await _sos_incident(core, clock)  # declared 20 s after the SOS
    clock.advance(answer_after_s)
    assert (await core.command(Acknowledge("zhao.op", ((sos, core.alarms.engine.view(sos).seq),)))).ok
    clock.advance(5)
    assert (await core.command(AssignResponder("zhao.op", sos, "W13"))).ok
    clock.advance(5)
    evacuate = Broadcast("chen.ec", "evacuation", ("PA-COMP",), preset="EVACUATE-EAST", lang="en")
    assert (await core.command(evacuate)).ok
    clock.advance(5)
    assert (await core.command(StartMuster("chen.ec"))).ok
    clock.advance(30)
    _place(core, clock, {"W02": EAST_GATE})  # seen at the muster point
    core.tick()
    assert (await core.command(AccountForWorker("zhao.op", "W03", "seen by Zhao at the east gate"))).ok
    assert (
        await core.command(AddIncidentObjective("chen.ec", iid, "Account for everyone at the East gate"))
    ).ok
    assert (await core.command(TransferIncidentCommand("chen.ec", iid, "li.ming", "li.ming on scene"))).ok
    for n in range(notes):  # a long timeline
        clock.advance(2)
        assert (await core.command(AddIncidentNote("zhao.op", iid, f"status call {n + 1}: crew at K-301"))).ok
    assert (await core.command(AddIncidentNote("zhao.op", iid, "救护车已到达东门"))).ok  # CJK renders
    clock.advance(10)
    assert (await core.command(StopMuster("wang.fang"))).ok
    clock.advance(5)
    assert (await core.command(CloseIncident("wang.fang", iid, "W01 at the clinic; zone safe"))).ok
    return iid


def test_the_after_action_report_holds_summary_first_response_people_permits_actions_timeline(
    database_url: str, tmp_path: Path
) -> None:
    async def run() -> tuple[str, Path]:
        core, clock = _core(database_url)
        await _sign_in(core)
        iid = await _incident(core, clock, answer_after_s=5, notes=60)
        path = tmp_path / "reports" / f"{iid}.pdf"
        positions = replayed_positions(core.writer.store, core.site)
        written = await asyncio.to_thread(
            write_incident_report,
            core.writer.store,
            core.site,
            iid,
            path,
            positions_at=positions,
            made=clock.now(),
        )
        assert written == path
        await asyncio.to_thread(core.writer.close)
        return iid, path

    iid, path = asyncio.run(run())
    text = pdf_text(path)
    for words in (
        f"After-action report {iid} — injury / SOS",
        "Compressor house",
        "by chen.ec, from alarm W01.SOS",
        "chen.ec → li.ming (by chen.ec): li.ming on scene",
        "W01 at the clinic; zone safe",
        "Account for everyone at the East gate",
    ):
        assert words in text, words
    # the SOS was raised 20 s before the declaration and acknowledged 5 s after it
    assert "First response: 25 s, acknowledged by zhao.op" in text
    assert "target ≤ 90 s" in text and "MET" in text and "MISSED" not in text
    people = _section(text, "People involved", "Permits involved")
    assert "Li Wei" in people and "SOS / man-down wearer (W01.SOS)" in people
    assert "Ma Lin" in people and "responder to W01.SOS" in people
    assert "accounted for by head count, by zhao.op" in people
    [li_wei] = [line for line in people.splitlines() if "Li Wei" in line]
    assert "in the hazard area at declaration" in li_wei
    [guo_ying] = [line for line in people.splitlines() if "Guo Ying" in line]  # W16, in the control building
    assert "hazard area" not in guo_ying and "missing when the muster ended" in guo_ying
    at_the_gate = people[people.index("Zhang Min") : people.index("W03")]  # W02 was seen there
    assert "missing" not in at_the_gate
    permits = _section(text, "Permits involved", "Timeline (")
    assert "PTW-HW-001" in permits and "08:00:00 active → suspended (system): tier-1 alarm" in permits
    assert "PTW-CS-003" in permits and "PTW-EX-007" not in permits  # 20 m away: near; the tank farm is not
    actions = _section(text, "Actions taken", "People involved")
    for words in ("broadcast", "mustering started", "accounted for by head count: W03", "mustering ended"):
        assert words in actions, words
    timeline = _section(text, "Timeline (", "\f\f")
    assert "incident declared: injury / SOS in Compressor house" in timeline
    assert "status call 1: crew at K-301" in timeline and "status call 60: crew at K-301" in timeline
    assert (
        "incident closed: W01 at the clinic; zone safe" in timeline and "note: 救护车已到达东门" in timeline
    )
    timeline_pages = [page for page in text.split("\f") if "status call" in page]
    assert len(timeline_pages) >= 2  # split across pages, each under the table's header
    assert all("Time" in page and "What happened" in page for page in timeline_pages)
    # the position history: W02 was still in the compressor house at the declaration, at the gate at the close
    assert "At declaration, 08:00:20: 5 workers placed, 3 in the hazard area" in text
    assert "At close, 08:03:25: 5 workers placed, 2 in the hazard area" in text
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")], check=True
    )
    assert (tmp_path / "page-1.png").stat().st_size > 20_000


def _section(text: str, start: str, end: str) -> str:
    begin = text.index(start)
    stop = text.find(end, begin)
    return text[begin : stop if stop > 0 else None]


def test_a_first_response_after_90_s_is_missed_and_the_report_comes_from_the_command_line(
    database_url: str, tmp_path: Path
) -> None:
    async def run() -> str:
        core, clock = _core(database_url)
        await _sign_in(core)
        iid = await _incident(core, clock, answer_after_s=95)
        report = await asyncio.to_thread(gather, core.writer.store, core.site, iid, clock.now())
        assert report.first_response.seconds == 115 and report.first_response.met is False
        await asyncio.to_thread(core.writer.close)
        return iid

    iid = asyncio.run(run())
    out = tmp_path / "aar.pdf"
    done = controlroom("report", "incident", iid, "--database-url", database_url, "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith(f"PDF: {out}")
    text = pdf_text(out)
    assert "First response: 115 s, acknowledged by zhao.op" in text and "MISSED" in text
    assert "worker positions not known for this moment" not in text  # the position history places them

    missing = controlroom("report", "incident", "INC-NOTHING", "--database-url", database_url)
    assert missing.returncode == 2 and "no incident INC-NOTHING" in missing.stderr
    assert Store(database_url).stored_incidents(incident_id=iid)


def test_a_point_declared_by_hand_reaches_the_zones_its_circle_touches(
    database_url: str, tmp_path: Path
) -> None:
    async def run() -> Path:
        core, clock = _core(database_url)
        await _sign_in(core)
        _place(core, clock, NEAR | AWAY | {"W17": (318.0, 124.0)})  # W17 on the pipe rack, inside the circle
        by_hand = DeclareIncident(
            "wang.fang", "gas_release", "critical", "wang.fang", "chen.ec", x=340.0, y=140.0, radius_m=30.0
        )
        assert (await core.command(by_hand)).ok
        [incident] = core.incidents.open_incidents()
        clock.advance(60)
        path = tmp_path / "open.pdf"
        await asyncio.to_thread(
            write_incident_report,
            core.writer.store,
            core.site,
            incident.id,
            path,
            positions_at=replayed_positions(core.writer.store, core.site),
            made=clock.now(),
        )
        await asyncio.to_thread(core.writer.close)
        return path

    path = asyncio.run(run())
    text = pdf_text(path)
    assert "gas release, severity critical" in text and "point (340, 140), hazard radius 30 m" in text
    assert "by wang.fang, by hand" in text and "declared by hand, no alarm to answer" in text
    assert "still open at the report (2026-11-24 08:01:00)" in text
    [duration] = [line for line in text.splitlines() if "Duration" in line]
    assert duration.split() == ["Duration", "0:01:00"]
    # W01-W03 in the compressor house are 40-50 m from the point: its zone is reached, they are not in it
    assert "At the report (still open), 08:01:00: 6 workers placed, 1 in the hazard area" in text
    [he_jun] = [line for line in text.splitlines() if "He Jun" in line]  # W17, on the pipe rack
    assert "in the hazard area at declaration" in he_jun
    [wang_fang] = [line for line in text.splitlines() if "Wang Fang" in line]  # W03, 11 m outside the circle
    assert "within 50 m of the hazard area at declaration" in wang_fang
    permits = _section(text, "Permits involved", "Timeline (")
    assert "PTW-HW-001" in permits and "no change" in permits  # the compressor house's, at work
    assert "PTW-LB-002" not in permits  # approved, never started
