"""blocwatch: how UN member states line up on human-rights situations.

The public Python API; the CLI and the web app are thin layers over it.
"""

__version__ = "0.1.0"
