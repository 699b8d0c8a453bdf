"""Image grids: Part 2's conv outputs and the first-layer weights of Part 3.

The course helpers' names and signatures are kept (`part2Plots`, `visualizeWeights`), so a
student's script switches by changing its import. Each builds its figure in a separately
testable function (`part2_figure`, `weights_figure`) that returns a `matplotlib.figure.Figure`.

Figures are made with `matplotlib.figure.Figure`, never `pyplot`: nothing is registered with a
GUI backend, nothing is shown, and a figure is freed as soon as it is saved and dropped, so
these functions are safe under `matplotlib.use("Agg")`, in threads, and in long loops.
Layout is computed in pixels (no tight_layout), so the saved PNG has a predictable size: every
tile is drawn at an integer magnification of the array, at least one screen pixel per value.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Sequence

import numpy as np
from matplotlib.figure import Figure

from ee449.plots.output import DPI, save_figure
from ee449.validate import positive_int

TILE_TARGET_PX = 96  # tiles are magnified by an integer factor to about this many pixels
TITLE_PX = 14  # the band above each tile for its title
PAD_PX = 6  # space between and around tiles
HEADER_PX = 22  # the band at the top for the figure's title
MIN_WIDTH_PX = 480  # so that the header fits above a grid of few tiles
TILE_FONT_PT = 6


def tile_grid_figure(
    tiles: Sequence[np.ndarray | None],
    cols: int,
    titles: Sequence[str],
    limits: Sequence[tuple[float, float]],
    *,
    cmap: str,
    header: str,
) -> Figure:
    """A grid of equally sized 2-D tiles, `cols` per row, filled row by row.

    tiles:  one [h, w] array per cell (or [h, w, 3] RGB in [0, 1]), or None for an empty cell (hidden)
    titles: one per cell; limits: one (vmin, vmax) colour range per cell
    The tile size comes from the arrays; each is drawn at magnification
    max(1, round(TILE_TARGET_PX / max(h, w))). Figure size in pixels: width
    max(cols * (tile_w + PAD_PX) + PAD_PX, MIN_WIDTH_PX), height
    rows * (tile_h + TITLE_PX + PAD_PX) + PAD_PX + HEADER_PX.
    """
    shapes = {t.shape for t in tiles if t is not None}
    if len(shapes) != 1 or len(next(iter(shapes))) not in (2, 3):
        raise ValueError(f"tiles must all have one 2-D shape (or [h, w, 3] RGB), got {sorted(shapes)}")
    h, w = shapes.pop()[:2]
    rows = -(-len(tiles) // cols)
    scale = max(1, round(TILE_TARGET_PX / max(h, w)))
    tile_h, tile_w = h * scale, w * scale
    cell_h, cell_w = tile_h + TITLE_PX + PAD_PX, tile_w + PAD_PX
    grid_w = cols * cell_w + PAD_PX
    width_px = max(grid_w, MIN_WIDTH_PX)  # room for the header above a narrow grid
    offset_px = (width_px - grid_w) // 2  # the grid is centred
    height_px = rows * cell_h + PAD_PX + HEADER_PX

    fig = Figure(figsize=(width_px / DPI, height_px / DPI), dpi=DPI)
    fig.text(0.5, 1 - (HEADER_PX / 2) / height_px, header, ha="center", va="center", fontsize=8)
    padding = rows * cols - len(tiles)  # cells past the last tile, in the last row
    cells = zip([*tiles, *[None] * padding], [*titles, *[""] * padding], [*limits, *[(0.0, 1.0)] * padding])
    for index, (tile, title, (vmin, vmax)) in enumerate(cells):
        row, col = divmod(index, cols)
        left = offset_px + PAD_PX + col * cell_w
        top = HEADER_PX + row * cell_h + TITLE_PX  # pixels from the top edge to the tile
        ax = fig.add_axes(
            (left / width_px, 1 - (top + tile_h) / height_px, tile_w / width_px, tile_h / height_px)
        )
        ax.set_axis_off()
        if tile is None:
            ax.set_visible(False)  # an empty cell: keeps the grid regular, draws nothing
            continue
        ax.imshow(tile, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest", aspect="auto")
        ax.set_title(title, fontsize=TILE_FONT_PT, pad=2)
    return fig


# --- Part 2: conv outputs -------------------------------------------------------------------------


def part2_figure(out: Any, nmax: int = 64, kernel_names: Sequence[str] | None = None) -> Figure:
    """The grid of conv outputs [N, C_out, Ho, Wo]: one row per input image, one column per kernel.

    Each column is labelled once, above its first tile, with its kernel's name (`kernel_names`,
    one per kernel; "kernel j" without names); the rows are the images in order.

    At most `nmax` tiles are drawn, image by image (as the course's helper cut `out[:nmax]`).
    Colours: each kernel (column) has its own grey scale from its minimum to its maximum over
    all images. Per kernel because kernels differ in range by orders of magnitude (a blur of
    uint8 digits reaches hundreds, an edge filter straddles zero), so one shared scale would
    flatten most columns; and not per tile, so that the rows of one column stay comparable
    (a weak response looks weak). The course's raw values clipped to black and white.
    """
    array = np.asarray(out, dtype=np.float64)
    if array.ndim != 4:
        raise ValueError(f"out must be 4-D [N, C_out, H, W], got {array.ndim}-D shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"out is empty: shape {array.shape}")
    positive_int(nmax, "nmax")
    n_images, n_kernels = array.shape[:2]
    count = min(n_images * n_kernels, nmax)
    cols = min(n_kernels, count)
    finite = np.isfinite(array)  # inf/NaN do not stretch the scale (imshow shows them at the ends / blank)
    low = np.where(finite, array, np.inf).min(axis=(0, 2, 3))  # +inf where a kernel has no finite value
    high = np.where(finite, array, -np.inf).max(axis=(0, 2, 3))
    if kernel_names is not None and len(kernel_names) != n_kernels:
        raise ValueError(f"kernel_names has {len(kernel_names)} names for {n_kernels} kernels")
    names = list(kernel_names) if kernel_names is not None else [f"kernel {k}" for k in range(n_kernels)]
    tiles, titles, limits = [], [], []
    for index in range(count):
        image, kernel = divmod(index, n_kernels)
        tiles.append(array[image, kernel])
        titles.append(names[kernel] if image == 0 else "")  # a column label, not one per tile
        limits.append(_display_range(low[kernel], high[kernel]))
    header = (
        f"my_conv2d output {tuple(array.shape)}: rows = images, columns = kernels (grey scale per kernel)"
    )
    return tile_grid_figure(tiles, cols, titles, limits, cmap="gray", header=header)


def part2Plots(
    out: Any,
    nmax: int = 64,
    save_dir: str | os.PathLike = "",
    filename: str = "",
    fmt: str | None = None,
    *,
    kernel_names: Sequence[str] | None = None,
) -> Path:
    """Save `part2_figure(out, nmax, kernel_names)` as `save_dir/filename.fmt` (filename defaults
    to 'part2'; PNG unless `fmt` or the filename's suffix says svg or pdf)."""
    return save_figure(part2_figure(out, nmax, kernel_names), save_dir, filename, "part2", fmt)


# --- Part 3: first-layer weights ------------------------------------------------------------------


def weights_figure(weights: Any, name: str = "") -> Figure:
    """First-layer weights as images, on one colour scale symmetric around 0 (red +, blue -).

    weights: [units, D] for an MLP (each unit's D = s*s input weights shown as an s x s image;
             (32, 1024) -> 32 tiles of 32x32), or [C, 1, k, k] for a CNN (C tiles of k x k).
             The course helper's [D, units] layout (1024, 32) is accepted too: a 2-D array is
             read as [D, units] when only its first dimension is a square.
    The grid is near square (ceil(sqrt(count)) columns); cells past the last tile are hidden.
    One scale for all tiles, so that strong and weak units can be told apart. `name` (the
    architecture) starts the title.
    """
    array = np.asarray(weights, dtype=np.float64)
    if array.ndim == 2:
        if not _image_channels(array.shape[1]) and _image_channels(array.shape[0]):
            array = array.T  # the course helper's (Keras) layout [D, units], e.g. (1024, 32)
        units, inputs = array.shape
        channels = _image_channels(inputs)
        if not channels:
            raise ValueError(
                f"MLP weights [units, D] need D = s*s (gray) or 3*s*s (RGB) to draw as images, got shape {array.shape}"
            )
        side = _isqrt(inputs // channels)
        images = array.reshape(units, channels, side, side)
        kind = "unit"
    elif array.ndim == 4:
        if array.shape[1] not in (1, 3):
            raise ValueError(
                f"CNN weights [C, 1 or 3, k, k] need 1 or 3 input channels, got shape {array.shape}"
            )
        images = array
        kind = "filter"
    else:
        raise ValueError(
            f"weights must be 2-D [units, D] (MLP) or 4-D [C, 1, k, k] (CNN), got {array.ndim}-D shape {array.shape}"
        )
    if images.size == 0:
        raise ValueError(f"weights are empty: shape {array.shape}")
    count = images.shape[0]
    cols = int(np.ceil(np.sqrt(count)))
    finite = np.abs(images[np.isfinite(images)])
    bound = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    titles = [f"{kind} {i}" for i in range(count)]
    if images.shape[1] == 1:
        tiles = list(images[:, 0])
        scale = f"colour scale +-{bound:.3g} (red +, blue -)"
    else:  # RGB inputs (the 2025 edition): each tile in colour, 0 weight at mid-gray, one scale for all
        tiles = [np.clip(0.5 + tile.transpose(1, 2, 0) / (2 * bound), 0.0, 1.0) for tile in images]
        scale = f"RGB, mid-gray = 0, scale +-{bound:.3g}"
    header = f"{name + ': ' if name else ''}first-layer weights {tuple(array.shape)}: {scale}"
    return tile_grid_figure(tiles, cols, titles, [(-bound, bound)] * count, cmap="RdBu_r", header=header)


def visualizeWeights(
    weights: Any,
    save_dir: str | os.PathLike,
    filename: str = "weights",
    fmt: str | None = None,
    *,
    name: str = "",
) -> Path:
    """Save `weights_figure(weights, name)` as `save_dir/filename.fmt` (PNG unless `fmt` or the
    filename's suffix says svg or pdf); `name`, the architecture, starts the title."""
    return save_figure(weights_figure(weights, name), save_dir, filename, "weights", fmt)


def _display_range(low: float, high: float) -> tuple[float, float]:
    """(vmin, vmax) for imshow; a constant (or all-NaN) column gets a unit-wide range around it."""
    if not (np.isfinite(low) and np.isfinite(high)):
        return (0.0, 1.0)
    if high <= low:
        return (float(low) - 0.5, float(high) + 0.5)
    return (float(low), float(high))


def _isqrt(n: int) -> int:
    return int(np.sqrt(n) + 0.5)


def _is_square(n: int) -> bool:
    return n > 0 and _isqrt(n) ** 2 == n


def _image_channels(n: int) -> int:
    """1 when n inputs are one s x s gray image, 3 when an RGB one (3 * s * s), else 0."""
    if _is_square(n):
        return 1
    return 3 if n % 3 == 0 and _is_square(n // 3) else 0
