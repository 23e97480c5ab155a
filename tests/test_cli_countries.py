"""``blocwatch countries list`` and ``blocwatch countries resolve`` through the real CLI."""

from __future__ import annotations

import json

import pytest

from blocwatch import registry


@pytest.fixture
def cli(small_cli):
    """Events, countries and briefs need every event but only session 74's votes: the small database."""
    return small_cli

GROUP_KEYS = set(registry.GROUPS)


def test_list_json_has_the_agreed_keys_and_types(cli):
    result = cli("countries", "list", "--json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert len(rows) == 195
    for row in rows:
        assert {"iso3", "iso2", "name", "un_member", "regional_group", "also_in"} <= set(row)
        assert isinstance(row["un_member"], bool)
        assert row["regional_group"] in GROUP_KEYS or row["regional_group"] is None
        assert isinstance(row["also_in"], list) and set(row["also_in"]) <= GROUP_KEYS
        assert len(row["iso3"]) == 3 and len(row["iso2"]) == 2
    by_code = {r["iso3"]: r for r in rows}
    assert sum(r["un_member"] for r in rows) == 193
    assert by_code["VAT"]["regional_group"] is None and not by_code["VAT"]["un_member"]
    assert by_code["TUR"]["regional_group"] == "weog" and by_code["TUR"]["also_in"] == ["asia_pacific"]


def test_list_one_group(cli):
    rows = json.loads(cli("countries", "list", "--group", "eastern_european", "--json").stdout)
    assert len(rows) == 23
    assert all(r["regional_group"] == "eastern_european" for r in rows)
    asia = {r["iso3"] for r in json.loads(cli("countries", "list", "-g", "asia_pacific", "--json").stdout)}
    assert {"TUR", "CHN", "PSE"} <= asia and "FRA" not in asia


def test_list_former_states_only_on_request(cli):
    rows = json.loads(cli("countries", "list", "--former", "--json").stdout)
    assert {"SUN", "YUG", "CSK"} <= {r["iso3"] for r in rows}


def test_list_bad_group_is_a_clear_error(cli):
    result = cli("countries", "list", "--group", "europe")
    assert result.exit_code == 2
    assert "'europe'" in result.stderr and "eastern_european" in result.stderr
    assert result.stdout == ""


def test_list_table(cli):
    result = cli("countries", "list", "--group", "weog")
    assert result.exit_code == 0
    assert "29 states in Western European and Others" in result.stdout
    assert "Türkiye" in result.stdout


def test_resolve_json(cli):
    result = cli("countries", "resolve", "--json", "Swaziland", "the Congo", "Îles Marshall")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert [r["iso3"] for r in rows] == ["SWZ", "COG", "MHL"]
    assert [r["input"] for r in rows] == ["Swaziland", "the Congo", "Îles Marshall"]
    for r in rows:
        assert {"input", "iso3", "name", "confidence", "alternatives"} <= set(r)
        assert r["confidence"] == 1.0 and r["alternatives"] == []


def test_resolve_unresolved_exits_2_and_names_reason_and_close_matches(cli):
    result = cli("countries", "resolve", "--json", "Norway", "Kyrgyzstn", "Korea", "Taiwan")
    assert result.exit_code == 2
    rows = json.loads(result.stdout)
    assert [r["iso3"] for r in rows] == ["NOR", None, None, None]
    assert rows[1]["alternatives"][0] == {"iso3": "KGZ", "name": "Kyrgyzstan",
                                          "score": rows[1]["alternatives"][0]["score"]}
    assert {a["iso3"] for a in rows[2]["alternatives"]} == {"KOR", "PRK"}
    assert "unknown" in result.stderr and "Kyrgyzstan (KGZ" in result.stderr
    assert "ambiguous" in result.stderr and "not_a_state" in result.stderr


def test_resolve_table(cli):
    result = cli("countries", "resolve", "DPRK", "NORWAY")
    assert result.exit_code == 0
    assert "PRK" in result.stdout and "NOR" in result.stdout


def test_resolve_former_states_on_request(cli):
    assert cli("countries", "resolve", "USSR").exit_code == 2
    result = cli("countries", "resolve", "--former", "--json", "USSR")
    assert result.exit_code == 0 and json.loads(result.stdout)[0]["iso3"] == "SUN"


def test_python_dash_m_and_console_script():
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    out = subprocess.run([sys.executable, "-m", "blocwatch", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "countries" in out.stdout
    script = shutil.which("blocwatch", path=str(Path(sys.executable).parent))
    assert script, "console script 'blocwatch' is not installed beside the interpreter"
    out = subprocess.run([script, "countries", "resolve", "--json", "U.K."], capture_output=True, text=True)
    assert out.returncode == 0 and json.loads(out.stdout)[0]["iso3"] == "GBR"
