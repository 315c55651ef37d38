"""Alembic runs the portal's migrations on the connection it is handed (see impactrank.portal.db.upgrade)."""

from alembic import context

from impactrank.portal.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
