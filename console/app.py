"""Entry point: `controlroom` runs the console, `controlroom simulate` the demo plant, `controlroom journal`
exports the alarm journal, `controlroom db` shows or upgrades the database schema, `controlroom opcua`
trusts OPC UA server certificates, `controlroom users` manages accounts, `controlroom audit` verifies and
exports the audit trail, `controlroom report shift` prints a shift's KPIs and writes its handover PDF,
`controlroom report incident` an incident's after-action report.

Each command imports what only it needs (reports, PDF writing, account and certificate tools), so that the
console itself starts without them: the first window and the first data come sooner."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from console.cli import (
    SCALE_CHANGE_RATE,
    SHIFT,
    audit_parser,
    db_parser,
    journal_parser,
    opcua_parser,
    report_parser,
    run_parser,
    simulate_parser,
    users_parser,
)
from console.config import (
    DEFAULT_MQTT_URL,
    DEFAULT_OPCUA_URL,
    DEMO_SITE,
    check_url,
    load_config,
    with_overrides,
)
from integrations.storage import StorageError
from plant_maps.toml_reader import ConfigError

if TYPE_CHECKING:
    from console.server.session import LogEntry

log = logging.getLogger("controlroom")


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    command = HANDLERS.get(args[0]) if args else None
    try:
        return command(args[1:]) if command is not None else _run(args)
    except ConfigError as exc:
        print(f"controlroom: configuration error: {exc}", file=sys.stderr)
        return 2
    except StorageError as exc:
        print(f"controlroom: {exc}", file=sys.stderr)
        return 2


def _logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
    )
    if not verbose:
        for noisy in ("asyncua", "paho", "alembic"):
            logging.getLogger(noisy).setLevel(logging.WARNING)


def _run(argv: list[str]) -> int:
    ns = run_parser().parse_args(argv)
    _logging(ns.verbose)
    config = with_overrides(
        load_config(ns.config),
        site_file=ns.site_file,
        opcua_url=ns.opcua_url,
        mqtt_url=ns.mqtt_url,
        database_url=ns.database_url,
        simulator=False if ns.no_simulator else None,
        scenario=ns.scenario,
        headless=ns.headless or None,
        run_for=ns.run_for,
        screenshot=ns.screenshot,
    )
    if config.headless:
        from console.headless import run_headless

        return run_headless(config)
    from console.window.gui import run_gui  # Qt is loaded only when there is a window

    return run_gui(config)


def _simulate(argv: list[str]) -> int:
    from integrations.simulator import run_simulator
    from plant_maps.site_file import load_site

    parser = simulate_parser()
    ns = parser.parse_args(argv)
    _logging(ns.verbose)
    if ns.scenario == SHIFT:
        return _play_shift(ns)
    if ns.speed is not None:
        parser.error("--speed goes with --scenario shift")
    if ns.scale is None and (ns.workers is not None or ns.write_site):
        parser.error("--workers and --write-site go with --scale")
    if ns.scale is not None and ns.site_file:
        parser.error("--scale generates the site: leave out --site")
    opcua_url = check_url(ns.opcua_url or DEFAULT_OPCUA_URL, ("opc.tcp",), "command line", "--opcua-url")
    mqtt_url = check_url(ns.mqtt_url or DEFAULT_MQTT_URL, ("mqtt",), "command line", "--mqtt-url")
    site_file, change_rate = ns.site_file or DEMO_SITE, ns.change_rate
    if ns.scale is not None:
        workers = ns.scale // 10 if ns.workers is None else ns.workers
        site_file = _write_scale_site(ns.scale, workers, ns.write_site)
        change_rate = SCALE_CHANGE_RATE if change_rate is None else change_rate
    site = load_site(site_file)
    faults = {zone: "silent" for zone in ns.pa_silent} | {zone: "failed" for zone in ns.pa_fail}
    for zone in faults:
        if zone not in {p.id for p in site.pa_zones}:
            raise ConfigError("command line", "--pa-silent/--pa-fail", f"no PA zone {zone!r} on the site")

    async def serve() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run_simulator(
            site, opcua_url, mqtt_url, ns.scenario, ns.topic_prefix, stop, faults, change_rate
        )

    asyncio.run(serve())
    return 0


def _write_scale_site(tags: int, workers: int, path: Path | None) -> Path:
    """`simulate --scale`: write the generated site where asked (default ./scale-N.toml) and say how a
    console reads it."""
    from integrations.simulator.plant_generator import generate_site

    path = path or Path(f"scale-{tags}.toml")
    path.write_text(generate_site(tags, workers), encoding="utf-8")
    log.info(
        "generated plant: %d tags, %d workers in %s; console: controlroom --site %s --no-simulator",
        tags,
        workers,
        path,
        path,
    )
    return path


def _play_shift(ns: argparse.Namespace) -> int:
    """`controlroom simulate --scenario shift`: the last shift of the config's pattern, into its database."""
    from console.shift_operator import ShiftRefused
    from console.shift_play import play_shift
    from integrations.storage import default_database_url
    from plant_maps.shifts import Period

    config = load_config(ns.config)
    url = ns.database_url or config.database_url or default_database_url()
    since, _ = config.shifts.period(Period.LAST_SHIFT, time.time())
    echo = _print_log_line if ns.speed is not None else None
    try:
        played = asyncio.run(
            play_shift(
                ns.site_file or config.site_file,
                url,
                since,
                console=config.console_name,
                speed=ns.speed,
                echo=echo,
            )
        )
    except ShiftRefused as exc:
        print(f"controlroom simulate: the shift stopped: {exc}", file=sys.stderr)
        return 1
    print(
        f"shift {_local(played.since)} to {_local(played.until)} played into {_shown_url(url)}: "
        f"{played.commands} operator commands, {played.wall_s:.1f} s"
    )
    return 0


