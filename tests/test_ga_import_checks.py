"""GA imports refuse what they cannot store faithfully (issue 8): each problem is one clear line, nothing changes.

Files are written here; ``small_engine`` holds the schema and the country
registry only. Every refused import is checked against a full snapshot of
the database taken before it.
"""

from __future__ import annotations

import gzip
from datetime import date

import pytest
from sqlalchemy import text

from blocwatch import errors
from blocwatch.ga.importers import (
    UNDL_HEADER_2026,
    UNDL_RCID_OFFSET,
    GAImportError,
    import_votes,
)

from tests.dbsnapshot import snapshot
from tests.test_ga_importers import ROLLCALLS, VOTES, small_engine, stored, undl_rows, write_csv, write_unvotes

pytestmark = pytest.mark.postgres  # make test-postgres runs this module on PostgreSQL too

__all__ = ["small_engine"]  # the fixture, imported for pytest

COL = {name: i for i, name in enumerate(UNDL_HEADER_2026)}
RECORD = UNDL_RCID_OFFSET + 4000001


def undl_file(path, edit=None):
    """The two-record UNDL table of test_ga_importers, with ``edit(rows)`` applied."""
    rows = undl_rows(True)
    if edit:
        edit(rows)
    return write_csv(path, UNDL_HEADER_2026, rows)


def set_cells(rows, first_n, **cells):
    for row in rows[:first_n]:
        for name, value in cells.items():
            row[COL[name]] = value


def refused(engine, kind, path, *fragments, cls=GAImportError, **options):
    """Import ``path``, expect ``cls``; check it is one line holding every fragment and changed nothing."""
    before = snapshot(engine)
    with pytest.raises(cls) as err:
        import_votes(engine, kind, path, **options)
    message = str(err.value)
    assert isinstance(err.value, errors.ImportFailed)
    assert "\n" not in message, message
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    assert snapshot(engine) == before
    return message


# ---------------------------------------------------------------- 1. no silent overwrite

def test_changed_rollcall_is_refused_unless_replaced(small_engine, tmp_path):
    import_votes(small_engine, "undl", undl_file(tmp_path / "a.csv"))
    changed = undl_file(tmp_path / "b.csv", lambda rows: set_cells(rows, 5, date="2023-12-20"))
    message = refused(small_engine, "undl", changed, f"roll call {RECORD}", "undl_id 4000001",
                      "date 2023-12-19 -> 2023-12-20", "replace=True", cls=errors.Conflict)
    assert message.startswith(f"{changed}")
    result = import_votes(small_engine, "undl", changed, replace=True)
    assert (result.rollcalls_changed, result.rollcalls_added, result.votes_added, result.votes_changed) == (1, 0, 0, 0)
    assert any(f"roll call {RECORD}" in n and "2023-12-19 -> 2023-12-20" in n for n in result.notes)
    with small_engine.connect() as conn:
        assert str(conn.execute(text("SELECT date FROM roll_calls WHERE rcid = :r"), {"r": RECORD}).scalar_one()) \
            == "2023-12-20"


def test_brief_example_far_future_record_is_refused(small_engine, tmp_path):
    """The issue's file: a record reusing an undl_id, dated 2090-01-01 in session 145."""
    import_votes(small_engine, "undl", undl_file(tmp_path / "a.csv"))
    bad = undl_file(tmp_path / "b.csv", lambda rows: set_cells(rows, 5, date="2090-01-01", session="145"))
    refused(small_engine, "undl", bad, f"{bad}:2:", "session '145' is out of range", "2090-01-01 is in the future")
    refused(small_engine, "undl", bad, "2090-01-01", replace=True)


def test_changed_votes_are_counted_and_listed(small_engine, tmp_path):
    import_votes(small_engine, "undl", undl_file(tmp_path / "a.csv"))
    # USA N -> Y on record 4000001; a new vote (AFG, was empty) is added, not changed.
    result = import_votes(small_engine, "undl", undl_file(
        tmp_path / "b.csv", lambda rows: (set_cells(rows, 1, ms_vote="Y"), set_cells(rows[4:], 1, ms_vote="A"))))
    assert (result.votes_changed, result.votes_added, result.rollcalls_changed) == (1, 1, 0)
    assert result.vote_changes == [{"rcid": RECORD, "iso3": "USA", "old": "no", "new": "yes"}]
    assert any(f"USA on roll call {RECORD}: no -> yes" in n for n in result.notes)
    assert stored(small_engine)[(RECORD, "USA")] == 1


def test_identical_reimport_changes_nothing_and_says_so(small_engine, tmp_path):
    import_votes(small_engine, "unvotes", write_unvotes(tmp_path / "uv"))
    before = snapshot(small_engine, exclude=["imports", "sources"])
    again = import_votes(small_engine, "unvotes", write_unvotes(tmp_path / "uv2", votes=list(reversed(VOTES))))
    assert (again.rollcalls_added, again.rollcalls_changed, again.votes_added, again.votes_changed) == (0, 0, 0, 0)
    assert again.vote_changes == [] and any("nothing changed" in n for n in again.notes)
    assert snapshot(small_engine, exclude=["imports", "sources"]) == before


