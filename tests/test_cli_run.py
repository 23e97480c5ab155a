"""`blocwatch run` (what `make run` does) on the bundled data."""

import json

import pytest
import yaml

from blocwatch.registry import data_path


@pytest.fixture
def cli(small_cli):
    """Events, countries and briefs need every event but only session 74's votes: the small database."""
    return small_cli


def _latest_critical_from_files() -> str:
    events = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in data_path("events").iterdir()
              if p.name.endswith(".yaml")]
    critical = [e for e in events if e["stance"] == "critical"]
    return max(critical, key=lambda e: str(e["date"]))["id"]


def test_run_json_names_the_latest_critical_statement(cli):
    result = cli("run", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["registry"]["members"] == 193
    assert data["latest_critical"] == _latest_critical_from_files()
    assert data["series"]["events"] == len(list(data_path("events").glob("*.yaml")))


def test_run_prints_registry_brief_and_series(cli):
    result = cli("run")
    assert result.exit_code == 0, result.output
    assert "193 UN member states" in result.output
    assert f"Brief: {_latest_critical_from_files()}" in result.output
    assert "Series summary" in result.output


def test_run_brief_places_the_signers_in_general_assembly_voting(cli):
    data = json.loads(cli("run", "--json").output)
    assert "ga_alignment" in data["brief"]["facts"]
    assert "General Assembly voting" in cli("run").output
