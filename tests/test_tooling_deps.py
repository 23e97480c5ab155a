"""pyproject.toml gives lower bounds; constraints.txt pins every package exactly, and make installs with it."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def _pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (REPO / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if not line:
            continue
        name, sep, pinned = line.partition("==")
        assert sep and pinned, f"constraints.txt: {line!r} is not NAME==VERSION"
        key = canonicalize_name(name)
        assert key not in pins, f"constraints.txt pins {name} twice"
        pins[key] = pinned
    return pins


def _requirements() -> list[Requirement]:
    project = PYPROJECT["project"]
    reqs = [Requirement(r) for r in project["dependencies"]]
    for extra in project["optional-dependencies"].values():
        reqs += [Requirement(r) for r in extra if canonicalize_name(Requirement(r).name) != "blocwatch"]
    return reqs


def test_pyproject_gives_lower_bounds_not_pins():
    for req in _requirements():
        assert all(s.operator == ">=" for s in req.specifier), f"{req}: use a lower bound (>=)"


def test_constraints_pin_every_dependency_within_its_bounds():
    pins = _pins()
    assert "blocwatch" not in pins
    for req in _requirements():
        key = canonicalize_name(req.name)
        assert key in pins, f"constraints.txt does not pin {req.name}"
        assert Version(pins[key]) in req.specifier, f"{req.name}=={pins[key]} is outside {req.specifier}"


def test_installed_dependencies_are_the_pinned_versions():
    pins = _pins()
    wrong = {}
    for req in _requirements():
        try:
            installed = version(req.name)
        except PackageNotFoundError:
            installed = None
        if installed != pins[canonicalize_name(req.name)]:
            wrong[req.name] = (installed, pins[canonicalize_name(req.name)])
    assert not wrong, f"(installed, pinned) differ: {wrong}; run `make install`"


def test_make_installs_with_the_constraints_and_reinstalls_when_they_change():
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^CONSTRAINTS := constraints\.txt$", makefile, re.M)
    assert re.search(r"^\$\(STAMP\): pyproject\.toml \$\(CONSTRAINTS\)$", makefile, re.M)
    assert re.search(r"pip install .*-c \$\(CONSTRAINTS\) -e '\.\[dev\]'", makefile)


def test_py_typed_is_shipped():
    assert (REPO / "src" / "blocwatch" / "py.typed").is_file()
    assert "py.typed" in PYPROJECT["tool"]["setuptools"]["package-data"]["blocwatch"]
