"""Alembic environment: runs on the connection crmbridge hands over, never from an ini."""

from alembic import context

from crmbridge.state.migrate import VERSION_TABLE

connection = context.config.attributes["connection"]
context.configure(connection=connection, version_table=VERSION_TABLE, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
