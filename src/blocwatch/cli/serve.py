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
    workers: int = typer.Option(1, "--workers", min=1, max=64,
                                help="Server processes (each with its own connections; for a team server on "
                                     "PostgreSQL, or SQLite with its file lock)."),
) -> None:
    """The web dashboard and its JSON API (runs until Ctrl-C)."""
    import uvicorn

    from blocwatch.web.app import create_app

    handle = bw()
    handle.engine  # noqa: B018  (fill a new database before the first request, with its messages)
    say(f"blocwatch dashboard: http://{host}:{port}/  (JSON API under /api, OpenAPI at /openapi.json; Ctrl-C stops)"
        + (f"; {workers} processes" if workers > 1 else ""))
    if workers == 1:
        uvicorn.run(create_app(handle, warm=True), host=host, port=port, log_level="warning")
        return
    # Several processes: each opens the database itself (the URL travels in the environment).
    os.environ[WORKER_DB] = handle.url
    handle.close()
    uvicorn.run("blocwatch.cli.serve:worker_app", factory=True, host=host, port=port, workers=workers,
                log_level="warning")


WORKER_DB = "BLOCWATCH_WORKER_DB"


def worker_app():
    """The app of one of several server processes (``serve --workers N``): no background warm-up, which every
    process would otherwise repeat; the first request of a kind computes it."""
    from blocwatch.api import Blocwatch
    from blocwatch.web.app import create_app

    return create_app(Blocwatch(os.environ[WORKER_DB]))
