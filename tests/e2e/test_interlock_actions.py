"""Interlocks from the console against the simulator's PLC over real OPC UA: arm, execute, the feedback
supervised, refusals by role and by the second person, a lapsed selection, a node the server refuses."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from alarms.definitions import Tier
from console.composition import Application
from console.config import AppConfig
from console.server.interlock_service import State
from console.server.session import (
    ArmInterlock,
    ConfirmSecondPerson,
    DismissInterlockRequest,
    ExecuteInterlock,
    ResetInterlock,
)
from integrations.simulator import SimulatorThread
from integrations.storage import Store
from integrations.users import UserStore
from tests.conftest import DEMO_SITE, Broker
from tests.e2e.conftest import mosquitto_pub
from tests.support import edited_copy, hung_server, wait_until_async

IL = "IL-CH-TRIP"
TWO = "IL-TF-ESDV"  # two_person = true in the demo site


def edited_site(folder: Path, old: str, new: str) -> Path:
    return edited_copy(DEMO_SITE, folder, old, new)


def run(config: AppConfig, scenario: Callable[[Application], Awaitable[None]]) -> None:
    async def main() -> None:
        app = Application(config)
        await app.start()
        try:
            watch = app.core.alarms.interlocks
            await wait_until_async(lambda: all(watch.latest(i.id) for i in app.site.interlocks), 15)
            await scenario(app)
        finally:
            await app.stop()

    asyncio.run(main())


def audit(database_url: str) -> list[dict[str, object]]:
    rows = []
    for r in Store(database_url).audit_rows():
        old, new = (json.loads(r[k]) if r[k] else None for k in ("old_value", "new_value"))
        rows.append({**r, "old_value": old, "new_value": new})
    return [r for r in rows if str(r["target"]).startswith("IL-")]  # what was done to an interlock


def test_an_operator_arms_and_executes_the_trip_and_the_feedback_follows(
    simulator: SimulatorThread, config: AppConfig, database_url: str
) -> None:
    async def trip_and_reset(app: Application) -> None:
        core = app.core
        armed = await core.command(ArmInterlock("tester", IL))
        assert armed.ok, armed.message
        assert "trips compressors K-301/K-302; compressor house power off" in armed.message
        assert (
            "Feedback now OFF" in armed.message
            and "emergency coordinator, operator, shift lead" in armed.message
        )
        assert core.interlocks.status(IL).state is State.ARMED
        executed = await core.command(ExecuteInterlock("tester", IL))
        assert executed.ok, executed.message
        assert await asyncio.wait_for(core.interlocks.supervision(IL), 10) is True
        await wait_until_async(lambda: core.interlocks.status(IL).state is State.TRIPPED, 5)
        assert (await core.command(ResetInterlock("tester", IL))).ok
        assert (await core.command(ExecuteInterlock("tester", IL))).ok
        assert await asyncio.wait_for(core.interlocks.supervision(IL), 10) is True
        await wait_until_async(lambda: core.interlocks.status(IL).state is State.NORMAL, 5)
        assert not core.alarms.engine.view(f"{IL}.MISMATCH").active
        await wait_until_async(lambda: len(audit(database_url)) >= 8, 5)

    run(config, trip_and_reset)
    rows = audit(database_url)
    steps = [(r["username"], r["action"], r["outcome"]) for r in rows]
    assert steps == [
        ("tester", "arm_interlock", "done"),
        ("tester", "interlock_write", "done"),
        ("tester", "execute_interlock", "done"),
        ("tester", "interlock_feedback", "done"),
        ("tester", "reset_interlock", "done"),
        ("tester", "interlock_write", "done"),
        ("tester", "execute_interlock", "done"),
        ("tester", "interlock_feedback", "done"),
    ]
    write = rows[1]
    assert write["target"] == IL
    assert write["old_value"] == {"command": False, "feedback": False} and write["new_value"] == {
        "command": True
    }
    assert str(write["reason"]).startswith("Good")
    assert rows[3]["old_value"] == {"feedback": False} and rows[3]["new_value"] == {"feedback": True}
    assert "followed in" in str(rows[3]["reason"])
    journal = [e.payload["step"] for e in Store(database_url).journal_rows(kind="interlock")]
    assert journal == ["arm", "write", "feedback", "arm_reset", "write", "feedback"]


def test_a_feedback_that_does_not_follow_raises_the_tier_1_alarm(
    simulator: SimulatorThread, config: AppConfig, database_url: str, tmp_path: Path
) -> None:
    block = f'feedback_tag = "opcua://ns=2;s={IL}.FB"\ntimeout_s = 5\n'
    site = edited_site(tmp_path, block, block.replace("timeout_s = 5", "timeout_s = 2"))

    async def stuck_plc(app: Application) -> None:
        core = app.core
        simulator.set_interlock_fault(IL, True)
        assert (await core.command(ArmInterlock("tester", IL))).ok
        assert (await core.command(ExecuteInterlock("tester", IL))).ok
        assert await asyncio.wait_for(core.interlocks.supervision(IL), 10) is False
        assert core.interlocks.status(IL).state is State.DID_NOT_FOLLOW
        view = core.alarms.engine.view(f"{IL}.MISMATCH")
        assert view.active and view.tier is Tier.LIFE
        await wait_until_async(
            lambda: any(r["action"] == "interlock_feedback" for r in audit(database_url)), 5
        )

    run(replace(config, site_file=site), stuck_plc)
    [feedback] = [r for r in audit(database_url) if r["action"] == "interlock_feedback"]
    assert feedback["outcome"] == "failed" and "did NOT follow ON within 2 s" in str(feedback["reason"])


def test_a_user_without_the_interlock_role_is_refused_by_the_core(
    simulator: SimulatorThread, config: AppConfig, database_url: str
) -> None:
    async def engineer_tries(app: Application) -> None:
        app.core.access.sign_in("jia.ming", frozenset({"engineer"}))
        refused = await app.core.command(ArmInterlock("jia.ming", IL))
        assert not refused.ok
        assert refused.message == (
            f"jia.ming may not act on {IL}: it needs one of the roles emergency coordinator, operator, shift lead"
        )
        assert app.core.interlocks.status(IL).state is State.NORMAL
        stranger = await app.core.command(ExecuteInterlock("intruder", IL))
        assert not stranger.ok and "not signed in" in stranger.message

    run(replace(config, login="required"), engineer_tries)
    assert [(r["username"], r["action"], r["outcome"]) for r in audit(database_url)] == [
        ("jia.ming", "arm_interlock", "refused"),
        ("intruder", "execute_interlock", "refused"),
    ]


def test_a_two_person_interlock_waits_for_a_second_person_other_than_the_first(
    simulator: SimulatorThread, config: AppConfig, database_url: str
) -> None:
    users = UserStore(Store(database_url), "setup")
    users.add("wang.fang", "Wang Fang", "first-person-pw-1", ["operator"], "admin", 0.0)
    users.add("li.wei", "Li Wei", "second-person-pw-2", ["shift_lead"], "admin", 0.0)
    users.add("jia.ming", "Jia Ming", "engineer-pw-3", ["engineer"], "admin", 0.0)

    async def perform_and_verify(app: Application) -> None:
        core = app.core
        assert (await app.accounts.sign_in("wang.fang", "first-person-pw-1")).ok
        armed = await core.command(ArmInterlock("wang.fang", TWO))
        assert armed.ok and "a second person with one of these roles confirms" in armed.message
        waiting = await core.command(ExecuteInterlock("wang.fang", TWO))
        assert not waiting.ok and "waits for a second person" in waiting.message
        same = await core.command(ConfirmSecondPerson("wang.fang", TWO, "wang.fang", "first-person-pw-1"))
        assert not same.ok and "someone other than wang.fang" in same.message
        wrong = await core.command(ConfirmSecondPerson("wang.fang", TWO, "li.wei", "not-the-password"))
        assert not wrong.ok and "wrong user name or password" in wrong.message
        engineer = await core.command(ConfirmSecondPerson("wang.fang", TWO, "jia.ming", "engineer-pw-3"))
        assert not engineer.ok and "jia.ming may not confirm" in engineer.message
        confirmed = await core.command(ConfirmSecondPerson("wang.fang", TWO, "li.wei", "second-person-pw-2"))
        assert confirmed.ok, confirmed.message
        assert core.interlocks.status(TWO).selection.second == "li.wei"
        assert (await core.command(ExecuteInterlock("wang.fang", TWO))).ok
        assert await asyncio.wait_for(core.interlocks.supervision(TWO), 10) is True

    run(replace(config, login="required"), perform_and_verify)
    rows = audit(database_url)
    confirms = [(r["outcome"], r["new_value"]) for r in rows if r["action"] == "confirm_second_person"]
    assert [outcome for outcome, _ in confirms] == ["refused", "refused", "refused", "done"]
    assert all("password" not in json.dumps(new) for _, new in confirms)  # never in the trail
    [write] = [r for r in rows if r["action"] == "interlock_write"]
    assert write["username"] == "wang.fang" and write["outcome"] == "done"


def test_a_selection_not_executed_in_time_lapses_and_is_audited(
    simulator: SimulatorThread, config: AppConfig, database_url: str, tmp_path: Path
) -> None:
    block = f'feedback_tag = "opcua://ns=2;s={IL}.FB"\ntimeout_s = 5\n'
    site = edited_site(tmp_path, block, block + "select_timeout_s = 1\n")

    async def let_it_lapse(app: Application) -> None:
        core = app.core
        assert (await core.command(ArmInterlock("tester", IL))).ok
        await wait_until_async(lambda: core.interlocks.status(IL).state is not State.ARMED, 5)
        late = await core.command(ExecuteInterlock("tester", IL))
        assert not late.ok and "not armed" in late.message
        await wait_until_async(
            lambda: any(r["action"] == "interlock_select_timeout" for r in audit(database_url)), 5
        )
        assert core.interlocks.status(IL).command is False  # nothing was written

    run(replace(config, site_file=site), let_it_lapse)
    [lapsed] = [r for r in audit(database_url) if r["action"] == "interlock_select_timeout"]
    assert lapsed["username"] == "system" and "selection by tester lapsed after 1 s" in str(lapsed["reason"])


def test_an_interlock_node_the_server_refuses_raises_its_communication_alarm(
    simulator: SimulatorThread, config: AppConfig, tmp_path: Path
) -> None:
    site = edited_site(
        tmp_path, f'feedback_tag = "opcua://ns=2;s={IL}.FB"', 'feedback_tag = "opcua://ns=2;s=NO-SUCH.FB"'
    )

    # the simulated PLC serves IL-CH-TRIP.FB, not NO-SUCH.FB
    async def main() -> None:
        app = Application(replace(config, site_file=site))
        await app.start()
        try:
            await wait_until_async(lambda: app.core.alarms.engine.view(f"{IL}.COMM").active, 15)
            view = app.core.alarms.engine.view(f"{IL}.COMM")
            assert view.tier is Tier.HIGH and "BadNodeIdUnknown" in view.message
            assert "NO-SUCH.FB" in view.message
        finally:
            await app.stop()

    asyncio.run(main())


def test_a_write_the_plc_refuses_is_said_in_words_audited_and_supervises_nothing(
    simulator: SimulatorThread, config: AppConfig, database_url: str
) -> None:
    async def locked_command_tag(app: Application) -> None:
        core = app.core
        simulator.set_command_writable(IL, False)
        assert (await core.command(ArmInterlock("tester", IL))).ok
        refused = await core.command(ExecuteInterlock("tester", IL))
        assert not refused.ok
        # asyncua's server answers a write to a node the user may not write with BadUserAccessDenied
        assert refused.message.startswith(f"{IL} not written: BadUserAccessDenied (user does not have")
        assert core.interlocks.supervision(IL) is None
        assert core.interlocks.status(IL).command is False

    run(config, locked_command_tag)
    [write] = [r for r in audit(database_url) if r["action"] == "interlock_write"]
    assert write["outcome"] == "failed" and str(write["reason"]).startswith("BadUserAccessDenied")


def test_a_server_that_does_not_answer_a_write_is_a_timeout_not_a_hang(
    simulator: SimulatorThread, config: AppConfig, database_url: str
) -> None:
    async def frozen_server(app: Application) -> None:
        core = app.core
        assert (await core.command(ArmInterlock("tester", IL))).ok
        # the server's loop blocked: it takes connections' bytes but answers nothing for 10 s
        frozen = await hung_server(simulator, 10.0)
        started = time.monotonic()
        result = await core.command(ExecuteInterlock("tester", IL))
        took = time.monotonic() - started
        await frozen
        assert not result.ok and "BadTimeout" in result.message
        assert took < 8.0  # the source's 4 s request timeout (and a loaded machine's slack), not the 10 s

    run(config, frozen_server)
    [write] = [r for r in audit(database_url) if r["action"] == "interlock_write"]
    assert write["outcome"] == "failed" and str(write["reason"]).startswith("BadTimeout")


def test_a_vision_rule_with_auto_trips_at_once_and_shows_the_request(
    simulator: SimulatorThread, config: AppConfig, database_url: str, broker: Broker, tmp_path: Path
) -> None:
    rule = (
        '[[interlock_rules]]\ninterlock = "IL-CH-TRIP"\nwhen = "vision"\nclass = "person_under_load"\n'
        "min_confidence = 0.8\nauto = true\n\n"
    )
    site = edited_site(tmp_path, "[[interlock_rules]]\n", rule + "[[interlock_rules]]\n")

    def detection(n: int, confidence: float) -> dict[str, object]:
        return {
            "id": f"cam-{n}",
            "class": "person_under_load",
            "confidence": confidence,
            "zone": "compressor_house",
            "ts": datetime.now(UTC).isoformat(),
        }

    async def camera_sees(app: Application) -> None:
        core = app.core
        await wait_until_async(lambda: core.statuses["MQTT"].connected_once, 10)
        mosquitto_pub(broker, "site/demo/vision/CAM-CH-1/detection", detection(1, 0.5))  # below the minimum
        await wait_until_async(lambda: any("person under load" in e.text for e in core.log), 10)
        assert core.interlocks.requests() == []
        mosquitto_pub(broker, "site/demo/vision/CAM-CH-1/detection", detection(2, 0.93))
        await wait_until_async(lambda: core.interlocks.status(IL).state is State.TRIPPED, 10)
        [request] = core.interlocks.requests()
        assert request.auto and "person under load" in request.reason.lower()
        seen = await core.command(DismissInterlockRequest("tester", IL))
        assert seen.ok and core.interlocks.requests() == []

    run(replace(config, site_file=site), camera_sees)
    actions = [(r["username"], r["action"], r["outcome"]) for r in audit(database_url)]
    assert actions[:2] == [("system", "interlock_request", "done"), ("system", "interlock_write", "done")]
    assert ("tester", "dismiss_interlock_request", "done") in actions


def test_a_tier_1_gas_alarm_in_the_zone_requests_the_interlock_and_writes_nothing(
    simulator: SimulatorThread, config: AppConfig, database_url: str, broker: Broker, tmp_path: Path
) -> None:
    rule = '[[interlock_rules]]\ninterlock = "IL-CH-TRIP"\nwhen = "gas_tier1"\n'
    old = '[[interlock_rules]]\ninterlock = "IL-CH-TRIP"\nwhen = "worker_alarm"\nrule = "no_permit_entry"\n'
    site = edited_site(tmp_path, old, rule)

    async def gas(app: Application) -> None:
        core = app.core
        await wait_until_async(lambda: core.statuses["MQTT"].connected_once, 10)
        reading = {"value": 30.0, "quality": "good", "ts": datetime.now(UTC).isoformat()}
        mosquitto_pub(
            broker, "site/demo/sensors/PGD-01", reading
        )  # the portable LEL monitor: past hh 25 %LEL
        await wait_until_async(core.interlocks.requests, 10)
        [request] = core.interlocks.requests()
        assert not request.auto and "(Compressor house)" in request.reason
        assert core.interlocks.status(IL).command is False and core.interlocks.supervision(IL) is None

    run(replace(config, site_file=site), gas)
    [row] = audit(database_url)
    assert (row["username"], row["action"], row["new_value"]["step"]) == (
        "system",
        "interlock_request",
        "request",
    )


def test_a_write_whose_feedback_goes_unknown_is_not_confirmed_and_alarms(
    simulator: SimulatorThread, config: AppConfig, tmp_path: Path
) -> None:
    block = f'feedback_tag = "opcua://ns=2;s={IL}.FB"\ntimeout_s = 5\n'
    site = edited_site(tmp_path, block, block.replace("timeout_s = 5", "timeout_s = 3"))

    async def plc_gone(app: Application) -> None:
        core, loop = app.core, asyncio.get_running_loop()
        simulator.set_interlock_fault(IL, True)
        assert (await core.command(ArmInterlock("tester", IL))).ok
        assert (await core.command(ExecuteInterlock("tester", IL))).ok
        await loop.run_in_executor(None, simulator.stop)  # before the 3 s are up: the feedback is unknown
        assert await asyncio.wait_for(core.interlocks.supervision(IL), 10) is False
        view = core.alarms.engine.view(f"{IL}.MISMATCH")
        assert view.active and view.tier is Tier.LIFE
        assert "feedback unknown, command ON not confirmed for" in view.message

    run(replace(config, site_file=site), plc_gone)
