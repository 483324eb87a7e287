"""Alembic environment: runs on the engine the service hands over (see ``db.Database``)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from satark.service.models import Base

config = context.config
engine: Engine = config.attributes["engine"]

with engine.connect() as connection:
    # Keep the version table in the schema the tables go to (the first on the search
    # path), so installs in separate schemas of one database don't read each other's.
    schema = connection.exec_driver_sql("SELECT current_schema()").scalar() \
        if connection.dialect.name == "postgresql" else None
    context.configure(
        connection=connection,
        version_table_schema=schema,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
