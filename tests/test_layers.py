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
