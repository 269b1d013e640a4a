"""Alembic's environment: runs the revisions on the connection that `integrations.schema` hands over.

The console never reads an alembic.ini: `integrations.schema.upgrade` builds the Config in code and puts
its open connection in `config.attributes["connection"]`, so the upgrade runs in the store's own engine
and transaction. `render_as_batch` lets later revisions alter tables on SQLite (which has a limited ALTER
TABLE) with the same code as on PostgreSQL.
"""

from alembic import context

from integrations.storage import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
