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
stores nothing if any row is malformed (:class:`GAImportError` lists file and
line of each problem, up to :data:`MAX_PROBLEMS`). A file with the wrong
header is rejected with the header that was expected. Re-importing a file
changes nothing: an identical file (same SHA-256) is skipped, and rows are
upserted, updated only where a value differs. Votes are stored under the
entity that held the seat on the day (:mod:`blocwatch.ga.seats`).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from blocwatch import names, registry
from blocwatch.ga import seats, vectors
from blocwatch.ga.votes import ISSUES

MAX_PROBLEMS = 20
UNDL_RCID_OFFSET = 10_000_000

UNVOTES_HEADERS: dict[str, list[str]] = {
    "votes": ["rcid", "country", "country_code", "vote"],
    "rollcalls": ["rcid", "session", "importantvote", "date", "unres", "amend", "para", "short", "descr"],
    "issues": ["rcid", "short_name", "issue"],
}
UNVOTES_FILES = {"votes": "un_votes", "rollcalls": "un_roll_calls", "issues": "un_roll_call_issues"}
UNDL_HEADER_2026 = ("undl_id,ms_code,ms_name,ms_vote,date,session,resolution,draft,committee_report,meeting,"
                    "title,agenda_title,subjects,vote_note,total_yes,total_no,total_abstentions,"
                    "total_non_voting,total_ms,undl_link").split(",")
UNDL_HEADER_2025 = [c for c in UNDL_HEADER_2026 if c != "vote_note"]
UNVOTES_VOTE = {"yes": 1, "abstain": 2, "no": 3}
UNDL_VOTE = {"Y": 1, "A": 2, "N": 3, "X": 8}

UNVOTES_CITATION = ("Erik Voeten, 'United Nations General Assembly Voting Data', Harvard Dataverse, "
                    "hdl:1902.1/12379; as packaged in the R package unvotes (David Robinson).")
UNDL_CITATION = ("United Nations Dag Hammarskjöld Library, 'United Nations General Assembly Voting Data', "
                 "UN Digital Library, https://digitallibrary.un.org")

ROLLCALL_FIELDS = ["rcid", "session", "date", "unres", "important", "amend", "para", "short", "descr",
                   "issues", "undl_id"]


class GAImportError(ValueError):
    """An input that cannot be imported; ``problems`` lists each one ("file:line: what")."""

    def __init__(self, problems: Sequence[str], total: int | None = None):
        self.problems = list(problems)
        self.total = total if total is not None else len(problems)
        shown = self.problems[:MAX_PROBLEMS]
        more = self.total - len(shown)
        message = f"{self.total} problem(s); nothing was imported:\n  " + "\n  ".join(shown)
        if more > 0:
            message += f"\n  ... and {more} more"
        super().__init__(message)


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
    skipped_rollcalls: int = 0
    already_imported: bool = False
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return dict(self.__dict__)


# ---------------------------------------------------------------- reading

@dataclass
class _Raw:
    """A table read as text, with where each row came from."""

    frame: pd.DataFrame
    path: Path
    object_name: str | None = None  # .rda object

    def where(self, index: int) -> str:
        if self.object_name is not None:
            return f"{self.path} (object {self.object_name}), row {index + 1}"
        return f"{self.path}:{_line_numbers(self.path).get(index, index + 2)}"


_LINES_CACHE: dict[Path, dict[int, int]] = {}


def _open_text(path: Path):
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")


def _line_numbers(path: Path) -> dict[int, int]:
    """data row index -> physical line where the row starts (only computed on error)."""
    if path not in _LINES_CACHE:
        out = {}
        with _open_text(path) as fh:
            reader = csv.reader(fh)
            next(reader, None)
            start = reader.line_num + 1
            for i, _ in enumerate(reader):
                out[i] = start
                start = reader.line_num + 1
        _LINES_CACHE.clear()
        _LINES_CACHE[path] = out
    return _LINES_CACHE[path]


def _read_csv(path: Path, expected: Sequence[str] | Iterable[Sequence[str]], what: str) -> pd.DataFrame:
    """Read a CSV as text after checking its header against one of ``expected``."""
    options = [list(expected)] if isinstance(expected[0], str) else [list(e) for e in expected]
    if not path.is_file():
        raise GAImportError([f"{path}: no such file ({what})"])
    try:
        with _open_text(path) as fh:
            header = next(csv.reader(fh), [])
    except (OSError, UnicodeDecodeError, EOFError, gzip.BadGzipFile) as exc:
        raise GAImportError([f"{path}: cannot read as UTF-8 CSV ({exc})"]) from None
    header = [h.strip() for h in header]
    if header not in options:
        want = " or ".join(",".join(o) for o in options)
        found = ",".join(header) or "(empty)"
        raise GAImportError([f"{path}:1: not {what}: expected the header {want}; found {found}"])
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8-sig")
    frame.columns = header
    return frame


