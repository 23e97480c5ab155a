"""Coverage-guided fuzzing of blocwatch's readers with atheris (libFuzzer), on demand: ``make fuzz``.

    make fuzz                       # every target, 20,000 runs each
    make fuzz TARGET=vote_record RUNS=1000000
    .venv/bin/python fuzz/readers.py vote_record -runs=100000 corpus/   # libFuzzer flags after the target

Each target feeds bytes to one reader; the reader must return or raise a
:class:`blocwatch.errors.BlocwatchError` with a one-line message. Anything
else (another exception, a multi-line message) is a finding: atheris stops
and writes the input as ``crash-*`` for a regression test. CI runs the
hypothesis fuzzing (``make test-fuzz``) instead; atheris needs ``pip install
atheris`` (Linux wheels for CPython 3.11).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

try:
    import atheris
except ImportError:  # pragma: no cover
    raise SystemExit("atheris is not installed: .venv/bin/pip install atheris") from None

from blocwatch.errors import BlocwatchError  # noqa: E402
from blocwatch.ga.dgacm import read_dgacm  # noqa: E402
from blocwatch.signatories import parse_any  # noqa: E402
from blocwatch.statements.dataset import parse_event  # noqa: E402
from blocwatch.votes.text import parse_vote_record  # noqa: E402

FOLDER = Path(tempfile.mkdtemp(prefix="blocwatch-fuzz-"))


def _text(data: bytes) -> str:
    return atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(len(data))


def _expect_clean(call) -> None:
    try:
        call()
    except BlocwatchError as exc:
        if "\n" in str(exc).strip():
            raise AssertionError(f"a multi-line message: {exc!r}") from exc


def vote_record(data: bytes) -> None:
    _expect_clean(lambda: parse_vote_record(_text(data)))


def event_file(data: bytes) -> None:
    _expect_clean(lambda: parse_event(FOLDER / "fuzz.yaml", _text(data)))


def un_resolutions(data: bytes) -> None:
    path = FOLDER / "fuzz.json"
    path.write_bytes(data)
    _expect_clean(lambda: read_dgacm([path]))


def statement_text(data: bytes) -> None:
    _expect_clean(lambda: parse_any(_text(data)))


TARGETS = {f.__name__: f for f in (vote_record, event_file, un_resolutions, statement_text)}


def main(argv: list[str]) -> None:
    if len(argv) < 2 or argv[1] not in TARGETS:
        raise SystemExit(f"usage: {argv[0]} TARGET [libFuzzer flags]; targets: {', '.join(TARGETS)}")
    target = TARGETS[argv[1]]
    atheris.instrument_all()  # coverage of everything loaded, blocwatch's readers included
    atheris.Setup([argv[0], *argv[2:]], target)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
