"""`controlroom journal`, run as the operator runs it: a subprocess on a real database.

The subprocess runs in a fixed zone (TZ=CST-8, UTC+08:00 without DST) so that local times in and out are
known; the export must print them with that offset.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from alarms.clock import ManualClock
from alarms.definitions import Priority, Tier
from alarms.engine import AlarmEngine
from alarms.records import Transition
from alarms.samples import Quality, TagBatch
from alarms.states import Event, State
from integrations.alarm_journal import row_of
from integrations.storage import Store
from plant_maps.site import Site
from tests.conftest import REPO
from tests.support import free_port

ZONE = timezone(timedelta(hours=8))
T0 = datetime(2026, 11, 24, 8, 0, tzinfo=ZONE).timestamp()
HEADER = "seq,time,alarm_id,source,tier,priority,area,message,event,state,value,unit,time_to_ack_s,actor,console,comment"


def tr(
    seq: int,
    alarm_id: str,
    event: Event,
    to_state: State,
    ts: float,
    *,
    area: str = "CH",
    tier: Tier = Tier.HIGH,
    value: float = 12.5,
    actor: str = "system",
    console: str = "",
    comment: str = "",
    message: str = "",
    response_s: float | None = None,
    unit: str = "%LEL",
) -> Transition:
    return Transition(
        seq=seq,
        alarm_id=alarm_id,
        source=alarm_id.split(".")[0],
        tier=tier,
        priority=Priority.HIGH,
        area=area,
        message=message or f"{alarm_id} {value:g}",
        event=event,
        from_state=State.NORMAL,
        to_state=to_state,
        active=to_state in (State.UNACK, State.ACKED),
        acked=to_state is not State.UNACK,
        value=value,
        actor=actor,
        console=console,
        comment=comment,
        ts=ts,
        response_s=response_s,
        unit=unit,
    )


LEL = {"tier": Tier.LIFE, "value": 41.5, "message": "Compressor house LEL 41.5 %LEL (limit 40)"}
JOURNAL = [
    tr(1, "GD-CH-01.HH", Event.ACTIVATE, State.UNACK, T0 + 0.1234, **LEL),  # type: ignore[arg-type]
    tr(2, "GD-TF-02.H", Event.ACTIVATE, State.UNACK, T0 + 60, area="TF", value=float("nan")),
    tr(
        3,
        "GD-CH-01.HH",
        Event.ACKNOWLEDGE,
        State.ACKED,
        T0 + 3600,
        actor="op1",
        console="ws-2",
        comment='crew sent, "LEL" rising, gate 3',
        response_s=3599.8766,  # as the engine measured it: from annunciation to acknowledgement
        **LEL,  # type: ignore[arg-type]
    ),
    tr(4, "GD-TF-02.H", Event.CLEAR, State.RTN_UNACK, T0 + 7200, area="TF", value=3.0),
    tr(5, "PT-CH-03.L", Event.ACTIVATE, State.UNACK, T0 + 7260, tier=Tier.LOW, value=-0.25, unit="MPa"),
    tr(6, "PT-CH-03.L", Event.CLEAR, State.RTN_UNACK, T0 + 7300, tier=Tier.LOW, value=0.5, unit="MPa"),
]


def fill(url: str, transitions: list[Transition]) -> None:
    store = Store(url)
    try:
        store.write([], [], [row_of(t) for t in transitions])
    finally:
        store.close()


def journal(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    run_env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TZ": "CST-8", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "console", "journal", *args],
        capture_output=True,
        text=True,
        env=run_env,
        cwd=REPO,
        timeout=60,
    )


@pytest.fixture()
def url(database_url: str) -> str:
    fill(database_url, JOURNAL)
    return database_url


def test_csv_lists_every_transition_in_order(url: str) -> None:
    done = journal("--database-url", url)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines() == [
        HEADER,
        "1,2026-11-24T08:00:00.123+08:00,GD-CH-01.HH,GD-CH-01,1,3,CH,Compressor house LEL 41.5 %LEL (limit 40),"
        "activate,unack,41.5,%LEL,,system,,",
        "2,2026-11-24T08:01:00.000+08:00,GD-TF-02.H,GD-TF-02,2,3,TF,GD-TF-02.H nan,activate,unack,,%LEL,,system,,",
        "3,2026-11-24T09:00:00.000+08:00,GD-CH-01.HH,GD-CH-01,1,3,CH,Compressor house LEL 41.5 %LEL (limit 40),"
        'acknowledge,acked,41.5,%LEL,3599.877,op1,ws-2,"crew sent, ""LEL"" rising, gate 3"',
        "4,2026-11-24T10:00:00.000+08:00,GD-TF-02.H,GD-TF-02,2,3,TF,GD-TF-02.H 3,clear,rtn_unack,3.0,%LEL,,system,,",
        "5,2026-11-24T10:01:00.000+08:00,PT-CH-03.L,PT-CH-03,3,3,CH,PT-CH-03.L -0.25,activate,unack,-0.25,MPa,,"
        "system,,",
        "6,2026-11-24T10:01:40.000+08:00,PT-CH-03.L,PT-CH-03,3,3,CH,PT-CH-03.L 0.5,clear,rtn_unack,0.5,MPa,,system,,",
    ]
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert rows[2]["comment"] == 'crew sent, "LEL" rising, gate 3'


def test_jsonl_has_the_same_keys_one_object_per_line(url: str) -> None:
    done = journal("--database-url", url, "--format", "jsonl", "--area", "CH")
    assert (done.returncode, done.stderr) == (0, "")
    objects = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o["seq"] for o in objects] == [1, 3, 5, 6]
    assert objects[1] == {
        "seq": 3,
        "time": "2026-11-24T09:00:00.000+08:00",
        "alarm_id": "GD-CH-01.HH",
        "source": "GD-CH-01",
        "tier": 1,
        "priority": 3,
        "area": "CH",
        "message": "Compressor house LEL 41.5 %LEL (limit 40)",
        "event": "acknowledge",
        "state": "acked",
        "value": 41.5,
        "unit": "%LEL",
        "time_to_ack_s": 3599.877,
        "actor": "op1",
        "console": "ws-2",
        "comment": 'crew sent, "LEL" rising, gate 3',
    }
    assert list(objects[0]) == HEADER.split(",")
    nan_row = json.loads(
        journal("--database-url", url, "--format", "jsonl", "--area", "TF").stdout.split("\n")[0]
    )
    assert nan_row["value"] is None and nan_row["time_to_ack_s"] is None


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_an_acknowledgement_carries_its_message_and_time_to_acknowledge_whatever_the_window(
    url: str, fmt: str
) -> None:
    # its activation (08:00) lies before --since: the time comes with the acknowledgement's own row
    done = journal("--database-url", url, "--since", "2026-11-24T08:30", "--tier", "1", "--format", fmt)
    assert (done.returncode, done.stderr) == (0, "")
    rows = (
        list(csv.DictReader(io.StringIO(done.stdout)))
        if fmt == "csv"
        else [json.loads(line) for line in done.stdout.splitlines()]
    )
    assert [(r["event"], r["message"], str(r["time_to_ack_s"])) for r in rows] == [
        ("acknowledge", "Compressor house LEL 41.5 %LEL (limit 40)", "3599.877")
    ]


def test_each_value_carries_its_alarms_unit_a_time_to_threshold_in_seconds(
    database_url: str, site: Site
) -> None:
    """The demo plant's leak as its engine journals it: the compressor-house warning's value is the time left
    (2.237 read as %LEL beside the gas alarms was the fault), the detector's limit alarm's is %LEL and the
    reactor's CO rate is per minute."""
    engine = AlarmEngine(site.alarms.definitions, clock := ManualClock(T0))
    rows = [site.tag_index["GD-CH-01"], site.tag_index["GD-RX-05"]]
    journaled: list[Transition] = []
    for second in range(160):
        clock.advance(1.0)
        rising = max(0.0, (second - 70) * 0.7)  # flat for a minute, then 0.7 a second (42 a minute)
        batch = TagBatch.from_lists(
            rows, [rising, rising], [Quality.GOOD] * 2, [clock.now()] * 2, clock.now()
        )
        journaled += engine.process(batch)
    fill(database_url, journaled)
    done = journal("--database-url", database_url, "--format", "jsonl")
    assert (done.returncode, done.stderr) == (0, "")
    raised = {}
    for row in map(json.loads, done.stdout.splitlines()):
        if row["event"] == "activate":
            raised.setdefault(row["alarm_id"], (row["value"], row["unit"]))
    eta, eta_unit = raised["GD-CH-01.ETA"]
    assert eta_unit == "s" and 0 < eta <= 600
    assert raised["GD-CH-01.HH"][1] == "%LEL" and raised["GD-RX-05.ROC"][1] == "ppm/min"
    csv_rows = list(csv.DictReader(io.StringIO(journal("--database-url", database_url).stdout)))
    assert {r["unit"] for r in csv_rows if r["alarm_id"] == "GD-CH-01.ETA"} == {"s"}


