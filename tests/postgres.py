"""A throwaway PostgreSQL server for the tests (``make test-postgres``) and for trying blocwatch on PostgreSQL.

:func:`start` runs ``initdb`` into a new temporary folder, starts the server
with ``pg_ctl`` on a free port of 127.0.0.1 (its socket in that folder too,
so nothing outside it is touched) and returns a :class:`Server` whose
:attr:`~Server.url` is ``postgresql://blocwatch@127.0.0.1:PORT/postgres`` (trust
authentication, local only); :meth:`Server.stop` stops it and removes the
folder. The server runs without fsync: it is for tests only.

The binaries are looked for on ``PATH`` and in ``/usr/lib/postgresql/*/bin``
(Debian's ``postgresql`` package puts them there); ``BLOCWATCH_PG_BIN``
names another folder. PostgreSQL refuses to run as root: as root, the
server runs as the ``postgres`` user when there is one (Debian's package
creates it), else as ``nobody``.

Run it by hand to get a server until Ctrl-C::

    .venv/bin/python tests/postgres.py
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

SUPERUSER = "blocwatch"
BIN_VAR = "BLOCWATCH_PG_BIN"
# Settings for a disposable test server: no durability, nothing listening beyond loopback.
SETTINGS = {"listen_addresses": "127.0.0.1", "fsync": "off", "synchronous_commit": "off",
            "full_page_writes": "off", "max_connections": "200", "log_min_messages": "warning"}


class NoPostgres(RuntimeError):
    """No PostgreSQL server can be started here (the message says why and what to install)."""


def find_bin() -> Path:
    """The folder holding ``initdb``, ``pg_ctl`` and ``postgres``; raises :class:`NoPostgres`."""
    candidates: list[Path] = []
    if os.environ.get(BIN_VAR):
        candidates.append(Path(os.environ[BIN_VAR]))
    found = shutil.which("pg_ctl")
    if found:
        candidates.append(Path(found).resolve().parent)
        candidates.append(Path(found).parent)

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(x) for x in re.findall(r"\d+", path.parent.name)) or (0,)

    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version, reverse=True)
    for folder in candidates:
        if all((folder / name).is_file() and os.access(folder / name, os.X_OK)
               for name in ("initdb", "pg_ctl", "postgres")):
            return folder
    raise NoPostgres("no PostgreSQL server binaries (initdb, pg_ctl, postgres) on PATH, in /usr/lib/postgresql/*/bin "
                     f"or in ${BIN_VAR}: install Debian's postgresql package (apt-get install postgresql)")


def _run_as() -> pwd.struct_passwd | None:
    """The account to run the server as: None (ourselves) unless we are root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise NoPostgres("running as root, and there is neither a postgres nor a nobody account to run PostgreSQL as "
                     "(initdb refuses root)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A running throwaway server: ``url`` reaches its ``postgres`` database as the superuser."""

    folder: Path
    port: int
    bin: Path
    user: pwd.struct_passwd | None = field(repr=False)

    @property
    def url(self) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        kwargs: dict = {}
        if self.user is not None:
            kwargs = {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": []}
        return subprocess.run([str(a) for a in args], capture_output=True, text=True, check=check,
                              cwd=self.folder, env={**os.environ, "LC_ALL": "C"}, **kwargs)

    def stop(self) -> None:
        """Stop the server (immediately: nothing in it is kept) and remove its folder."""
        try:
            if (self.folder / "data" / "postmaster.pid").exists():
                self._run(self.bin / "pg_ctl", "stop", "-D", self.folder / "data", "-m", "immediate", "-w",
                          check=False)
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def start(attempts: int = 3) -> Server:
    """initdb into a new temporary folder and start a server on a free local port (see the module doc)."""
    bin_dir = find_bin()
    user = _run_as()
    folder = Path(tempfile.mkdtemp(prefix="blocwatch-pg-"))
    if user is not None:
        os.chown(folder, user.pw_uid, user.pw_gid)
    server = Server(folder, 0, bin_dir, user)
    try:
        done = server._run(bin_dir / "initdb", "-D", folder / "data", "-U", SUPERUSER, "--auth=trust",
                           "-E", "UTF8", "--locale=C", "-N", check=False)
        if done.returncode:
            raise NoPostgres(f"initdb failed: {(done.stderr or done.stdout).strip()[-500:]}")
        for _ in range(attempts):
            server.port = free_port()
            options = " ".join([f"-p {server.port}", f"-k {folder}", *(f"-c {k}={v}" for k, v in SETTINGS.items())])
            done = server._run(bin_dir / "pg_ctl", "start", "-D", folder / "data", "-l", folder / "server.log",
                               "-w", "-t", "60", "-o", options, check=False)
            if done.returncode == 0:
                return server
            time.sleep(0.2)  # most likely the port was taken in between: try another
        log = (folder / "server.log").read_text(errors="replace")[-1000:] if (folder / "server.log").exists() else ""
        raise NoPostgres(f"pg_ctl could not start the server: {done.stderr.strip()} {log}".strip())
    except BaseException:
        server.stop()
        raise


# ---------------------------------------------------------------- databases on a server

def _admin(admin_url: str):
    import psycopg

    return psycopg.connect(admin_url, autocommit=True)


def database_url(admin_url: str, name: str) -> str:
    """``admin_url`` with its database replaced by ``name``."""
    return admin_url.rsplit("/", 1)[0] + "/" + name


def create_database(admin_url: str, name: str, template: str | None = None) -> str:
    """Create database ``name`` (a copy of ``template``, or empty) and return its URL."""
    from psycopg import sql

    statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    with _admin(admin_url) as conn:
        if template:
            statement = sql.SQL("{} TEMPLATE {}").format(statement, sql.Identifier(template))
            if conn.info.server_version >= 150000:  # copying the files is twice as fast as WAL_LOG here
                statement = sql.SQL("{} STRATEGY FILE_COPY").format(statement)
        for attempt in range(20):
            try:
                conn.execute(statement)
                break
            except Exception as exc:  # the template is briefly in use by another CREATE DATABASE
                if "is being accessed by other users" not in str(exc) or attempt == 19:
                    raise
                time.sleep(0.1)
    return database_url(admin_url, name)


def drop_database(admin_url: str, name: str) -> None:
    """Drop database ``name`` if it exists, ending any connection still open on it."""
    from psycopg import sql

    with _admin(admin_url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def drop_databases(admin_url: str, prefix: str) -> None:
    """Drop every database whose name starts with ``prefix``."""
    with _admin(admin_url) as conn:
        names = [r[0] for r in conn.execute("SELECT datname FROM pg_database WHERE starts_with(datname, %s)",
                                            (prefix,))]
    for name in names:
        drop_database(admin_url, name)


if __name__ == "__main__":
    server = start()
    print(f"PostgreSQL is listening: {server.url} (its files in {server.folder}); Ctrl-C stops it", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
