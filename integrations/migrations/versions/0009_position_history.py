"""Map replay (issue 17): the workers' positions as they were, decimated; and each permit's history found by
permit.

`position_history` keeps a worker's fix when they moved more than a metre since their last stored fix or
5 s have passed (integrations.position_history): a day of 2,000 workers stays small. Its key,
(worker, ts), finds a worker's last fix at or before any moment with one seek backwards, and a worker's
fixes of a short stretch with one range scan; on SQLite the table is stored in that key's order (WITHOUT
ROWID: no second copy of the key in an index, a third fewer bytes), and a fix repeated at the same time is
stored once. On PostgreSQL a BRIN on ts (a few kB a day, as rows come in time order) reads a second of
everyone's fixes (a replay's next frame) in one range scan; SQLite has no BRIN and probes each worker fast
enough, so there `ix_position_history_ts` is an empty partial index.

(kind, source, ts) on the event journal finds a permit's latest change at or before a moment without
reading the other kinds.

Revision ID: 0009_position_history
Revises: 0008_incidents
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_position_history"
down_revision = "0008_incidents"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "position_history",
        sa.Column("worker", sa.Text(), nullable=False),
        sa.Column("ts", sa.Double(), nullable=False),
        sa.Column("x", sa.REAL(), nullable=False),
        sa.Column("y", sa.REAL(), nullable=False),
        sa.Column("floor", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("worker", "ts"),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_position_history_ts",
        "position_history",
        ["ts"],
        postgresql_using="brin",
        sqlite_where=sa.text("0"),
    )
    op.create_index("ix_event_journal_kind_source_ts", "event_journal", ["kind", "source", "ts"])


def downgrade() -> None:
    op.drop_index("ix_event_journal_kind_source_ts", "event_journal")
    op.drop_table("position_history")
