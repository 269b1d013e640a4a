"""Every failure of the data path is an alarm, saying why, while the good tags keep flowing: a malformed
address refused before anything starts, a node the server does not have, a namespace by URI, a source
that never connects. Against the simulator's real OPC UA server and a real Mosquitto."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from asyncua import ua

from alarms.clock import ManualClock
from alarms.samples import Quality
from console.composition import Application
from console.config import AppConfig
from integrations.simulator import SimulatorThread
from plant_maps.opcua_address import AddressError, parse_opcua_address
from plant_maps.site import Site
from plant_maps.site_file import load_site, parse_site
from plant_maps.toml_reader import ConfigError
from tests.conftest import DEMO_SITE, Broker
from tests.headless import alarm, run_app, site_variant
from tests.support import free_port, start_mosquitto, wait_until_async

GUID = "72962b91-fa75-4ae6-8d28-b404dc7daf63"


@pytest.mark.parametrize(
    "address",
    [
        "opcua://ns=2;s=GD-TF-01",
        "opcua://s=Plant.Tank;1",  # a string identifier keeps its semicolons
        "opcua://i=2258",
        "opcua://ns=3;i=4294967295",
        f"opcua://ns=1;g={GUID}",
        "opcua://ns=1;b=M/RbKBsRVkePCePcx24oRA==",
    ],
)
def test_an_address_parses_to_the_node_id_asyncua_reads_from_it(address: str) -> None:
    parsed = parse_opcua_address(address)
    expected = ua.NodeId.from_string(address.removeprefix("opcua://"))
    assert (parsed.namespace, parsed.value) == (expected.NamespaceIndex, expected.Identifier)


def test_an_address_by_namespace_uri_keeps_the_uri_for_the_connect() -> None:
    parsed = parse_opcua_address("opcua://nsu=urn:acme:plant;s=FT-101")
    assert (parsed.namespace, parsed.kind, parsed.identifier) == ("urn:acme:plant", "s", "FT-101")


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("opcua://ns=1;str=GD-TF-01", "identifier str= is not one of i= (number), s= (string)"),
        ("opcua://ns=x;s=A", "ns=x is not a namespace index"),
        ("opcua://ns=70000;s=A", "ns=70000 is not a namespace index"),
        ("opcua://ns=2", "ns= must be followed by ';' and an identifier"),
        ("opcua://i=-1", "i=-1 is not a numeric identifier"),
        ("opcua://g=not-a-guid", "g=not-a-guid is not a GUID"),
        ("opcua://b=%%%", "b=%%% is not base64"),
        ("opcua://ns=2;s=", "s= needs an identifier"),
        ("opcua://nsu=;s=A", "nsu= needs a value"),
    ],
)
def test_a_malformed_address_is_refused_saying_what_is_wrong(address: str, problem: str) -> None:
    with pytest.raises(AddressError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        parse_opcua_address(address)


def _demo_raw() -> dict[str, Any]:
    return tomllib.loads(DEMO_SITE.read_text(encoding="utf-8"))


def test_a_malformed_address_in_the_site_file_names_file_key_and_problem(site: Site) -> None:
    raw = _demo_raw()
    raw["sensors"][3]["address"] = "opcua://ns=1;str=GD-TF-04"
    with pytest.raises(ConfigError) as caught:
        parse_site(raw, DEMO_SITE, site.permits[0].valid_from)
    assert caught.value.key == "sensors[3].address"
    assert "str= is not one of i=" in caught.value.problem and str(DEMO_SITE) in str(caught.value)


def test_an_interlock_tag_is_checked_too(site: Site) -> None:
    raw = _demo_raw()
    raw["interlocks"][0]["feedback_tag"] = "opcua://ns=2;x=FB"
    with pytest.raises(ConfigError, match=r"interlocks\[0\]\.feedback_tag: .*x= is not one of"):
        parse_site(raw, DEMO_SITE, site.permits[0].valid_from)


def _config(site_file: Path, opcua_url: str, mqtt_url: str, database_url: str, **more: Any) -> AppConfig:
    return AppConfig(
        site_file=site_file,
        opcua_url=opcua_url,
        mqtt_url=mqtt_url,
        database_url=database_url,
        simulator=False,
        console_name=f"failures-{free_port()}",
        operator="tester",
        publishing_interval_ms=50,
        **more,
    )


def test_an_unknown_node_is_one_tag_in_error_with_its_alarm_while_the_others_flow(
    tmp_path: Path, broker: Broker, database_url: str, site: Site
) -> None:
    url = f"opc.tcp://127.0.0.1:{free_port()}/controlroom/"
    site_file = site_variant(
        tmp_path,
        {
            "GD-TF-01": "opcua://ns=2;s=GD-TF-01-TYPO",
            "GD-TF-02": f"opcua://nsu={site.opcua_namespace};s=GD-TF-02",  # resolved on connect
        },
    )
    sim = SimulatorThread(site, opcua_url=url)
    sim.start()

    async def scenario(app: Application) -> None:
        core, rows = app.core, app.site.tag_index
        refused = await wait_until_async(lambda: alarm(app, "GD-TF-01.COMM"), 10)
        assert "BadNodeIdUnknown" in refused.message and "does not exist" in refused.message
        assert core.tags.quality[rows["GD-TF-01"]] == Quality.BAD
        await wait_until_async(lambda: core.tags.updates[rows["GD-TF-02"]] > 0, 10)
        assert core.tags.quality[rows["GD-TF-02"]] == Quality.GOOD  # by namespace URI
        assert alarm(app, "OPCUA.COMM") is None and alarm(app, "GD-TF-02.COMM") is None
        status = core.statuses["OPC UA"]
        assert list(status.tags_in_error) == [rows["GD-TF-01"]]
        connected = f"{len(app.opcua.rows)} tags, 1 in error"
        await wait_until_async(lambda: any(connected in e.text for e in core.log), 5)
        assert any("is not being read: BadNodeIdUnknown" in e.text for e in core.log)

    try:
        run_app(_config(site_file, url, broker.url, database_url), scenario)
    finally:
        sim.stop()


def test_a_namespace_the_server_lacks_fails_its_tags_only(
    tmp_path: Path, broker: Broker, database_url: str, site: Site
) -> None:
    url = f"opc.tcp://127.0.0.1:{free_port()}/controlroom/"
    site_file = site_variant(tmp_path, {"GD-TF-01": "opcua://nsu=urn:other:plant;s=GD-TF-01"})
    sim = SimulatorThread(site, opcua_url=url)
    sim.start()

    async def scenario(app: Application) -> None:
        refused = await wait_until_async(lambda: alarm(app, "GD-TF-01.COMM"), 10)
        assert "namespace urn:other:plant is not on the server" in refused.message
        rows = app.site.tag_index
        await wait_until_async(lambda: app.core.tags.updates[rows["GD-TF-02"]] > 0, 10)

    try:
        run_app(_config(site_file, url, broker.url, database_url), scenario)
    finally:
        sim.stop()


def test_sources_that_never_connect_raise_their_alarms_in_time_saying_why(database_url: str) -> None:
    clock = ManualClock(load_site(DEMO_SITE).permits[0].valid_from.timestamp() + 60)
    opcua_url = f"opc.tcp://127.0.0.1:{free_port()}/nothing-here/"
    config = _config(DEMO_SITE, opcua_url, f"mqtt://127.0.0.1:{free_port()}", database_url)

    async def scenario(app: Application) -> None:
        statuses = app.core.statuses
        await wait_until_async(lambda: "refused" in statuses["OPC UA"].last_error, 10)
        await wait_until_async(lambda: "refused" in statuses["MQTT"].last_error, 10)
        assert alarm(app, "OPCUA.COMM") is None  # not before first_connect_s of console time
        clock.advance(config.first_connect_s)
        opcua = await wait_until_async(lambda: alarm(app, "OPCUA.COMM"), 5)
        mqtt = await wait_until_async(lambda: alarm(app, "MQTT.COMM"), 5)
        assert "never connected in 10 s: connection refused" in opcua.message
        assert "never connected in 10 s: connection refused" in mqtt.message
        assert alarm(app, "GD-TF-01.COMM") is None  # its tags are stale with no alarm each

    run_app(config, scenario, clock)


def test_a_site_without_mqtt_sensors_still_alarms_when_the_wearables_link_drops(
    tmp_path: Path, database_url: str
) -> None:
    """The wearables speak MQTT: with no MQTT tag of its own to go stale, the link itself raises MQTT.COMM
    when the broker goes away (an SOS could not be heard), and clears it when it is back."""
    text = DEMO_SITE.read_text(encoding="utf-8").replace('address = "mqtt://', 'address = "opcua://ns=2;s=')
    site_file = tmp_path / "site.toml"
    site_file.write_text(text, encoding="utf-8")
    assert not [s for s in load_site(site_file).sensors if s.scheme == "mqtt"]
    broker = start_mosquitto(tmp_path)
    port = broker.port
    config = _config(site_file, f"opc.tcp://127.0.0.1:{free_port()}/nothing-here/", broker.url, database_url)

    async def scenario(app: Application) -> None:
        nonlocal broker
        await wait_until_async(lambda: app.core.statuses["MQTT"].connected_once, 10)
        assert alarm(app, "MQTT.COMM") is None
        broker.stop()
        down = await wait_until_async(lambda: alarm(app, "MQTT.COMM"), 10)
        assert down.message.startswith("MQTT: wearables not heard")
        broker = start_mosquitto(tmp_path, port=port)
        await wait_until_async(lambda: alarm(app, "MQTT.COMM") is None, 15)  # cleared

    try:
        run_app(config, scenario)
    finally:
        broker.stop()
