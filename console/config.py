"""Application configuration: embedded defaults, an optional TOML file, then command-line overrides.

Every error names the file, the key and what is wrong (ConfigError), before anything starts.
"""

from __future__ import annotations

import getpass
import socket
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfoNotFoundError

from console.secrets import SECRET_KEYS, read_secret
from console.server.permissions import PERMISSIONS, permission_table
from integrations.device_time import DEFAULT_MAX_SKEW_S
from integrations.mqtt_security import MQTT_PORTS, MqttSecurity
from integrations.opcua_security import MODES, POLICIES, OpcUaSecurity
from integrations.users import LoginPolicy
from plant_maps.shifts import ShiftPattern, parse_start
from plant_maps.toml_reader import ConfigError, Reader

DEMO_SITE = Path(__file__).resolve().parent.parent / "resources" / "plants" / "demo" / "site.toml"
DEFAULT_OPCUA_URL = "opc.tcp://127.0.0.1:4840/controlroom/"
DEFAULT_MQTT_URL = "mqtt://127.0.0.1:1883"


@dataclass(frozen=True)
class AppConfig:
    site_file: Path = DEMO_SITE
    opcua_url: str = DEFAULT_OPCUA_URL
    publishing_interval_ms: float = 100.0
    opcua_timeout_s: float = 4.0  # a request unanswered this long fails; the server is probed this often
    opcua_server_deadband: bool = True  # the server sends only moves beyond each tag's history deadband
    opcua_security: OpcUaSecurity = field(default_factory=OpcUaSecurity)
    mqtt_url: str = DEFAULT_MQTT_URL
    topic_prefix: str = "site"
    mqtt_security: MqttSecurity = field(default_factory=MqttSecurity)
    first_connect_s: float = 10.0  # a source not connected this long after start raises its alarm
    max_clock_skew_s: float = DEFAULT_MAX_SKEW_S  # a device clock further off is flagged and not used
    clock_alarm: bool = True  # a wearable whose clock is wrong raises a tier-3 alarm
    broadcast_timeout_s: float = 10.0  # a PA gateway silent this long after a call is "not answered"
    database_url: str = ""  # empty: SQLite in the user's data folder
    simulator: bool = True
    scenario: str = "normal"
    worker_stale_after_s: float = 10.0
    console_name: str = socket.gethostname()
    operator: str = getpass.getuser()
    privileged: bool = False  # may take alarms out of service (ISA-18.2: a privileged, audited act)
    login: str = "demo"  # demo: every actor holds every role (the window says DEMO); required: sign in
    login_policy: LoginPolicy = field(default_factory=LoginPolicy)
    lock_after_s: float = 600.0  # the window locks after this long without input (0: never; not in demo)
    permissions: Mapping[str, frozenset[str]] = field(
        default_factory=lambda: PERMISSIONS
    )  # command -> roles, with the site's overrides
    headless: bool = False
    run_for: float | None = None
    screenshot: Path | None = None
    shifts: ShiftPattern = field(default_factory=ShiftPattern)
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
    root.reject_unknown(
        {
            "site",
            "opcua",
            "mqtt",
            "database",
            "simulator",
            "workers",
            "console",
            "sources",
            "security",
            "permissions",
            "broadcast",
            "shifts",
        }
    )
    d = AppConfig()
    site = root.section("site", required=False)
    site.reject_unknown({"file"})
    opcua = root.section("opcua", required=False)
    opcua.reject_unknown(
        {"url", "publishing_interval_ms", "timeout_s", "server_deadband", *_OPCUA_SECURITY_KEYS, *SECRET_KEYS}
    )
    mqtt = root.section("mqtt", required=False)
    mqtt.reject_unknown({"url", "topic_prefix", *_MQTT_SECURITY_KEYS, *SECRET_KEYS})
    sources = root.section("sources", required=False)
    sources.reject_unknown({"first_connect_s", "max_clock_skew_s", "clock_alarm"})
    database = root.section("database", required=False)
    database.reject_unknown({"url"})
    simulator = root.section("simulator", required=False)
    simulator.reject_unknown({"enabled", "scenario"})
    workers = root.section("workers", required=False)
    workers.reject_unknown({"stale_after_s"})
    console = root.section("console", required=False)
    console.reject_unknown({"name", "operator", "privileged"})
    broadcast = root.section("broadcast", required=False)
    broadcast.reject_unknown({"timeout_s"})
    security = root.section("security", required=False)
    security.reject_unknown({"login", "max_failed_logins", "lockout_minutes", "lock_after_s"})
    lock_after_s = security.float("lock_after_s", d.lock_after_s)
    if lock_after_s < 0:
        raise security.error("lock_after_s", "must be 0 (never) or a number of seconds")
    policy = LoginPolicy(
        security.int("max_failed_logins", d.login_policy.max_failures, minimum=1),
        security.positive("lockout_minutes", d.login_policy.lockout_s / 60) * 60,
    )
    site_file = Path(site.str("file", str(d.site_file)))
    mqtt_url = check_url(mqtt.str("url", d.mqtt_url), ("mqtt", "mqtts"), path, "mqtt.url")
    return AppConfig(
        site_file=site_file if site_file.is_absolute() else (path.parent / site_file),
        opcua_url=check_url(opcua.str("url", d.opcua_url), ("opc.tcp",), path, "opcua.url"),
        publishing_interval_ms=opcua.positive("publishing_interval_ms", d.publishing_interval_ms),
        opcua_timeout_s=opcua.positive("timeout_s", d.opcua_timeout_s),
        opcua_server_deadband=opcua.bool("server_deadband", d.opcua_server_deadband),
        opcua_security=_opcua_security(opcua, path),
        mqtt_url=mqtt_url,
        topic_prefix=mqtt.str("topic_prefix", d.topic_prefix).strip("/"),
        mqtt_security=_mqtt_security(mqtt, path, mqtt_url),
        first_connect_s=sources.positive("first_connect_s", d.first_connect_s),
        max_clock_skew_s=sources.positive("max_clock_skew_s", d.max_clock_skew_s),
        clock_alarm=sources.bool("clock_alarm", d.clock_alarm),
        broadcast_timeout_s=broadcast.positive("timeout_s", d.broadcast_timeout_s),
        database_url=database.str("url", "") if database.has("url") else "",
        simulator=simulator.bool("enabled", d.simulator),
        scenario=simulator.str("scenario", d.scenario),
        worker_stale_after_s=workers.positive("stale_after_s", d.worker_stale_after_s),
        console_name=console.str("name", d.console_name),
        operator=console.str("operator", d.operator),
        privileged=console.bool("privileged", d.privileged),
        login=security.choice("login", ("demo", "required"), d.login),
        login_policy=policy,
        lock_after_s=lock_after_s,
        permissions=_permissions(root.section("permissions", required=False), path),
        shifts=_shifts(root.section("shifts", required=False)),
        source_file=str(path),
    )


