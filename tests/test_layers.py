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


def test_every_top_level_module_is_in_one_layer():
    config = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    (layers,) = [c["layers"] for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    named = [name.strip() for layer in layers for name in layer.split("|")]
    modules = sorted(f"ee449.{m.name}" for m in pkgutil.iter_modules(ee449.__path__))
    assert sorted(set(named)) == sorted(named), f"a module is in two layers: {named}"
    assert sorted(named) == modules, (
        f"not in a layer: {sorted(set(modules) - set(named))}; in a layer but not a module: "
        f"{sorted(set(named) - set(modules))}"
    )


MAX_LINES = 300  # a module a maintainer reads in one sitting (raw lines, docstrings and comments included)
# The modules still over it, each at most its present length: the list may only shrink (issue 24).
OVER_MAX_LINES = {
    "training/loop.py": 302,
    "grading/sandboxed_run_recorder.py": 312,
}


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
