"""Incidents (issue 17): one row per incident the emergency coordinator declares, as it stands (state, type,
where and how far its hazard reaches, severity, commander and safety officer, when it was declared and
closed, its objectives). Every step of an incident is also a journaled event (kind "incident") committed
with the row and the command's audit entry.

Revision ID: 0008_incidents
Revises: 0007_occurrence_link
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008_incidents"
down_revision = "0007_occurrence_link"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("zone", sa.Text(), nullable=False),
        sa.Column("x", sa.Double(), nullable=True),
        sa.Column("y", sa.Double(), nullable=True),
        sa.Column("radius_m", sa.Double(), nullable=True),
        sa.Column("severity", sa.Text(), nullable=False),
        sa.Column("commander", sa.Text(), nullable=False),
        sa.Column("safety_officer", sa.Text(), nullable=False),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("since", sa.Double(), nullable=False),
        sa.Column("declared", sa.Double(), nullable=False),
        sa.Column("closed", sa.Double(), nullable=True),
        sa.Column("objectives", _JSON, nullable=False),
        sa.Column("console", sa.Text(), nullable=False),
    )
    op.create_index("ix_incidents_state", "incidents", ["state"])


def downgrade() -> None:
    op.drop_table("incidents")
