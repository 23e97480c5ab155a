"""The CLI is a thin layer over the API: every command's --json is the API result's to_json().

Also: every command has help text and is documented in the README, and the
API's typed results keep the JSON shapes (``from_dict`` refuses a key the
type does not declare).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from blocwatch.api import results

README = Path(__file__).resolve().parents[1] / "README.md"
EVENT = "2022-10-31-ga77-3c-critical"

pytestmark = pytest.mark.postgres  # make test-postgres runs this module on PostgreSQL too


@pytest.fixture(scope="module")
def bw(small_bw):
    return small_bw


@pytest.fixture(scope="module")
def run(small_db_shared_url):
    from typer.testing import CliRunner

    from blocwatch.cli import app

    runner = CliRunner()

    def invoke(*args: str):
        result = runner.invoke(app, ["--db", small_db_shared_url, *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    return invoke


def _plain(data):
    """What JSON makes of a value (tuples become lists, dates strings)."""
    return json.loads(json.dumps(data, ensure_ascii=False, default=str))


PAIRS = [
    (("countries", "list", "--group", "weog", "--json"), lambda bw: [c.to_dict() for c in bw.countries.list("weog")]),
    (("countries", "list", "--former", "--json"),
     lambda bw: [c.to_dict() for c in bw.countries.list(former=True)]),
    (("countries", "resolve", "Côte d'Ivoire", "中国", "--json"),
     lambda bw: [r.to_dict() for r in bw.countries.resolve(["Côte d'Ivoire", "中国"])]),
    (("events", "list", "--json"), lambda bw: [r.to_json() for r in bw.events.list()]),
    (("events", "list", "--state", "Albania", "--forum", "hrc", "--json"),
     lambda bw: [r.to_json() for r in bw.events.list(state="Albania", forum="hrc")]),
    (("events", "show", EVENT, "--json"), lambda bw: bw.events.show(EVENT).to_json()),
    (("events", "show", EVENT, "--against", "2019-10-29-ga74-3c-critical", "--json"),
     lambda bw: bw.events.show(EVENT, "2019-10-29-ga74-3c-critical").to_json()),
    (("events", "series", "--json"), lambda bw: bw.events.series().to_json()),
    (("events", "alignment", EVENT, "--json"), lambda bw: bw.events.alignment(EVENT).to_json()),
    (("diff", "2021-10-21-ga76-3c-critical", EVENT, "--json"),
     lambda bw: bw.events.diff("2021-10-21-ga76-3c-critical", EVENT).to_json()),
    (("country", "France", "--json"), lambda bw: bw.countries.history("France").to_json()),
    (("brief", EVENT, "--json"), lambda bw: bw.events.brief(EVENT).to_json()),
    (("agreement", "--year", "2019", "--country", "CHN", "--json"),
     lambda bw: bw.ga.agreement(year=2019, country="CHN").to_json()),
    (("ideal", "--session", "74", "--json"), lambda bw: bw.ga.ideal(74).to_json()),
    (("run", "--json"), lambda bw: bw.overview().to_json()),
    (("events", "matrix", "--json"), lambda bw: bw.events.matrix().to_json()),
    (("votes", "show", "A/RES/ES-11/1", "--json"), lambda bw: bw.votes.show("A/RES/ES-11/1").to_json()),
    (("votes", "search", "--forum", "hrc", "--target", "Belarus", "--state", "China", "--json"),
     lambda bw: bw.votes.search(forum="hrc", target="Belarus", state="China", limit=50).to_json()),
    (("hrc", "members", "--year", "2022", "--json"), lambda bw: bw.hrc.members(year=2022).to_json()),
    (("agreement", "--forum", "hrc", "--year", "2022", "--country", "CHN", "--json"),
     lambda bw: bw.ga.agreement(year=2022, country="CHN", forum="hrc").to_json()),
    (("ideal", "--forum", "hrc", "--session", "2022", "--json"), lambda bw: bw.ga.ideal(2022, forum="hrc").to_json()),
    (("forecast", "--target", "SYR", "--as-of", "2022-06-01", "--json"),
     lambda bw: bw.forecast("SYR", as_of="2022-06-01").to_json()),
    (("campaign", "--target", "CHN", "--as-of", "2024-06-01", "--json"),
     lambda bw: bw.campaign("CHN", as_of="2024-06-01").to_json()),
    (("backtest", "--from", "2024-10-01", "--json"), lambda bw: bw.backtest(start="2024-10-01").to_json()),
]


@pytest.mark.parametrize("args, api", PAIRS, ids=[" ".join(a[:2]) for a, _ in PAIRS])
def test_cli_json_is_the_api_result(run, bw, args, api):
    assert run(*args) == _plain(api(bw))


def test_parse_json_is_the_api_result(bw, small_db_shared_url, tmp_path):
    from typer.testing import CliRunner

    from blocwatch.cli import app

    text = "Event delivered on behalf of 3 countries: France, Germany and Japan."
    path = tmp_path / "s.txt"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["--db", small_db_shared_url, "parse", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == _plain(bw.parse(text).to_dict())


def test_results_refuse_keys_their_type_does_not_declare():
    with pytest.raises(TypeError, match="extra.*surprise"):
        results.EventDiff.from_dict({"surprise": 1})


def _commands():
    """Every leaf command of the CLI as (path, click command)."""
    import typer

    from blocwatch.cli import app

    root = typer.main.get_command(app)
    out = []

    def walk(cmd, path):
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, (*path, name))
        else:
            out.append((" ".join(path), cmd))

    walk(root, ())
    return out


def test_every_command_has_help_and_is_in_the_readme():
    readme = README.read_text(encoding="utf-8")
    commands = _commands()
    assert len(commands) >= 20
    for path, cmd in commands:
        assert (cmd.help or "").strip(), f"{path}: no help text"
        for param in cmd.params:
            if param.name != "help" and getattr(param, "help", None) is not None:
                assert param.help.strip(), f"{path} {param.name}: empty help"
        assert re.search(rf"blocwatch (?:--db \S+ )?{re.escape(path)}\b", readme), \
            f"'blocwatch {path}' is not documented in README.md"


def test_help_shows_readable_placeholders():
    """Usage lines name each argument in capitals ({EVENT}: required, [SERIES]: optional); no '<bool>' flags."""
    from typer.testing import CliRunner

    from blocwatch.cli import app

    runner = CliRunner()
    for path, _cmd in _commands():
        text = runner.invoke(app, [*path.split(), "--help"]).output
        usage = text.split("\n", 1)[0]
        for placeholder in re.findall(r"[{\[]([^}\]]+)[}\]]", usage):
            assert placeholder == "OPTIONS" or re.fullmatch(r"[A-Z_|.-]+", placeholder), f"{path}: {usage}"
        assert "<bool>" not in text, f"{path} --help:\n{text}"