def _shifts(r: Reader) -> ShiftPattern:
    """`[shifts] starts = ["08:00", "20:00"]`, `timezone = "Asia/Shanghai"`, `operator_positions = 2`."""
    r.reject_unknown({"starts", "timezone", "operator_positions"})
    d = ShiftPattern()
    try:
        starts = tuple(parse_start(s) for s in r.str_list("starts")) if r.has("starts") else d.starts
    except ValueError as exc:
        raise r.error("starts", str(exc)) from None
    timezone = r.str("timezone", d.timezone)
    try:
        ShiftPattern(timezone=timezone)
    except (ValueError, ZoneInfoNotFoundError):
        raise r.error(
            "timezone", f"unknown time zone {timezone!r} (an IANA name such as Asia/Shanghai)"
        ) from None
    try:
        return ShiftPattern(starts, timezone, r.int("operator_positions", d.operator_positions, minimum=1))
    except ValueError as exc:
        raise r.error("starts", str(exc)) from None


def _permissions(r: Reader, config_file: Path) -> Mapping[str, frozenset[str]]:
    """`[permissions] Acknowledge = ["operator", "shift_lead"]`: the site's changes to the command table."""
    r.reject_unknown(set(PERMISSIONS))
    overrides = {name: frozenset(r.str_list(name)) for name in PERMISSIONS if r.has(name)}
    try:
        return permission_table(overrides)
    except ValueError as exc:
        raise ConfigError(config_file, "permissions", str(exc)) from None


_OPCUA_SECURITY_KEYS = {
    "security_policy",
    "security_mode",
    "pki_dir",
    "certificate",
    "private_key",
    "username",
    "user_certificate",
    "user_private_key",
}
_MQTT_SECURITY_KEYS = {"ca_file", "client_certificate", "client_key", "username"}


