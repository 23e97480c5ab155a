"""A fresh clone builds and tests on its own: the raw inputs it needs are in curation/sources.

* the copies match their manifest (always) and ``../shared/data`` (when it is beside the checkout);
* ``blocwatch curate sources --from DIR`` reports every file it adds, changes or removes;
* ``blocwatch curate all`` from the copies rebuilds the shipped data byte for byte (slow);
* a ``git clone`` of the committed HEAD, with no ``../shared`` beside it, passes the
  curation tests (slow).
"""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from blocwatch.cli import app
from blocwatch.curate import sources as src

REPO = Path(__file__).resolve().parents[1]
SOURCES = REPO / "curation" / "sources"
SHARED = REPO.parent / "shared" / "data"
DATA = REPO / "src" / "blocwatch" / "data"


def test_copies_match_their_manifest():
    assert src.check_manifest(SOURCES) == []
    assert set(src.read_manifest(SOURCES)) == set(src.source_files(SOURCES))


def test_manifest_is_in_sha256sum_format():
    first = (SOURCES / src.MANIFEST).read_text(encoding="utf-8").splitlines()[0]
    digest, rel = first.split("  ")
    assert len(digest) == 64 and (SOURCES / rel).is_file()


@pytest.mark.skipif(not SHARED.is_dir(), reason=f"no shared data folder beside the checkout ({SHARED})")
def test_copies_equal_shared_data():
    changes = src.compare(SHARED, SOURCES)
    assert not changes.any, "refresh with `blocwatch curate sources --from ../shared/data`:\n" + \
        "\n".join(changes.lines())
    assert changes.unchanged == len(src.source_files(SOURCES))


def _curate(*args: str):
    return CliRunner().invoke(app, ["curate", *args], catch_exceptions=False)


@pytest.fixture
def origin_and_repo(tmp_path) -> tuple[Path, Path]:
    """A shared/data-like folder and a checkout-like folder, both holding a copy of the sources."""
    origin = tmp_path / "shared" / "data"
    repo = tmp_path / "repo"
    shutil.copytree(SOURCES, origin)
    (origin / src.MANIFEST).unlink()
    shutil.copytree(SOURCES, src.default_sources(repo))
    return origin, repo


