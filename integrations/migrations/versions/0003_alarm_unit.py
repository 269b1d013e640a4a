"""The unit of each alarm transition's value (issue 15): a journaled 2.237 is seconds for a time to threshold
and %LEL for a gas limit, so the journal keeps which, as the alarm's definition gave it.

Rows journaled before this revision keep an empty unit: their alarms' definitions then were not recorded.

Revision ID: 0003_alarm_unit
Revises: 0002_users_audit
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_alarm_unit"
down_revision = "0002_users_audit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alarm_journal") as table:
        table.add_column(sa.Column("unit", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("alarm_journal") as table:
        table.drop_column("unit")
