"""Whole databases: copy one to another (SQLite and PostgreSQL, either way), back up to a file and restore it.

Both are lossless: every row of every table of the schema is carried over
with its exact values. JSON cells are carried as the text stored (a SQL
NULL and a JSON ``null`` stay apart), dates and times as such, binary cells
as bytes. Rows are read in primary-key order (byte order for text, the same
on both backends) inside one read transaction, so the source is seen as of
one moment.

The destination's schema is made by the migrations (Alembic), then every
table's rows are written in dependency order in one transaction, with the
foreign keys checked once at the end (:mod:`blocwatch.store.bulk` on
PostgreSQL, ``defer_foreign_keys`` on SQLite); on PostgreSQL each
``SERIAL`` sequence is then set past the highest id copied, so new rows get
new ids. A destination that holds rows is refused (one line, nothing
written) unless ``replace``: its rows are then deleted in the same
transaction.

The backup file (:func:`backup`) is gzip-compressed JSON lines: a header
(format, format version, schema revision, every table and its columns),
then per table a line naming it and one JSON array per row, then a trailer
with the rows per table and the SHA-256 of every line before it. The same
data always gives the same bytes (no dates in the file, a fixed gzip
header), so backing up a restored database reproduces the file.
:func:`restore` reads the whole file once to check it (format, schema
revision, checksum, columns, row lengths) before it writes anything.

This module imports no domain code.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Date,
    DateTime,
    Engine,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    cast,
    func,
    insert,
    inspect,
    select,
)

from blocwatch.errors import DatabaseRefused, ImportFailed, SchemaMismatch
from blocwatch.store.bulk import copy_rows

FORMAT = "blocwatch-backup"
FORMAT_VERSION = 1
READ_BATCH = 20_000  # rows fetched at a time
WRITE_BATCH = 20_000  # rows per executemany on SQLite

Progress = Callable[[str, int], None]  # (table, rows done so far in it)


@dataclass
class Copied:
    """What was copied: rows per table, in the order written."""

    schema_revision: str
    tables: dict[str, int] = field(default_factory=dict)
    replaced: bool = False

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


# ---------------------------------------------------------------- the tables and their cells

def tables() -> list[Table]:
    """Every table of the schema in dependency order (a table after those it refers to); not alembic_version."""
    from blocwatch.store.models import Base

    return list(Base.metadata.sorted_tables)


def _key(table: Table) -> list[Column]:
    return list(table.primary_key.columns) or list(table.columns)


def _is_json(column: Column) -> bool:
    return isinstance(column.type, JSON)


def _read(conn: Connection, table: Table, batch: int = READ_BATCH) -> Iterator[list[tuple]]:
    """The rows of ``table`` in primary-key order (text in byte order on both backends), in batches; JSON
    cells as the text stored."""
    postgres = conn.dialect.name == "postgresql"
    columns = [cast(c, Text).label(c.name) if _is_json(c) else c for c in table.columns]
    order = [c.collate("C") if postgres and isinstance(c.type, String) else c for c in _key(table)]
    result = conn.execute(select(*columns).order_by(*order), execution_options={"yield_per": batch})
    for part in result.partitions(batch):
        yield [tuple(row) for row in part]


def _writable(table: Table) -> Table:
    """``table`` with its JSON columns as text (the stored JSON text is written as it is)."""
    return Table(table.name, MetaData(), *[Column(c.name, Text() if _is_json(c) else c.type) for c in table.columns])


def _write(conn: Connection, table: Table, rows: list[tuple]) -> None:
    """Insert ``rows`` (cells in column order, JSON as text) into ``table``: COPY on PostgreSQL."""
    if not rows:
        return
    names = [c.name for c in table.columns]
    if conn.dialect.name == "postgresql":
        copy_rows(conn, table.name, names, rows)
        return
    # SQLite: the driver's executemany on the compiled INSERT, each cell through its type's bind processor (dates
    # to text, booleans to 0/1): SQLAlchemy's own per-row handling would cost more than the insert.
    target = _writable(table)
    compiled = insert(target).compile(dialect=conn.dialect, column_keys=names)
    order = [names.index(n) for n in compiled.positiontup or ()] if compiled.positional else list(range(len(names)))
    processors = [target.c[names[i]].type.dialect_impl(conn.dialect).bind_processor(conn.dialect) for i in order]
    if order == list(range(len(names))) and all(p is None for p in processors):
        converted = rows  # plain numbers and text: as they are
    else:
        converted = [tuple(v if p is None or v is None else p(v) for p, v in zip(processors, (row[i] for i in order),
                                                                                   strict=True)) for row in rows]
    if not compiled.positional:
        keys = [names[i] for i in order]
        conn.exec_driver_sql(compiled.string, [dict(zip(keys, r, strict=True)) for r in converted])
        return
    conn.exec_driver_sql(compiled.string, converted)


# ---------------------------------------------------------------- checks on both ends

def _where(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _open(url: str, what: str, *, must_exist: bool) -> Engine:
    from blocwatch.store.db import make_engine
    from blocwatch.store.urls import normalise_url, sqlite_file

    checked = normalise_url(url)
    if must_exist and checked.startswith("sqlite"):
        path = sqlite_file(checked)
        if path is None or not path.is_file():
            raise DatabaseRefused(f"{what} {url}: no such database file")
    return make_engine(checked)


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows in each of the schema's tables that exist in the database (no tables: empty)."""
    present = set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in tables() if t.name in present}


