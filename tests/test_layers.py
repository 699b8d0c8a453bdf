"""The layers contract (pyproject's [tool.importlinter]) names every module of the package.

import-linter checks only the modules a contract names: a new top-level module left out of the
layers could import from anywhere unseen. This keeps the list whole.
"""

from __future__ import annotations

import pkgutil
import sys
from pathlib import Path

import pytest

import ee449

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = pytest.importorskip("tomli")

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def _layers_contracts() -> list[dict]:
    config = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    return [c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]


def _named(layers: list[str]) -> list[str]:
    # "a | b" are independent siblings, "a : b" siblings that may import each other.
    return [name.strip() for layer in layers for group in layer.split("|") for name in group.split(":")]


@pytest.mark.parametrize("contract", _layers_contracts(), ids=lambda c: c.get("containers", ["ee449"])[0])
def test_every_module_of_a_layered_package_is_in_one_layer(contract):
    # The top contract names modules in full; one with `containers` names them inside its package.
    (package,) = contract.get("containers", ["ee449"])
    prefix = "" if "containers" in contract else "ee449."
    named = _named(contract["layers"])
    folder = Path(ee449.__file__).resolve().parent.joinpath(*package.split(".")[1:])
    modules = sorted(prefix + m.name for m in pkgutil.iter_modules([str(folder)]))
    assert sorted(set(named)) == sorted(named), f"a module is in two layers: {named}"
    assert sorted(named) == modules, (
        f"not in a layer: {sorted(set(modules) - set(named))}; in a layer but not a module: "
        f"{sorted(set(named) - set(modules))}"
    )


def test_the_grader_has_a_layers_contract():
    assert "ee449.grading" in [c.get("containers", [None])[0] for c in _layers_contracts()]


MAX_LINES = 300  # a module a maintainer reads in one sitting (raw lines, docstrings and comments included)
# The modules still over it, each at most its present length: the list may only shrink (issue 24).
OVER_MAX_LINES: dict[str, int] = {}


def test_no_module_grows_past_300_lines():
    package = Path(ee449.__file__).resolve().parent
    lengths = {
        path.relative_to(package).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in package.rglob("*.py")
    }
    over = {name: n for name, n in lengths.items() if n > OVER_MAX_LINES.get(name, MAX_LINES)}
    assert not over, f"over {MAX_LINES} lines (or longer than before): {over}; split them along what they do"
    stale = {name: lengths.get(name) for name in OVER_MAX_LINES if lengths.get(name, 0) <= MAX_LINES}
    assert not stale, f"now within {MAX_LINES} lines: take them off OVER_MAX_LINES: {stale}"