def _print_log_line(entry: LogEntry) -> None:
    print(f"{_local(entry.ts)} {entry.severity:<7} {entry.source}: {entry.text}", flush=True)


def _local(ts: float) -> str:
    return datetime.fromtimestamp(ts).astimezone().isoformat(timespec="seconds")


def _shown_url(url: str) -> str:
    """The database's URL without its password (DESIGN: secrets never in a log)."""
    return sa.make_url(url).render_as_string(hide_password=True)


def _journal(argv: list[str]) -> int:
    from console.journal_report import export

    ns = _report_args(journal_parser(), argv)
    url = ns.database_url or load_config(ns.config).database_url
    return _report(
        "journal",
        lambda: export(
            url,
            sys.stdout,
            since=ns.since,
            until=ns.until,
            area=ns.area,
            tier=ns.tier,
            active=ns.active,
            fmt=ns.format,
        ),
    )


def _report_args(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """A report's arguments, with --since before --until."""
    ns = parser.parse_args(argv)
    if ns.since is not None and ns.until is not None and ns.since >= ns.until:
        parser.error("argument --until: must be later than --since")
    return ns


def _report(name: str, write: Callable[[], object]) -> int:
    """Run a report writing to standard output: 0 when written, 1 when the reader went away, 2 when the
    database cannot be read."""
    try:
        write()
        sys.stdout.flush()
    except StorageError as exc:
        print(f"controlroom {name}: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly, as the Python docs advise
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0


def _db(argv: list[str]) -> int:
    from integrations import schema
    from integrations.storage import Store, require_existing, schema_state

    ns = db_parser().parse_args(argv)
    url = ns.database_url or load_config(ns.config).database_url
    try:
        if ns.action == "current":
            found = schema_state(require_existing(url))
            print(schema.describe(found))
            return 0 if found.up_to_date else 1
        store = Store(url)
        store.close()
    except StorageError as exc:
        print(f"controlroom db: {exc}", file=sys.stderr)
        return 2
    print(schema.outcome(store.schema_found))
    return 0


def _opcua(argv: list[str]) -> int:
    from integrations.opcua_security import TrustList, pki_folder

    parser = opcua_parser()
    ns = parser.parse_args(argv)
    trust = TrustList(pki_folder(load_config(ns.config).opcua_security.pki_dir))
    if ns.action == "rejected":
        for thumb in trust.rejected():
            print(thumb)
        return 0
    if not ns.thumbprint:
        parser.error("trust needs the THUMBPRINT the refusal named")
    try:
        path = trust.trust(ns.thumbprint)
    except ValueError as exc:
        print(f"controlroom opcua: {exc}", file=sys.stderr)
        return 1
    print(f"trusted {path}; the console connects at its next attempt")
    return 0


def _users(argv: list[str]) -> int:
    from console import user_admin
    from integrations.users import AccountError

    ns = users_parser().parse_args(argv)
    config = load_config(ns.config)
    try:
        return user_admin.run(ns, ns.database_url or config.database_url, config.console_name)
    except AccountError as exc:
        print(f"controlroom users: {exc}", file=sys.stderr)
        return 1


def _audit(argv: list[str]) -> int:
    from console import audit_report

    ns = _report_args(audit_parser(), argv)
    url = ns.database_url or load_config(ns.config).database_url
    if ns.action == "export":
        return _report("audit", lambda: audit_report.export(url, sys.stdout, ns.since, ns.until, ns.format))
    try:
        verdict = audit_report.check(url)
    except StorageError as exc:
        print(f"controlroom audit: {exc}", file=sys.stderr)
        return 2
    print(audit_report.describe(verdict))
    return 0 if verdict.intact else 1


def _report_shift(argv: list[str]) -> int:
    from console import incident_summary, shift_report
    from console.server.handover_pdf import write_pdf
    from console.server.incident_pdf import write_pdf as write_incident_pdf
    from console.server.pdf_parts import FontMissing

    parser = report_parser()
    ns = _report_args(parser, argv)
    config = load_config(ns.config)
    url = ns.database_url or config.database_url
    if ns.report == "incident" and not ns.incident:
        parser.error("report incident needs the incident's ID")
    if ns.report == "shift" and ns.incident:
        parser.error(f"report shift takes no ID (got {ns.incident!r})")
    asked = shift_report.ShiftReport(ns.since, ns.until, ns.outgoing, ns.incoming, ns.handover)

    def write() -> None:
        if ns.report == "incident":
            incident = incident_summary.make(config, url, ns.incident)
            incident_summary.print_summary(incident, sys.stdout)
            if ns.out is not None:
                write_incident_pdf(incident, ns.out)
                print(f"PDF: {ns.out}")
            return
        handover = shift_report.make(config, url, asked)
        shift_report.print_kpis(handover, sys.stdout)
        if ns.out is not None:
            write_pdf(handover, ns.out)
            print(f"PDF: {ns.out}")

    try:
        return _report("report", write)
    except (FontMissing, OSError) as exc:
        print(f"controlroom report: the PDF was not written: {exc}", file=sys.stderr)
        return 2


# The commands `controlroom --help` lists (console.cli.COMMANDS), by name; anything else runs the console.
HANDLERS: dict[str, Callable[[list[str]], int]] = {
    "simulate": _simulate,
    "journal": _journal,
    "db": _db,
    "opcua": _opcua,
    "users": _users,
    "audit": _audit,
    "report": _report_shift,
}