def _opcua_security(r: Reader, config_file: Path) -> OpcUaSecurity:
    """`[opcua]` security: policy and mode, the console's certificate (made in the PKI folder when not
    given), a user name with a password, or a user certificate."""
    policy = r.choice("security_policy", POLICIES, "None")
    mode = r.choice("security_mode", MODES, "SignAndEncrypt")
    certificate, key = _path(r, "certificate", config_file), _path(r, "private_key", config_file)
    if (certificate is None) != (key is None):
        raise r.error(
            "private_key" if key is None else "certificate", "give certificate and private_key together"
        )
    user_cert, user_key = _path(r, "user_certificate", config_file), _path(r, "user_private_key", config_file)
    if (user_cert is None) != (user_key is None):
        raise r.error(
            "user_private_key" if user_key is None else "user_certificate",
            "give user_certificate and user_private_key together",
        )
    username = r.str("username", "")
    password = read_secret(r, config_file)
    if password and not username:
        raise r.error("username", "a password needs a username")
    if user_cert is not None and username:
        raise r.error("username", "log in with a username or a user certificate, not both")
    if policy == "None" and ((username and password) or user_cert is not None):
        raise r.error(
            "security_policy",
            "a login over an unsecured link would send the password or prove the user in clear: "
            "choose a security policy (e.g. Basic256Sha256)",
        )
    return OpcUaSecurity(
        policy=policy,
        mode=mode,
        pki_dir=_path(r, "pki_dir", config_file),
        certificate=certificate,
        private_key=key,
        username=username,
        password=password,
        user_certificate=user_cert,
        user_private_key=user_key,
    )


def _mqtt_security(r: Reader, config_file: Path, url: str) -> MqttSecurity:
    """`[mqtt]` security: TLS for `mqtts://` (CA file, optional client certificate), user and password."""
    tls = url.startswith("mqtts://")
    files = {k: _path(r, k, config_file) for k in ("ca_file", "client_certificate", "client_key")}
    if not tls:
        for key, value in files.items():
            if value is not None:
                raise r.error(key, "TLS settings need an mqtts:// url")
    if (files["client_certificate"] is None) != (files["client_key"] is None):
        raise r.error("client_key", "give client_certificate and client_key together")
    username = r.str("username", "")
    password = read_secret(r, config_file)
    if password and not username:
        raise r.error("username", "a password needs a username")
    return MqttSecurity(
        tls=tls,
        ca_file=files["ca_file"],
        client_certificate=files["client_certificate"],
        client_key=files["client_key"],
        username=username,
        password=password,
    )


def _path(r: Reader, key: str, config_file: Path) -> Path | None:
    """An optional file path, relative to the config file, that must exist when given."""
    if not r.has(key):
        return None
    path = Path(r.str(key))
    path = path if path.is_absolute() else config_file.parent / path
    if key != "pki_dir" and not path.is_file():
        raise r.error(key, f"{path} does not exist or is not a file")
    return path


def check_url(url: str, schemes: tuple[str, ...], file: Path | str, key: str) -> str:
    """An endpoint URL must have one of `schemes`, a host and a port (an MQTT URL without one means the
    standard port; an OPC UA server's port is always given), and no user or password: those would show on
    command lines and in logs."""
    parsed = urlparse(url)
    try:
        port = parsed.port or MQTT_PORTS.get(parsed.scheme)
    except ValueError:
        port = None
    if parsed.scheme not in schemes or not parsed.hostname or port is None:
        expected = " or ".join(f"{s}://HOST{'[:PORT]' if s in MQTT_PORTS else ':PORT'}" for s in schemes)
        raise ConfigError(file, key, f"{url!r} is not a valid URL (expected {expected})")
    if parsed.username is not None or parsed.password is not None:
        shown = f"{parsed.scheme}://{parsed.hostname}:{port}{parsed.path}"
        raise ConfigError(
            file, key, f"{shown}: no user or password in a URL; use username and password_file in the config"
        )
    return url


def with_overrides(config: AppConfig, **overrides: object) -> AppConfig:
    """Command-line options win over the file; None means 'not given'."""
    given = {k: v for k, v in overrides.items() if v is not None}
    for key, schemes in (("opcua_url", ("opc.tcp",)), ("mqtt_url", ("mqtt", "mqtts"))):
        if key in given:
            check_url(str(given[key]), schemes, "command line", "--" + key.replace("_", "-"))
    if "mqtt_url" in given:  # the URL's scheme says whether TLS is on; the file's TLS files still apply
        tls = str(given["mqtt_url"]).startswith("mqtts://")
        given["mqtt_security"] = replace(config.mqtt_security, tls=tls)
    return replace(config, **given)