def _strip(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.apply(lambda s: s.str.strip())


def _int_column(raw: _Raw, column: str, problems: list, *, allow_empty: bool = False) -> pd.Series:
    values = raw.frame[column]
    out = pd.to_numeric(values.where(values != "", None), errors="coerce")
    bad = out.isna() & ((values != "") | (not allow_empty))
    bad |= out.notna() & (out != out.round())
    for i in np.flatnonzero(bad.to_numpy())[:MAX_PROBLEMS]:
        problems.append(f"{raw.where(i)}: {column} {values.iloc[i]!r} is not a whole number")
    if bad.sum() > MAX_PROBLEMS:
        problems.append(f"{raw.path}: ... {int(bad.sum()) - MAX_PROBLEMS} more rows with a bad {column}")
    return out.astype("Int64")


def _flag_column(raw: _Raw, column: str, problems: list) -> list:
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


def _none_if_empty(values: pd.Series) -> list:
    return [v if v else None for v in values]


# ---------------------------------------------------------------- countries

def _unvotes_seat(country: str, code: str) -> tuple[str | None, str | None]:
    """The seat code for an unvotes (name, alpha-2 code) pair, or (None, problem)."""
    special = seats.unvotes_names().get((country, code))
    if special:
        return special, None
    by_code = {c.iso2: c.iso3 for c in registry.all_entities() if c.iso2}
    resolution = names.try_resolve(country, include_former=True)
    if code and code in by_code:
        if resolution.resolved and resolution.iso3 != by_code[code]:
            return None, (f"country {country!r} has code {code!r} ({by_code[code]}) but the name means "
                          f"{resolution.name} ({resolution.iso3})")
        return by_code[code], None
    if resolution.resolved:
        return resolution.iso3, None
    close = ", ".join(f"{m.name} ({m.iso3})" for m in resolution.alternatives) or "none"
    return None, f"unknown country {country!r} (code {code!r}); close matches: {close}"


def _undl_seat(code: str, name: str) -> tuple[str | None, str | None]:
    if code and registry.exists(code):
        return registry.get(code).iso3, None
    resolution = names.try_resolve(name.title(), include_former=True)
    if resolution.resolved:
        return resolution.iso3, None
    close = ", ".join(f"{m.name} ({m.iso3})" for m in resolution.alternatives) or "none"
    return None, f"unknown country {name!r} (ms_code {code!r}); close matches: {close}"


def _map_countries(raw: _Raw, keys: pd.DataFrame, resolve: Callable, problems: list) -> np.ndarray:
    """Seat code per row; unknown countries reported with the lines they occur on."""
    pairs = keys.drop_duplicates()
    seat_of: dict[tuple, str | None] = {}
    for pair in pairs.itertuples(index=False):
        seat, problem = resolve(*pair)
        seat_of[tuple(pair)] = seat
        if problem:
            mask = np.ones(len(keys), dtype=bool)
            for col, value in zip(keys.columns, pair):
                mask &= (keys[col] == value).to_numpy()
            rows = np.flatnonzero(mask)
            lines = ", ".join(raw.where(i).rsplit(":", 1)[-1].strip() if raw.object_name is None
                              else str(i + 1) for i in rows[:5])
            more = f" and {len(rows) - 5} more" if len(rows) > 5 else ""
            plural = "s" if len(rows) > 1 else ""
            label = f"line{plural}" if raw.object_name is None else f"row{plural} of {raw.object_name}"
            problems.append(f"{raw.path} ({label} {lines}{more}): {problem}")
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
    rcid = _int_column(rollcalls, "rcid", problems)
    session = _int_column(rollcalls, "session", problems)
    day = _date_column(rollcalls, "date", problems)
    dup = rcid.duplicated() & rcid.notna()
    for i in np.flatnonzero(dup.to_numpy())[:MAX_PROBLEMS]:
        problems.append(f"{rollcalls.where(i)}: roll call {rcid.iloc[i]} appears twice")
    issue_lists: dict[int, list[str]] = {}
    if issues is not None:
        iss = _strip(issues.frame)
        issues.frame = iss
        irc = _int_column(issues, "rcid", problems)
        known = set(rcid.dropna().tolist())
        for i, (r, code) in enumerate(zip(irc, iss["short_name"])):
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
    vrc = _int_column(votes, "rcid", problems)
    vote_text = vf["vote"].str.strip().str.lower()
    vote = vote_text.map(UNVOTES_VOTE)
    for i in np.flatnonzero(vote.isna().to_numpy())[:MAX_PROBLEMS]:
        problems.append(f"{votes.where(i)}: vote {vf['vote'].iloc[i]!r} is not yes, no or abstain")
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
        problems.append(f"{raw.where(int(i))}: a second vote of {votes.at[i, 'iso3']} on roll call "
                        f"{votes.at[i, 'rcid']}")


def _unvotes_paths(path: Path) -> dict[str, Path]:
    """The three unvotes files from a folder, or from one of them (siblings found by name)."""
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
    if not path.is_file():
        raise GAImportError([f"{path}: no such file"])
    return [path]


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

def read_undl(path: Path | str) -> tuple[Tables, list[Path]]:
    """Read and validate a UN Digital Library bulk CSV (2025 or 2026 header)."""
    path = Path(path)
    frame = _strip(_read_csv(path, [UNDL_HEADER_2026, UNDL_HEADER_2025], "a UN Digital Library voting CSV"))
    raw = _Raw(frame, path)
    problems: list[str] = []
    undl_id = _int_column(raw, "undl_id", problems)
    session = _int_column(raw, "session", problems)
    day = _date_column(raw, "date", problems)
    vote_text = frame["ms_vote"].str.upper()
    bad = ~vote_text.isin(list(UNDL_VOTE) + [""])
    for i in np.flatnonzero(bad.to_numpy())[:MAX_PROBLEMS]:
        problems.append(f"{raw.where(i)}: ms_vote {frame['ms_vote'].iloc[i]!r} is not Y, N, A, X or empty")
    seat = _map_countries(raw, frame[["ms_code", "ms_name"]], _undl_seat, problems)
    entity = _assign_entities(raw, seat, day.to_numpy(), problems)
    # Roll-call fields must agree within a record.
    calls = pd.DataFrame({"undl_id": undl_id, "session": session, "date": day, "resolution": frame["resolution"],
                          "title": frame["title"]})
    first = calls.drop_duplicates("undl_id")
    for col in ("session", "date", "resolution"):
        ref = first.set_index("undl_id")[col]
        mismatch = calls[col].to_numpy() != ref.reindex(calls["undl_id"]).to_numpy()
        mismatch &= calls["undl_id"].notna().to_numpy() & calls[col].notna().to_numpy()
        for i in np.flatnonzero(mismatch)[:MAX_PROBLEMS]:
            problems.append(f"{raw.where(i)}: {col} differs from the first row of record {undl_id.iloc[i]}")
    votes = pd.DataFrame({"rcid": undl_id + UNDL_RCID_OFFSET, "iso3": entity, "vote": vote_text.map(UNDL_VOTE)})
    present = (vote_text != "").to_numpy()
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
    return Tables(rc, votes), [path]


# ---------------------------------------------------------------- writing

def _sha256(paths: Iterable[Path]) -> str:
    from blocwatch.store.provenance import sha256_of

    digests = [sha256_of(p) for p in paths]
    return digests[0] if len(digests) == 1 else hashlib.sha256("".join(digests).encode()).hexdigest()


def _python(values) -> list:
    return [None if (v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))) else
            (int(v) if isinstance(v, (np.integer, bool, np.bool_)) else v) for v in values]


