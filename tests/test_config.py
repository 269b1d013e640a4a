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
        ('[mqtt]\nurl = "mqtt://host"\n', "mqtt.url: 'mqtt://host' is not a valid URL"),
        ("[opcua]\npublishing_interval_ms = -5\n", "opcua.publishing_interval_ms: expected a number > 0"),
        ("[simulator]\nenabled = 1\n", "simulator.enabled: expected true or false"),
        ("[mqtt]\nport = 1883\n", "mqtt.port: unknown key"),
        ("[alarm]\n", "alarm: unknown key"),
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
