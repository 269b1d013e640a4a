"""App config: defaults run the demo, the file overrides them, the command line overrides the file."""

from pathlib import Path

import pytest

from console.config import DEFAULT_OPCUA_URL, DEMO_SITE, load_config, with_overrides
from plant_maps.toml_reader import ConfigError


def test_defaults_run_the_demo_plant_with_the_simulator() -> None:
    config = load_config(None)
    assert config.site_file == DEMO_SITE and config.simulator and config.opcua_url == DEFAULT_OPCUA_URL


def test_file_then_command_line(tmp_path: Path) -> None:
    path = tmp_path / "console.toml"
    path.write_text(
        '[site]\nfile = "plant.toml"\n[mqtt]\nurl = "mqtt://10.1.2.3:1884"\ntopic_prefix = "/acme/"\n'
        '[simulator]\nenabled = false\n[database]\nurl = "postgresql://cr@db/cr"\n'
    )
    config = load_config(path)
    assert config.site_file == tmp_path / "plant.toml"  # relative to the config file
    assert config.mqtt_url == "mqtt://10.1.2.3:1884" and config.topic_prefix == "acme"
    assert not config.simulator and config.database_url == "postgresql://cr@db/cr"
    overridden = with_overrides(config, mqtt_url="mqtt://127.0.0.1:1999", opcua_url=None)
    assert overridden.mqtt_url == "mqtt://127.0.0.1:1999" and overridden.opcua_url == config.opcua_url


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[opcua]\nurl = "http://x:1"\n',
            "opcua.url: 'http://x:1' is not a valid URL (expected opc.tcp://HOST:PORT)",
        ),
        (
            '[mqtt]\nurl = "mqtt://:1883"\n',
            "mqtt.url: 'mqtt://:1883' is not a valid URL (expected mqtt://HOST[:PORT] or mqtts://HOST[:PORT])",
        ),
        ("[opcua]\npublishing_interval_ms = -5\n", "opcua.publishing_interval_ms: expected a number > 0"),
        ("[simulator]\nenabled = 1\n", "simulator.enabled: expected true or false"),
        ("[mqtt]\nport = 1883\n", "mqtt.port: unknown key"),
        ("[alarm]\n", "alarm: unknown key"),
        ('[shifts]\nstarts = ["8h"]\n', "shifts.starts: '8h' is not a time of day as HH:MM"),
        (
            '[shifts]\nstarts = ["20:00", "08:00"]\n',
            "shifts.starts: shift start times must be distinct and in order",
        ),
        ('[shifts]\ntimezone = "Mars/Olympus"\n', "shifts.timezone: unknown time zone 'Mars/Olympus'"),
    ],
)
def test_config_errors_name_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "console.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value) == f"{path}: {message}" or str(info.value).startswith(f"{path}: {message}")


def test_command_line_urls_are_checked() -> None:
    with pytest.raises(ConfigError, match="--opcua-url"):
        with_overrides(load_config(None), opcua_url="opc.tcp://nohostport")


def test_link_security_and_its_secret_from_a_private_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "opcua.pw"
    secret.write_text("s3cret\n")
    secret.chmod(0o600)
    path = tmp_path / "console.toml"
    path.write_text(
        '[opcua]\nsecurity_policy = "Basic256Sha256"\nsecurity_mode = "Sign"\nusername = "op1"\n'
        'password_file = "opcua.pw"\n[mqtt]\nurl = "mqtts://broker:8883"\nusername = "console"\n'
        'password_env = "CONTROLROOM_TEST_MQTT_PW"\n[sources]\nfirst_connect_s = 5\nmax_clock_skew_s = 60\n'
    )
    path.chmod(0o600)
    monkeypatch.setenv("CONTROLROOM_TEST_MQTT_PW", "broker-secret")
    config = load_config(path)
    assert config.opcua_security.password == "s3cret" and config.opcua_security.mode == "Sign"
    assert config.opcua_security.describe() == "Basic256Sha256 Sign, user op1"
    assert config.mqtt_security.tls and config.mqtt_security.password == "broker-secret"
    assert (config.first_connect_s, config.max_clock_skew_s) == (5, 60)
    assert "s3cret" not in repr(config) and "broker-secret" not in repr(config)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[opcua]\nsecurity_policy = "Basic128"\n', "opcua.security_policy"),
        ('[opcua]\nusername = "op"\npassword_file = "pw"\n', "opcua.password_file: "),
        (
            '[opcua]\nusername = "op"\npassword = "x"\n',
            "opcua.security_policy: a login over an unsecured link",
        ),
        ('[mqtt]\nurl = "mqtt://u:p@broker:1883"\n', "mqtt.url: mqtt://broker:1883: no user or password"),
        ('[mqtt]\nurl = "mqtt://broker:1883"\nca_file = "ca.pem"\n', "mqtt.ca_file"),
        ('[mqtt]\nusername = "u"\npassword_env = "CONTROLROOM_NOT_SET_ANYWHERE"\n', "is not set"),
    ],
)
def test_security_mistakes_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "pw").write_text("x")
    (tmp_path / "pw").chmod(0o644)
    path = tmp_path / "console.toml"
    path.write_text(text)
    path.chmod(0o600)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        load_config(path)


def test_a_secret_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "console.toml"
    path.write_text('[mqtt]\nusername = "u"\npassword = "in the file"\n')
    path.chmod(0o644)
    with pytest.raises(
        ConfigError, match=r"mqtt.password: .* others may read it \(mode 0644\); run: chmod 600"
    ):
        load_config(path)
