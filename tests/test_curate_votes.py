"""The ``dgacm`` and ``hrc`` curate steps: their raw inputs are registered copies, their bundles rebuild byte for byte.

Real files only: the copies in ``curation/sources`` and the bundles shipped in
``src/blocwatch/data/dgacm`` and ``src/blocwatch/data/hrc``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from blocwatch.cli import app
from blocwatch.cli.curate import STEPS
from blocwatch.curate import sources as src
from blocwatch.ga import dgacm
from blocwatch.hrc import curate as hrc_curate

REPO = Path(__file__).resolve().parents[1]
SOURCES = REPO / "curation" / "sources"
DATA = REPO / "src" / "blocwatch" / "data"

DGACM_SESSIONS = ["74", "75", "76", "77", "78", "79", "80", "ES-10", "ES-11", "S-32"]
DGACM_OUTPUTS = ["rollcalls.jsonl.gz", "manifest.json"]
HRC_OUTPUTS = ["rollcalls.jsonl.gz", "sources.json", "terms.csv", "manifest.json"]
OVERRIDES = "classification_overrides.csv"


def _under(folder: str) -> set[str]:
    """Every file in ``curation/sources/<folder>`` (relative to curation/sources)."""
    return {p.relative_to(SOURCES).as_posix() for p in (SOURCES / folder).rglob("*") if p.is_file()}


def test_the_new_inputs_are_listed_and_in_the_manifest():
    listed = set(src.source_files(SOURCES))
    dgacm_files = {f"unga/dgacm/{s}.json" for s in DGACM_SESSIONS} | \
        {"unga/dgacm/README.md", "unga/dgacm/SOURCE_README.md", "unga/dgacm/SHA256SUMS"}
    assert _under("unga/dgacm") == dgacm_files
    hrc_files = _under("hrc")
    assert {"hrc/membership.csv", "hrc/membership_changes.csv", "hrc/ohchr_votes.sqlite3", "hrc/votes/index.csv",
            "hrc/votes/excluded.csv"} <= hrc_files
    assert len([f for f in hrc_files if f.startswith("hrc/raw/")]) == 20
    assert len([f for f in hrc_files if f.startswith("hrc/votes/")]) == 34
    # every file of both folders is a registered input (the hrc build records all of hrc/ in its manifest)
    assert dgacm_files | hrc_files <= listed
    assert src.check_manifest(SOURCES) == []
    assert dgacm_files | hrc_files <= set(src.read_manifest(SOURCES))


def test_the_bundles_manifests_name_only_registered_inputs():
    listed = set(src.source_files(SOURCES))
    shipped = json.loads((DATA / "dgacm" / "manifest.json").read_text(encoding="utf-8"))
    assert {f"unga/dgacm/{i['file']}" for i in shipped["inputs"]} == \
        {f for f in listed if f.startswith("unga/dgacm/") and f.endswith(".json")}
    recorded = src.read_manifest(SOURCES)
    shipped = json.loads((DATA / "hrc" / "manifest.json").read_text(encoding="utf-8"))
    assert {i["file"]: i["sha256"] for i in shipped["inputs"] if i["file"].startswith("hrc/")} == \
        {f: d for f, d in recorded.items() if f.startswith("hrc/")}
    # the reviewed overrides, read from the data folder, are recorded with their digest
    from blocwatch.store.provenance import sha256_of

    assert {i["file"]: i["sha256"] for i in shipped["inputs"] if not i["file"].startswith("hrc/")} == \
        {"data/hrc/classification_overrides.csv": sha256_of(DATA / "hrc" / "classification_overrides.csv")}


def _same_bytes(shipped: Path, rebuilt: Path, names: list[str]) -> None:
    for name in names:
        assert (rebuilt / name).read_bytes() == (shipped / name).read_bytes(), \
            f"{shipped / name} differs from a rebuild: run `blocwatch curate {shipped.name}` and review the diff"


def test_dgacm_rebuilds_the_shipped_bundle_byte_for_byte(tmp_path):
    manifest = dgacm.build(SOURCES, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(DGACM_OUTPUTS)
    _same_bytes(DATA / "dgacm", tmp_path, DGACM_OUTPUTS)
    assert manifest["outputs"][0]["rows"] == 731


def test_hrc_rebuilds_the_shipped_bundle_byte_for_byte_and_writes_no_overrides(tmp_path):
    import shutil

    overrides = tmp_path / "classification_overrides.csv"  # an input kept next to the outputs
    shutil.copyfile(DATA / "hrc" / "classification_overrides.csv", overrides)
    before = overrides.read_bytes()
    manifest = hrc_curate.build(SOURCES, tmp_path)
    assert overrides.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*HRC_OUTPUTS, overrides.name])
    _same_bytes(DATA / "hrc", tmp_path, HRC_OUTPUTS)
    assert {o["file"]: o["rows"] for o in manifest["outputs"]} == \
        {"rollcalls.jsonl.gz": 975, "sources.json": 32, "terms.csv": 255}


def _owned(name: str) -> tuple[str, ...]:
    return next(patterns for n, _, patterns in STEPS if n == name)


def test_steps_run_in_order_and_own_exactly_their_outputs():
    assert [n for n, _, _ in STEPS] == ["registry", "statements", "unga", "dgacm", "hrc", "geo"]
    for name, outputs in (("dgacm", DGACM_OUTPUTS), ("hrc", HRC_OUTPUTS)):
        owned = {p.name for pattern in _owned(name) for p in DATA.glob(pattern) if p.is_file()}
        assert owned == set(outputs), name
    assert (DATA / "hrc" / OVERRIDES).is_file()


@pytest.fixture
def repo(tmp_path) -> Path:
    """A checkout-like folder: the in-repo sources and a copy of the shipped dgacm and hrc bundles."""
    repo = tmp_path / "repo"
    shutil.copytree(SOURCES, repo / "curation" / "sources")
    for folder in ("dgacm", "hrc"):
        shutil.copytree(DATA / folder, repo / "src" / "blocwatch" / "data" / folder)
    return repo


def _curate(*args: str):
    return CliRunner().invoke(app, ["curate", *args], catch_exceptions=False)


@pytest.mark.parametrize(("step", "outputs"), [("dgacm", DGACM_OUTPUTS), ("hrc", HRC_OUTPUTS)])
def test_curate_step_reports_unchanged_then_names_a_hand_edit(repo, step, outputs):
    out = repo / "src" / "blocwatch" / "data" / step
    result = _curate(step, "--repo", str(repo))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{step}: wrote ") and lines[1:] == [f"{step}: unchanged"]
    _same_bytes(DATA / step, out, outputs)

    (out / outputs[0]).write_bytes(b"edited by hand\n")
    (out / "manifest.json").unlink()
    result = _curate(step, "--repo", str(repo))
    assert result.exit_code == 0, result.output
    assert f"{step}: changed {out / outputs[0]}" in result.output
    assert f"{step}: added {out / 'manifest.json'}" in result.output
    _same_bytes(DATA / step, out, outputs)


def test_curate_hrc_neither_claims_nor_touches_the_reviewed_overrides(repo):
    out = repo / "src" / "blocwatch" / "data" / "hrc"
    shipped = (DATA / "hrc" / OVERRIDES).read_bytes()
    result = _curate("hrc", "--repo", str(repo))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1:] == ["hrc: unchanged"] and OVERRIDES not in result.output
    assert (out / OVERRIDES).read_bytes() == shipped
