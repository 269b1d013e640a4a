"""A 12 h shift of the demo plant played into a real database: what the shift lead finds in the journal.

One play per database (it takes a while): the test reads the journal as a shift lead would ask it, and counts
the alarm load as EEMUA 191 does (alarms raised per 10 min, periods in flood) against the rationalised site.
"""

from __future__ import annotations

import asyncio
import statistics
from collections import Counter
from datetime import UTC, datetime

import pytest

from alarms.kpis import Light
from alarms.records import Transition
from alarms.states import Event, State
from console.app import main
from console.server.session import LogEntry
from console.shift_operator import LEAD, OPERATOR
from console.shift_play import play_shift
from integrations.alarm_kpis import kpi_report
from integrations.simulator.shift import DETECTIONS, MIN, SHIFT_S, TIMELINE, H
from integrations.storage import JournalEntry, Store
from tests.conftest import DEMO_SITE

SINCE = datetime(2026, 11, 24, 20, 0, tzinfo=UTC).timestamp()  # a night shift
RAISED_FROM = (State.NORMAL, State.RTN_UNACK, State.LATCHED)  # a new occurrence (the KPI contract)


def _at(row: JournalEntry | Transition) -> float:
    """Shift time of a row, in seconds after the shift started."""
    return row.ts - SINCE


def test_a_played_shift_leaves_the_shift_leads_story_in_the_journal_within_eemua_load(
    database_url: str,
) -> None:
    played = asyncio.run(play_shift(DEMO_SITE, database_url, SINCE, console="shift-sim"))
    assert (played.since, played.until) == (SINCE, SINCE + SHIFT_S)
    print(f"12 h shift played in {played.wall_s:.1f} s, {played.commands} operator commands")
    store = Store(database_url)
    alarms = store.alarm_transitions()
    events = store.journal_rows()

    # the journal carries the shift's own clock, across its 12 hours
    times = [t.ts for t in alarms] + [e.ts for e in events]
    assert min(times) >= SINCE and max(times) <= SINCE + SHIFT_S
    assert any(_at(t) < 1 * H for t in alarms) and any(_at(t) > 11 * H for t in alarms)

    raised = [t for t in alarms if t.event is Event.ACTIVATE and t.from_state in RAISED_FROM]
    first = {t.alarm_id: t for t in reversed(raised)}

    # the gas leak: the nearest detector at its high-high, the early warning first, acknowledged by the operator
    leak = TIMELINE.leak_at
    assert leak < _at(first["GD-CH-01.ETA"]) < _at(first["GD-CH-01.HH"]) < leak + 2 * MIN
    assert {"W01.GAS_ALARM_ZONE", "W02.GAS_ALARM_ZONE", "W03.GAS_ALARM_ZONE"} <= set(first)
    # the chattering detector: flagged, then shelved by the operator with the reason
    chatter = [t for t in alarms if t.alarm_id == "GD-CH-05.HH"]
    assert any(t.chattering for t in chatter)
    [shelve] = [t for t in chatter if t.event is Event.SHELVE]
    assert shelve.actor == OPERATOR and "chattering" in shelve.comment
    assert TIMELINE.chatter_at < _at(shelve) < TIMELINE.chatter_at + 2 * MIN
    # the SOS: raised where the worker is, acknowledged, a responder sent, on scene, resolved and reset
    sos = [t for t in alarms if t.alarm_id == "W09.SOS"]
    assert [t.event for t in sos] == [Event.ACTIVATE, Event.ACKNOWLEDGE, Event.CLEAR, Event.RESET]
    assert sos[0].area == "tank_farm" and _at(sos[0]) == TIMELINE.sos_at
    steps = [e.payload["step"] for e in events if e.kind == "wearable_response"]
    assert steps == ["assigned", "on_scene", "resolved"]

    # permits opened, suspended by the rules, resumed, closed by the operator and one run out
    moves = Counter((e.source, e.payload["action"]) for e in events if e.kind == "permit")
    assert moves[("PTW-HW-009", "activate")] == moves[("PTW-LB-002", "activate")] == 1
    assert moves[("PTW-HW-001", "suspend")] == 1 and moves[("PTW-EX-007", "suspend")] == 1
    assert moves[("PTW-EX-007", "resume")] == 1 and moves[("PTW-LB-002", "resume")] == 1
    closed = {source for source, action in moves if action == "close"}
    assert closed == {"PTW-HW-001", "PTW-LB-002", "PTW-LF-005", "PTW-RC-008", "PTW-WH-004", "PTW-CS-003"}
    [expired] = [e for e in events if e.kind == "permit" and e.payload["action"] == "expire"]
    assert (expired.source, expired.actor, expired.payload["from"]) == ("PTW-HW-009", "system", "active")

    # every alarm answered by the scripted operator (acknowledged, or shelved when chattering), after a human delay
    acks = [t for t in alarms if t.event is Event.ACKNOWLEDGE]
    answered = {t.alarm_id for t in alarms if t.event in (Event.ACKNOWLEDGE, Event.SHELVE)}
    assert {t.actor for t in acks} == {OPERATOR}
    assert {t.alarm_id for t in raised} <= answered
    delays = [t.response_s for t in acks if t.response_s is not None]
    assert 10 < statistics.median(delays) < 90 and max(delays) < 600

    # the camera's shadow, marked false by the operator, names its detection
    detections = {e.payload["id"]: e for e in events if e.kind == "vision_detection"}
    assert len(detections) == len(DETECTIONS)
    [mark] = [e for e in events if e.kind == "vision_false"]
    seen = detections[mark.payload["detection"]]
    assert (mark.source, mark.actor) == (seen.source, OPERATOR) == ("CAM-LB-1", OPERATOR)
    assert (mark.payload["zone"], mark.payload["class"]) == ("loading_bay", "person_under_load")

    # EEMUA 191 "very likely acceptable" (the KPI module's figures): <= 1 alarm raised per 10 min on average,
    # < 1 % of the 10-min periods in flood; and the camera's false detections and the permits' timeouts counted
    report = kpi_report(store, SINCE, SINCE + SHIFT_S)
    load, flood = report.kpi("alarms_per_10min_avg"), report.kpi("flood_time_pct")
    print(
        f"{report.kpi('alarms_raised').text} alarms raised, {load.text}, busiest 10 min: "
        f"{report.kpi('alarms_per_10min_peak').text}, {flood.text} in flood"
    )
    assert load.value is not None and load.value <= 1.0 and load.light is Light.OK
    assert flood.value == 0.0 and flood.light is Light.OK
    assert report.kpi("alarms_raised").value == len(raised)
    assert report.kpi("vision_false_pct").value == 100 / len(DETECTIONS)
    assert report.kpi("permits_expired").value == 1


def test_at_a_speed_the_shift_is_paced_and_its_event_log_told_as_it_goes(database_url: str) -> None:
    """The first 20 min at 1200 x real time: at least a second, with the shift log's first note on the way."""
    heard: list[LogEntry] = []
    played = asyncio.run(
        play_shift(DEMO_SITE, database_url, SINCE, speed=1200, echo=heard.append, duration_s=20 * MIN)
    )
    assert played.until == SINCE + 20 * MIN and played.wall_s >= 1.0
    [note] = [e for e in heard if "Shift taken over" in e.text]
    assert (note.ts, note.source) == (SINCE + 10 * MIN, LEAD)


def test_speed_goes_with_the_shift_only(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["simulate", "--scenario", "gas-leak", "--speed", "10"])
    assert stopped.value.code == 2 and "--speed goes with --scenario shift" in capsys.readouterr().err
