"""The demo plant simulator: dynamics and scenarios in-process, then the real OPC UA server and MQTT publisher.

One simulator serves the whole module (an asyncua server takes ~2 s to build); each test sets its scenario
and the autouse fixture puts the plant back to normal. Scenarios run 20x faster (`time_scale`) so that a
gas leak reaches hh in a few seconds.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import numpy as np
import paho.mqtt.client as mqtt
import pytest
from asyncua import ua
from asyncua.sync import Client

from integrations.mqtt_contract import ContractError, Kind, MqttContract
from integrations.simulator import SCENARIOS, Simulator, SimulatorThread
from integrations.simulator.dynamics import WANDER_RADIUS_M, PlantDynamics
from integrations.simulator.scenarios import START_S, make_scenario
from plant_maps.geometry import points_in_polygon
from plant_maps.site import Site
from plant_maps.site_file import load_site
from tests.conftest import DEMO_SITE
from tests.support import Broker, free_port, wait_until

PREFIX = "simtest"  # keeps these messages away from other tests' sessions on the shared broker
DELAY_S = 0.5  # interlock feedback delay of the module's simulator
TIME_SCALE = 20.0


# -- dynamics and scenarios, no network -------------------------------------------------------------------


def _run(plant: PlantDynamics, seconds: float) -> Iterator[float]:
    """Advance the plant second by second from t = 0 (where these tests build it), yielding each t."""
    for t in np.arange(1.0, seconds + 0.5):
        plant.advance(float(t))
        yield float(t)


def test_an_hour_of_normal_operation_raises_no_alarm_and_gas_reads_clean_air(site: Site) -> None:
    plant = PlantDynamics(site, seed=3)
    values = np.array([plant.values.copy() for _ in _run(plant, 3600)])
    for i, sensor in enumerate(site.sensors):
        low, high = values[:, i].min(), values[:, i].max()
        limits = sensor.limits
        assert limits.h is None or high < limits.h, sensor.id
        assert limits.hh is None or high < limits.hh, sensor.id
        assert limits.low is None or low > limits.low, sensor.id
        assert limits.ll is None or low > limits.ll, sensor.id
        assert high > low, f"{sensor.id} never changes"
        if sensor.measure in ("lel", "h2s"):
            assert low >= 0 and high < 2, sensor.id
        elif sensor.measure == "o2":
            assert low > 20.5 and high < 21.3, sensor.id
        elif sensor.measure == "co":
            assert low > 1 and high < 3, sensor.id


def test_workers_wander_near_home_at_walking_pace_with_plausible_vitals(site: Site) -> None:
    plant = PlantDynamics(site, seed=4)
    home = np.array([w.home for w in site.workers])
    previous = plant.position.copy()
    battery0 = plant.battery_pct.copy()
    moved = np.zeros(len(site.workers), dtype=bool)
    for _ in _run(plant, 600):
        step = np.hypot(*(plant.position - previous).T)
        assert step.max() <= 1.3 + 1e-9  # metres in one second
        moved |= step > 0
        previous = plant.position.copy()
        assert np.hypot(*(plant.position - home).T).max() <= WANDER_RADIUS_M + 1e-9
        assert ((plant.heart_rate >= 60) & (plant.heart_rate <= 100)).all()
        assert ((plant.skin_temp_c >= 33) & (plant.skin_temp_c <= 35)).all()
    assert moved.all()
    assert (plant.battery_pct < battery0).all() and (battery0 - plant.battery_pct < 1).all()


def test_man_down_sends_fall_then_no_motion_30_s_later_and_the_worker_lies_still(site: Site) -> None:
    plant = PlantDynamics(site, seed=5)
    scenario = make_scenario("man-down", site, started_at=0.0)
    scenario.begin(plant)
    row = site.worker_index["W07"]
    where = plant.position[row].copy()
    sent = {t: [(e.worker, e.type) for e in scenario.step(plant, t)] for t in _run(plant, START_S + 40)}
    assert [(t, e) for t, events in sent.items() for e in events] == [
        (START_S, ("W07", "fall")),
        (START_S + 30.0, ("W07", "no_motion")),
    ]
    assert (plant.position[row] == where).all()


def test_no_permit_entry_walks_w16_into_the_compressor_house_and_keeps_them_there(site: Site) -> None:
    plant = PlantDynamics(site, seed=6)
    make_scenario("no-permit-entry", site, started_at=0.0).begin(plant)
    row = site.worker_index["W16"]
    assert not any("W16" in p.workers for p in site.permits if p.zone == "compressor_house")
    zone = np.array(site.zone("compressor_house").polygon)
    inside = [
        bool(points_in_polygon(plant.position[row, :1], plant.position[row, 1:], zone)[0])
        for _ in _run(plant, 900)
    ]
    entered = inside.index(True)
    assert 30 < entered < 200  # ~60-90 m to the zone's edge at walking pace
    assert all(inside[entered:])


def test_an_unknown_scenario_is_refused_naming_the_valid_ones(site: Site) -> None:
    with pytest.raises(ValueError, match="unknown scenario 'meltdown'; choose one of: normal, gas-leak"):
        Simulator(site, "opc.tcp://127.0.0.1:4840/", None, scenario="meltdown")
    assert SCENARIOS == ("normal", "gas-leak", "sos", "man-down", "no-permit-entry", "sensor-chatter")


# -- the real server and publisher --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sim(broker: Broker) -> Iterator[SimulatorThread]:
    thread = SimulatorThread(
        load_site(DEMO_SITE),
        opcua_url=f"opc.tcp://127.0.0.1:{free_port()}/controlroom/",
        mqtt_url=broker.url,
        prefix=PREFIX,
        update_hz=20.0,
        time_scale=TIME_SCALE,
        interlock_delay_s=DELAY_S,
    )
    thread.start()
    yield thread
    thread.stop()


@pytest.fixture(autouse=True)
def back_to_normal(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "sim" in request.fixturenames:
        request.getfixturevalue("sim").set_scenario("normal")


@pytest.fixture()
def opcua(sim: SimulatorThread) -> Iterator[Client]:
    with Client(sim.simulator.opcua_url) as client:
        yield client


class Recorder:
    """A paho subscriber that keeps every message it receives (network thread) for the test to inspect."""

    def __init__(self, broker: Broker, topic: str) -> None:
        self.messages: list[mqtt.MQTTMessage] = []
        self._lock = threading.Lock()
        subscribed = threading.Event()
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"recorder-{free_port()}")
        client.on_message = lambda c, u, m: self._keep(m)
        client.on_subscribe = lambda *args: subscribed.set()
        client.on_connect = lambda c, *args: c.subscribe(topic, qos=1)
        client.connect(broker.host, broker.port)
        client.loop_start()
        self.client = client
        wait_until(subscribed.is_set, 5)

    def _keep(self, message: mqtt.MQTTMessage) -> None:
        with self._lock:
            self.messages.append(message)

    def matching(self, test: Callable[[mqtt.MQTTMessage], bool]) -> list[mqtt.MQTTMessage]:
        with self._lock:
            return [m for m in self.messages if test(m)]

    def close(self) -> None:
        self.client.disconnect()  # first: the network thread then ends at once instead of at its next poll
        self.client.loop_stop()


@pytest.fixture()
def recorder(broker: Broker) -> Iterator[Callable[[str], Recorder]]:
    made: list[Recorder] = []

    def make(topic: str) -> Recorder:
        made.append(Recorder(broker, topic))
        return made[-1]

    yield make
    for r in made:
        r.close()


def _reader(opcua: Client, sensor_id: str) -> Callable[[], float]:
    node = opcua.get_node(f"ns=2;s={sensor_id}")
    return lambda: node.read_value()


def test_an_opcua_client_finds_a_sensor_by_browse_path_and_sees_it_change(
    sim: SimulatorThread, opcua: Client
) -> None:
    site = sim.simulator.site
    assert opcua.get_namespace_index(site.opcua_namespace) == 2
    node = opcua.nodes.objects.get_child([f"2:{site.name}", "2:Reactor unit", "2:TT-R201"])
    assert node.nodeid == ua.NodeId("TT-R201", 2)
    first = node.read_data_value()
    assert first.StatusCode.is_good() and first.Value.VariantType == ua.VariantType.Double
    assert abs(first.SourceTimestamp.timestamp() - time.time()) < 5
    wait_until(lambda: node.read_value() != first.Value.Value, 5)
    assert 75 < node.read_value() < 95  # normal 85 °C, h = 95


def test_interlock_feedback_follows_the_command_after_the_delay(sim: SimulatorThread, opcua: Client) -> None:
    command = opcua.get_node("ns=2;s=IL-CH-TRIP.CMD")
    feedback = opcua.get_node("ns=2;s=IL-CH-TRIP.FB")
    with pytest.raises(ua.UaStatusCodeError, match="BadUserAccessDenied"):
        feedback.write_value(True)  # only the PLC moves the feedback
    for wanted in (True, False):
        start = time.monotonic()
        command.write_value(wanted)
        wait_until(lambda wanted=wanted: feedback.read_value() is wanted, DELAY_S + 2)
        assert time.monotonic() - start >= DELAY_S - 0.06  # one PLC scan of jitter


def test_a_faulty_interlock_never_confirms(sim: SimulatorThread, opcua: Client) -> None:
    sim.set_interlock_fault("IL-TF-ESDV", True)
    faulty = opcua.get_node("ns=2;s=IL-TF-ESDV.FB")
    healthy = opcua.get_node("ns=2;s=IL-RX-VENT.FB")
    try:
        start = time.monotonic()
        for interlock in ("IL-TF-ESDV", "IL-RX-VENT"):
            opcua.get_node(f"ns=2;s={interlock}.CMD").write_value(True)
        wait_until(lambda: healthy.read_value(), DELAY_S + 2)  # the PLC has scanned past the delay
        wait_until(lambda: time.monotonic() - start > 2 * DELAY_S or faulty.read_value(), 5)
        assert faulty.read_value() is False
    finally:
        sim.set_interlock_fault("IL-TF-ESDV", False)
        for interlock in ("IL-TF-ESDV", "IL-RX-VENT"):
            opcua.get_node(f"ns=2;s={interlock}.CMD").write_value(False)
    wait_until(lambda: not healthy.read_value(), DELAY_S + 2)
    with pytest.raises(ValueError, match="unknown interlock 'IL-NOPE'"):
        sim.set_interlock_fault("IL-NOPE", True)


def test_every_worker_and_portable_detector_publishes_valid_messages(sim: SimulatorThread, recorder) -> None:
    site = sim.simulator.site
    contract = MqttContract(site, PREFIX)
    messages = recorder(f"{PREFIX}/{site.id}/#")
    seen: dict[Kind, set[str]] = {kind: set() for kind in Kind}

    def complete() -> bool:
        for m in messages.matching(lambda m: True):
            try:
                kind, _ = contract.decode(m.topic, m.payload, time.time())
            except ContractError as exc:
                pytest.fail(f"simulator broke the MQTT contract: {exc}")
            seen[kind].add(contract.route(m.topic).key)
        return seen[Kind.POSITION] == set(site.worker_index) and seen[Kind.VITALS] == set(site.worker_index)

    wait_until(complete, 8)
    assert seen[Kind.SENSOR] == {s.path for s in site.sensors if s.scheme == "mqtt"}
    position = json.loads(messages.matching(lambda m: m.topic.endswith("/W05/position"))[0].payload)
    assert set(position) == {"x", "y", "floor", "accuracy_m", "ts"} and position["ts"].endswith("Z")
    assert len(position["ts"]) == len("2026-01-01T00:00:00.000Z")


def test_sos_sends_one_event_with_a_unique_id_at_qos_1_and_the_worker_stops(
    sim: SimulatorThread, recorder
) -> None:
    root = f"{PREFIX}/{sim.simulator.site.id}/workers/W01"
    events = recorder(f"{root}/event")
    positions = recorder(f"{root}/position")
    sim.set_scenario("sos")
    wait_until(lambda: events.matching(lambda m: True), 5)
    after = len(positions.messages)
    wait_until(lambda: len(positions.messages) >= after + 2, 5)
    first = events.matching(lambda m: True)
    assert len(first) == 1 and first[0].qos == 1
    event = json.loads(first[0].payload)
    assert event["type"] == "sos" and event["id"]
    last = [json.loads(m.payload) for m in positions.messages[-2:]]
    assert last[0]["ts"] != last[1]["ts"] and (last[0]["x"], last[0]["y"]) == (last[1]["x"], last[1]["y"])

    sim.set_scenario("sos")  # pressed again: a new event, a new id
    wait_until(lambda: len(events.messages) == 2, 5)
    assert json.loads(events.messages[1].payload)["id"] != event["id"]


def test_gas_leak_reaches_hh_at_the_nearest_detector_first(sim: SimulatorThread, opcua: Client) -> None:
    nearest, farthest = _reader(opcua, "GD-CH-01"), _reader(opcua, "GD-CH-03")
    scenario = sim.set_scenario("gas-leak")
    assert nearest() < 10
    crossed_h = wait_until(lambda: nearest() > 10 and time.time(), 10)
    crossed_hh = wait_until(lambda: nearest() > 25 and time.time(), 10)
    assert farthest() < 10
    # A rise, not a jump: ~17 s to h and ~35 s to hh in scenario time.
    assert (crossed_h - scenario.started_at) * TIME_SCALE > 10
    assert (crossed_hh - crossed_h) * TIME_SCALE > 10


def test_sensor_chatter_jumps_gd_ch_05_up_and_back_to_zero_repeatedly(
    sim: SimulatorThread, opcua: Client
) -> None:
    read = _reader(opcua, "GD-CH-05")
    sim.set_scenario("sensor-chatter")
    state = {"high": False, "spikes": 0}

    def two_spikes() -> bool:
        value = read()
        if value > 15:
            state["high"] = True
        elif value < 1 and state["high"]:
            state["high"] = False
            state["spikes"] += 1
        return state["spikes"] >= 2

    wait_until(two_spikes, 10, interval=0.01)


def test_start_raises_when_the_port_is_taken_and_leaves_no_thread_behind(site: Site) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        url = f"opc.tcp://127.0.0.1:{port}/controlroom/"
        with pytest.raises(OSError, match="address already in use"):
            SimulatorThread(site, url).start()
    assert not [t for t in threading.enumerate() if url in t.name]


def test_the_server_stops_releasing_its_port_and_starts_again_on_it(sim: SimulatorThread) -> None:
    url = sim.simulator.opcua_url
    port = urlsplit(url).port
    sim.stop()
    with socket.socket() as s:  # a listener still bound to the port would make this fail
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        s.listen()
    with pytest.raises(OSError), Client(url, timeout=1):
        pass
    sim.start()
    with Client(url) as client:
        read = _reader(client, "PT-K301")
        first = read()
        wait_until(lambda: read() != first, 5)
    with pytest.raises(ValueError, match="unknown scenario 'nope'"):
        sim.set_scenario("nope")
