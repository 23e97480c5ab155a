"""Import General Assembly roll calls into the store.

Three formats:

* ``unvotes`` -- the CSV tables of the R package unvotes (Erik Voeten's data):
  ``un_votes.csv[.gz]`` (``rcid,country,country_code,vote``),
  ``un_roll_calls.csv[.gz]`` and ``un_roll_call_issues.csv[.gz]``.
* ``rda`` -- the same three tables as the package's ``.rda`` files (read with
  pyreadr).
* ``undl`` -- the UN Digital Library bulk CSV (one row per member state per
  resolution; 2025 header, or 2026 header with ``vote_note``); ``ms_vote``
  ``Y``/``N``/``A``/``X`` become 1/3/2/8; an empty ``ms_vote`` (absent, or not
  a member) stores no row. Its roll calls get ``rcid = 10,000,000 + undl_id``.

Every import is one transaction: it validates the whole input first and
stores nothing if any row is malformed (:class:`GAImportError`, a
:class:`blocwatch.errors.ImportFailed`, lists file and line of each problem on
one line, up to :data:`MAX_PROBLEMS`). A file with the wrong header, a row
with the wrong number of fields, an unterminated quote or a byte that is not
UTF-8 is rejected with the file, the line and what was expected.

Values are checked against what can be true: sessions from 1 to the current
one (:func:`current_session`), dates from 1946-01-01 to today that fit their
session (:func:`session_fits`), ids in a range that keeps every ``rcid`` an
ordinary database integer (unvotes ``rcid`` below :data:`UNDL_RCID_OFFSET`,
``undl_id`` up to :data:`MAX_UNDL_ID`), only the documented vote codes, and a
country name that names the state of its code (or a holder of that seat).

Re-importing changes nothing silently: an identical file (same SHA-256) is
skipped; otherwise new roll calls and votes are added, a changed vote is
updated, counted and listed (:attr:`ImportResult.vote_changes`), and a roll
call stored with other values (date, session, title, ...) is refused
(:class:`GAImportConflict`, nothing imported) unless ``replace=True``, when
it is overwritten, counted and listed (:attr:`ImportResult.rollcall_changes`).
Votes are stored under the entity that held the seat on the day
(:mod:`blocwatch.ga.seats`).
"""

from __future__ import annotations

import bisect
import csv
import gzip
import hashlib
import io
import json
import sys
import warnings
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.orm import Session

from blocwatch import errors, names, registry
from blocwatch.ga import seats, vectors
from blocwatch.ga.votes import ISSUES, VOTE_CODES
from blocwatch.store.bulk import foreign_keys_checked_once

MAX_PROBLEMS = 20
UNDL_RCID_OFFSET = 10_000_000
# rcid = UNDL_RCID_OFFSET + undl_id must stay an ordinary INTEGER (below 2**31, also in PostgreSQL);
# UN Digital Library record ids have 7 digits today.
MAX_UNDL_ID = 999_999_999
# unvotes roll-call ids stay below the UN Digital Library range, so the two can never collide.
MAX_UNVOTES_RCID = UNDL_RCID_OFFSET - 1
_RCID_WHY = (f" (unvotes roll calls; {UNDL_RCID_OFFSET:,} and up are UN Digital Library records, "
             "rcid = 10,000,000 + undl_id)")
FIRST_DAY = date(1946, 1, 1)  # the first meeting of the General Assembly (London, 10 January 1946; unvotes dates
# one roll call 1946-01-01)
# Roll calls of Voeten's data dated outside their session (errors in the source, kept as given):
# rcid -> (session, date) exactly as unvotes has them. Any other misfit is an import error.
UNVOTES_DATE_EXCEPTIONS: dict[int, tuple[int, str]] = {
    961: (22, "1966-12-07"),    # "WORKING LANGUAGES": session 22 opened in September 1967
    9018: (23, "1967-05-07"),   # 5th special session (SS/5, April-May 1967), numbered 23 instead of 22
    4521: (59, "2005-12-08"),   # R/59/307: session 59 closed in September 2005
}

UNVOTES_HEADERS: dict[str, list[str]] = {
    "votes": ["rcid", "country", "country_code", "vote"],
    "rollcalls": ["rcid", "session", "importantvote", "date", "unres", "amend", "para", "short", "descr"],
    "issues": ["rcid", "short_name", "issue"],
}
UNVOTES_FILES = {"votes": "un_votes", "rollcalls": "un_roll_calls", "issues": "un_roll_call_issues"}
UNDL_HEADER_2026 = ["undl_id", "ms_code", "ms_name", "ms_vote", "date", "session", "resolution", "draft",
                    "committee_report", "meeting", "title", "agenda_title", "subjects", "vote_note", "total_yes",
                    "total_no", "total_abstentions", "total_non_voting", "total_ms", "undl_link"]
UNDL_HEADER_2025 = [c for c in UNDL_HEADER_2026 if c != "vote_note"]
UNVOTES_VOTE = {"yes": 1, "no": 3, "abstain": 2}
UNDL_VOTE = {"Y": 1, "N": 3, "A": 2, "X": 8}

UNVOTES_CITATION = ("Erik Voeten, 'United Nations General Assembly Voting Data', Harvard Dataverse, "
                    "hdl:1902.1/12379; as packaged in the R package unvotes (David Robinson).")
UNDL_CITATION = ("United Nations Dag Hammarskjöld Library, 'United Nations General Assembly Voting Data', "
                 "UN Digital Library, https://digitallibrary.un.org")

ROLLCALL_FIELDS = ["rcid", "session", "date", "unres", "important", "amend", "para", "short", "descr",
                   "issues", "undl_id"]


class GAImportError(errors.ImportFailed):
    """An input that cannot be imported; ``problems`` lists each one ("file:line: what").

    The message is one line: the problem (or the count and each problem,
    separated by `` | ``), and that nothing was imported.
    """

    def __init__(self, problems: Sequence[str], total: int | None = None):
        self.problems = [" ".join(str(p).split("\n")) for p in problems]
        self.total = total if total is not None else len(problems)
        shown = self.problems[:MAX_PROBLEMS]
        more = self.total - len(shown)
        if self.total == 1:
            message = f"{shown[0]}; nothing was imported"
        else:
            message = f"{self.total} problems, nothing was imported: " + " | ".join(shown)
            if more > 0:
                message += f" | ... and {more} more"
        super().__init__(message)