def write_tables(session: Session, tables: Tables, source_id: int, *,
                 progress: Callable[[int], None] | None = None, chunk: int = 100_000) -> tuple[int, int, int, int]:
    """Upsert roll calls and votes in the session's transaction, and their packed vectors.

    Returns (roll calls added, votes added, votes changed, roll calls updated).
    Existing rows are updated only where a value differs, so storing the
    same tables twice changes nothing.
    """
    conn = session.connection()
    before_rc = conn.execute(text("SELECT count(*) FROM ga_roll_calls")).scalar_one()
    before_v = conn.execute(text("SELECT count(*) FROM ga_votes")).scalar_one()
    rc = tables.rollcalls
    rows = list(zip(*[_python(rc[c]) for c in ROLLCALL_FIELDS], [source_id] * len(rc)))
    updates = ", ".join(f"{c} = excluded.{c}" for c in ROLLCALL_FIELDS[1:])
    differs = " OR ".join(f"ga_roll_calls.{c} IS NOT excluded.{c}" for c in ROLLCALL_FIELDS[1:])
    res = None if not rows else conn.exec_driver_sql(
        f"INSERT INTO ga_roll_calls ({', '.join(ROLLCALL_FIELDS)}, source_id) "
        f"VALUES ({', '.join('?' * (len(ROLLCALL_FIELDS) + 1))}) "
        f"ON CONFLICT(rcid) DO UPDATE SET {updates}, source_id = excluded.source_id WHERE {differs}", rows)
    rc_touched = res.rowcount if res is not None and res.rowcount is not None and res.rowcount >= 0 else 0
    v = tables.votes
    rcid = v["rcid"].to_numpy().tolist()
    iso3 = v["iso3"].astype(object).to_numpy().tolist()
    vote = v["vote"].to_numpy().astype(int).tolist()
    touched = 0
    for start in range(0, len(v), chunk):
        res = conn.exec_driver_sql(
            "INSERT INTO ga_votes (rcid, iso3, vote) VALUES (?, ?, ?) "
            "ON CONFLICT(rcid, iso3) DO UPDATE SET vote = excluded.vote WHERE ga_votes.vote != excluded.vote",
            list(zip(rcid[start:start + chunk], iso3[start:start + chunk], vote[start:start + chunk])))
        touched += res.rowcount if res.rowcount is not None and res.rowcount >= 0 else 0
        if progress:
            progress(min(chunk, len(v) - start))
    # The packed copy of the votes (blocwatch.ga.vectors), rewritten in this same transaction.
    vectors.refresh(conn, None if before_rc == 0 else set(_python(rc["rcid"])) | set(rcid))
    after_rc = conn.execute(text("SELECT count(*) FROM ga_roll_calls")).scalar_one()
    after_v = conn.execute(text("SELECT count(*) FROM ga_votes")).scalar_one()
    added_v = after_v - before_v
    return after_rc - before_rc, added_v, touched - added_v, rc_touched - (after_rc - before_rc)


