"""Secured links: OPC UA Basic256Sha256 SignAndEncrypt with a user, against the simulator serving with
security; MQTT over TLS with a password file, against a Mosquitto the fixture configures. An untrusted
certificate, a wrong password or a security mode the server lacks is a clear status and, for a console
that never got in, its communication alarm; never a crash."""

from __future__ import annotations

import asyncio
import getpass
import logging
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from alarms.clock import ManualClock
from alarms.samples import Quality
from console.composition import Application
from console.config import AppConfig, load_config, with_overrides
from integrations import opcua_source
from integrations.mqtt_security import MqttSecurity
from integrations.opcua_security import OpcUaSecurity
from integrations.simulator import SimulatorThread
from integrations.simulator.opcua_server import ServerSecurity
from integrations.source import ConnectionState
from plant_maps.site import Site
from plant_maps.site_file import load_site
from tests.certificates import TlsFiles, opcua_server_certificate, tls_files
from tests.conftest import DEMO_SITE, REPO, Broker
from tests.headless import alarm, run_app
from tests.support import BrokerError, free_port, start_mosquitto, wait_until_async

USER, PASSWORD = "operator", "correct horse battery"
POLICY = "Basic256Sha256_SignAndEncrypt"


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("certs")


@pytest.fixture(scope="module")
def secure_sim(certs: Path) -> Iterator[SimulatorThread]:
    """The demo plant serving only Basic256Sha256 SignAndEncrypt, to one user."""
    cert, key = opcua_server_certificate(certs)
    security = ServerSecurity((POLICY,), cert, key, {USER: PASSWORD})
    url = f"opc.tcp://127.0.0.1:{free_port()}/secure/"
    sim = SimulatorThread(load_site(DEMO_SITE), opcua_url=url, security=security)
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture(scope="module")
def tls(certs: Path) -> TlsFiles:
    return tls_files(certs)


@pytest.fixture(scope="module")
def secure_broker(certs: Path, tls: TlsFiles) -> Iterator[Broker]:
    """A Mosquitto accepting only TLS clients with a password from its password file."""
    passwords = certs / "mosquitto.passwd"
    subprocess.run(["mosquitto_passwd", "-b", "-c", str(passwords), USER, PASSWORD], check=True)
    access = (  # `user`: run as the tester, who owns the files (as root Mosquitto would become `mosquitto`)
        f"user {getpass.getuser()}\ncafile {tls.ca}\ncertfile {tls.certificate}\nkeyfile {tls.key}\n"
        f"allow_anonymous false\npassword_file {passwords}\n"
    )
    try:
        broker = start_mosquitto(certs, access=access)
    except BrokerError as exc:
        pytest.fail(str(exc))
    yield broker
    broker.stop()


def _config(tmp_path: Path, opcua_url: str, mqtt_url: str, **more: object) -> AppConfig:
    return AppConfig(
        site_file=DEMO_SITE,
        opcua_url=opcua_url,
        mqtt_url=mqtt_url,
        database_url=f"sqlite:///{tmp_path / 'console.db'}",
        simulator=False,
        console_name=f"secure-{free_port()}",
        operator="tester",
        publishing_interval_ms=50,
        **more,  # type: ignore[arg-type]
    )


def _opcua(tmp_path: Path, password: str = PASSWORD, policy: str = "Basic256Sha256") -> OpcUaSecurity:
    return OpcUaSecurity(
        policy=policy, mode="SignAndEncrypt", pki_dir=tmp_path / "pki", username=USER, password=password
    )


def _trust_server(pki: Path, certs: Path) -> None:
    (pki / "trusted").mkdir(parents=True, exist_ok=True)
    shutil.copy(certs / "opcua-server.der", pki / "trusted" / "server.der")


