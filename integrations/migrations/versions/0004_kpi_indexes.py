"""Indexes for the alarm-system KPIs (issue 16): a month of journal (1,000,000 transitions) reported in
seconds, not tens of seconds (figures in benchmarks/kpis.py).

- `ix_alarm_journal_raised`: the alarms raised (activations leaving normal, returned-unacknowledged or
  latched), by time, with what the load, bad-actor, priority and heat-map figures group by: a third of the
  rows, read without touching the table.
- `ix_alarm_journal_alarm_ts`: each alarm's transitions in time order, with what the chattering, fleeting,
  response and end-of-period figures read: their window functions walk it in order instead of sorting.

Revision ID: 0004_kpi_indexes
Revises: 0003_alarm_unit
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_kpi_indexes"
down_revision = "0003_alarm_unit"
branch_labels = None
depends_on = None

_RAISED = "event = 'activate' AND from_state IN ('normal', 'rtn_unack', 'latched')"


def upgrade() -> None:
    op.create_index(
        "ix_alarm_journal_raised",
        "alarm_journal",
        ["ts", "alarm_id", "area", "priority", "event", "from_state"],
        sqlite_where=sa.text(_RAISED),
        postgresql_where=sa.text(_RAISED),
    )
    op.create_index(
        "ix_alarm_journal_alarm_ts", "alarm_journal", ["alarm_id", "ts", "id", "event", "from_state", "area"]
    )


def downgrade() -> None:
    op.drop_index("ix_alarm_journal_alarm_ts", "alarm_journal")
    op.drop_index("ix_alarm_journal_raised", "alarm_journal")
