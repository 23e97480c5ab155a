"""Storage: SQLAlchemy models, engine set-up, migrations and bundled-data loading."""

from blocwatch.store.db import connect, default_url, session_scope  # noqa: F401