class GAImportConflict(GAImportError, errors.Conflict):
    """Roll calls already stored with other values; refused (nothing imported) unless ``replace=True``."""

    http_status = 409


@dataclass
class Tables:
    """Validated, canonical tables ready to store.

    ``rollcalls``: columns :data:`ROLLCALL_FIELDS` (``date`` as ``YYYY-MM-DD``
    text, flags as 0/1/None, ``issues`` as a JSON list); ``votes``: ``rcid``,
    ``iso3``, ``vote`` (1 yes, 2 abstain, 3 no, 8 present not voting).
    """

    rollcalls: pd.DataFrame
    votes: pd.DataFrame


@dataclass
class ImportResult:
    kind: str
    paths: list[str]
    rollcalls: int = 0
    votes: int = 0
    rollcalls_added: int = 0
    votes_added: int = 0
    votes_changed: int = 0
    rollcalls_changed: int = 0
    skipped_rollcalls: int = 0
    already_imported: bool = False
    notes: list[str] = field(default_factory=list)
    # Every stored value this import changed: {"rcid", "undl_id", "field", "old", "new"} per roll-call field
    # (only with replace=True), {"rcid", "iso3", "old", "new"} per vote (old/new: yes, no, abstain, not_voting).
    rollcall_changes: list[dict] = field(default_factory=list)
    vote_changes: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return dict(self.__dict__)


# ---------------------------------------------------------------- reading

@dataclass
class _Raw:
    """A table read as text, with where each row came from.

    ``parts``: for a table concatenated from several files, ``(file, index of
    its first row)`` in order; a single file is ``[(path, 0)]``.
    """

    frame: pd.DataFrame
    path: Path
    object_name: str | None = None  # .rda object
    parts: list[tuple[Path, int]] = field(default_factory=list)

    def locate(self, index: int) -> tuple[Path, str]:
        """(file, line number as text, or the row for an .rda object) of row ``index``."""
        if self.object_name is not None:
            return self.path, str(index + 1)
        parts = self.parts or [(self.path, 0)]
        k = bisect.bisect_right([first for _, first in parts], index) - 1
        file, first = parts[k]
        local = index - first
        return file, str(_line_numbers(file).get(local, local + 2))

    def where(self, index: int) -> str:
        file, line = self.locate(index)
        if self.object_name is not None:
            return f"{file} (object {self.object_name}), row {line}"
        return f"{file}:{line}"


def _open_text(path: Path):
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")


def _open_binary(path: Path):
    return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")


def _line_numbers(path: Path) -> dict[int, int]:
    """data row index -> physical line where the row starts (only computed on error)."""
    stat = path.stat()
    return _line_numbers_of(path, stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=8)
def _line_numbers_of(path: Path, _size: int, _mtime: int) -> dict[int, int]:
    out = {}
    with _open_text(path) as fh:
        reader = csv.reader(fh)
        next(reader, None)
        start = reader.line_num + 1
        i = 0
        for row in reader:
            if row:  # pandas skips blank lines
                out[i] = start
                i += 1
            start = reader.line_num + 1
    return out


_READ_ERRORS = (pd.errors.ParserError, pd.errors.ParserWarning, UnicodeDecodeError, EOFError, OSError, zlib.error)


def _csv_problem(path: Path, header: Sequence[str], exc: Exception) -> str:
    """Where and why ``path`` is not a well-formed UTF-8 CSV with ``header``'s fields (after a reader failed)."""
    start = 1
    try:
        with _open_binary(path) as fh:
            for number, line in enumerate(fh, 1):
                try:
                    line.decode("utf-8")
                except UnicodeDecodeError as bad:
                    return (f"{path}:{number}: byte 0x{line[bad.start]:02x} (column {bad.start + 1}) is not UTF-8; "
                            "expected UTF-8 text")
        with _open_text(path) as fh:
            reader = csv.reader(fh, strict=True)
            for row in reader:
                if row and len(row) != len(header):
                    return (f"{path}:{start}: expected {len(header)} fields ({','.join(header)}), "
                            f"found {len(row)}")
                start = reader.line_num + 1
    except csv.Error as bad:
        if "end of data" in str(bad):
            return f"{path}:{start}: a quoted field starting on this line has no closing quote (\") before the end"
        return f"{path}:{start}: not well-formed CSV ({bad})"
    except (OSError, EOFError, zlib.error) as bad:
        return f"{path}: cannot be read as a CSV file ({bad})"
    return f"{path}: cannot be read as a CSV file ({exc})"


def _read_csv(path: Path, expected: Sequence[str] | Iterable[Sequence[str]], what: str) -> pd.DataFrame:
    """Read a CSV as text after checking its header against one of ``expected``.

    Every row must have the header's number of fields (a longer row is an
    error naming its line; pandas cannot tell a short row from empty trailing
    fields, which the value checks catch where a value is required).
    """
    given = list(expected)
    options: list[list[str]] = [[str(e) for e in given]] if isinstance(given[0], str) \
        else [list(e) for e in given]
    _must_exist(path)
    if not path.is_file():
        raise GAImportError([f"{path}: is a folder; expected {what}"])
    try:
        with _open_text(path) as fh:
            header = next(csv.reader(fh), [])
    except _READ_ERRORS as exc:
        raise GAImportError([_csv_problem(path, options[0], exc)]) from None
    header = [h.strip() for h in header]
    if header not in options:
        want = " or ".join(",".join(o) for o in options)
        found = ",".join(header) or "(empty)"
        raise GAImportError([f"{path}:1: not {what}: expected the header {want}; found {found}"])
    try:
        with warnings.catch_warnings():
            # A first row with one field too many would otherwise become the index, silently.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8-sig",
                                index_col=False)
    except _READ_ERRORS as exc:
        raise GAImportError([_csv_problem(path, header, exc)]) from None
    frame.columns = header
    return frame


def _must_exist(path: Path) -> None:
    if not path.exists():
        raise GAImportError([f"{path}: does not exist (no such file or folder)"])