def check_source(engine: Engine, what: str = "the source") -> str:
    """The schema revision of a blocwatch database to read from; refused unless it is at the current one."""
    from blocwatch.store.db import SCHEMA_REVISION, _revisions, refuse_foreign, schema_mismatch

    refuse_foreign(engine)
    current, _heads, _known = _revisions(engine)
    if not current:
        raise DatabaseRefused(f"{what} {_where(engine)}: holds no blocwatch database (no schema)")
    if current != {SCHEMA_REVISION}:
        raise DatabaseRefused(f"{what} {_where(engine)} has schema revision {', '.join(sorted(current))}, not "
                             f"{SCHEMA_REVISION}: open it once with this version of blocwatch (which upgrades it), "
                             "then try again")
    problem = schema_mismatch(engine)
    if problem:
        raise SchemaMismatch(f"{what} {_where(engine)} does not match this version of blocwatch ({problem})")
    return SCHEMA_REVISION


def check_target(engine: Engine, what: str, *, replace: bool) -> bool:
    """Refuse (:class:`DatabaseRefused`, nothing written) a target that is not blocwatch's, or holds rows unless
    ``replace``; return whether it holds rows (to be replaced)."""
    from blocwatch.store.db import refuse_foreign

    refuse_foreign(engine)
    counts = row_counts(engine)
    full = {name: n for name, n in counts.items() if n}
    if full and not replace:
        shown = ", ".join(f"{name} {n:,}" for name, n in list(full.items())[:3])
        raise DatabaseRefused(f"{what} {_where(engine)} is not empty ({shown}{', ...' if len(full) > 3 else ''} "
                              "rows); nothing was written: give an empty database, or add --replace to overwrite it")
    return bool(full)


def _prepare_target(engine: Engine) -> None:
    """The schema at the current revision (migrations), and a schema that matches the models."""
    from blocwatch.store.db import _mismatch_error, schema_mismatch, upgrade

    upgrade(engine)
    problem = schema_mismatch(engine)
    if problem:
        raise _mismatch_error(engine, problem)