def test_an_untrusted_server_is_refused_with_its_thumbprint_then_trusted_by_the_command_and_read_encrypted(
    tmp_path: Path, secure_sim: SimulatorThread, broker: Broker, site: Site
) -> None:
    security = _opcua(tmp_path)
    config = _config(tmp_path, secure_sim.simulator.opcua_url, broker.url, opcua_security=security)
    pki = tmp_path / "pki"
    config_file = tmp_path / "console.toml"
    config_file.write_text(f'[opcua]\npki_dir = "{pki}"\n')

    async def scenario(app: Application) -> None:
        status = app.opcua.status
        await wait_until_async(lambda: "certificate untrusted" in status.last_error, 15)
        assert status.state is ConnectionState.RECONNECTING
        thumb = re.search(r"controlroom opcua trust ([0-9A-F]{40})", status.last_error)
        assert thumb is not None, status.last_error
        trusted = subprocess.run(
            [sys.executable, "-m", "console", "opcua", "trust", thumb[1], "--config", str(config_file)],
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=60,
        )
        assert trusted.returncode == 0, trusted.stderr
        await wait_until_async(lambda: status.state is ConnectionState.CONNECTED, 20)
        row = site.tag_index["GD-TF-01"]
        await wait_until_async(lambda: app.core.tags.updates[row] > 0, 10)
        assert app.core.tags.quality[row] == Quality.GOOD
        assert status.security == "Basic256Sha256 SignAndEncrypt, user operator"
        assert (pki / "own" / "cert.der").exists()  # the console's certificate, made on first use
        assert (pki / "own" / "key.pem").stat().st_mode & 0o077 == 0

    run_app(config, scenario)


def test_a_wrong_password_is_a_bad_login_and_its_alarm(
    tmp_path: Path, secure_sim: SimulatorThread, broker: Broker, certs: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _trust_server(tmp_path / "pki", certs)
    clock = ManualClock(load_site(DEMO_SITE).permits[0].valid_from.timestamp() + 60)
    wrong = "not the password"
    config = _config(
        tmp_path, secure_sim.simulator.opcua_url, broker.url, opcua_security=_opcua(tmp_path, wrong)
    )

    async def scenario(app: Application) -> None:
        await wait_until_async(lambda: "bad login" in app.opcua.status.last_error, 15)
        clock.advance(config.first_connect_s)
        raised = await wait_until_async(lambda: alarm(app, "OPCUA.COMM"), 5)
        assert "never connected in 10 s: bad login: BadUserAccessDenied" in raised.message

    run_app(config, scenario, clock)
    assert wrong not in caplog.text and PASSWORD not in caplog.text


def test_a_security_mode_the_server_lacks_is_refused_naming_what_it_offers(
    tmp_path: Path, broker: Broker
) -> None:
    url = f"opc.tcp://127.0.0.1:{free_port()}/plain/"
    sim = SimulatorThread(load_site(DEMO_SITE), opcua_url=url)  # no security at all
    sim.start()
    config = _config(tmp_path, url, broker.url, opcua_security=_opcua(tmp_path, policy="Aes256Sha256RsaPss"))

    async def scenario(app: Application) -> None:
        status = app.opcua.status
        await wait_until_async(lambda: "security rejected" in status.last_error, 15)
        assert "no Aes256Sha256RsaPss SignAndEncrypt endpoint (it offers: None with anonymous login)" in (
            status.last_error
        )

    try:
        run_app(config, scenario)
    finally:
        sim.stop()


def _mqtt_config(tmp_path: Path, broker: Broker, security: MqttSecurity) -> AppConfig:
    url = f"mqtts://{broker.host}:{broker.port}"
    return _config(tmp_path, f"opc.tcp://127.0.0.1:{free_port()}/none/", url, mqtt_security=security)


def test_mqtt_over_tls_with_a_password_connects_and_delivers(
    tmp_path: Path, secure_broker: Broker, tls: TlsFiles
) -> None:
    security = MqttSecurity(tls=True, ca_file=tls.ca, username=USER, password=PASSWORD)

    async def scenario(app: Application) -> None:
        status = app.mqtt.status
        await wait_until_async(lambda: status.state is ConnectionState.CONNECTED, 15)
        assert status.security == "TLS, user operator"
        app.mqtt.publish(
            "site/demo/workers/W05/position", b'{"x": 10, "y": 20, "ts": "2026-01-01T00:00:00Z"}'
        )
        row = app.site.worker_index["W05"]
        await wait_until_async(lambda: app.core.workers.x[row] == 10, 10)  # round trip through the broker

    run_app(_mqtt_config(tmp_path, secure_broker, security), scenario)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"password": "guess"}, "bad login: the broker says Not authorized"),
        ({"ca_file": "other"}, "certificate untrusted: the broker's certificate failed verification"),
    ],
)
def test_mqtt_wrong_password_or_untrusted_broker_is_a_clear_status(
    tmp_path: Path, secure_broker: Broker, tls: TlsFiles, change: dict[str, str], words: str
) -> None:
    security = MqttSecurity(tls=True, ca_file=tls.ca, username=USER, password=PASSWORD)
    if "ca_file" in change:
        security = replace(security, ca_file=tls.other_ca)
    else:
        security = replace(security, password=change["password"])

    async def scenario(app: Application) -> None:
        status = app.mqtt.status
        await wait_until_async(lambda: words in status.last_error, 15)
        assert status.state is not ConnectionState.CONNECTED

    run_app(_mqtt_config(tmp_path, secure_broker, security), scenario)


