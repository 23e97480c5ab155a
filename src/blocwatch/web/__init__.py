"""The web dashboard and its JSON API: a thin layer over :func:`blocwatch.open`, like the CLI.

:func:`blocwatch.web.app.create_app` builds the FastAPI application around one
:class:`~blocwatch.api.core.Blocwatch` object (which owns the database and the
caches). Pages are rendered on the server with Jinja2 and work without
JavaScript; each page's data is also at the same path under ``/api/`` as the
JSON the CLI prints with ``--json``. Charts and maps are Vega-Lite specs built
with Altair (:mod:`blocwatch.web.charts`), drawn in the browser by the
JavaScript bundle that ``vl-convert-python`` ships (served by the app itself:
no request leaves the machine) and available as SVG and PNG.
"""
