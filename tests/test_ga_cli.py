"""``blocwatch agreement`` and ``blocwatch import`` (JSON contracts, files, errors)."""

from __future__ import annotations

import csv
import json

import pandas as pd
import pytest

from blocwatch.ga.importers import UNDL_HEADER_2026

pytestmark = pytest.mark.postgres  # make test-postgres runs this module on PostgreSQL too


def test_agreement_json_pair(cli):
    result = cli("agreement", "--year", "2019", "--country", "United States", "--with", "CHN", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert len(rows) == 1
    assert set(rows[0]) == {"a", "b", "year", "n", "agree", "agree_half", "coincidence"}
    assert (rows[0]["a"], rows[0]["b"], rows[0]["year"]) == ("USA", "CHN", 2019)
    assert 0 <= rows[0]["agree"] <= 1 and rows[0]["n"] > 0


def test_agreement_country_table_and_json_agree(cli):
    table = cli("agreement", "--year", "1985", "--country", "SUN", "--limit", "3")
    assert table.exit_code == 0, table.output
    assert "SUN" in table.output and "top 3" in table.output
    rows = json.loads(cli("agreement", "--year", "1985", "--country", "SUN", "--json").output)
    assert rows and all(r["a"] == "SUN" for r in rows)
    assert [r["agree"] for r in rows] == sorted((r["agree"] for r in rows), reverse=True)
    assert rows[0]["b"] in table.output


def test_agreement_all_to_csv_and_parquet(cli, tmp_path):
    out = tmp_path / "all.csv"
    result = cli("agreement", "--all", "--year", "2019", "--issue", "hr", "--out", str(out), "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    frame = pd.read_csv(out, keep_default_na=False, na_values=[""])
    assert summary["rows"] == len(frame) > 0
    assert {"a", "b", "year", "n", "agree", "coincidence", "agree_half"} <= set(frame.columns)
    assert (frame["a"] < frame["b"]).all()
    pq = tmp_path / "all.parquet"
    assert summary["years"] == [2019, 2019]
    assert cli("agreement", "--all", "--year", "2019", "--issue", "hr", "--out", str(pq)).exit_code == 0
    assert len(pd.read_parquet(pq)) == len(frame)


def test_agreement_errors(cli):
    assert cli("agreement").exit_code == 2
    bad = cli("agreement", "--year", "2019", "--country", "Atlantis")
    assert bad.exit_code == 2 and "Atlantis" in bad.output
    assert cli("agreement", "--all").exit_code == 2
    assert cli("agreement", "--year", "2019", "--issue", "zz").exit_code == 2


def test_import_undl_cli(cli, tmp_path):
    path = tmp_path / "undl.csv"
    with open(path, "w", newline="") as fh:
        w = csv.DictWriter(fh, UNDL_HEADER_2026)
        w.writeheader()
        for code, vote in (("USA", "N"), ("CHN", "Y"), ("FRA", "A")):
            w.writerow({c: "" for c in UNDL_HEADER_2026} | dict(
                undl_id="4100000", ms_code=code, ms_name=code, ms_vote=vote, date="2026-10-15", session="81",
                resolution="A/RES/81/1", title="A resolution"))
    result = cli("import", "undl", str(path), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["votes_added"] == 3
    rows = json.loads(cli("agreement", "--session", "81", "--country", "USA", "--with", "CHN", "--json").output)
    assert rows == [{"a": "USA", "b": "CHN", "session": 81, "n": 1, "agree": 0.0, "agree_half": 0.0,
                     "coincidence": 0.0}]
    again = cli("import", "undl", str(path))
    assert again.exit_code == 0 and "already imported" in again.output


def test_import_wrong_file_exits_2(cli, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n")
    result = cli("import", "undl", str(path))
    assert result.exit_code == 2
    assert "expected the header undl_id,ms_code" in result.output.replace("\n", "")


def test_lineage_counts_the_ussr_seat_as_russia(cli):
    plain = cli("agreement", "--session", "30", "--country", "Russia", "--with", "USA")
    assert plain.exit_code == 0
    assert "0 pairs" in plain.output and "SUN" in plain.output and "--lineage" in plain.output
    ussr = json.loads(cli("agreement", "--session", "30", "--country", "USSR", "--with", "USA", "--json").output)
    russia = json.loads(cli("agreement", "--session", "30", "--country", "RUS", "--with", "USA", "--lineage",
                            "--json").output)
    assert len(ussr) == 1 and ussr[0]["a"] == "SUN" and ussr[0]["n"] > 0
    assert [(r["n"], r["agree"], r["coincidence"]) for r in russia] == \
        [(r["n"], r["agree"], r["coincidence"]) for r in ussr]