# -- every refusal in words, every failed attempt one log line ----------------------------------------------

_SERVER_SIDE = ("asyncua.server", "integrations.simulator")


@pytest.fixture()
def console_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """The log as `controlroom` configures it (asyncua's own lines from WARNING up, ours from INFO)."""
    caplog.set_level(logging.WARNING, logger="asyncua")
    caplog.set_level(logging.INFO)  # last: it sets the capturing handler's level too
    return caplog


def _console_lines(caplog: pytest.LogCaptureFixture, *loggers: str) -> list[logging.LogRecord]:
    """What the console logged about its links (the simulator's server logs in the same process)."""
    return [r for r in caplog.records if r.name.startswith(loggers) and not r.name.startswith(_SERVER_SIDE)]


def _one_line_per_attempt(lines: list[logging.LogRecord], attempts: int, words: str, in_flight: int) -> None:
    """Each failed attempt is exactly one line, saying why: no traceback, no second line, no silence (an
    attempt still under way, at most one per client, has not failed yet)."""
    texts = [r.getMessage() for r in lines]
    assert all(words in t and "\n" not in t for t in texts), texts
    assert not any(r.exc_info for r in lines)
    assert len(texts) >= 3 and 0 <= attempts - len(texts) <= in_flight, (attempts, texts)