def seqs(done: subprocess.CompletedProcess[str]) -> list[int]:
    assert (done.returncode, done.stderr) == (0, "")
    return [int(row["seq"]) for row in csv.DictReader(io.StringIO(done.stdout))]


def test_filters(url: str) -> None:
    # naive times are local (UTC+08:00 here); an offset is honoured; --until is exclusive
    assert seqs(journal("--database-url", url, "--since", "2026-11-24T09:00")) == [3, 4, 5, 6]
    assert seqs(journal("--database-url", url, "--since", "2026-11-24T01:00:00+00:00")) == [3, 4, 5, 6]
    assert seqs(journal("--database-url", url, "--until", "2026-11-24T09:00")) == [1, 2]
    assert seqs(
        journal("--database-url", url, "--since", "2026-11-24T08:00:30", "--until", "2026-11-24T10:00:30")
    ) == [
        2,
        3,
        4,
    ]
    assert seqs(journal("--database-url", url, "--area", "TF")) == [2, 4]
    assert seqs(journal("--database-url", url, "--tier", "1")) == [1, 3]
    assert seqs(journal("--database-url", url, "--tier", "3", "--area", "CH")) == [5, 6]
    # --active: alarms whose latest state is active (GD-CH-01.HH acked); returned ones are left out
    assert seqs(journal("--database-url", url, "--active")) == [1, 3]
    assert seqs(journal("--database-url", url, "--active", "--since", "2026-11-24T08:30")) == [3]
    assert seqs(journal("--database-url", url, "--area", "nowhere")) == []


