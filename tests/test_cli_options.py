"""The small things a user trips over: --version, option case, conflicting options, --former, --out, narrow output."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

import blocwatch
from blocwatch.errors import InvalidInput

EVENT = "2023-10-18-ga78-3c-critical"


def test_version(small_cli):
    result = small_cli("--version")
    assert result.exit_code == 0 and result.output.strip() == f"blocwatch {blocwatch.__version__}"


@pytest.mark.parametrize("args", [
    ("countries", "list", "--group", "WEOG", "--json"),
    ("events", "list", "--forum", "HRC", "--stance", "Critical", "--json"),
    ("brief", EVENT, "--format", "MD"),
])
def test_option_values_are_case_insensitive(small_cli, args):
    result = small_cli(*args)
    assert result.exit_code == 0, result.output


def test_a_bad_option_value_is_one_line_naming_the_choices(small_cli):
    result = small_cli("brief", EVENT, "--format", "pdf")
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and "'md', 'html', 'json'" in result.output


def test_json_with_another_format_is_refused(small_cli):
    result = small_cli("brief", EVENT, "--json", "--format", "html")
    assert result.exit_code == 2 and "ask for two formats" in result.output


def test_country_of_a_former_state_needs_former(small_cli):
    result = small_cli("country", "USSR")
    assert result.exit_code == 2 and "add --former" in result.output and "RUS" in result.output
    result = small_cli("country", "USSR", "--former", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)["iso3"] == "SUN"


def test_brief_out_writes_and_says_when_it_replaces(small_cli, tmp_path):
    out = tmp_path / "brief.html"
    first = small_cli("brief", EVENT, "--format", "html", "--out", str(out))
    assert first.exit_code == 0 and first.stdout.startswith("wrote ")
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")
    again = small_cli("brief", EVENT, "--format", "html", "--out", str(out))
    assert again.exit_code == 2 and "add --replace" in again.output
    again = small_cli("brief", EVENT, "--format", "html", "--out", str(out), "--replace")
    assert again.exit_code == 0 and again.stdout.startswith("replaced ")


def test_piped_output_is_not_cut_to_80_columns(small_cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    series = small_cli("events", "series").stdout
    for header in ("AFR", "APG", "EEG", "LAC", "WEOG", "2019-07-08-hrc41-letter-critical"):
        assert header in series
    brief = small_cli("brief", EVENT).stdout
    sources = [line for line in brief.splitlines() if re.match(r"\d+\. <", line)]
    assert len(sources) >= 5
    assert all(re.match(r"\d+\. <https?://\S+>", line) for line in sources)  # every address whole on its line


def test_a_reader_that_stops_early_is_no_error(small_db_file):
    """`blocwatch ... | head -1`: a closed pipe ends the command quietly: no message, no traceback.

    The status is 0 when everything fit in the pipe before the reader left, else 1 (as click and typer do).
    """
    cmd = (f"{sys.executable} -m blocwatch --db {small_db_file} events list --csv | head -1; "
           "exit ${PIPESTATUS[0]}")
    done = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, timeout=60)
    assert done.returncode in (0, 1) and done.stderr == ""
    assert done.stdout.startswith("id,alias,") and "Traceback" not in done.stderr and "error" not in done.stderr


def test_ideal_model_and_method_are_checked_choices(small_db_file):
    bw = blocwatch.open(str(small_db_file))
    with pytest.raises(InvalidInput, match="model 'probit': expected one of ordered, binary"):
        bw.ga.ideal(74, model="probit")
    with pytest.raises(InvalidInput, match="binary model only"):
        bw.ga.ideal(74, method="VB")
    bw.close()


def test_cached_ideal_points_cannot_be_changed_through_a_result(small_db_file):
    bw = blocwatch.open(str(small_db_file))
    first = bw.ga.ideal(74)
    first.positions.loc[:, "ideal"] = 0.0
    assert bw.ga.ideal(74).positions["ideal"].abs().max() > 1
    bw.close()


def test_export_and_out_never_overwrite_unasked(small_cli, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("my own notes\n", encoding="utf-8")
    for args in (("export", "--format", "sqlite", "--out", str(notes)),
                 ("export", "--format", "json", "--out", str(notes)),
                 ("brief", EVENT, "--out", str(notes)),
                 ("events", "matrix", "--out", str(notes.with_suffix(".csv")))):
        if args[-1].endswith(".csv"):
            notes.with_suffix(".csv").write_text("a,b\n", encoding="utf-8")
        result = small_cli(*args)
        assert result.exit_code == 2, (args, result.output)
        assert "nothing was written (add --replace to overwrite)" in result.output
    assert notes.read_text(encoding="utf-8") == "my own notes\n"
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "keep.txt").write_text("x", encoding="utf-8")
    result = small_cli("export", "--format", "csv", "--out", str(folder))
    assert result.exit_code == 2 and "holds files" in result.output
    assert sorted(p.name for p in folder.iterdir()) == ["keep.txt"]
    replaced = small_cli("export", "--format", "json", "--out", str(notes), "--replace")
    assert replaced.exit_code == 0 and replaced.stdout.startswith("replaced json")


@pytest.mark.parametrize("make, expected", [
    (lambda p: p.mkdir(), "is a folder; give a file name"),
    (lambda p: None, "does not exist"),
])
def test_a_bad_out_path_is_one_line(small_cli, tmp_path, make, expected):
    target = tmp_path / "target.md"
    make(target)
    out = target if target.exists() else tmp_path / "missing" / "x.md"
    result = small_cli("brief", EVENT, "--out", str(out))
    assert result.exit_code == 2 and expected in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "missing").exists()
    result = small_cli("export", "--format", "csv", "--out", str(tmp_path / "missing" / "deeper"))
    assert result.exit_code == 2 and not (tmp_path / "missing").exists()


def test_taiwan_is_not_called_a_former_state(small_cli):
    result = small_cli("country", "Taiwan")
    assert result.exit_code == 2 and "former state" not in result.output
    assert "not a UN member or observer" in result.output


def test_events_list_refuses_a_former_state_and_accepts_series_in_any_case(small_cli):
    result = small_cli("events", "list", "--state", "USSR")
    assert result.exit_code == 2 and "add --former" in result.output
    result = small_cli("events", "list", "--series", "Xinjiang", "--json")
    assert result.exit_code == 0 and len(json.loads(result.stdout)) == 29


def test_comparing_with_the_other_side_says_what_joined_and_left_mean(small_cli):
    shown = json.loads(small_cli("events", "show", "ga78-critical", "--against", "ga78-supportive", "--json").stdout)
    assert any("opposite stance" in c for c in shown["caveats"])


def test_events_add_refuses_a_future_date(small_cli, tmp_path):
    path = tmp_path / "s.txt"
    path.write_text("On behalf of 2 countries: Canada and Japan.", encoding="utf-8")
    result = small_cli("events", "add", str(path), "--source", "https://www.gov.uk/x", "--date", "2999-01-01",
                       "--forum", "hrc", "--stance", "critical", "--yes")
    assert result.exit_code == 2 and "is in the future" in result.output
