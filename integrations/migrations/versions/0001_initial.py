"""The schema as the first wave left it: tag history, the event journal and the alarm journal.

A database made before migrations existed (no alembic_version table) already has some or all of these
tables, with their rows: they are kept as they are and only the missing ones are created, so such a
database becomes this revision without losing a row. Written out in full rather than from
`storage.metadata`, so that this revision stays what it was when later ones change the tables.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite autoincrements INTEGER PRIMARY KEY only
_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "tag_history" not in existing:
        _tag_history()
    if "event_journal" not in existing:
        _event_journal()
    if "alarm_journal" not in existing:
        _alarm_journal()


def _tag_history() -> None:
    op.create_table(
        "tag_history",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("tag", sa.Text(), nullable=False),
        sa.Column("ts", sa.Double(), nullable=False),
        sa.Column("value", sa.Double(), nullable=True),
        sa.Column("quality", sa.SmallInteger(), nullable=False),
    )
    op.create_index("ix_tag_history_tag_ts", "tag_history", ["tag", "ts"])


def _event_journal() -> None:
    op.create_table(
        "event_journal",
        sa.Column("seq", _ID, primary_key=True, autoincrement=True),
        sa.Column("ts", sa.Double(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("console", sa.Text(), nullable=False),
        sa.Column("payload", _JSON, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_event_journal_ts", "event_journal", ["ts"])


def _alarm_journal() -> None:
    op.create_table(
        "alarm_journal",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("ts", sa.Double(), nullable=False),
        sa.Column("alarm_id", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("tier", sa.SmallInteger(), nullable=False),
        sa.Column("priority", sa.SmallInteger(), nullable=False),
        sa.Column("area", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("event", sa.Text(), nullable=False),
        sa.Column("from_state", sa.Text(), nullable=False),
        sa.Column("to_state", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("acked", sa.Boolean(), nullable=False),
        sa.Column("value", sa.Double(), nullable=True),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("console", sa.Text(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("annunciate", sa.Boolean(), nullable=False),
        sa.Column("first_out", sa.Boolean(), nullable=False),
        sa.Column("chattering", sa.Boolean(), nullable=False),
        sa.Column("flood", sa.Boolean(), nullable=False),
        sa.Column("group_id", sa.Text(), nullable=True),
        sa.Column("shelve_until", sa.Double(), nullable=True),
        sa.Column("shelve_one_shot", sa.Boolean(), nullable=False),
        sa.Column("response_s", sa.Double(), nullable=True),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_alarm_journal_seq", "alarm_journal", ["seq"])
    op.create_index("ix_alarm_journal_ts", "alarm_journal", ["ts"])
    op.create_index("ix_alarm_journal_alarm_id_id", "alarm_journal", ["alarm_id", "id"])


def downgrade() -> None:
    op.drop_table("alarm_journal")
    op.drop_table("event_journal")
    op.drop_table("tag_history")