# ---------------------------------------------------------------- 2. range checks

@pytest.mark.parametrize("cells, fragments", [
    ({"session": "0"}, ["session '0' is out of range", "from 1 to"]),
    ({"session": str(date.today().year - 1944)}, [f"session '{date.today().year - 1944}' is out of range"]),
    ({"date": "1945-12-31"}, ["1945-12-31", "before the first session"]),
    ({"date": "2010-12-19"}, ["2010-12-19 does not fit session 78", "September 2023", "September 2024"]),
    ({"undl_id": "9223372036854775000"}, ["undl_id '9223372036854775000' is out of range", "999,999,999"]),
    ({"undl_id": "99999999999999999999"}, ["undl_id '99999999999999999999' is out of range"]),
    ({"ms_vote": "y"}, ["ms_vote 'y' is not one of Y, N, A, X or empty"]),
    ({"ms_vote": "NV"}, ["ms_vote 'NV'"]),
])
def test_undl_values_out_of_range(small_engine, tmp_path, cells, fragments):
    path = undl_file(tmp_path / "u.csv", lambda rows: set_cells(rows, 1, **cells))
    refused(small_engine, "undl", path, f"{path}:2:", *fragments)


def test_no_negative_or_wrapped_rcid_is_ever_stored(small_engine, tmp_path):
    path = undl_file(tmp_path / "u.csv", lambda rows: set_cells(rows, 5, undl_id="9223372036854775000"))
    refused(small_engine, "undl", path, "out of range")
    with small_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM roll_calls WHERE rcid < 0")).scalar_one() == 0


def test_unvotes_ranges(small_engine, tmp_path):
    # An unvotes rcid in the UN Digital Library range would collide with UNDL roll calls.
    big = str(UNDL_RCID_OFFSET + 1)
    calls = ROLLCALLS + [(big, "50", "", "1995-12-12", "R/50/2", "", "", "", "")]
    folder = write_unvotes(tmp_path / "a", VOTES + [(big, "China", "CN", "yes")], calls)
    refused(small_engine, "unvotes", folder / "un_roll_calls.csv", f"rcid '{big}' is out of range")
    folder = write_unvotes(tmp_path / "b", [(*v[:3], "YES") if i == 0 else v for i, v in enumerate(VOTES)])
    refused(small_engine, "unvotes", folder,
            f"{folder / 'un_votes.csv.gz'}:2: vote 'YES' is not one of yes, no, abstain")


def test_special_sessions_as_the_data_numbers_them(small_engine, tmp_path):
    """unvotes numbers a special session held before September with the session that opens that September."""
    calls = [("9042", "22", "", "1967-07-02", "ESS/5/70", "", "", "ISRAEL", ""),     # 5th emergency special session
             ("9001", "2", "", "1947-05-06", "SS/1/59", "", "", "PALESTINE", ""),  # 1st special session
             ("3", "1", "", "1946-01-01", "R/1/66", "", "", "RULES", "")]          # the first meeting, London
    votes = [(c[0], "United States", "US", "yes") for c in calls]
    result = import_votes(small_engine, "unvotes", write_unvotes(tmp_path / "ess", votes, calls, []))
    assert result.rollcalls_added == 3
    # ... and an emergency special session numbered as the regular session running then (UN Digital Library).
    path = undl_file(tmp_path / "es11.csv", lambda rows: set_cells(rows, 5, session="76", date="2022-03-02"))
    assert import_votes(small_engine, "undl", path).rollcalls_added == 2


def test_raw_unvotes_date_anomalies_are_accepted_only_as_given(small_engine, tmp_path):
    """Three roll calls of Voeten's data are dated outside their session; they import as given, nothing else does."""
    calls = [("961", "22", "", "1966-12-07", "", "", "", "WORKING LANGUAGES", "")]
    assert import_votes(small_engine, "unvotes", write_unvotes(
        tmp_path / "ok", [("961", "United States", "US", "yes")], calls, [])).rollcalls_added == 1
    calls = [("962", "22", "", "1966-12-07", "", "", "", "WORKING LANGUAGES", "")]
    folder = write_unvotes(tmp_path / "bad", [("962", "United States", "US", "yes")], calls, [])
    refused(small_engine, "unvotes", folder, "1966-12-07 does not fit session 22")


# ---------------------------------------------------------------- 3. name and code must agree

def test_code_does_not_override_a_name_that_does_not_match(small_engine, tmp_path):
    votes = VOTES + [("104", "Narnia", "NA", "yes")]
    folder = write_unvotes(tmp_path / "narnia", votes)
    refused(small_engine, "unvotes", folder, f"{folder / 'un_votes.csv.gz'} (line 14)", "'Narnia'", "'NA'",
            "Namibia (NAM)", "close matches")
    votes = VOTES[:3] + [("102", "France", "QQ", "yes")]
    refused(small_engine, "unvotes", write_unvotes(tmp_path / "qq", votes), "'France'", "'QQ'",
            "not the ISO alpha-2 code")
    votes = [v if v[1] != "United States" else (v[0], "Canada", "US", v[3]) for v in VOTES]
    refused(small_engine, "unvotes", write_unvotes(tmp_path / "can", votes), "'Canada'", "'US'",
            "United States", "Canada (CAN)")