def _counting_attempts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the OPC UA source's connect attempts (each starts by reading the server's endpoints)."""
    started: list[int] = []
    real = opcua_source.apply_security

    async def counted(*args: Any) -> None:
        started.append(1)
        await real(*args)

    monkeypatch.setattr(opcua_source, "apply_security", counted)
    return started


@pytest.mark.parametrize(
    ("security", "words"),
    [
        (  # the console asks for no security: the server's endpoints, modes and logins are named
            OpcUaSecurity(),
            "security rejected: the console asks for no security and the server requires it: it offers "
            "Basic256Sha256 SignAndEncrypt with user name login (set [opcua] security_policy and "
            "security_mode to one of these)",
        ),
        (  # secured, but anonymous where the server takes user names only
            OpcUaSecurity(policy="Basic256Sha256", mode="SignAndEncrypt"),
            "login refused: the server's Basic256Sha256 SignAndEncrypt endpoint takes user name login, not "
            "anonymous (set [opcua] username and a password, or user_certificate)",
        ),
        (  # a wrong password: the server's status code in words, without asyncua's own fault line
            OpcUaSecurity(policy="Basic256Sha256", mode="SignAndEncrypt", username=USER, password="wrong"),
            "bad login: BadUserAccessDenied (user does not have permission to perform the requested operation)",
        ),
    ],
)
def test_an_opcua_refusal_says_what_the_server_offers_once_per_attempt(
    tmp_path: Path,
    secure_sim: SimulatorThread,
    broker: Broker,
    certs: Path,
    console_log: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    security: OpcUaSecurity,
    words: str,
) -> None:
    _trust_server(tmp_path / "pki", certs)
    security = replace(security, pki_dir=tmp_path / "pki")
    clock = ManualClock(load_site(DEMO_SITE).permits[0].valid_from.timestamp() + 60)
    config = _config(tmp_path, secure_sim.simulator.opcua_url, broker.url, opcua_security=security)
    attempts = _counting_attempts(monkeypatch)

    async def scenario(app: Application) -> None:
        status = app.opcua.status
        await wait_until_async(lambda: words in status.last_error, 15)
        clock.advance(config.first_connect_s)
        raised = await wait_until_async(lambda: alarm(app, "OPCUA.COMM"), 5)
        assert words in raised.message  # the alarm the operator sees says it too
        lines = lambda: _console_lines(console_log, "integrations.opcua_source", "asyncua")  # noqa: E731
        await wait_until_async(lambda: len(lines()) >= 3, 20)  # retries 0.5, 1, 2 s apart
        _one_line_per_attempt(lines(), len(attempts), words, in_flight=1)

    run_app(config, scenario, clock)


def test_a_wrong_mqtt_password_is_one_line_per_attempt_for_each_client(
    tmp_path: Path, secure_broker: Broker, tls: TlsFiles, console_log: pytest.LogCaptureFixture
) -> None:
    security = MqttSecurity(tls=True, ca_file=tls.ca, username=USER, password="guess")
    broker_log = secure_broker.config.with_name(f"mosquitto-{secure_broker.port}.log")
    refused_before = broker_log.read_text().count("not authorised")

    async def scenario(app: Application) -> None:
        lines = lambda: _console_lines(console_log, "integrations.mqtt", "integrations.pa_link", "paho")  # noqa: E731
        await wait_until_async(lambda: len(lines()) >= 4, 20)  # the source and the PA link, twice each
        seen = lines()
        refused = broker_log.read_text().count("not authorised") - refused_before  # both clients' attempts
        _one_line_per_attempt(seen, refused, "bad login: the broker says Not authorized", in_flight=2)

    run_app(_mqtt_config(tmp_path, secure_broker, security), scenario)


def test_a_lost_broker_is_said_in_words_then_each_failed_reconnect_once(
    tmp_path: Path, console_log: pytest.LogCaptureFixture
) -> None:
    private = start_mosquitto(tmp_path)
    config = _config(tmp_path, f"opc.tcp://127.0.0.1:{free_port()}/none/", private.url)

    async def scenario(app: Application) -> None:
        status = app.mqtt.status
        await wait_until_async(lambda: status.state is ConnectionState.CONNECTED, 15)
        console_log.clear()
        await asyncio.to_thread(private.stop)
        await wait_until_async(lambda: "connection refused" in status.last_error, 15)
        lines = lambda: _console_lines(console_log, "integrations.mqtt_source")  # noqa: E731
        await wait_until_async(lambda: len(lines()) >= 4, 20)
        [lost, *failed] = [r.getMessage() for r in lines()]
        assert lost.endswith(
            "lost the MQTT broker: the broker closed the connection or the network dropped it; reconnecting)"
        )
        assert all("connection refused (no broker listening there); retrying" in t for t in failed), failed

    run_app(config, scenario)


def _spare_loopback() -> str:
    """A loopback address of this test's own, so that the standard ports are free on it."""
    return f"127.{random.randrange(1, 250)}.{random.randrange(1, 250)}.{random.randrange(2, 250)}"


def test_mqtt_urls_without_a_port_mean_the_standard_ports(tmp_path: Path) -> None:
    host = _spare_loopback()
    tls = tls_files(tmp_path, host)
    tls_access = f"user {getpass.getuser()}\ncafile {tls.ca}\ncertfile {tls.certificate}\nkeyfile {tls.key}\n"
    brokers = [
        start_mosquitto(tmp_path, port=8883, host=host, access=tls_access + "allow_anonymous true\n"),
        start_mosquitto(tmp_path, port=1883, host=host),
    ]
    config_file = tmp_path / "console.toml"
    config_file.write_text(f'[mqtt]\nurl = "mqtts://{host}"\nca_file = "{tls.ca}"\n')
    opcua_url = f"opc.tcp://127.0.0.1:{free_port()}/none/"
    over_tls = with_overrides(
        load_config(config_file), opcua_url=opcua_url, database_url=f"sqlite:///{tmp_path / 'tls.db'}"
    )
    plain = with_overrides(
        load_config(None),
        mqtt_url=f"mqtt://{host}",
        opcua_url=opcua_url,
        database_url=f"sqlite:///{tmp_path / 'plain.db'}",
    )

    def connects_to(port: int) -> Callable[[Application], Awaitable[None]]:
        async def scenario(app: Application) -> None:
            status = app.mqtt.status
            await wait_until_async(lambda: status.state is ConnectionState.CONNECTED, 15)
            assert (app.mqtt.host, app.mqtt.port) == (host, port)

        return scenario

    try:
        run_app(replace(over_tls, simulator=False, console_name=f"tls-{free_port()}"), connects_to(8883))
        run_app(replace(plain, simulator=False, console_name=f"plain-{free_port()}"), connects_to(1883))
    finally:
        for broker in brokers:
            broker.stop()
