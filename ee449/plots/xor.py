"""Part 1 of the 2024 and 2025 editions: the XOR network's decision boundary and the activations.

`part1PlotBoundary(X, y, nn)` is the course helper's name and call: it evaluates `nn.forward`
on a grid of points 0.01 apart covering the data plus a 0.1 margin and draws where the output
crosses 0.5, with the points coloured by class. `part1PlotActivations()` draws 1.1: tanh, the
logistic sigmoid and ReLU, each beside its derivative. Both save and return the path; neither
uses pyplot's state.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from ee449.basics.xor import ACTIVATIONS
from ee449.plots.output import new_figure, save_figure

GRID_STEP = 0.01  # the course helper's grid spacing
MARGIN = 0.1  # around the data


def boundary_figure(X: Any, y: Any, nn: Any, title: str = "") -> Figure:
    """Output of `nn.forward` over the data's box (shaded), its 0.5 contour, and the points by class."""
    points = np.asarray(X, dtype=np.float64)
    labels = np.asarray(y).reshape(-1)
    if points.ndim != 2 or points.shape[1] != 2 or labels.shape[0] != points.shape[0]:
        raise ValueError(
            f"X must be [N, 2] with one label per point, got X {points.shape} and y {np.shape(y)}"
        )
    lo, hi = points.min(axis=0) - MARGIN, points.max(axis=0) + MARGIN
    xs, ys = np.arange(lo[0], hi[0], GRID_STEP), np.arange(lo[1], hi[1], GRID_STEP)
    gx, gy = np.meshgrid(xs, ys)
    grid = np.c_[gx.ravel(), gy.ravel()]
    output = np.asarray(nn.forward(grid), dtype=np.float64).reshape(gx.shape)  # one output per point
    fig = new_figure((5.0, 4.4), pyplot=False)
    ax = fig.add_subplot()
    shade = ax.contourf(gx, gy, output, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.35)
    ax.contour(gx, gy, output, levels=[0.5], colors="k", linewidths=1.2)
    for label, marker, colour in ((0, "o", "tab:blue"), (1, "s", "tab:red")):
        chosen = labels == label
        ax.scatter(
            points[chosen, 0], points[chosen, 1], s=10, marker=marker, c=colour, label=f"class {label}"
        )
    fig.colorbar(shade, ax=ax, label="network output")
    ax.set(xlabel="x1", ylabel="x2", title=title or "decision boundary (output = 0.5)")
    ax.legend(loc="upper right", fontsize=8)
    return fig


def part1PlotBoundary(  # noqa: N802 - the course helper's name
    X: Any,
    y: Any,
    nn: Any,
    save_dir: str | os.PathLike = "",
    filename: str = "",
    fmt: str | None = None,
    *,
    title: str = "",
) -> Path:
    """Save `boundary_figure(X, y, nn, title)` as `save_dir/filename.fmt` (default 'part1_boundary.png')."""
    return save_figure(boundary_figure(X, y, nn, title), save_dir, filename, "part1_boundary", fmt)


def activations_figure(low: float = -5.0, high: float = 5.0) -> Figure:
    """1.1: one panel per activation, the function (solid) and its derivative (dashed) on [low, high]."""
    x = np.linspace(low, high, 1001)
    fig = new_figure((11.0, 3.4), pyplot=False)
    for ax, activation in zip(fig.subplots(1, len(ACTIVATIONS)), ACTIVATIONS.values()):
        ax.plot(x, activation.function(x), label=activation.name)
        ax.plot(x, activation.derivative(x), "--", label=f"{activation.name}'")
        ax.axhline(0, color="0.7", linewidth=0.8)
        ax.set(xlabel="x", title=f"{activation.name} and its derivative")
        ax.legend(fontsize=8)
    return fig


def part1PlotActivations(  # noqa: N802 - named as the course's helpers are
    save_dir: str | os.PathLike = "", filename: str = "", fmt: str | None = None
) -> Path:
    """Save `activations_figure()` as `save_dir/filename.fmt` (default 'part1_activations.png')."""
    return save_figure(activations_figure(), save_dir, filename, "part1_activations", fmt)
