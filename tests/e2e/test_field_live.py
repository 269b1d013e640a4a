"""Permits, workers and wearable alerts end to end: the simulator's scenarios over real OPC UA and MQTT, an
outside MQTT client pressing SOS, through the core's rules and the journal to what the operator sees."""

from __future__ import annotations

from datetime import UTC, datetime

from alarms.definitions import Tier
from alarms.states import Event, State
from console.server.session import (
    Acknowledge,
    AssignResponder,
    ResetAlarm,
    ResolveWearableAlarm,
    ResponderOnScene,
)
from console.window.gui import WindowedConsole
from integrations.simulator import SimulatorThread
from integrations.storage import Store
from plant_maps.permit_lifecycle import PermitState
from plant_maps.wearables import Resolution
from tests.conftest import Broker
from tests.e2e.conftest import mosquitto_pub, status_text, until


def _active_worker_alarms(console: WindowedConsole) -> set[str]:
    rules = (".NO_PERMIT_ENTRY", ".GAS_ALARM_ZONE", ".EXPIRED_CERTIFICATE")
    return {v.id for v in console.app.core.alarms.views() if v.active and v.id.endswith(rules)}


def test_no_permit_entry_raises_the_alarm_for_that_worker_only(run_console, plant: SimulatorThread) -> None:
    async def scenario(console: WindowedConsole) -> None:
        core = console.app.core
        await until(lambda: (core.workers.fix_ts > 0).all(), 15, "every worker located")
        ticks = core.ticks
        await until(lambda: core.ticks >= ticks + 2, 5, "the worker rules applied to every position")
        assert _active_worker_alarms(console) == set()  # the normal plant: everyone where their permits are
        plant.set_scenario("no-permit-entry")
        await until(lambda: _active_worker_alarms(console), 40, "a worker alarm")
        assert _active_worker_alarms(console) == {"W16.NO_PERMIT_ENTRY"}
        view = core.alarms.engine.view("W16.NO_PERMIT_ENTRY")
        assert view.tier is Tier.HIGH and view.state is State.UNACK
        assert any("W16" in e.text and "PTW-HW-001" in e.text for e in core.log)

    run_console(scenario)


