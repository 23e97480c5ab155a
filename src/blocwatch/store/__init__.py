"""Storage: which database (:mod:`.urls`), opening it and migrations (:mod:`.db`), models, provenance.

Imports no domain code; the API layer passes the bundled loaders to
:func:`blocwatch.store.db.connect` (see :mod:`blocwatch.api.bundled`). This
package imports nothing itself, so checking a URL never loads SQLAlchemy.
"""