def test_since_as_a_duration_back_from_now(database_url: str) -> None:
    now = time.time()
    fill(
        database_url,
        [
            tr(1, "A.H", Event.ACTIVATE, State.UNACK, now - 8 * 86400),
            tr(2, "B.H", Event.ACTIVATE, State.UNACK, now - 6 * 86400),
            tr(3, "C.H", Event.ACTIVATE, State.UNACK, now - 11 * 3600),
            tr(4, "D.H", Event.ACTIVATE, State.UNACK, now - 20 * 60),
        ],
    )
    assert seqs(journal("--database-url", database_url, "--since", "7d")) == [2, 3, 4]
    assert seqs(journal("--database-url", database_url, "--since", "12h")) == [3, 4]
    assert seqs(journal("--database-url", database_url, "--since", "30m")) == [4]
    assert seqs(journal("--database-url", database_url, "--since", "7d", "--until", "1h")) == [2, 3]


def test_the_database_comes_from_the_config_file(url: str, tmp_path: Path) -> None:
    config = tmp_path / "controlroom.toml"
    config.write_text(f'[database]\nurl = "{url}"\n', encoding="utf-8")
    assert seqs(journal("--config", str(config), "--tier", "2")) == [2, 4]


def test_default_database_is_the_consoles(tmp_path: Path) -> None:
    env = {"XDG_DATA_HOME": str(tmp_path)}
    missing = journal(env=env)
    assert missing.returncode == 2 and missing.stdout == ""
    assert missing.stderr.strip() == (
        f"controlroom journal: cannot open the database sqlite:///{tmp_path}/controlroom/controlroom.db: no such file"
    )
    fill(f"sqlite:///{tmp_path}/controlroom/controlroom.db", JOURNAL[:2])
    assert seqs(journal(env=env)) == [1, 2]


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--since", "yesterday"], "--since"),
        (["--until", "2026-13-01"], "--until"),
        (["--since", "5 weeks"], "--since"),
        (["--since", "2026-11-24T10:00", "--until", "2026-11-24T09:00"], "--until"),
        (["--tier", "4"], "--tier"),
        (["--format", "xml"], "--format"),
        (["--area"], "--area"),
    ],
)
def test_bad_arguments_exit_2_naming_the_option(args: list[str], option: str, tmp_path: Path) -> None:
    done = journal("--database-url", f"sqlite:///{tmp_path}/never.db", *args)
    assert done.returncode == 2 and done.stdout == ""
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("controlroom journal: error: argument " + option), last
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "never.db").exists()


def test_bad_since_says_what_a_time_looks_like(tmp_path: Path) -> None:
    done = journal("--database-url", f"sqlite:///{tmp_path}/x.db", "--since", "yesterday")
    assert done.stderr.strip().splitlines()[-1] == (
        "controlroom journal: error: argument --since: not a time: 'yesterday' (expected ISO-8601 like "
        "2026-11-24T08:00 or 2026-11-24T08:00:00+01:00, or a duration back from now like 30m, 12h, 7d)"
    )


def test_a_database_that_cannot_be_opened_exits_2_with_the_password_masked(tmp_path: Path) -> None:
    port = free_port()
    done = journal("--database-url", f"postgresql://scada:s3cret@127.0.0.1:{port}/plant")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith(
        f"controlroom journal: cannot open the database postgresql+psycopg://scada:***@127.0.0.1:{port}/plant"
    )
    assert "s3cret" not in done.stderr and "Traceback" not in done.stderr
    typo = journal("--database-url", f"sqlite:///{tmp_path}/typo.db")
    assert typo.returncode == 2 and "no such file" in typo.stderr
    assert not (tmp_path / "typo.db").exists()  # a report never creates an empty database
