"""The store's schema, kept current by Alembic: upgraded in place whenever a store opens.

Every schema change is a revision in `integrations/migrations/versions/`. A database made before migrations
existed has the tables of the first revision and no `alembic_version` table; the first revision keeps
them with their rows (creating only what is missing), then the later ones apply. A database at a revision this console does not know (a
newer console upgraded it) is refused with both revisions named, never touched.

On PostgreSQL the upgrade holds a transaction-scoped advisory lock, so that consoles starting together on
one shared database upgrade it once, one after the other.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
LEGACY_TABLES = frozenset({"tag_history", "event_journal", "alarm_journal"})  # what 0001 creates
_UPGRADE_LOCK = 0x636F6E74726F6C  # any constant shared by every console: pg_advisory_xact_lock's key


class SchemaError(RuntimeError):
    """The database's schema cannot be brought to this console's revision; the message says why."""


@dataclass(frozen=True, slots=True)
class SchemaState:
    current: str | None  # None: an empty database, or one made before migrations
    head: str
    legacy: bool = False  # made before migrations: the first revision's tables, no revision recorded

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


@cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def _config(connection: sa.Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head() -> str:
    """The newest revision this console knows."""
    heads = _scripts().get_heads()
    if len(heads) != 1:
        raise SchemaError(f"the migrations have {len(heads)} heads ({', '.join(heads)}): merge them")
    return heads[0]


def state(connection: sa.Connection) -> SchemaState:
    """Where the database stands against this console's head revision."""
    current = MigrationContext.configure(connection).get_current_revision()
    legacy = current is None and bool(LEGACY_TABLES & set(sa.inspect(connection).get_table_names()))
    return SchemaState(current, head(), legacy)


def describe(found: SchemaState) -> str:
    """One line for `controlroom db current` and the log."""
    if found.up_to_date:
        return f"{found.current} (head): up to date"
    if found.legacy:
        return f"made before schema migrations; opening it upgrades it in place to {found.head}, keeping its rows"
    if found.current is None:
        return f"empty; opening it creates the schema at revision {found.head}"
    if not known(found.current):
        return f"{found.current}: unknown to this console, whose newest revision is {found.head}"
    return f"{found.current}; this console's head is {found.head}: opening it upgrades it in place"


def known(revision: str) -> bool:
    return revision in {s.revision for s in _scripts().walk_revisions()}


def upgrade(engine: sa.Engine) -> SchemaState:
    """Bring the database to the head revision (creating it when empty); returns the state it was found in.

    One transaction: on PostgreSQL the whole upgrade commits or none of it does. Says in the log what it
    did, since an upgrade in place is something the plant's IT wants to see.
    """
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _UPGRADE_LOCK})
        found = state(conn)
        if found.up_to_date:
            return found
        if found.current is not None and not known(found.current):
            raise SchemaError(
                f"the database is at schema revision {found.current}, which this console does not know "
                f"(its newest is {found.head}): it was upgraded by a newer console"
            )
        command.upgrade(_config(conn), "head")
    log.info("database schema %s", outcome(found))
    return found


def outcome(found: SchemaState) -> str:
    """What `upgrade` did to a database it found in this state."""
    if found.up_to_date:
        return f"already at the head revision {found.head}"
    if found.legacy:
        return f"made before schema migrations: upgraded in place to {found.head}, every row kept"
    if found.current is None:
        return f"created at revision {found.head}"
    return f"upgraded in place from revision {found.current} to {found.head}"