READERS: dict[str, Callable[[Path], tuple[Tables, list[Path]]]] = {
    "unvotes": read_unvotes, "rda": read_rda, "undl": read_undl,
}


def import_votes(engine: Engine, kind: str, path: Path | str, *, progress: bool = False,
                 overlap: str = "skip") -> ImportResult:
    """Import one GA voting file (``kind``: ``unvotes``, ``rda`` or ``undl``) in one transaction.

    Raises :class:`GAImportError` (nothing stored) on a wrong or malformed
    file. ``overlap`` (UN Digital Library only): ``skip`` leaves out roll
    calls of sessions the store already holds from another source (the
    bundled 1946-2019 unvotes data), so no vote is counted twice; ``keep``
    imports them anyway.
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from blocwatch.store.db import session_scope
    from blocwatch.store.provenance import get_source, log_import

    if kind not in READERS:
        raise ValueError(f"unknown import kind {kind!r}; expected one of {', '.join(READERS)}")
    if overlap not in ("skip", "keep"):
        raise ValueError(f"overlap must be 'skip' or 'keep', not {overlap!r}")
    path = Path(path)
    # An import that skipped overlapping sessions is logged apart, so that a
    # later --overlap keep of the same file still imports what was skipped.
    log_kind = f"ga:{kind}" + (":skip-overlap" if kind == "undl" and overlap == "skip" else "")
    done_kinds = [f"ga:{kind}", log_kind]
    paths = _input_files(kind, path)
    digest = _sha256(paths)
    with engine.connect() as conn:
        done = conn.execute(text(
            "SELECT 1 FROM imports WHERE sha256 = :sha AND kind IN (:k1, :k2) LIMIT 1"),
            {"sha": digest, "k1": done_kinds[0], "k2": done_kinds[1]}).first()
    if done:
        return ImportResult(kind=kind, paths=[str(p) for p in paths], already_imported=True,
                            notes=["this file was imported before (same SHA-256); nothing changed"])
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=Console(stderr=True), disable=not progress, transient=True)
    with bar:
        task = bar.add_task(f"reading {path.name}", total=None)
        tables, paths = READERS[kind](path)
        result = ImportResult(kind=kind, paths=[str(p) for p in paths],
                              rollcalls=len(tables.rollcalls), votes=len(tables.votes))
        with session_scope(engine) as session:
            if kind == "undl" and overlap == "skip":
                held = {r[0] for r in session.execute(text(
                    "SELECT DISTINCT session FROM ga_roll_calls WHERE undl_id IS NULL"))}
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
            added_rc, added_v, changed_v, _ = write_tables(
                session, tables, source.id, progress=lambda n: bar.advance(task, n))
            result.rollcalls_added, result.votes_added, result.votes_changed = added_rc, added_v, changed_v
            entry = log_import(session, kind=log_kind, rows=len(tables.votes), path=paths[0], source=source)
            entry.sha256 = digest
    return result
