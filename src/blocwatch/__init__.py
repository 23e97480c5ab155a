"""blocwatch: how UN member states line up on human-rights situations.

The public Python API is :func:`open`, which returns a :class:`Blocwatch`
object (see :mod:`blocwatch.api`); the CLI and the web app are thin layers
over it. Errors a user can cause are in :mod:`blocwatch.errors`.
"""

from blocwatch.api import Blocwatch, open  # noqa: A004

__version__ = "0.1.0"
__all__ = ["Blocwatch", "__version__", "open"]
