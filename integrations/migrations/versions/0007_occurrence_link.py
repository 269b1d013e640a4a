"""The occurrence link (issue 16): every alarm transition carries `raised_ts`, when the occurrence it belongs
to was raised, as Ignition's alarm journal links an event's transitions by its event id. The KPIs then pair
an acknowledgement with its raise by reading one row, instead of walking each alarm's rows in order.

Rows journaled before this revision are linked here, in SQL, by the rule the engine follows
(`alarms.states.occurrence_raised`): each alarm's rows in commit order (id) fall into runs that begin at an
activation raising an occurrence (from normal, returned-unacknowledged or latched) or at any other row
from normal (a shelve of a normal alarm: outside any occurrence); a run that begins with a raise carries
its time, any other stays NULL. The links go through a temporary table keyed by id, so that the
UPDATE is a lookup per row on SQLite (>= 3.25, no UPDATE ... FROM before 3.33) and PostgreSQL alike.

Indexes, for SQLite's planner as much as for the reads: it has no statistics, and since 0006 it read the
raises through `ix_alarm_journal_event_ts` (an equality on event) and the table, twice as slow as from their
own covering index. Both KPI indexes now lead with event, so that the covering one wins:
- `ix_alarm_journal_raised` again, event first (the raises by time, with what the load, bad-actor, priority
  and heat-map figures group by);
- `ix_alarm_journal_answers`: the acknowledgements, shelves, removals from service and clears by the
  occurrence they answer, with what the times to acknowledge and to first response and the fleeting alarms
  read of them.

Revision ID: 0007_occurrence_link
Revises: 0006_history_indexes
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_occurrence_link"
down_revision = "0006_history_indexes"
branch_labels = None
depends_on = None

_RAISES = "event = 'activate' AND from_state IN ('normal', 'rtn_unack', 'latched')"
_ANSWERS = "event IN ('acknowledge', 'shelve', 'remove_from_service', 'clear')"
_LINKS = f"""
INSERT INTO occurrence_link (id, raised_ts)
SELECT id, raised_ts FROM (
    SELECT id, MAX(raise_ts) OVER (PARTITION BY alarm_id, run) AS raised_ts
    FROM (
        SELECT
            id,
            alarm_id,
            CASE WHEN {_RAISES} THEN ts END AS raise_ts,
            SUM(CASE WHEN ({_RAISES}) OR from_state = 'normal' THEN 1 ELSE 0 END)
                OVER (PARTITION BY alarm_id ORDER BY id ROWS UNBOUNDED PRECEDING) AS run
        FROM alarm_journal
    ) AS runs
) AS linked
WHERE raised_ts IS NOT NULL
"""
_UPDATE = """
UPDATE alarm_journal
SET raised_ts = (SELECT l.raised_ts FROM occurrence_link AS l WHERE l.id = alarm_journal.id)
WHERE id IN (SELECT id FROM occurrence_link)
"""


def upgrade() -> None:
    with op.batch_alter_table("alarm_journal") as table:
        table.add_column(sa.Column("raised_ts", sa.Double(), nullable=True))
    links = sa.Table(
        "occurrence_link",
        sa.MetaData(),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("raised_ts", sa.Double(), nullable=False),
        prefixes=["TEMPORARY"],
    )
    connection = op.get_bind()
    links.create(connection)
    op.execute(_LINKS)
    op.execute(_UPDATE)
    links.drop(connection)
    op.drop_index("ix_alarm_journal_raised", "alarm_journal")
    _partial_index(
        "ix_alarm_journal_raised", ["event", "ts", "alarm_id", "area", "priority", "from_state"], _RAISES
    )
    _partial_index("ix_alarm_journal_answers", ["event", "raised_ts", "alarm_id", "ts", "area"], _ANSWERS)


def downgrade() -> None:
    op.drop_index("ix_alarm_journal_answers", "alarm_journal")
    op.drop_index("ix_alarm_journal_raised", "alarm_journal")
    _partial_index(
        "ix_alarm_journal_raised", ["ts", "alarm_id", "area", "priority", "event", "from_state"], _RAISES
    )
    with op.batch_alter_table("alarm_journal") as table:
        table.drop_column("raised_ts")


def _partial_index(name: str, columns: list[str], where: str) -> None:
    op.create_index(
        name, "alarm_journal", columns, sqlite_where=sa.text(where), postgresql_where=sa.text(where)
    )
