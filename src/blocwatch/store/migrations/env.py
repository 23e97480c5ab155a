"""Alembic environment: runs on the engine handed over by blocwatch.store.db."""

from alembic import context

from blocwatch.store.models import Base

config = context.config
engine = config.attributes.get("engine")
if engine is None:  # run from the alembic command line
    from blocwatch.store.db import make_engine

    engine = make_engine(config.get_main_option("sqlalchemy.url") or None)

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    context.run_migrations()
