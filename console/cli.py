"""Command-line parsing: `controlroom [options]` runs the console, `controlroom simulate` the demo plant,
`controlroom journal` exports the alarm journal, `controlroom db` shows or upgrades the database schema,
`controlroom opcua` manages the trust list of OPC UA server certificates, `controlroom users` the accounts,
`controlroom audit` verifies and exports the audit trail, `controlroom report shift` the shift's KPIs and
handover PDF, `controlroom report incident` an incident's after-action report."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from console.journal_report import FORMATS, parse_time
from integrations.simulator import SCENARIOS

SCALE_CHANGE_RATE = 0.05  # a large plant changes ~5 % of its tags a second (DESIGN, performance habits)
SHIFT = "shift"  # `controlroom simulate --scenario shift`: a played shift (console.shift_play), not a server
# Every command besides running the console, with the one line `controlroom --help` shows for it; the entry
# point dispatches on the same names (console.app.HANDLERS), and a test holds the two together.
COMMANDS = {
    "simulate": "run the demo plant: a real OPC UA server and an MQTT publisher (or play a 12 h shift)",
    "journal": "print the alarm journal as CSV or JSON lines",
    "db": "show which schema revision the database is at, or upgrade it",
    "opcua": "trust a refused OPC UA server certificate, or list the refused ones",
    "users": "add user accounts, set passwords and roles, disable, enable, list",
    "audit": "verify the hash-chained audit trail, or export it as CSV or JSON lines",
    "report": "the shift's KPIs and handover PDF, or an incident's after-action report (`report incident ID`)",
}


def run_parser() -> argparse.ArgumentParser:
    width = max(map(len, COMMANDS)) + 2
    p = argparse.ArgumentParser(
        prog="controlroom",
        description="Control-room console for special work: runs the console (by default on the built-in\n"
        "demo plant). Each option overrides the config file.",
        epilog="other commands (each with its own --help, e.g. `controlroom journal --help`):\n"
        + "\n".join(f"  {name:<{width}}{line}" for name, line in COMMANDS.items()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--config", type=Path, help="app config file (TOML)")
    p.add_argument("--site", type=Path, dest="site_file", help="site file (TOML); default: the demo plant")
    p.add_argument("--opcua-url", help="OPC UA server, opc.tcp://HOST:PORT[/path]")
    p.add_argument(
        "--mqtt-url",
        help="MQTT broker, mqtt://HOST[:PORT] (port 1883) or mqtts://HOST[:PORT] (TLS, port 8883)",
    )
    p.add_argument("--database-url", help="SQLAlchemy URL; default: SQLite in the user's data folder")
    p.add_argument("--no-simulator", action="store_true", help="do not start the demo simulator in-process")
    p.add_argument("--scenario", choices=SCENARIOS, help="scenario of the in-process simulator")
    p.add_argument("--headless", action="store_true", help="no window, same core")
    p.add_argument("--run-for", type=float, metavar="SECONDS", help="exit after this many seconds")
    p.add_argument(
        "--screenshot", type=Path, metavar="PATH", help="save the window once data arrived, then exit"
    )
    p.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    return p


def simulate_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="controlroom simulate",
        description="Run the demo plant: a real OPC UA server with every site tag and interlock, and an MQTT "
        "publisher for wearables and wireless detectors. With `--scenario shift`, play instead the last 12 h "
        "shift of the config's shift pattern, compressed, into the console's database (or --database-url): "
        "the real core on the shift's clock, a scripted operator acknowledging and acting.",
    )
    p.add_argument("--site", type=Path, dest="site_file", help="site file (TOML); default: the demo plant")
    p.add_argument("--opcua-url", help="where to serve OPC UA, opc.tcp://HOST:PORT[/path]")
    p.add_argument("--mqtt-url", help="where to publish, mqtt://HOST[:PORT] (port 1883)")
    p.add_argument(
        "--scenario",
        choices=(*SCENARIOS, SHIFT),
        default="normal",
        help="what happens on the plant; `shift` plays the last 12 h shift into the database instead",
    )
    p.add_argument(
        "--speed",
        type=_positive,
        metavar="N",
        help="shift: play at N x real time, printing its event log (default: as fast as possible)",
    )
    p.add_argument("--topic-prefix", default="site", help="MQTT topic prefix (default: site)")
    scale = p.add_argument_group(
        "a generated plant",
        "--scale N makes up a plant of N OPC UA tags in zones of 200, and M workers publishing positions at "
        "1 Hz; it writes the site file (the same N and M always give the same file) and serves it. Point "
        "a console at that file: `controlroom --site FILE --no-simulator`.",
    )
    scale.add_argument("--scale", type=_count(1), metavar="N", help="generate and serve a plant of N tags")
    scale.add_argument(
        "--workers", type=_count(0), metavar="M", help="workers (default: one per 10 tags, N // 10)"
    )
    scale.add_argument(
        "--write-site",
        type=Path,
        metavar="FILE",
        help="where to write the generated site file (default: scale-N.toml in the current folder)",
    )
    scale.add_argument(
        "--change-rate",
        type=_share,
        metavar="F",
        help=f"share of the tags changing each second, 0..1 (default with --scale: {SCALE_CHANGE_RATE}; "
        "without: every tag moves a little every second)",
    )
    p.add_argument(
        "--pa-silent", action="append", default=[], metavar="PA_ZONE", help="this PA gateway never answers"
    )
    p.add_argument(
        "--pa-fail", action="append", default=[], metavar="PA_ZONE", help="this PA gateway answers failed"
    )
    p.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    _database_arguments(p)
    return p


def _count(least: int) -> Callable[[str], int]:
    def count(text: str) -> int:
        value = int(text)
        if value < least:
            raise argparse.ArgumentTypeError(f"must be a whole number of at least {least}, got {text}")
        return value

    return count


def _share(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must lie in 0..1, got {text}")
    return value


def _positive(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a number above 0, got {text}")
    return value


def journal_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="controlroom journal",
        description="Print the alarm journal, one row per transition, oldest first. Times: ISO-8601 "
        "(2026-11-24T08:00, 2026-11-24T08:00:00+01:00; without an offset: local time) or a duration back "
        "from now (30m, 12h, 7d).",
    )
    _database_arguments(p)
    p.add_argument("--since", type=parse_time, metavar="TIME", help="transitions at or after this time")
    p.add_argument("--until", type=parse_time, metavar="TIME", help="transitions before this time")
    p.add_argument("--area", metavar="ID", help="only this operator area (zone id)")
    p.add_argument("--tier", type=int, choices=(1, 2, 3), help="only this tier (1 life, 2 high, 3 low)")
    p.add_argument("--active", action="store_true", help="only alarms whose latest state is active")
    p.add_argument("--format", choices=FORMATS, default="csv", help="csv (with a header) or jsonl")
    return p


def db_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="controlroom db",
        description="The database schema: `current` says which revision the database is at (exit 1 when it "
        "is not this console's newest); `upgrade` brings it there in place, keeping every row. The console "
        "upgrades on start too; this is for doing it by hand, e.g. before many consoles share a new version.",
    )
    p.add_argument("action", choices=("current", "upgrade"))
    _database_arguments(p)
    return p


def opcua_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="controlroom opcua",
        description="The console's OPC UA trust list. A server whose certificate is not trusted is refused "
        "and its certificate kept under rejected/ with its SHA-1 thumbprint (the refusal names it); check it "
        "with the plant's OPC UA engineer, then `trust` it.",
    )
    p.add_argument("action", choices=("trust", "rejected"), help="trust a rejected certificate, or list them")
    p.add_argument("thumbprint", nargs="?", help="SHA-1 thumbprint of the certificate to trust")
    p.add_argument("--config", type=Path, help="app config file (TOML), for its [opcua] pki_dir")
    return p


def users_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="controlroom users",
        description="User accounts and their roles. A password is asked twice at a terminal, or read from "
        "standard input when it is piped; never give it as an argument. Every change is audited.",
    )
    p.add_argument("action", choices=("add", "passwd", "roles", "disable", "enable", "list"))
    p.add_argument("name", nargs="?", help="user name (login)")
    p.add_argument("--full-name", help="the name signatures show (add)")
    p.add_argument(
        "--roles", action="append", metavar="ROLE[,ROLE]", help="roles (add, roles); repeat or comma-separate"
    )
    p.add_argument("--admin", action="store_true", help="add: the user is an administrator")
    _database_arguments(p)
    return p


def audit_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="controlroom audit",
        description="The hash-chained audit trail: `verify` recomputes the chain (exit 0 when intact, 1 naming "
        "the first entry edited, deleted or inserted); `export` prints it as CSV or JSON lines.",
    )
    p.add_argument("action", choices=("verify", "export"))
    _database_arguments(p)
    p.add_argument("--since", type=parse_time, metavar="TIME", help="export: entries at or after this time")
    p.add_argument("--until", type=parse_time, metavar="TIME", help="export: entries before this time")
    p.add_argument("--format", choices=FORMATS, default="csv", help="export: csv (with a header) or jsonl")
    return p


def report_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="controlroom report",
        description="`report shift`: the alarm-system KPIs of a shift with their targets and lights, and with "
        "--out the shift handover as a PDF, made headless from the database (a draft nobody signed; the "
        "standing alarms, permits and flags as the journal has them now). With --handover, a stored "
        "handover (signed, finalised) is written again. Times: ISO-8601 or a duration back from now (12h). "
        "`report incident ID`: the incident's summary and first response, and with --out its after-action "
        "report as a PDF (summary, first response against 90 s, the site at its declaration and close, "
        "actions, people, permits, timeline).",
    )
    p.add_argument("report", choices=("shift", "incident"))
    p.add_argument("incident", nargs="?", metavar="ID", help="incident: the incident's id (INC-...)")
    _database_arguments(p)
    p.add_argument(
        "--since", type=parse_time, metavar="TIME", help="shift: from this time (default: this shift's start)"
    )
    p.add_argument("--until", type=parse_time, metavar="TIME", help="shift: until this time (default: now)")
    p.add_argument("--out", type=Path, metavar="FILE.pdf", help="write the handover (or incident) PDF here")
    p.add_argument(
        "--outgoing", default="", metavar="USER", help="shift: the outgoing shift lead (user name)"
    )
    p.add_argument(
        "--incoming", default="", metavar="USER", help="shift: the incoming shift lead (user name)"
    )
    p.add_argument(
        "--handover", default="", metavar="ID", help="shift: a stored handover (HO-...) instead of a period"
    )
    return p


def _database_arguments(p: argparse.ArgumentParser) -> None:
    """The database a command works on: the console's (from its config, else the default SQLite) or a URL."""
    p.add_argument("--config", type=Path, help="app config file (TOML), for its database URL")
    p.add_argument("--database-url", help="SQLAlchemy URL; default: the console's (config, else SQLite)")
