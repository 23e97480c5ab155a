"""Fuzzing (issue 12): the readers of every input a user can give fail with one clear line, never a crash.

The readers: UN resolution files (DGACM), UN Digital Library CSVs, the
unvotes tables, vote records, event files and members files. Each reader
gets generated inputs — arbitrary text, and real files mutated (bytes
flipped, lines cut, fields swapped) — and must either read them or
raise a :class:`~blocwatch.errors.BlocwatchError` whose message is one line.
An import through the API that fails must change nothing stored.

``make test-fuzz`` (run by CI) runs them with thousands of examples
(``FUZZ_EXAMPLES``; 40 when run by hand without it); ``make test`` leaves them out.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blocwatch.errors import BlocwatchError

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
ROOT = Path(__file__).resolve().parents[1]
DGACM = ROOT / "curation" / "sources" / "unga" / "dgacm" / "ES-11.json"
EVENT = ROOT / "src" / "blocwatch" / "data" / "events"
VOTE_RECORD = ("In favour (17): Czechia, Denmark, Finland, France, Germany, Honduras, Lithuania, Luxembourg, Marshall "
               "Islands, Montenegro, Netherlands, Paraguay, Poland, Somalia, United Kingdom, United States, Japan.\n"
               "Against (2): China, Cuba.\nAbstaining (1): India.\n")


def _one_line(exc: BaseException) -> None:
    assert isinstance(exc, BlocwatchError), f"{type(exc).__name__}: {exc}"
    assert "\n" not in str(exc).strip() and str(exc).strip(), repr(str(exc))


@st.composite
def mutated(draw, data: bytes) -> bytes:
    """``data`` with a few bytes flipped, a slice cut out, or a slice repeated."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "cut", "repeat", "insert"]))
        at = draw(st.integers(0, max(len(out) - 1, 0)))
        if kind == "flip" and out:
            out[at] = draw(st.integers(0, 255))
        elif kind == "cut":
            del out[at:at + draw(st.integers(1, 200))]
        elif kind == "repeat":
            out[at:at] = out[at:at + draw(st.integers(1, 200))]
        else:
            out[at:at] = draw(st.binary(min_size=1, max_size=20))
    return bytes(out)


def _dgacm_sample() -> bytes:
    lines = DGACM.read_bytes().splitlines(keepends=True)
    return b"".join(lines[:3])


@SETTINGS
@given(st.data())
def test_the_un_resolution_reader_never_crashes(tmp_path_factory, data):
    from blocwatch.ga.dgacm import read_dgacm

    path = tmp_path_factory.mktemp("dgacm") / "fuzz.json"
    path.write_bytes(data.draw(mutated(_dgacm_sample())))
    try:
        read_dgacm([path])
    except Exception as exc:  # noqa: BLE001 (what is raised is the point)
        _one_line(exc)


@SETTINGS
@given(st.one_of(st.text(max_size=300), st.binary(max_size=300).map(lambda b: b.decode("latin-1"))))
def test_the_vote_record_reader_never_crashes_on_any_text(text):
    from blocwatch.votes.text import parse_vote_record

    try:
        parse_vote_record(text)
    except Exception as exc:  # noqa: BLE001
        _one_line(exc)


@SETTINGS
@given(st.data())
def test_the_vote_record_reader_never_crashes_on_a_damaged_record(data):
    from blocwatch.votes.text import parse_vote_record

    text = data.draw(mutated(VOTE_RECORD.encode("utf-8"))).decode("utf-8", errors="replace")
    try:
        parse_vote_record(text)
    except Exception as exc:  # noqa: BLE001
        _one_line(exc)


@SETTINGS
@given(st.data())
def test_the_event_file_reader_never_crashes(data):
    from blocwatch.statements.dataset import parse_event

    source = sorted(EVENT.glob("*.yaml"))[0]
    text = data.draw(mutated(source.read_bytes())).decode("utf-8", errors="replace")
    try:
        parse_event(source, text)
    except Exception as exc:  # noqa: BLE001
        _one_line(exc)


@SETTINGS
@given(st.one_of(st.text(max_size=200), st.lists(st.sampled_from(["France", "Narnia", "#", ",", ";", "\n", "中国",
                                                                  "Côte d'Ivoire", " ", "FRA", "XXX"]), max_size=12)
                 .map("".join)))
def test_a_members_file_is_read_or_refused_in_one_line(small_bw, tmp_path_factory, text):
    from blocwatch.api.forecast import _members_from_file

    path = tmp_path_factory.mktemp("members") / "members.txt"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        _members_from_file(small_bw, path, dt.date(2022, 6, 1))
    except Exception as exc:  # noqa: BLE001
        _one_line(exc)


@settings(max_examples=max(EXAMPLES // 10, 5), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.data())
def test_a_failed_import_changes_nothing(small_db_url, data):
    """A damaged UN resolution file given to ``votes import-dgacm``: read whole or refused, and when refused the
    stored data is what it was."""
    import blocwatch

    folder = Path(small_db_url.removeprefix("sqlite:///")).parent
    path = folder / f"fuzz-{data.draw(st.integers(0, 10**9))}.json"
    path.write_bytes(data.draw(mutated(_dgacm_sample())))
    with blocwatch.open(small_db_url) as bw:
        before = bw.data_version()
        try:
            bw.votes.import_dgacm([path])
        except Exception as exc:  # noqa: BLE001
            _one_line(exc)
            assert bw.data_version() == before


def test_the_samples_are_real():
    """The seeds of the mutations are real inputs that read cleanly (else the fuzzing tests nothing)."""
    from blocwatch.ga.dgacm import read_dgacm
    from blocwatch.votes.text import parse_vote_record

    assert json.loads(_dgacm_sample().splitlines()[0])
    assert parse_vote_record(VOTE_RECORD).lists
    assert read_dgacm([DGACM]).roll_calls


def _undl_bytes(tmp: Path) -> bytes:
    from blocwatch.ga.importers import UNDL_HEADER_2026

    from tests.test_ga_importers import undl_rows, write_csv

    return write_csv(tmp / "seed.csv", UNDL_HEADER_2026, undl_rows(True)).read_bytes()


@SETTINGS
@given(st.data())
def test_the_un_digital_library_reader_never_crashes(tmp_path_factory, data):
    from blocwatch.ga.importers import read_undl

    folder = tmp_path_factory.mktemp("undl")
    path = folder / "fuzz.csv"
    path.write_bytes(data.draw(mutated(_undl_bytes(folder))))
    try:
        read_undl(path)
    except Exception as exc:  # noqa: BLE001
        _one_line(exc)


@SETTINGS
@given(st.data(), st.sampled_from(["un_votes.csv.gz", "un_roll_calls.csv", "un_roll_call_issues.csv"]))
def test_the_unvotes_reader_never_crashes(tmp_path_factory, data, name):
    from blocwatch.ga.importers import read_unvotes

    from tests.test_ga_importers import write_unvotes

    folder = write_unvotes(tmp_path_factory.mktemp("unvotes") / "unvotes")
    target = folder / name
    raw = target.read_bytes()
    if name.endswith(".gz"):
        raw = gzip.decompress(raw)
        target.write_bytes(gzip.compress(data.draw(mutated(raw))))
    else:
        target.write_bytes(data.draw(mutated(raw)))
    try:
        read_unvotes(folder)
    except Exception as exc:  # noqa: BLE001
        _one_line(exc)