def _begin_bulk(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")  # checked at commit: rows may refer forward


def _empty_tables(conn: Connection) -> None:
    """Delete every row of every table (children first), in the caller's transaction."""
    for table in reversed(tables()):
        conn.execute(table.delete())


def reset_sequences(conn: Connection) -> None:
    """PostgreSQL: set each table's id sequence past its highest id (after rows were written with their ids)."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables():
        key = list(table.primary_key.columns)
        if len(key) != 1:
            continue
        sequence = conn.exec_driver_sql(f"SELECT pg_get_serial_sequence('{table.name}', '{key[0].name}')").scalar()
        if sequence:
            quote = conn.dialect.identifier_preparer.quote
            conn.exec_driver_sql(
                f"SELECT setval('{sequence}', coalesce(max({quote(key[0].name)}), 0) + 1, false) "
                f"FROM {quote(table.name)}")


class _Bulk:
    """One write transaction on the target: foreign keys checked once, sequences reset at the end."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __enter__(self) -> Connection:
        from blocwatch.store.bulk import foreign_keys_checked_once

        self._tx = self.engine.begin()
        self.conn = self._tx.__enter__()
        _begin_bulk(self.conn)
        self._keys = foreign_keys_checked_once(self.conn, [t.name for t in tables()])
        self._keys.__enter__()
        return self.conn

    def __exit__(self, kind, value, traceback) -> None:
        try:
            if kind is None:
                self._keys.__exit__(None, None, None)
                reset_sequences(self.conn)
        finally:
            self._tx.__exit__(kind, value, traceback)


# ---------------------------------------------------------------- copy

def copy_database(src: str, dst: str, *, replace: bool = False, progress: Progress | None = None) -> Copied:
    """Copy every row of the blocwatch database at ``src`` into ``dst`` (URLs or SQLite paths; see the module doc).

    Raises :class:`DatabaseRefused` (nothing written) for a missing or
    foreign source, one not at the current schema revision, a foreign
    target, the same database twice, or a target holding rows without
    ``replace``.
    """
    source = _open(src, "SRC", must_exist=True)
    target = _open(dst, "DST", must_exist=False)
    try:
        if source.url.render_as_string(hide_password=False) == target.url.render_as_string(hide_password=False):
            raise DatabaseRefused(f"SRC and DST are the same database ({_where(source)}); nothing was written")
        revision = check_source(source, "SRC")
        replaced = check_target(target, "DST", replace=replace)
        _prepare_target(target)
        out = Copied(revision, replaced=replaced)
        with source.connect() as reading, _snapshot(reading), _Bulk(target) as writing:
            if replaced:
                _empty_tables(writing)
            for table in tables():
                done = 0
                for rows in _read(reading, table):
                    _write(writing, table, rows)
                    done += len(rows)
                    if progress:
                        progress(table.name, done)
                out.tables[table.name] = done
        return out
    finally:
        source.dispose()
        target.dispose()


class _snapshot:  # noqa: N801 (used like a function)
    """Read everything in one transaction (one moment of the source): REPEATABLE READ on PostgreSQL, an explicit
    BEGIN on SQLite (in WAL mode, writers go on meanwhile)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def __enter__(self) -> Connection:
        if self.conn.dialect.name == "postgresql":
            self.conn.execution_options(isolation_level="REPEATABLE READ")
        self._tx = self.conn.begin()
        if self.conn.dialect.name == "sqlite":
            # The driver opens no transaction for reads: without one each query would see the file as it is then.
            self.conn.exec_driver_sql("BEGIN")
        return self.conn

    def __exit__(self, *exc: object) -> None:
        self._tx.rollback()


# ---------------------------------------------------------------- backup and restore

def _cell(value: Any) -> Any:
    """A cell as JSON: dates and times in ISO form, bytes in base64; everything else as it is."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _decoders(table: Table) -> list[Callable[[Any], Any] | None]:
    out: list[Callable[[Any], Any] | None] = []
    for c in table.columns:
        if isinstance(c.type, DateTime):
            out.append(datetime.fromisoformat)
        elif isinstance(c.type, Date):
            out.append(date.fromisoformat)
        elif isinstance(c.type, LargeBinary):
            out.append(base64.b64decode)
        else:
            out.append(None)
    return out


def _line(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


@dataclass
class BackedUp:
    schema_revision: str
    tables: dict[str, int]
    sha256: str
    size: int

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def backup(engine: Engine, out: Path, progress: Progress | None = None) -> BackedUp:
    """Write every row of the database to ``out`` (gzip'd JSON lines, see the module doc); via a temporary file
    beside it, so ``out`` is never left half-written."""
    revision = check_source(engine, "the database")
    digest = hashlib.sha256()
    counts: dict[str, int] = {}
    partial = out.with_name(out.name + ".partial")
    try:
        with open(partial, "wb") as raw, \
                gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as gz, \
                engine.connect() as conn, _snapshot(conn):
            def put(data: Any) -> None:
                line = _line(data)
                digest.update(line)
                gz.write(line)

            put({"format": FORMAT, "format_version": FORMAT_VERSION, "schema_revision": revision,
                 "tables": {t.name: [c.name for c in t.columns] for t in tables()}})
            for table in tables():
                put({"table": table.name})
                done = 0
                plain = not any(isinstance(c.type, Date | DateTime | LargeBinary) for c in table.columns)
                for rows in _read(conn, table):
                    lines = b"".join(_line(row if plain else [_cell(v) for v in row]) for row in rows)
                    digest.update(lines)
                    gz.write(lines)
                    done += len(rows)
                    if progress:
                        progress(table.name, done)
                counts[table.name] = done
            gz.write(_line({"end": {"rows": counts, "sha256": digest.hexdigest()}}))
        os.replace(partial, out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return BackedUp(revision, counts, digest.hexdigest(), out.stat().st_size)


class _BackupReader:
    """Reads a backup file line by line, refusing anything malformed with one line naming file and line."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def bad(self, number: int | None, problem: str) -> ImportFailed:
        where = f"{self.path}:{number}" if number else str(self.path)
        return ImportFailed(f"{where}: {problem}; nothing was written")

    def lines(self) -> Iterator[tuple[int, bytes]]:
        try:
            with gzip.open(self.path, "rb") as fh:
                yield from enumerate(fh, start=1)
        except (OSError, EOFError, zlib.error) as exc:
            if isinstance(exc, FileNotFoundError | PermissionError | IsADirectoryError):
                raise
            raise self.bad(None, f"not a readable blocwatch backup (a damaged or not gzip-compressed file: {exc})") \
                from None

    def parse(self, number: int, line: bytes) -> Any:
        try:
            return json.loads(line)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise self.bad(number, f"not a JSON line: a damaged file ({exc})") from None


@dataclass
class _Checked:
    revision: str
    counts: dict[str, int]
    sha256: str


def check_backup(path: Path) -> _Checked:
    """Read the whole file once: format, version, schema revision, tables and columns, row lengths, the trailer
    and its SHA-256. Raises :class:`ImportFailed` (one line naming the file, and the line when there is one)."""
    from blocwatch.store.db import SCHEMA_REVISION

    reader = _BackupReader(path)
    digest = hashlib.sha256()
    expected = {t.name: [c.name for c in t.columns] for t in tables()}
    header: dict | None = None
    current: str | None = None
    counts: dict[str, int] = {}
    trailer: dict | None = None
    for number, line in reader.lines():
        if trailer is not None:
            raise reader.bad(number, "text after the end of the backup")
        data = reader.parse(number, line)
        if header is None:
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                raise reader.bad(None, "not a blocwatch backup (no blocwatch-backup header)")
            if data.get("format_version") != FORMAT_VERSION:
                raise reader.bad(number, f"backup format version {data.get('format_version')!r}; this blocwatch "
                                         f"reads version {FORMAT_VERSION}")
            if data.get("schema_revision") != SCHEMA_REVISION:
                raise ImportFailed(f"{path}: a backup of schema revision {data.get('schema_revision')!r}; this "
                                   f"version of blocwatch restores revision {SCHEMA_REVISION} only (restore it with "
                                   "the version that wrote it); nothing was written")
            if data.get("tables") != expected:
                raise reader.bad(number, "its tables and columns are not those of this schema revision")
            header = data
        elif isinstance(data, list):
            if current is None:
                raise reader.bad(number, "a row before any table")
            if len(data) != len(expected[current]):
                raise reader.bad(number, f"a row of {len(data)} cells; table {current} has "
                                         f"{len(expected[current])} columns")
            counts[current] += 1
        elif isinstance(data, dict) and "table" in data:
            name = data["table"]
            if name not in expected or name in counts:
                raise reader.bad(number, f"unexpected table {name!r}")
            current = name
            counts[name] = 0
        elif isinstance(data, dict) and "end" in data:
            trailer = data["end"]
            if not isinstance(trailer, dict) or trailer.get("sha256") != digest.hexdigest():
                raise reader.bad(number, "the SHA-256 of its content does not match the one recorded (a damaged "
                                         "or edited file)")
            if trailer.get("rows") != counts or list(counts) != list(expected):
                raise reader.bad(number, "the rows per table do not match the ones recorded")
            continue
        else:
            raise reader.bad(number, "a line that is neither a row, a table nor the end")
        digest.update(line)
    if header is None:
        raise reader.bad(None, "an empty file, not a blocwatch backup")
    if trailer is None:
        raise reader.bad(None, "the backup ends early (no end line: a truncated file)")
    return _Checked(header["schema_revision"], counts, digest.hexdigest())


def restore(engine: Engine, path: Path, *, replace: bool = False, progress: Progress | None = None) -> Copied:
    """Restore the backup at ``path`` into the database (empty, unless ``replace``); the file is checked whole
    first, then written in one transaction. Nothing is written when anything is refused."""
    replaced = check_target(engine, "the database", replace=replace)
    checked = check_backup(path)
    _prepare_target(engine)
    out = Copied(checked.revision, replaced=replaced)
    by_name = {t.name: t for t in tables()}
    reader = _BackupReader(path)
    with _Bulk(engine) as conn:
        if replaced:
            _empty_tables(conn)
        table: Table | None = None
        decoders: list = []
        plain = True
        rows: list[tuple] = []

        def flush() -> None:
            if table is not None and rows:
                _write(conn, table, rows)
                out.tables[table.name] += len(rows)
                if progress:
                    progress(table.name, out.tables[table.name])
                rows.clear()

        for number, line in reader.lines():
            data = reader.parse(number, line)
            if isinstance(data, list):
                rows.append(tuple(data) if plain else
                            tuple(v if d is None or v is None else d(v) for d, v in zip(decoders, data, strict=True)))
                if len(rows) >= READ_BATCH:
                    flush()
            elif isinstance(data, dict) and "table" in data:
                flush()
                table = by_name[data["table"]]
                decoders = _decoders(table)
                plain = all(d is None for d in decoders)
                out.tables[table.name] = 0
            elif isinstance(data, dict) and "end" in data:
                flush()
    return out
