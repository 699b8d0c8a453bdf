"""The homework's figures, with the course helpers' names and signatures.

A student's script switches to these by changing one import:
`from ee449.plots import part2Plots, part3Plots, part4Plots, part5Plots, visualizeWeights`.

- `ee449.plots.grids`: image grids (Part 2 conv outputs, first-layer weights)
- `ee449.plots.curves`: training curves (Parts 3, 4, 5)
- `ee449.plots.schedule`: the Part 5 schedule's figure
- `ee449.plots.xor`: Part 1 of 2024 and 2025, the XOR network's decision boundary and the activations

Submodules are imported on first use, so `import ee449.plots` does not import matplotlib.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "part2Plots": "grids",
    "visualizeWeights": "grids",
    "part3Plots": "curves",
    "part4Plots": "curves",
    "part5Plots": "curves",
    "schedulePlot": "schedule",
    "part1PlotBoundary": "xor",  # the 2024 and 2025 editions' Part 1
    "part1PlotActivations": "xor",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'ee449.plots' has no attribute {name!r}")
    module = importlib.import_module(f"ee449.plots.{_EXPORTS[name]}")
    return getattr(module, name)