def test_a_gas_leak_suspends_the_hot_work_permit_in_its_zone_and_says_why(
    run_console, plant: SimulatorThread, database_url: str
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        book = console.app.core.permits.book
        assert book.status("PTW-HW-001").state is PermitState.ACTIVE
        plant.set_scenario("gas-leak")
        await until(lambda: book.status("PTW-HW-001").state is PermitState.SUSPENDED, 40, "the suspension")
        reason = book.status("PTW-HW-001").reason
        assert "Combustible gas compressor house" in reason and "%LEL" in reason
        log = console.app.core.log  # written once the journal has confirmed the change
        await until(
            lambda: any("PTW-HW-001" in e.text and "suspended" in e.text for e in log), 5, "the log line"
        )
        [entry] = [e for e in Store(database_url).journal_rows(kind="permit") if e.source == "PTW-HW-001"]
        assert (entry.actor, entry.payload["to"], entry.payload["reason"]) == ("system", "suspended", reason)
        assert book.status("PTW-TE-006").state is PermitState.ACTIVE  # the workshop is not in the leak
        # cause first: the people in the zone are grouped under its gas alarm, in the compressor house
        core = console.app.core
        await until(lambda: any(a.endswith(".GAS_ALARM_ZONE") for a in _active_worker_alarms(console)), 20)
        people = [v for v in core.alarms.views() if v.id.endswith(".GAS_ALARM_ZONE") and v.active]
        assert {v.area for v in people} == {"compressor_house"}
        causes = {v.group for v in people}
        assert len(causes) == 1 and causes <= {v.id for v in core.alarms.views() if v.active}
        [cause] = causes
        assert cause.startswith(("GD-CH-", "PGD-")) and core.alarms.engine.view(cause).tier is Tier.LIFE
        banner = console.window.alarm_banner

        def gas_line_carries_the_people() -> bool:  # the banner redraws at most 10 times a second
            lines = {line.alarm_id: line for line in banner.lines()}
            line = lines.get(cause)
            grouped = line is not None and all(v.source in line.flag for v in people)
            return grouped and not lines.keys() & {v.id for v in people}

        await until(gas_line_carries_the_people, 5, "the people grouped on the gas alarm's banner line")

    run_console(scenario)


def _alerting(console: WindowedConsole, worker: str) -> bool:
    return console.window.plant_map.worker_style(worker).startswith("alert")


def test_an_sos_from_outside_is_latched_spoken_and_only_a_responders_resolution_clears_it(
    run_console, simulator: SimulatorThread, broker: Broker, database_url: str
) -> None:
    sos = "W05.SOS"

    async def scenario(console: WindowedConsole) -> None:
        core, table = console.app.core, console.window.alarm_table
        await until(lambda: status_text(console, "MQTT").startswith("MQTT: connected"), 10)
        topic = "site/demo/workers/W05/event"
        ts = datetime.now(UTC).isoformat()
        mosquitto_pub(broker, topic, {"id": "band-W05-0001", "type": "sos", "ts": ts})
        await until(lambda: table.model.row_of(sos) is not None, 10, "the SOS in the alarm list")
        view = core.alarms.engine.view(sos)
        assert (view.tier, view.latched, view.state) == (Tier.LIFE, True, State.UNACK)
        await until(lambda: _alerting(console, "W05"), 5, "the worker pulsing on the map")
        assert console.window.plant_map.worker_text("W05") == "W05 SOS"
        spoken = await until(lambda: [r for r in console.annunciator.speaker.spoken if "SOS" in r.text], 15)
        assert "W05" in spoken[0].text
        # the band resends the same event, and the wearer cancels: neither clears nor repeats the alarm
        mosquitto_pub(broker, topic, {"id": "band-W05-0001", "type": "sos", "ts": ts})
        mosquitto_pub(broker, topic, {"id": "band-W05-0002", "type": "sos_cancel", "ts": ts})
        await until(lambda: any("SOS cancelled" in e.text for e in core.log), 10, "the cancel shown")
        assert core.alarms.engine.view(sos).state is State.UNACK
        assert [t.event for t in Store(database_url).alarm_transitions(alarm_ids=[sos])] == [Event.ACTIVATE]

        ack = await core.command(Acknowledge("tester", ((sos, view.seq),)))
        assert ack.ok and core.alarms.engine.view(sos).state is State.ACKED
        refused = [
            await core.command(ResetAlarm("tester", sos)),
            await core.command(ResolveWearableAlarm("tester", sos, "found well", Resolution.FALSE_ALARM)),
        ]
        assert [r.ok for r in refused] == [False, False]  # still active; nobody went there yet
        assert (await core.command(AssignResponder("tester", sos, "W13"))).ok
        assert (await core.command(ResponderOnScene("tester", sos))).ok
        assert _alerting(console, "W05")
        resolved = await core.command(
            ResolveWearableAlarm("tester", sos, "W05 unhurt, pressed by mistake", Resolution.FALSE_ALARM)
        )
        assert resolved.ok, resolved.message
        assert core.alarms.engine.view(sos).state is State.NORMAL
        await until(lambda: table.model.row_of(sos) is None, 5, "the SOS gone from the list")
        await until(lambda: not _alerting(console, "W05"), 5, "the worker no longer pulsing")
        steps = [e.payload["step"] for e in Store(database_url).journal_rows(kind="wearable_response")]
        assert steps == ["assigned", "on_scene", "resolved"]
        last = Store(database_url).alarm_transitions(alarm_ids=[sos])[-1]
        assert (last.event, last.actor) == (Event.RESET, "tester")
        assert last.comment.startswith(
            "false alarm: W05 unhurt, pressed by mistake; signed by tester (tester)"
        )
        assert last.comment.endswith(
            ": SOS closed by responder lead as false alarm"
        )  # DEMO signs without a password

    run_console(scenario)