def test_curate_sources_reports_every_change_and_dry_run_writes_nothing(origin_and_repo):
    origin, repo = origin_and_repo
    copies = src.default_sources(repo)
    (origin / "un" / "regional_groups.csv").write_text("iso3,name\n", encoding="utf-8")
    (origin / "statements" / "2099-01-01-test.yaml").write_text("id: 2099-01-01-test\n", encoding="utf-8")
    (origin / "statements" / "raw" / "2019-07-08-hrc41-letter-critical.txt").unlink()
    manifest = (copies / src.MANIFEST).read_text(encoding="utf-8")

    dry = _curate("sources", "--from", str(origin), "--repo", str(repo), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "would be changed  un/regional_groups.csv" in dry.output
    assert "would be added    statements/2099-01-01-test.yaml" in dry.output
    assert "would be removed  statements/raw/2019-07-08-hrc41-letter-critical.txt" in dry.output
    assert (copies / src.MANIFEST).read_text(encoding="utf-8") == manifest
    assert not (copies / "statements" / "2099-01-01-test.yaml").exists()

    done = _curate("sources", "--from", str(origin), "--repo", str(repo))
    assert done.exit_code == 0, done.output
    assert [line.split()[0] for line in done.output.splitlines()[:3]] == ["added", "changed", "removed"]
    assert "3 file(s) changed" in done.output
    assert (copies / "un" / "regional_groups.csv").read_text(encoding="utf-8") == "iso3,name\n"
    assert not (copies / "statements" / "raw" / "2019-07-08-hrc41-letter-critical.txt").exists()
    assert src.check_manifest(copies) == []
    assert not src.compare(origin, copies).any

    again = _curate("sources", "--from", str(origin), "--repo", str(repo))
    assert "0 file(s) changed" in again.output


def test_curate_sources_refuses_an_incomplete_folder(origin_and_repo):
    origin, repo = origin_and_repo
    (origin / "unga" / "un_votes.csv.gz").unlink()
    before = src.hashes(src.default_sources(repo))
    result = _curate("sources", "--from", str(origin), "--repo", str(repo))
    assert result.exit_code != 0
    assert "unga/un_votes.csv.gz" in result.output
    assert src.hashes(src.default_sources(repo)) == before


def test_curate_fails_clearly_outside_a_checkout(tmp_path):
    result = _curate("registry", "--repo", str(tmp_path))
    assert result.exit_code != 0
    assert "sources folder not found" in result.output


@pytest.mark.slow
def test_curate_all_rebuilds_the_shipped_data_byte_for_byte(tmp_path):
    """`make curate` from the in-repo copies changes nothing (about 10 s: the GA votes are rebuilt).

    The reviewed hrc/classification_overrides.csv is an input of the hrc step and stays as it is."""
    repo = tmp_path / "repo"
    (repo / "src" / "blocwatch").mkdir(parents=True)
    shutil.copytree(REPO / "curation", repo / "curation")
    shutil.copytree(DATA, repo / "src" / "blocwatch" / "data")
    result = _curate("all", "--repo", str(repo))
    assert result.exit_code == 0, result.output
    assert [line for line in result.output.splitlines() if line.endswith(": unchanged")] == \
        ["registry: unchanged", "statements: unchanged", "unga: unchanged", "dgacm: unchanged", "hrc: unchanged",
         "geo: unchanged"]
    assert result.output.splitlines()[-1] == "all curated data unchanged"
    outputs = ["countries.csv", *(f"events/{p.name}" for p in sorted((DATA / "events").glob("*.yaml"))),
               "unga/rollcalls.csv.gz", "unga/votes.csv.gz", "unga/manifest.json",
               "dgacm/rollcalls.jsonl.gz", "dgacm/manifest.json",
               "hrc/rollcalls.jsonl.gz", "hrc/sources.json", "hrc/terms.csv", "hrc/manifest.json",
               "hrc/classification_overrides.csv",
               "geo/countries-110m.json", "geo/centroids.csv", "geo/LICENSE", "geo/manifest.json"]
    _, mismatch, errors = filecmp.cmpfiles(DATA, repo / "src" / "blocwatch" / "data", outputs, shallow=False)
    assert (mismatch, errors) == ([], [])


def test_curate_all_reports_what_changed(tmp_path):
    """A curated file edited by hand is rebuilt, and `curate registry` names it."""
    repo = tmp_path / "repo"
    (repo / "src" / "blocwatch" / "data").mkdir(parents=True)
    shutil.copytree(REPO / "curation", repo / "curation")
    shipped = DATA / "countries.csv"
    (repo / "src" / "blocwatch" / "data" / "countries.csv").write_text("edited by hand\n", encoding="utf-8")
    result = _curate("registry", "--repo", str(repo))
    assert result.exit_code == 0, result.output
    assert "registry: changed" in result.output
    assert (repo / "src" / "blocwatch" / "data" / "countries.csv").read_bytes() == shipped.read_bytes()


# Tests that read the raw inputs; a clone must pass them with nothing beside it.
CURATION_TESTS = ["tests/test_registry_build.py", "tests/test_raw_excerpts.py", "tests/test_statements_dataset.py",
                  "tests/test_fresh_clone.py", "tests/test_curate_votes.py"]


@pytest.mark.slow
def test_a_fresh_clone_passes_the_curation_tests_without_shared_data(tmp_path):
    """`git clone` the committed HEAD into a folder with no ../shared and run the curation tests there."""
    if not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    clone = tmp_path / "blocwatch"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True, timeout=120)
    assert not (clone.parent.parent / "shared").exists()
    env = {**os.environ, "PYTHONPATH": str(clone / "src"), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTEST_XDIST_WORKER", None)
    env.pop("PYTEST_ADDOPTS", None)
    code = "import blocwatch, sys; sys.stdout.write(blocwatch.__file__)"
    imported = subprocess.run([sys.executable, "-c", code], cwd=clone, env=env, capture_output=True, text=True,
                              check=True).stdout
    assert imported == str(clone / "src" / "blocwatch" / "__init__.py")
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not slow",
                          *CURATION_TESTS], cwd=clone, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert " passed" in run.stdout.splitlines()[-1]
