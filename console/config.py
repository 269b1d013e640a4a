"""Application configuration: embedded defaults, an optional TOML file, then command-line overrides.

Every error names the file, the key and what is wrong (ConfigError), before anything starts.
"""

from __future__ import annotations

import getpass
import socket
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlparse

from plant_maps.toml_reader import ConfigError, Reader

DEMO_SITE = Path(__file__).resolve().parent.parent / "resources" / "plants" / "demo" / "site.toml"
DEFAULT_OPCUA_URL = "opc.tcp://127.0.0.1:4840/controlroom/"
DEFAULT_MQTT_URL = "mqtt://127.0.0.1:1883"


@dataclass(frozen=True)
class AppConfig:
    site_file: Path = DEMO_SITE
    opcua_url: str = DEFAULT_OPCUA_URL
    publishing_interval_ms: float = 100.0
    mqtt_url: str = DEFAULT_MQTT_URL
    topic_prefix: str = "site"
    database_url: str = ""  # empty: SQLite in the user's data folder
    simulator: bool = True
    scenario: str = "normal"
    worker_stale_after_s: float = 10.0
    console_name: str = socket.gethostname()
    operator: str = getpass.getuser()
    privileged: bool = False  # may take alarms out of service (ISA-18.2: a privileged, audited act)
    headless: bool = False
    run_for: float | None = None
    screenshot: Path | None = None
    source_file: str = "<defaults>"


def load_config(path: Path | None) -> AppConfig:
    """Defaults, overlaid with the TOML file at `path` when one is given."""
    if path is None:
        return AppConfig()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(path, "", "config file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, "", f"not valid TOML: {exc}") from None
    return parse_config(raw, path)


def parse_config(raw: dict, path: Path) -> AppConfig:
    root = Reader(raw, path, "")
    root.reject_unknown({"site", "opcua", "mqtt", "database", "simulator", "workers", "console"})
    d = AppConfig()
    site = root.section("site", required=False)
    site.reject_unknown({"file"})
    opcua = root.section("opcua", required=False)
    opcua.reject_unknown({"url", "publishing_interval_ms"})
    mqtt = root.section("mqtt", required=False)
    mqtt.reject_unknown({"url", "topic_prefix"})
    database = root.section("database", required=False)
    database.reject_unknown({"url"})
    simulator = root.section("simulator", required=False)
    simulator.reject_unknown({"enabled", "scenario"})
    workers = root.section("workers", required=False)
    workers.reject_unknown({"stale_after_s"})
    console = root.section("console", required=False)
    console.reject_unknown({"name", "operator", "privileged"})
    site_file = Path(site.str("file", str(d.site_file)))
    return AppConfig(
        site_file=site_file if site_file.is_absolute() else (path.parent / site_file),
        opcua_url=check_url(opcua.str("url", d.opcua_url), ("opc.tcp",), path, "opcua.url"),
        publishing_interval_ms=opcua.positive("publishing_interval_ms", d.publishing_interval_ms),
        mqtt_url=check_url(mqtt.str("url", d.mqtt_url), ("mqtt",), path, "mqtt.url"),
        topic_prefix=mqtt.str("topic_prefix", d.topic_prefix).strip("/"),
        database_url=database.str("url", "") if database.has("url") else "",
        simulator=simulator.bool("enabled", d.simulator),
        scenario=simulator.str("scenario", d.scenario),
        worker_stale_after_s=workers.positive("stale_after_s", d.worker_stale_after_s),
        console_name=console.str("name", d.console_name),
        operator=console.str("operator", d.operator),
        privileged=console.bool("privileged", d.privileged),
        source_file=str(path),
    )


def check_url(url: str, schemes: tuple[str, ...], file: Path | str, key: str) -> str:
    """An endpoint URL must have one of `schemes`, a host and a port (defaults are not guessed)."""
    parsed = urlparse(url)
    try:
        port = parsed.port
    except ValueError:
        port = None
    if parsed.scheme not in schemes or not parsed.hostname or port is None:
        expected = " or ".join(f"{s}://HOST:PORT" for s in schemes)
        raise ConfigError(file, key, f"{url!r} is not a valid URL (expected {expected})")
    return url


def with_overrides(config: AppConfig, **overrides: object) -> AppConfig:
    """Command-line options win over the file; None means 'not given'."""
    given = {k: v for k, v in overrides.items() if v is not None}
    for key, schemes in (("opcua_url", ("opc.tcp",)), ("mqtt_url", ("mqtt",))):
        if key in given:
            check_url(str(given[key]), schemes, "command line", "--" + key.replace("_", "-"))
    return replace(config, **given)


def mqtt_host_port(url: str) -> tuple[str, int]:
    parsed = urlparse(url)
    return parsed.hostname or "127.0.0.1", parsed.port or 1883
