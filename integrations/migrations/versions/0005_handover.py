"""Shift handovers (issue 16): each handover's frozen snapshot, its SHA-256, the leads' signatures and, once
finalised, when and where its PDF was written. Flags and the steps of a handover are journaled events.

Revision ID: 0005_handover
Revises: 0004_kpi_indexes
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005_handover"
down_revision = "0004_kpi_indexes"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "handovers",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("started", sa.Double(), nullable=False),
        sa.Column("since", sa.Double(), nullable=False),
        sa.Column("until", sa.Double(), nullable=False),
        sa.Column("outgoing", sa.Text(), nullable=False),
        sa.Column("incoming", sa.Text(), nullable=False),
        sa.Column("console", sa.Text(), nullable=False),
        sa.Column("snapshot", _JSON, nullable=False),
        sa.Column("sha256", sa.Text(), nullable=False),
        sa.Column("signatures", _JSON, nullable=False),
        sa.Column("finalised", sa.Double(), nullable=True),
        sa.Column("pdf", sa.Text(), nullable=False),
    )
    op.create_index("ix_handovers_started", "handovers", ["started"])


def downgrade() -> None:
    op.drop_table("handovers")
