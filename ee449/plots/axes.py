"""Drawing helpers shared by the curve figures (ee449.plots.curves): colours, axis style, axes."""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes

from ee449.results.schema import meta_of


def colors(n: int) -> list:
    """n distinguishable colours: tab10 up to 10, tab20 up to 20, then a sampled colormap."""
    from matplotlib import colormaps

    if n <= 10:
        return [colormaps["tab10"](i) for i in range(n)]
    if n <= 20:
        return [colormaps["tab20"](i) for i in range(n)]
    return [colormaps["turbo"](x) for x in np.linspace(0.05, 0.95, n)]


def style_axes(ax: Axes, title: str, xlabel: str, ylabel: str) -> None:
    """The curve figures' one look: title left, label and tick sizes, a light grid."""
    ax.set_title(title, loc="left", fontsize=14)
    ax.set_xlabel(xlabel, fontsize=12)
    ax.set_ylabel(ylabel, fontsize=12)
    ax.tick_params(labelsize=10)
    ax.grid(True, alpha=0.3)


def steps_axis(ax: Axes, results: Sequence[Mapping], unit: str) -> None:
    """A secondary 'step' axis on top of an epoch axis, when all results share steps per epoch."""
    per_epoch = {meta_of(r).get("steps_per_epoch") for r in results}
    if unit != "epoch" or len(per_epoch) != 1:
        return
    spe = float(per_epoch.pop() or 1)  # every result knows it (shared_unit said 'epoch')
    top = ax.secondary_xaxis("top", functions=(lambda e: np.asarray(e) * spe, lambda s: np.asarray(s) / spe))
    top.set_xlabel("optimizer step", fontsize=10)
    top.tick_params(labelsize=9)


def diagonal(ax: Axes, values: np.ndarray) -> None:
    """A dotted y = x line over the finite values' range (test against training accuracy)."""
    finite = values[np.isfinite(values)]
    if finite.size:
        lo, hi = float(finite.min()), float(finite.max())
        ax.plot([lo, hi], [lo, hi], color="0.5", linestyle=":", linewidth=1, label="y = x")
