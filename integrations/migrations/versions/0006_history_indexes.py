"""Indexes for the alarm history (issue 16): the occurrences of a period, newest first, and their count; who
acted on alarms in a period.

An occurrence starts with an `activate` row (integrations.alarm_history); (event, ts, id) walks a period's
activations in time order without sorting, and from_state in the index lets the count of occurrence starts
read the index alone. (actor, ts) finds a person's acknowledgements and shelves of a period without reading
the whole journal (the "who acted" filter).

Revision ID: 0006_history_indexes
Revises: 0005_handover
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0006_history_indexes"
down_revision = "0005_handover"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_alarm_journal_event_ts", "alarm_journal", ["event", "ts", "id", "from_state"])
    op.create_index("ix_alarm_journal_actor_ts", "alarm_journal", ["actor", "ts"])


def downgrade() -> None:
    op.drop_index("ix_alarm_journal_actor_ts", "alarm_journal")
    op.drop_index("ix_alarm_journal_event_ts", "alarm_journal")
