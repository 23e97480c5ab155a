"""Errors the whole command line shares, run as a user runs it (a real process)."""

import subprocess
import sys

import pytest


@pytest.fixture
def db_url(small_db_url):
    """The small database (every event, a few GA sessions) is enough here."""
    return small_db_url


def test_an_output_path_that_cannot_be_written_is_a_clear_error(db_url, tmp_path):
    """A folder that is a file: bad input, one line naming it, exit status 2, nothing written."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    out = blocker / "export"
    result = subprocess.run([sys.executable, "-m", "blocwatch", "--db", db_url, "export", "--format", "csv",
                             "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "error:" in result.stderr and str(blocker) in result.stderr.replace("\n", "")
    assert "Traceback" not in result.stderr
    assert blocker.read_text() == "not a folder"
