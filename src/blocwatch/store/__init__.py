"""Storage: SQLAlchemy models, engine set-up, migrations, provenance.

Imports no domain code; the API layer passes the bundled loaders to
:func:`connect` (see :mod:`blocwatch.api.bundled`).
"""

from blocwatch.store.db import Loader, connect, default_url, session_scope  # noqa: F401
