"""``blocwatch serve``: the web dashboard and JSON API on the database (``blocwatch.web``)."""

from __future__ import annotations

import os

import typer

from blocwatch.cli.output import bw, say
from blocwatch.cli.root import app


@app.command("serve")
def serve_command(
    host: str = typer.Option(os.environ.get("BLOCWATCH_HOST", "127.0.0.1"), "--host",
                             help="Address to listen on [env var: BLOCWATCH_HOST]."),
    port: int = typer.Option(int(os.environ.get("BLOCWATCH_PORT", "8000")), "--port",
                             help="Port to listen on [env var: BLOCWATCH_PORT]."),
) -> None:
    """The web dashboard and its JSON API (runs until Ctrl-C)."""
    import uvicorn

    from blocwatch.web.app import create_app

    handle = bw()
    handle.engine  # noqa: B018  (fill a new database before the first request, with its messages)
    say(f"blocwatch dashboard: http://{host}:{port}/  (JSON API under /api, OpenAPI at /openapi.json; Ctrl-C stops)")
    uvicorn.run(create_app(handle, warm=True), host=host, port=port, log_level="warning")
