"""Zoned broadcasts through the core, against the real broker and the simulator's PA gateways and wearables:
per-zone delivery, the zones not reached named and alarmed, pre-emption and queueing by priority, malformed
gateway messages, and who may broadcast."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace

import pytest

from alarms.definitions import Tier
from console.app import main
from console.composition import Application
from console.config import AppConfig
from console.server.broadcasts import BroadcastCall, ZoneState
from console.server.session import Broadcast
from integrations.simulator import SimulatorThread
from integrations.storage import Store
from plant_maps.site import Site
from tests.conftest import DEMO_SITE, Broker, free_port
from tests.e2e.conftest import mosquitto_pub, pa_plant, until
from tests.headless import run_app

TIMEOUT_S = 1.5  # the console's wait for a gateway's first answer


@pytest.fixture()
def gateways(site: Site, broker: Broker) -> Iterator[SimulatorThread]:
    sim = pa_plant(site, f"opc.tcp://127.0.0.1:{free_port()}/controlroom/", broker)
    yield sim
    sim.stop()


@pytest.fixture()
def config(gateways: SimulatorThread, broker: Broker, database_url: str) -> AppConfig:
    return AppConfig(
        site_file=DEMO_SITE,
        opcua_url=gateways.simulator.opcua_url,
        mqtt_url=broker.url,
        database_url=database_url,
        simulator=False,
        console_name=f"bc-{free_port()}",
        operator="tester",
        broadcast_timeout_s=TIMEOUT_S,
    )


async def _ready(app: Application) -> None:
    assert app.pa_link is not None and await app.pa_link.ready(10)


def _states(call: BroadcastCall) -> dict[str, str]:
    return {zone: str(d.state) for zone, d in call.zones.items()}


def _log_texts(app: Application) -> list[str]:
    return [e.text for e in app.core.log]


def test_a_broadcast_names_the_zones_it_did_not_reach_and_alarms_them(
    config: AppConfig, gateways: SimulatorThread, database_url: str
) -> None:
    async def scenario(app: Application) -> None:
        core = app.core
        await _ready(app)
        await until(lambda: (core.workers.zone >= 0).sum() >= 10, 10, "the workers placed in their zones")
        zones = ("PA-TANKS", "PA-NORTH", "PA-COMP")
        result = await core.command(
            Broadcast("tester", "evacuation", zones, preset="EVACUATE-EAST", lang="en")
        )
        assert result.ok, result.message
        [call] = core.broadcasts.calls.values()
        assert call.text == "Stop work now and evacuate through the east gate to the muster point."
        assert call.wearables, "workers in those zones get the message on their bands"
        await until(lambda: call.acknowledged == len(call.wearables), 5, "every band acknowledged")
        await until(lambda: call.closed, 10, "every zone has its outcome")
        assert _states(call) == {"PA-TANKS": "done", "PA-NORTH": "not answered", "PA-COMP": "failed"}
        assert call.zones["PA-COMP"].reason == "amplifier fault (simulated)"
        assert call.zones["PA-NORTH"].reason == f"no answer within {TIMEOUT_S:g} s"
        summary = next(
            t for t in _log_texts(app) if t.startswith(f"broadcast {call.id} (evacuation): played")
        )
        assert summary == (  # PA zones by their names, as people call them
            f"broadcast {call.id} (evacuation): played in Tank farm and pipe rack; NOT REACHED: Loading bay and "
            f"workshop (not answered: no answer within {TIMEOUT_S:g} s), Compressor house (failed: amplifier "
            f"fault (simulated)); wearables {len(call.wearables)} of {len(call.wearables)} acknowledged"
        )
        engine = core.alarms.engine
        await until(lambda: engine.view("PA-COMP.NOT_REACHED").active, 5, "the tier-2 alarm of PA-COMP")
        assert engine.view("PA-NORTH.NOT_REACHED").active and not engine.view("PA-TANKS.NOT_REACHED").active
        assert engine.view("PA-COMP.NOT_REACHED").tier is Tier.HIGH
        assert engine.view(
            "PA-COMP.NOT_REACHED"
        ).message == (  # by name: the id is the alarm's and the audit's
            f"evacuation broadcast {call.id} did not reach Compressor house: failed, amplifier fault (simulated)"
        )

        # the gateway is repaired: the next call reaches the zone and its alarm returns to normal
        gateways.set_pa_fault("PA-COMP", None)
        again = await core.command(Broadcast("tester", "information", ("PA-COMP",), text="Test call"))
        assert again.ok
        await until(lambda: not engine.view("PA-COMP.NOT_REACHED").active, 5, "PA-COMP reached again")
        latest = next(reversed(core.broadcasts.calls))
        assert engine.view("PA-COMP.NOT_REACHED").message == f"Compressor house reached again by {latest}"

    run_app(config, scenario)
    store = Store(database_url)
    [sent] = store.journal_rows(kind="broadcast")[:1]
    assert sent.actor == "tester" and sent.payload["zones"] == ["PA-TANKS", "PA-NORTH", "PA-COMP"]
    outcome = store.journal_rows(kind="broadcast_delivery")[0].payload["zones"]
    assert outcome["PA-NORTH"] == {"state": "not answered", "reason": f"no answer within {TIMEOUT_S:g} s"}
    audited = [r for r in store.audit_rows() if r["action"] == "broadcast"]
    assert audited[0]["outcome"] == "done" and audited[0]["target"] == "PA-TANKS PA-NORTH PA-COMP"


def test_an_emergency_pre_empts_an_information_call_and_a_warning_waits_behind_it(
    config: AppConfig, gateways: SimulatorThread
) -> None:
    async def scenario(app: Application) -> None:
        core = app.core
        await _ready(app)
        long_text = "Routine announcement: the canteen opens at noon. " * 4
        info = await core.command(Broadcast("tester", "information", ("PA-TANKS",), text=long_text, repeat=5))
        assert info.ok
        [first] = core.broadcasts.calls.values()
        await until(
            lambda: first.zones["PA-TANKS"].state is ZoneState.PLAYING, 5, "the information call plays"
        )

        emergency = await core.command(Broadcast("tester", "emergency", ("PA-TANKS",), preset="GAS-SHELTER"))
        assert emergency.ok
        second = list(core.broadcasts.calls.values())[1]
        assert first.zones["PA-TANKS"].state is ZoneState.PREEMPTED
        assert first.zones["PA-TANKS"].reason == f"by {second.id} (emergency)"
        warning = await core.command(Broadcast("tester", "warning", ("PA-TANKS",), preset="STOP-WORK"))
        assert warning.ok and "queued in Tank farm and pipe rack" in warning.message
        third = list(core.broadcasts.calls.values())[2]
        assert third.zones["PA-TANKS"].state is ZoneState.QUEUED
        await until(lambda: second.zones["PA-TANKS"].state is ZoneState.DONE, 10, "the emergency played")
        await until(lambda: third.zones["PA-TANKS"].state is ZoneState.DONE, 10, "then the warning")
        assert gateways.simulator.pa is not None
        assert gateways.simulator.pa.announcements == [  # what the PA matrix was told to play, in order
            ("PA-TANKS", first.id),
            ("PA-TANKS", second.id),
            ("PA-TANKS", third.id),
        ]

        # an emergency waits behind nothing, not even another emergency: the latest wins
        await core.command(Broadcast("tester", "emergency", ("PA-REACTOR",), text="Gas! " * 40, repeat=5))
        stuck = list(core.broadcasts.calls.values())[3]
        await until(lambda: stuck.zones["PA-REACTOR"].state is ZoneState.PLAYING, 5, "the first emergency")
        await core.command(Broadcast("tester", "emergency", ("PA-REACTOR",), preset="GAS-SHELTER"))
        latest = list(core.broadcasts.calls.values())[4]
        assert stuck.zones["PA-REACTOR"].state is ZoneState.PREEMPTED
        await until(lambda: latest.zones["PA-REACTOR"].state is ZoneState.DONE, 10, "the latest emergency")

    run_app(config, scenario)


def test_a_malformed_gateway_message_is_named_in_the_event_log_and_the_console_carries_on(
    config: AppConfig, broker: Broker
) -> None:
    async def scenario(app: Application) -> None:
        core = app.core
        await _ready(app)
        await asyncio.to_thread(mosquitto_pub, broker, "site/demo/pa/PA-TANKS/status", {"state": "loud"})
        await asyncio.to_thread(
            mosquitto_pub, broker, "site/demo/pa/PA-XX/status", {"id": "x", "state": "done"}
        )
        await until(lambda: len([t for t in _log_texts(app) if "malformed" in t]) == 2, 5, "two errors")
        errors = [t for t in _log_texts(app) if "malformed" in t]
        assert errors[0] == (
            "dropped a malformed message (missing field): site/demo/pa/PA-TANKS/status: id: required"
        )
        assert errors[1].startswith("dropped a malformed message (unknown zone): site/demo/pa/PA-XX/status")
        result = await core.command(Broadcast("tester", "information", ("PA-TANKS",), text="Still here"))
        [call] = core.broadcasts.calls.values()
        assert result.ok
        await until(lambda: call.zones["PA-TANKS"].state is ZoneState.DONE, 10, "a call after them")

    run_app(config, scenario)


def test_an_engineer_may_not_broadcast_and_the_refusal_is_audited(
    config: AppConfig, database_url: str
) -> None:
    async def scenario(app: Application) -> None:
        core = app.core
        core.access.sign_in("li.na", frozenset({"engineer"}))
        core.access.sign_in("wang.fang", frozenset({"shift_lead"}))
        refused = await core.command(Broadcast("li.na", "warning", ("PA-TANKS",), preset="STOP-WORK"))
        assert not refused.ok
        assert refused.message == (
            "li.na may not broadcast: it needs one of the roles emergency coordinator, operator, shift lead"
        )
        assert not core.broadcasts.calls
        await _ready(app)
        allowed = await core.command(Broadcast("wang.fang", "warning", ("PA-TANKS",), preset="STOP-WORK"))
        assert allowed.ok, allowed.message

    run_app(replace(config, login="required"), scenario)
    rows = [(r["username"], r["outcome"], r["reason"]) for r in Store(database_url).audit_rows()]
    assert (
        "li.na",
        "refused",
        "li.na may not broadcast: it needs one of the roles emergency coordinator, operator, shift lead",
    ) in rows
    assert ("wang.fang", "done", "") in rows


def test_the_simulator_refuses_a_pa_fault_on_a_zone_the_site_lacks(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["simulate", "--pa-fail", "PA-XX"]) == 2
    assert "--pa-silent/--pa-fail: no PA zone 'PA-XX' on the site" in capsys.readouterr().err