def _strip(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.apply(lambda s: s.str.strip())


def _int_column(raw: _Raw, column: str, problems: list, low: int, high: int, *, allow_empty: bool = False,
                why: str = "") -> pd.Series:
    """Whole numbers from ``low`` to ``high`` (Int64); each bad value is a problem and NA."""
    values = raw.frame[column]
    number = pd.to_numeric(values.where(values != "", None), errors="coerce").astype("float64")
    bad = (number.isna() & ((values != "") | (not allow_empty))) | (number.notna() & (number != np.floor(number)))
    outside = ~bad & number.notna() & ((number < low) | (number > high))
    for kind, mask in (("not a whole number", bad), (f"out of range: expected a whole number from {low:,} to "
                                                     f"{high:,}{why}", outside)):
        rows = np.flatnonzero(mask.to_numpy())
        for i in rows[:MAX_PROBLEMS]:
            problems.append(f"{raw.where(i)}: {column} {values.iloc[i]!r} is {kind}")
        if len(rows) > MAX_PROBLEMS:
            problems.append(f"{raw.path}: ... {len(rows) - MAX_PROBLEMS} more rows with a {column} that is "
                            f"{kind.split(':')[0]}")
    return number.where(~(bad | outside)).astype("Int64")


def _flag_column(raw: _Raw, column: str, problems: list) -> pd.api.extensions.ExtensionArray:
    values = raw.frame[column].str.upper()
    mapping = {"": None, "NA": None, "0": 0, "1": 1, "FALSE": 0, "TRUE": 1, "0.0": 0, "1.0": 1}
    bad = ~values.isin(list(mapping))
    for i in np.flatnonzero(bad.to_numpy())[:MAX_PROBLEMS]:
        problems.append(f"{raw.where(i)}: {column} {raw.frame[column].iloc[i]!r} is not 0, 1 or empty")
    return pd.array([mapping.get(v) for v in values], dtype="Int8")


def _date_column(raw: _Raw, column: str, problems: list) -> pd.Series:
    values = raw.frame[column]
    parsed = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
    bad = parsed.isna()
    for i in np.flatnonzero(bad.to_numpy())[:MAX_PROBLEMS]:
        problems.append(f"{raw.where(i)}: {column} {values.iloc[i]!r} is not a date (YYYY-MM-DD)")
    return parsed


def current_session(today: date | None = None) -> int:
    """The newest GA session number that can have votes: the one opening in September of this year.

    Special sessions held before September are numbered with it (as unvotes does).
    """
    return (today or date.today()).year - 1945


def session_fits(session: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Whether each date lies in its session: in year ``1945 + s``, or January-September of ``1946 + s``.

    Regular session ``s`` runs from September of ``1945 + s`` to September of
    ``1946 + s``; the first met in London from January 1946; special and
    emergency special sessions held before September are numbered in unvotes
    with the session that opens that September (the 5th emergency special
    session, July 1967, is session 22), and in the UN Digital Library with the
    regular session under way; both fit.
    """
    day = np.asarray(day, dtype="datetime64[D]")
    year = day.astype("datetime64[Y]").astype(np.int64) + 1970
    month = day.astype("datetime64[M]").astype(np.int64) % 12 + 1
    session = np.asarray(session, dtype=np.int64)
    return (year == 1945 + session) | ((year == 1946 + session) & (month <= 9))


def _check_calls(raw: _Raw, session: pd.Series, day: pd.Series, problems: list,
                 rcid: pd.Series | None = None) -> None:
    """Report dates in the future or before 1946 and dates that do not fit their session.

    ``rcid`` (unvotes only): roll calls listed in :data:`UNVOTES_DATE_EXCEPTIONS`
    are accepted with exactly the session and date given there.
    """
    today = date.today()
    d = day.to_numpy(dtype="datetime64[D]")
    known = ~np.isnat(d)
    text_day = raw.frame[day.name]
    checks = [
        (known & (d > np.datetime64(today, "D")), lambda i: f"date {text_day.iloc[i]} is in the future "
                                                             f"(today is {today.isoformat()})"),
        (known & (d < np.datetime64(FIRST_DAY, "D")), lambda i: f"date {text_day.iloc[i]} is before the first "
                                                                 f"session of the General Assembly ({FIRST_DAY})"),
    ]
    in_range = known & ~checks[0][0] & ~checks[1][0] & session.notna().to_numpy()
    s = session.fillna(0).to_numpy(dtype=np.int64)
    misfit = in_range & ~session_fits(s, d)
    if rcid is not None and misfit.any():
        for i in np.flatnonzero(misfit):
            if pd.notna(rcid.iloc[i]) and UNVOTES_DATE_EXCEPTIONS.get(int(rcid.iloc[i])) == \
                    (int(s[i]), text_day.iloc[i]):
                misfit[i] = False
    checks.append((misfit, lambda i: f"date {text_day.iloc[i]} does not fit session {s[i]}, which ran from "
                                     f"September {1945 + s[i]} to September {1946 + s[i]} (special sessions "
                                     f"numbered {s[i]} also from January {1945 + s[i]})"))
    for mask, say in checks:
        for i in np.flatnonzero(mask)[:MAX_PROBLEMS]:
            problems.append(f"{raw.where(i)}: {say(i)}")


def _vote_column(raw: _Raw, column: str, codes: dict[str, int], problems: list, *,
                 allow_empty: bool = False) -> pd.Series:
    """The documented vote codes (exactly as documented) mapped to Voeten's numbers; others are problems."""
    values = raw.frame[column]
    allowed = list(codes) + ([""] if allow_empty else [])
    bad = ~values.isin(allowed)
    expected = ", ".join(codes) + (" or empty" if allow_empty else "")
    for i in np.flatnonzero(bad.to_numpy())[:MAX_PROBLEMS]:
        problems.append(f"{raw.where(i)}: {column} {values.iloc[i]!r} is not one of {expected}")
    return values.map(codes)


def _none_if_empty(values: pd.Series) -> list:
    return [v if v else None for v in values]


# ---------------------------------------------------------------- countries

@cache
def _iso2_codes() -> dict[str, str]:
    return {c.iso2: c.iso3 for c in registry.all_entities() if c.iso2}


def _seat_family(seat: str) -> set[str]:
    """The entity of a seat code and every entity that held that seat (USSR for RUS, ...)."""
    return {seat} | {t.entity for t in seats.tenures().get(seat, ())}


def _close(resolution) -> str:
    return ", ".join(f"{m.name} ({m.iso3})" for m in resolution.alternatives) or "none"


def _disagree(name: str, name_col: str, code: str, code_col: str, seat: str, resolution) -> str:
    """The problem of a name that does not name the state of its code."""
    holder = registry.get(seat)
    if resolution.resolved:
        means = f"the name means {resolution.name} ({resolution.iso3})"
        close = f"{resolution.name} ({resolution.iso3})"
    else:
        means = "the name is not a known state name"
        close = _close(resolution)
    return (f"{name_col} {name!r} does not match {code_col} {code!r}, which is {holder.name} ({holder.iso3}): "
            f"{means}; expected a name of {holder.name} or of a holder of its seat; close matches: {close}")


def _unvotes_seat(country: str, code: str) -> tuple[str | None, str | None]:
    """The seat code for an unvotes (name, alpha-2 code) pair, or (None, problem).

    The code decides the seat only when the name names the same state (or an
    entity that held its seat); the names that need a rule are in
    ``data/unga/unvotes_names.csv``.
    """
    special = seats.unvotes_names().get((country, code))
    if special:
        return special, None
    resolution = names.try_resolve(country, include_former=True)
    if code:
        seat = _iso2_codes().get(code)
        if seat is None:
            not_code = f"country_code {code!r} is not the ISO alpha-2 code of a UN member or former member"
            if resolution.iso3 is not None:
                return None, (f"country {country!r}: {not_code}; the name means {resolution.name} "
                              f"({resolution.iso3}, code {registry.get(resolution.iso3).iso2 or 'none'})")
            return None, f"unknown country {country!r}: {not_code}; close matches: {_close(resolution)}"
        if resolution.resolved and resolution.iso3 in _seat_family(seat):
            return seat, None
        return None, _disagree(country, "country", code, "country_code", seat, resolution)
    if resolution.resolved:
        return resolution.iso3, None
    return None, f"unknown country {country!r} (code {code!r}); close matches: {_close(resolution)}"


def _undl_seat(code: str, name: str) -> tuple[str | None, str | None]:
    """The seat code for a UN Digital Library (ms_code, ms_name) pair, or (None, problem).

    ``ms_code`` decides, unless ``ms_name`` names another state (the Library's
    names are in capitals and not always spelled one way, so a name the
    resolver does not know does not block its code).
    """
    resolution = names.try_resolve(name.title(), include_former=True)
    if code and registry.exists(code):
        seat = registry.get(code).iso3
        if resolution.resolved and resolution.iso3 not in _seat_family(seat):
            return None, _disagree(name, "ms_name", code, "ms_code", seat, resolution)
        return seat, None
    if resolution.resolved:
        return resolution.iso3, None
    return None, f"unknown country {name!r} (ms_code {code!r}); close matches: {_close(resolution)}"


def _map_countries(raw: _Raw, keys: pd.DataFrame, resolve: Callable, problems: list) -> np.ndarray:
    """Seat code per row; unknown countries reported with the lines they occur on."""
    pairs = keys.drop_duplicates()
    seat_of: dict[tuple, str | None] = {}
    for pair in pairs.itertuples(index=False):
        seat, problem = resolve(*pair)
        seat_of[tuple(pair)] = seat
        if problem:
            mask = np.ones(len(keys), dtype=bool)
            for col, value in zip(keys.columns, pair, strict=True):
                mask &= (keys[col] == value).to_numpy()
            rows = np.flatnonzero(mask)
            by_file: dict[Path, list[str]] = {}
            for i in rows[:5]:
                file, line = raw.locate(int(i))
                by_file.setdefault(file, []).append(line)
            more = f" and {len(rows) - 5} more" if len(rows) > 5 else ""
            places = []
            for file, lines in by_file.items():
                plural = "s" if len(lines) > 1 else ""
                label = f"line{plural}" if raw.object_name is None else f"row{plural} of {raw.object_name}"
                places.append(f"{file} ({label} {', '.join(lines)})")
            problems.append(f"{'; '.join(places)}{more}: {problem}")
    codes = pd.MultiIndex.from_frame(keys)
    lookup = pd.Series([seat_of[tuple(p)] for p in pairs.itertuples(index=False)],
                       index=pd.MultiIndex.from_frame(pairs))
    return lookup.reindex(codes).to_numpy(dtype=object)


def _assign_entities(raw: _Raw, seat: np.ndarray, days: np.ndarray, problems: list) -> np.ndarray:
    entity = seats.holders(np.where(pd.isna(seat), "", seat), days)
    gap = np.flatnonzero((entity == None) & ~pd.isna(seat) & ~pd.isna(days))  # noqa: E711
    for i in gap[:MAX_PROBLEMS]:
        problems.append(f"{raw.where(i)}: nobody held the {seat[i]} seat on "
                        f"{np.datetime_as_string(days[i], unit='D')} (see data/unga/seats.csv)")
    return entity


# ---------------------------------------------------------------- unvotes / rda

def _validate_unvotes(votes: _Raw, rollcalls: _Raw, issues: _Raw | None) -> Tables:
    problems: list[str] = []
    rc = _strip(rollcalls.frame)
    rollcalls.frame = rc
    rcid = _int_column(rollcalls, "rcid", problems, 1, MAX_UNVOTES_RCID, why=_RCID_WHY)
    session = _int_column(rollcalls, "session", problems, 1, current_session(), why=" (GA sessions so far)")
    day = _date_column(rollcalls, "date", problems)
    _check_calls(rollcalls, session, day, problems, rcid)
    dup = rcid.duplicated() & rcid.notna()
    for i in np.flatnonzero(dup.to_numpy())[:MAX_PROBLEMS]:
        problems.append(f"{rollcalls.where(i)}: roll call {rcid.iloc[i]} appears twice")
    issue_lists: dict[int, list[str]] = {}
    if issues is not None:
        iss = _strip(issues.frame)
        issues.frame = iss
        irc = _int_column(issues, "rcid", problems, 1, MAX_UNVOTES_RCID, why=_RCID_WHY)
        known = set(rcid.dropna().tolist())
        for i, (r, code) in enumerate(zip(irc, iss["short_name"], strict=True)):
            if code not in ISSUES:
                problems.append(f"{issues.where(i)}: issue code {code!r} is not one of {', '.join(ISSUES)}")
            elif pd.notna(r) and int(r) not in known:
                problems.append(f"{issues.where(i)}: issue for roll call {int(r)}, "
                                f"which is not in {rollcalls.path.name}")
            elif pd.notna(r):
                codes = issue_lists.setdefault(int(r), [])
                if code not in codes:
                    codes.append(code)
    out_rc = pd.DataFrame({
        "rcid": rcid, "session": session, "date": day.dt.strftime("%Y-%m-%d"),
        "unres": _none_if_empty(rc["unres"]),
        "important": _flag_column(rollcalls, "importantvote", problems),
        "amend": _flag_column(rollcalls, "amend", problems),
        "para": _flag_column(rollcalls, "para", problems),
        "short": _none_if_empty(rc["short"]), "descr": _none_if_empty(rc["descr"]),
        "issues": [json.dumps(sorted(issue_lists.get(int(r), []))) if pd.notna(r) else "[]" for r in rcid],
        "undl_id": None,
    })

    vf = votes.frame
    vf["country"] = vf["country"].str.strip()
    vf["country_code"] = vf["country_code"].str.strip()
    vf["vote"] = vf["vote"].str.strip()
    vrc = _int_column(votes, "rcid", problems, 1, MAX_UNVOTES_RCID, why=_RCID_WHY)
    vote = _vote_column(votes, "vote", UNVOTES_VOTE, problems)
    seat = _map_countries(votes, vf[["country", "country_code"]], _unvotes_seat, problems)
    rc_day = pd.Series(day.to_numpy(), index=rcid.to_numpy()) if not dup.any() else \
        pd.Series(day.to_numpy(), index=rcid.to_numpy())[~dup.to_numpy()]
    rc_day = rc_day[rc_day.index.notna()]
    days = rc_day.reindex(vrc.to_numpy()).to_numpy()
    missing = np.flatnonzero(pd.isna(days) & vrc.notna().to_numpy() & ~vrc.isin(rc_day.index).to_numpy())
    for i in missing[:MAX_PROBLEMS]:
        problems.append(f"{votes.where(i)}: roll call {vrc.iloc[i]} is not in {rollcalls.path.name}"
                        + (f" (object {rollcalls.object_name})" if rollcalls.object_name else ""))
    entity = _assign_entities(votes, seat, days, problems)
    out_v = pd.DataFrame({"rcid": vrc, "iso3": entity, "vote": vote})
    _check_duplicate_votes(votes, out_v, problems)
    if problems:
        raise GAImportError(problems[:MAX_PROBLEMS * 3], total=len(problems))
    return Tables(out_rc, out_v.astype({"rcid": "int64", "vote": "int8"}))


def _check_duplicate_votes(raw: _Raw, votes: pd.DataFrame, problems: list) -> None:
    ok = votes["iso3"].notna() & votes["rcid"].notna()
    dup = votes[ok].duplicated(["rcid", "iso3"], keep="first")
    for i in dup.index[dup.to_numpy()][:MAX_PROBLEMS]:
        iso3, rcid = votes.at[i, "iso3"], votes.at[i, "rcid"]
        problems.append(f"{raw.where(int(i))}: a second vote of {iso3!s} on roll call {rcid!s}")


def _unvotes_paths(path: Path) -> dict[str, Path]:
    """The three unvotes files from a folder, or from one of them (siblings found by name)."""
    _must_exist(path)
    folder = path if path.is_dir() else path.parent
    found = {}
    for role, stem in UNVOTES_FILES.items():
        for suffix in (".csv.gz", ".csv"):
            candidate = folder / f"{stem}{suffix}"
            if candidate.is_file():
                found[role] = candidate
                break
    if not path.is_dir() and path.name not in {p.name for p in found.values()}:
        raise GAImportError([f"{path}: not an unvotes table; expected files named "
                             + ", ".join(f"{s}.csv[.gz]" for s in UNVOTES_FILES.values())])
    for role in ("votes", "rollcalls"):
        if role not in found:
            raise GAImportError([f"{folder}: no {UNVOTES_FILES[role]}.csv or .csv.gz (an unvotes import needs "
                                 f"{UNVOTES_FILES['votes']} and {UNVOTES_FILES['rollcalls']})"])
    return found


def read_unvotes(path: Path | str) -> tuple[Tables, list[Path]]:
    """Read and validate the unvotes CSV tables at ``path`` (a folder or one of the files)."""
    paths = _unvotes_paths(Path(path))
    raws = {role: _Raw(_read_csv(p, UNVOTES_HEADERS[role], f"an unvotes {UNVOTES_FILES[role]} table"), p)
            for role, p in paths.items()}
    return _validate_unvotes(raws["votes"], raws["rollcalls"], raws.get("issues")), list(paths.values())


def _rda_text(frame: pd.DataFrame) -> pd.DataFrame:
    out = {}
    for col in frame.columns:
        s = frame[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            s = s.astype(object)
        if pd.api.types.is_datetime64_any_dtype(s):
            out[col] = s.dt.strftime("%Y-%m-%d").fillna("")
        elif pd.api.types.is_float_dtype(s):
            out[col] = [("" if pd.isna(v) else (str(int(v)) if float(v).is_integer() else str(v))) for v in s]
        elif pd.api.types.is_bool_dtype(s):
            out[col] = s.map({True: "1", False: "0"}).fillna("")
        else:
            out[col] = ["" if v is None or (isinstance(v, float) and np.isnan(v)) else
                        (v.isoformat() if hasattr(v, "isoformat") else str(v)) for v in s]
    return pd.DataFrame(out, columns=list(frame.columns))


def _rda_files(path: Path) -> list[Path]:
    _must_exist(path)
    files = sorted(p for p in path.iterdir() if p.suffix.lower() in (".rda", ".rdata")) if path.is_dir() else [path]
    if not files:
        raise GAImportError([f"{path}: no .rda files"])
    for f in files:
        if not f.is_file():
            raise GAImportError([f"{f}: no such file"])
    return files


def _input_files(kind: str, path: Path) -> list[Path]:
    """The files an import of ``kind`` at ``path`` reads (checked to exist)."""
    if kind == "unvotes":
        return list(_unvotes_paths(path).values())
    if kind == "rda":
        return _rda_files(path)
    return _undl_files(path)


def read_rda(path: Path | str) -> tuple[Tables, list[Path]]:
    """Read and validate unvotes ``.rda`` files: a folder, or one file holding the objects.

    The objects ``un_votes``, ``un_roll_calls`` and (optionally)
    ``un_roll_call_issues`` are looked up by name across the ``.rda`` files
    given (a folder: all its ``.rda``/``.RData`` files).
    """
    import pyreadr

    path = Path(path)
    files = _rda_files(path)
    objects: dict[str, tuple[pd.DataFrame, Path]] = {}
    for f in files:
        try:
            result = pyreadr.read_r(str(f))
        except Exception as exc:  # pyreadr raises its own and libc errors
            raise GAImportError([f"{f}: not a readable R data file ({exc})"]) from None
        for name, frame in result.items():
            objects[name] = (frame, f)
    raws = {}
    for role, name in UNVOTES_FILES.items():
        if name not in objects:
            if role == "issues":
                continue
            raise GAImportError([f"{path}: no object {name!r} in {', '.join(map(str, files))}; found "
                                 f"{', '.join(objects) or 'none'} (expected unvotes objects "
                                 f"{', '.join(UNVOTES_FILES.values())})"])
        frame, f = objects[name]
        cols = [c for c in UNVOTES_HEADERS[role] if c in frame.columns]
        if cols != UNVOTES_HEADERS[role]:
            raise GAImportError([f"{f} (object {name}): expected the columns {','.join(UNVOTES_HEADERS[role])}; "
                                 f"found {','.join(map(str, frame.columns))}"])
        raws[role] = _Raw(_rda_text(frame[UNVOTES_HEADERS[role]]).reset_index(drop=True), f, name)
    return _validate_unvotes(raws["votes"], raws["rollcalls"], raws.get("issues")), files


# ---------------------------------------------------------------- UN Digital Library

def _undl_files(path: Path) -> list[Path]:
    """A UN Digital Library file, or every ``*.csv`` / ``*.csv.gz`` of a folder in name order."""
    _must_exist(path)
    if not path.is_dir():
        return [path]
    files = sorted(p for p in path.iterdir()
                   if p.is_file() and p.name.lower().endswith((".csv", ".csv.gz")))
    if not files:
        raise GAImportError([f"{path}: no .csv or .csv.gz files in this folder (a UN Digital Library import of "
                             "a folder reads every *.csv and *.csv.gz file in it)"])
    return files


def read_undl(path: Path | str) -> tuple[Tables, list[Path]]:
    """Read and validate a UN Digital Library bulk CSV (2025 or 2026 header), or a folder of them.

    A folder's files (every ``*.csv`` and ``*.csv.gz``, in name order) are
    read as one table: a record split over files must agree with itself, and
    a state's vote on a record may appear only once.
    """
    files = _undl_files(Path(path))
    frames, parts, first_row = [], [], 0
    for f in files:
        frame = _read_csv(f, [UNDL_HEADER_2026, UNDL_HEADER_2025], "a UN Digital Library voting CSV")
        frames.append(frame[UNDL_HEADER_2025])
        parts.append((f, first_row))
        first_row += len(frame)
    frame = _strip(pd.concat(frames, ignore_index=True))
    raw = _Raw(frame, Path(path), parts=parts)
    problems: list[str] = []
    undl_id = _int_column(raw, "undl_id", problems, 1, MAX_UNDL_ID,
                          why=f" (rcid = {UNDL_RCID_OFFSET:,} + undl_id must stay an ordinary integer)")
    session = _int_column(raw, "session", problems, 1, current_session(), why=" (GA sessions so far)")
    day = _date_column(raw, "date", problems)
    _check_calls(raw, session, day, problems)
    vote = _vote_column(raw, "ms_vote", UNDL_VOTE, problems, allow_empty=True)
    seat = _map_countries(raw, frame[["ms_code", "ms_name"]], _undl_seat, problems)
    entity = _assign_entities(raw, seat, day.to_numpy(), problems)
    # Roll-call fields must agree within a record.
    calls = pd.DataFrame({"undl_id": undl_id, "session": session, "date": day, "resolution": frame["resolution"],
                          "title": frame["title"]})
    first = calls[calls["undl_id"].notna()].drop_duplicates("undl_id")
    for col in ("session", "date", "resolution"):
        ref = first.set_index("undl_id")[col]
        mismatch = calls[col].to_numpy() != ref.reindex(calls["undl_id"]).to_numpy()
        mismatch &= calls["undl_id"].notna().to_numpy() & calls[col].notna().to_numpy()
        for i in np.flatnonzero(mismatch)[:MAX_PROBLEMS]:
            problems.append(f"{raw.where(i)}: {col} differs from the first row of record {undl_id.iloc[i]} "
                            f"({raw.where(int(first.index[first['undl_id'] == undl_id.iloc[i]][0]))})")
    votes = pd.DataFrame({"rcid": undl_id + UNDL_RCID_OFFSET, "iso3": entity, "vote": vote})
    present = (frame["ms_vote"] != "").to_numpy()
    _check_duplicate_votes(raw, votes.where(pd.Series(present, index=votes.index)), problems)
    if problems:
        raise GAImportError(problems[:MAX_PROBLEMS * 3], total=len(problems))
    rc = pd.DataFrame({
        "rcid": first["undl_id"] + UNDL_RCID_OFFSET, "session": first["session"],
        "date": first["date"].dt.strftime("%Y-%m-%d"), "unres": _none_if_empty(first["resolution"]),
        "important": None, "amend": None, "para": None, "short": _none_if_empty(first["title"]),
        "descr": None, "issues": "[]", "undl_id": first["undl_id"],
    }).reset_index(drop=True)
    votes = votes[present].astype({"rcid": "int64", "vote": "int8"}).reset_index(drop=True)
    return Tables(rc, votes), files


# ---------------------------------------------------------------- writing

def _sha256(paths: Iterable[Path]) -> str:
    from blocwatch.store.provenance import sha256_of

    digests = [sha256_of(p) for p in paths]
    return digests[0] if len(digests) == 1 else hashlib.sha256("".join(digests).encode()).hexdigest()


def _python(values) -> list:
    return [None if (v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))) else
            (int(v) if isinstance(v, (np.integer, bool, np.bool_)) else v) for v in values]


@dataclass
class Written:
    """What :func:`write_tables` changed in the store."""

    rollcalls_added: int = 0
    rollcalls_changed: int = 0
    votes_added: int = 0
    votes_changed: int = 0
    rollcall_changes: list[dict] = field(default_factory=list)
    vote_changes: list[dict] = field(default_factory=list)


_FLAGS = ("important", "amend", "para")


# The unvotes names of two fields (kept in the importers' tables and the curated CSV) -> the store's columns.
STORED_AS = {"unres": "symbol", "short": "title"}
STORED_FIELDS = [STORED_AS.get(f, f) for f in ROLLCALL_FIELDS]


def _rollcall_records(rc: pd.DataFrame, source_id: int) -> list[dict]:
    """The roll calls as the Python values the table's column types take (dates, booleans, lists), keyed by
    the store's column names; every one is a General Assembly roll call."""
    columns = {c: _python(rc[c]) for c in ROLLCALL_FIELDS}
    columns["date"] = [None if v is None else date.fromisoformat(v) for v in columns["date"]]
    for flag in _FLAGS:
        columns[flag] = [None if v is None else bool(v) for v in columns[flag]]
    columns["issues"] = [json.loads(v) if isinstance(v, str) else list(v or []) for v in columns["issues"]]
    return [{**dict(zip(STORED_FIELDS, values, strict=True)), "forum": "ga", "source_id": source_id}
            for values in zip(*columns.values(), strict=True)]


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


def _show(field_name: str, value) -> str:
    if value is None:
        return "empty"
    if field_name == "date" or isinstance(value, int):
        return str(int(value) if isinstance(value, bool) else value)
    if isinstance(value, list):
        return ",".join(value) or "none"
    return repr(value)


def _rollcall_changes(conn: Connection, records: list[dict]) -> tuple[set[int], list[dict]]:
    """(rcids already stored, one dict per stored field whose value differs from ``records``)."""
    rc = vectors.table("roll_calls")
    by_rcid = {r["rcid"]: r for r in records}
    stored: set[int] = set()
    changes: list[dict] = []
    fields = STORED_FIELDS[1:]
    for part in vectors._chunks(sorted(by_rcid)):
        for row in conn.execute(select(rc.c.rcid, *[rc.c[f] for f in fields]).where(rc.c.rcid.in_(part))):
            stored.add(row[0])
            new = by_rcid[row[0]]
            for f, old in zip(fields, row[1:], strict=True):
                if old != new[f]:
                    changes.append({"rcid": row[0], "undl_id": new["undl_id"], "field": f,
                                    "old": _plain(old), "new": _plain(new[f])})
    return stored, changes


def _describe_rollcall_changes(changes: list[dict], limit: int = MAX_PROBLEMS) -> list[str]:
    """One text per changed roll call: "roll call R (undl_id U): date A -> B, session C -> D"."""
    per_call: dict[int, list[dict]] = {}
    for c in changes:
        per_call.setdefault(c["rcid"], []).append(c)
    out = []
    for rcid, fields in list(per_call.items())[:limit]:
        undl = f" (undl_id {fields[0]['undl_id']})" if fields[0]["undl_id"] is not None else ""
        out.append(f"roll call {rcid}{undl}: " + ", ".join(
            f"{c['field']} {_show(c['field'], c['old'])} -> {_show(c['field'], c['new'])}" for c in fields))
    if len(per_call) > limit:
        out.append(f"... and {len(per_call) - limit} more roll calls")
    return out


def write_tables(session: Session, tables: Tables, source_id: int, *, replace: bool = False, label: str = "",
                 progress: Callable[[int], None] | None = None, chunk: int = 100_000) -> Written:
    """Store roll calls and votes in the session's transaction, and their packed vectors.

    New roll calls and votes are added; a stored vote with another value is
    updated (and listed in :attr:`Written.vote_changes`). A roll call stored
    with other values (date, session, title, ...) raises
    :class:`GAImportConflict` (``label`` names the input in the message)
    before anything is written, unless ``replace``: then it is overwritten
    and listed. Storing the same tables twice changes nothing.
    """
    conn = session.connection()
    rc_table, vote_table = vectors.table("roll_calls"), vectors.table("votes")
    had_rollcalls = conn.execute(select(rc_table.c.rcid).limit(1)).first() is not None
    records = _rollcall_records(tables.rollcalls, source_id)
    stored_rc, rc_changes = _rollcall_changes(conn, records) if had_rollcalls else (set(), [])
    if rc_changes and not replace:
        calls = _describe_rollcall_changes(rc_changes, limit=5)
        raise GAImportConflict([
            f"{label or 'the input'}: {len({c['rcid'] for c in rc_changes})} roll call(s) already stored with "
            f"other values: {'; '.join(calls)}; overwrite them with --replace (replace=True)"])
    changed_rc = {c["rcid"] for c in rc_changes}
    out = Written(rollcalls_added=len(records) - len(stored_rc), rollcalls_changed=len(changed_rc),
                  rollcall_changes=rc_changes)
    to_write = [r for r in records if r["rcid"] not in stored_rc or r["rcid"] in changed_rc]
    if to_write:
        conn.execute(vectors.upsert(conn, rc_table, ["rcid"], [*STORED_FIELDS[1:], "forum", "source_id"]), to_write)

    v = tables.votes
    if not np.isin(v["vote"].to_numpy(), list(VOTE_CODES)).all():
        raise ValueError(f"vote codes must be {', '.join(map(str, VOTE_CODES))}")
    if stored_rc:
        # Compare with what is stored for these roll calls (read from the packed copy: fast).
        old = vectors.stored_votes(conn, sorted(stored_rc))
        merged = v.astype({"iso3": object}).merge(old.astype({"iso3": object}), on=["rcid", "iso3"], how="left",
                                                  suffixes=("", "_old"))
        old_vote = merged["vote_old"].to_numpy(dtype="float64")
        new = np.isnan(old_vote)
        changed = ~new & (old_vote != merged["vote"].to_numpy())
        out.vote_changes = [{"rcid": int(r.rcid), "iso3": r.iso3, "old": VOTE_CODES[int(r.vote_old)],
                             "new": VOTE_CODES[int(r.vote)]} for r in merged[changed].itertuples(index=False)]
        v = v[new | changed]
        out.votes_added, out.votes_changed = int(new.sum()), int(changed.sum())
    else:
        out.votes_added = len(v)
    rcid = v["rcid"].to_numpy().tolist()
    iso3 = v["iso3"].astype(object).to_numpy().tolist()
    vote = v["vote"].to_numpy().astype(int).tolist()
    # No roll call stored yet (a first fill): a plain insert, which PostgreSQL writes faster.
    statement = insert(vote_table) if not had_rollcalls else vectors.upsert(
        conn, vote_table, ["rcid", "iso3"], ["vote"], where=lambda t, excluded: t.c.vote != excluded.vote)
    with foreign_keys_checked_once(conn, ["votes"], rows=len(v)):
        for start in range(0, len(v), chunk):
            vectors.executemany(conn, statement, ["rcid", "iso3", "vote"],
                                list(zip(rcid[start:start + chunk], iso3[start:start + chunk],
                                         vote[start:start + chunk], strict=True)))
            if progress:
                progress(min(chunk, len(v) - start))
    # The packed copy of the votes (blocwatch.ga.vectors), rewritten in this same transaction.
    touched = {r["rcid"] for r in to_write} | set(rcid)
    if not had_rollcalls:
        vectors.refresh(conn, None)
    elif touched:
        vectors.refresh(conn, touched)
    return out


READERS: dict[str, Callable[[Path], tuple[Tables, list[Path]]]] = {
    "unvotes": read_unvotes, "rda": read_rda, "undl": read_undl,
}


def _report(result: ImportResult, written: Written) -> None:
    """Copy the counts and changes of a write into ``result``, with notes that list every change."""
    for name in ("rollcalls_added", "rollcalls_changed", "votes_added", "votes_changed",
                 "rollcall_changes", "vote_changes"):
        setattr(result, name, getattr(written, name))
    for text_ in _describe_rollcall_changes(written.rollcall_changes):
        result.notes.append(f"replaced {text_}" if not text_.startswith("...") else text_)
    for c in written.vote_changes[:MAX_PROBLEMS]:
        result.notes.append(f"changed the vote of {c['iso3']} on roll call {c['rcid']}: {c['old']} -> {c['new']}")
    if len(written.vote_changes) > MAX_PROBLEMS:
        result.notes.append(f"... and {len(written.vote_changes) - MAX_PROBLEMS} more changed votes "
                            "(all in vote_changes)")
    if not (written.rollcalls_added or written.rollcalls_changed or written.votes_added or written.votes_changed):
        result.notes.append("every roll call and vote was already stored with the same values; nothing changed")


def import_votes(engine: Engine, kind: str, path: Path | str, *, progress: bool = False,
                 overlap: str = "skip", replace: bool = False) -> ImportResult:
    """Import one GA voting file (``kind``: ``unvotes``, ``rda`` or ``undl``) in one transaction.

    Raises :class:`GAImportError` (nothing stored) on a wrong or malformed
    file. ``overlap`` (UN Digital Library only): ``skip`` leaves out roll
    calls of sessions the store already holds from another source (the
    bundled 1946-2019 unvotes data), so no vote is counted twice; ``keep``
    imports them anyway. A roll call already stored with other values
    (date, session, title, ...) raises :class:`GAImportConflict` (nothing
    stored) unless ``replace=True``, which overwrites it; either way every
    changed value is counted and listed in the result (``rollcalls_changed``,
    ``rollcall_changes``, ``votes_changed``, ``vote_changes`` and ``notes``).
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from blocwatch.store.db import session_scope
    from blocwatch.store.provenance import get_source, log_import

    if kind not in READERS:
        raise errors.NotFound(f"unknown import kind {kind!r}; expected one of {', '.join(READERS)}",
                              close_matches=[k for k in READERS if k[0] == str(kind)[:1]])
    if overlap not in ("skip", "keep"):
        raise errors.InvalidInput(f"overlap must be 'skip' or 'keep', not {overlap!r}")
    path = Path(path)
    # An import that skipped overlapping sessions is logged apart, so that a
    # later --overlap keep of the same file still imports what was skipped.
    log_kind = f"ga:{kind}" + (":skip-overlap" if kind == "undl" and overlap == "skip" else "")
    done_kinds = [f"ga:{kind}", log_kind]
    paths = _input_files(kind, path)
    digest = _sha256(paths)
    with engine.connect() as conn:
        imports = vectors.table("imports").c
        done = conn.execute(select(imports.id).where(imports.sha256 == digest, imports.kind.in_(done_kinds))
                            .limit(1)).first()
    if done:
        return ImportResult(kind=kind, paths=[str(p) for p in paths], already_imported=True,
                            notes=["this file was imported before (same SHA-256); nothing changed"])
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=Console(stderr=True), transient=True,
                   disable=not progress or not sys.stderr.isatty())  # a bar only on a terminal
    with bar:
        task = bar.add_task(f"reading {path.name}", total=None)
        tables, paths = READERS[kind](path)
        result = ImportResult(kind=kind, paths=[str(p) for p in paths],
                              rollcalls=len(tables.rollcalls), votes=len(tables.votes))
        with session_scope(engine) as session:
            if kind == "undl" and overlap == "skip":
                calls = vectors.table("roll_calls").c
                held = set(session.execute(select(calls.session).where(calls.undl_id.is_(None)).distinct())
                           .scalars())
                skip_rc = tables.rollcalls["session"].isin(held).to_numpy()
                if skip_rc.any():
                    dropped = set(tables.rollcalls.loc[skip_rc, "rcid"].tolist())
                    result.skipped_rollcalls = int(skip_rc.sum())
                    result.notes.append(
                        f"skipped {result.skipped_rollcalls} roll call(s) of sessions already stored from "
                        f"another source: {', '.join(map(str, sorted(held & set(tables.rollcalls['session']))))}"
                        " (use overlap='keep' / --overlap keep to import them anyway)")
                    tables = Tables(tables.rollcalls[~skip_rc],
                                    tables.votes[~tables.votes["rcid"].isin(dropped)])
            if kind == "undl":
                source = get_source(session, kind="dataset", url="https://digitallibrary.un.org",
                                    title=f"UN Digital Library GA voting data ({path.name})",
                                    citation=UNDL_CITATION)
            else:
                source = get_source(session, kind="dataset", url="https://github.com/dgrtwo/unvotes",
                                    title=f"unvotes ({kind}: {', '.join(p.name for p in paths)})",
                                    citation=UNVOTES_CITATION)
            bar.update(task, description=f"storing {path.name}", total=len(tables.votes), completed=0)
            written = write_tables(session, tables, source.id, replace=replace, label=str(path),
                                   progress=lambda n: bar.advance(task, n))
            _report(result, written)
            entry = log_import(session, kind=log_kind, rows=len(tables.votes), path=paths[0], source=source)
            entry.sha256 = digest
    return result