def test_seat_holder_spellings_are_accepted(small_engine, tmp_path):
    votes = [v if v[:2] != ("101", "Russia") else ("101", "Soviet Union", "RU", "no") for v in VOTES]
    import_votes(small_engine, "unvotes", write_unvotes(tmp_path / "su", votes))
    assert stored(small_engine)[(101, "SUN")] == 3


def test_undl_code_and_name_disagree(small_engine, tmp_path):
    path = undl_file(tmp_path / "u.csv", lambda rows: set_cells(rows, 1, ms_name="FRANCE"))
    refused(small_engine, "undl", path, f"{path} (line 2)", "'FRANCE'", "'USA'")


# ---------------------------------------------------------------- 4. clear errors, not tracebacks

def test_extra_field_in_a_row(small_engine, tmp_path):
    path = undl_file(tmp_path / "u.csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] += ",surplus"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    refused(small_engine, "undl", path, f"{path}:4:", "expected 20 fields", "found 21")
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].removesuffix(",surplus")
    lines[1] += ",surplus"  # in the first data row pandas would otherwise take a column as the index
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    refused(small_engine, "undl", path, f"{path}:2:", "expected 20 fields", "found 21")


def test_unterminated_quote_at_the_end(small_engine, tmp_path):
    path = undl_file(tmp_path / "u.csv")
    with open(path, "a", encoding="utf-8") as fh:
        fh.write('4000002,FRA,FRANCE,"Y\n')
    refused(small_engine, "undl", path, f"{path}:9:", "quote")


def test_non_utf8_byte_after_the_header(small_engine, tmp_path):
    path = undl_file(tmp_path / "u.csv")
    data = path.read_bytes().split(b"\n")
    data[2] = data[2].replace(b"CHINA", b"CHIN\xe0")
    path.write_bytes(b"\n".join(data))
    refused(small_engine, "undl", path, f"{path}:3:", "0xe0", "UTF-8")
    gz = tmp_path / "u.csv.gz"
    gz.write_bytes(gzip.compress(path.read_bytes()))
    refused(small_engine, "undl", gz, f"{gz}:3:", "UTF-8")


def test_huge_id_is_a_clear_error(small_engine, tmp_path):
    path = undl_file(tmp_path / "u.csv", lambda rows: set_cells(rows, 7, undl_id="99999999999999999999"))
    refused(small_engine, "undl", path, f"{path}:2:", "undl_id '99999999999999999999' is out of range")


def test_missing_path_says_it_does_not_exist(small_engine, tmp_path):
    for kind in ("unvotes", "undl", "rda"):
        refused(small_engine, kind, tmp_path / "nowhere", f"{tmp_path / 'nowhere'}: does not exist")


def test_undl_folder_imports_every_csv_in_one_transaction(small_engine, tmp_path):
    folder = tmp_path / "undl"
    folder.mkdir()
    rows = undl_rows(True)
    write_csv(folder / "b.csv", UNDL_HEADER_2026, rows[5:])
    with gzip.open(folder / "a.csv.gz", "wt", encoding="utf-8", newline="") as fh:
        import csv
        csv.writer(fh).writerows([UNDL_HEADER_2026, *rows[:5]])
    (folder / "notes.txt").write_text("not a table")
    result = import_votes(small_engine, "undl", folder)
    assert result.paths == [str(folder / "a.csv.gz"), str(folder / "b.csv")]
    assert (result.rollcalls_added, result.votes_added) == (2, 6)
    assert import_votes(small_engine, "undl", folder).already_imported
    # A bad file in the folder: nothing of the good ones is stored either.
    other = tmp_path / "undl2"
    other.mkdir()
    write_csv(other / "a.csv", UNDL_HEADER_2026,
              [[*r[:COL["undl_id"]], "5000001", *r[COL["undl_id"] + 1:]] for r in rows[:5]])
    write_csv(other / "b.csv", UNDL_HEADER_2026, [[*r[:COL["ms_vote"]], "Q", *r[COL["ms_vote"] + 1:]]
                                                   for r in rows[5:]])
    refused(small_engine, "undl", other, f"{other / 'b.csv'}:2:", "ms_vote 'Q'")
    # The same record in two files must agree, and a vote may not appear twice.
    third = tmp_path / "undl3"
    third.mkdir()
    write_csv(third / "a.csv", UNDL_HEADER_2026, rows[:2])
    write_csv(third / "b.csv", UNDL_HEADER_2026, rows[1:3])
    refused(small_engine, "undl", third, f"{third / 'b.csv'}:2:", "a second vote of CHN")
    empty = tmp_path / "empty"
    empty.mkdir()
    refused(small_engine, "undl", empty, f"{empty}: no .csv or .csv.gz files")
