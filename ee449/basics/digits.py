"""Part 2's built-in inputs, so that `ee449 part2` runs anywhere (no download, no course files):

- `synthetic_digits(digit, count=5, seed=0)`: handwritten-digit-like 28x28 uint8 images, white on
  black like MNIST. Each is the digit's outline from matplotlib's bundled DejaVu Sans (regular,
  bold or oblique), drawn with a random stroke width, scale, rotation, shear and offset at 4x
  resolution on an Agg canvas, averaged down to 28x28 (anti-aliasing, like MNIST's soft
  edges) and given a little noise. Deterministic in (digit, seed). Shape (count, 1, 28, 28),
  as the course's `samples_X.npy`.
- `KERNEL_BANK` / `kernel_bank()`: eight 4x4 filters, shape (8, 1, 4, 4) float64, as the
  course's `kernel.npy`.

`ee449 part2 --samples FILE --kernel FILE` takes the course's `.npy` files instead (either one
alone replaces only that input); running `my_conv2d` on them and drawing the grid is
`ee449.cli.part2`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ee449.validate import positive_int

IMAGE_SIZE = 28  # MNIST's 28x28
SUPERSAMPLE = 4  # draw at 4x, then average 4x4 blocks: smooth, MNIST-like edges
DIGIT_HEIGHT = 20  # MNIST digits fit a 20x20 box centred in the 28x28 image

_EDGE = np.array([-1.0, -1.0, 1.0, 1.0])
_DIAG = np.sign(np.subtract.outer(np.arange(4), np.arange(4))).astype(
    np.float64
)  # -1 above, +1 below the diagonal
_CENTRE = np.zeros((4, 4))
_CENTRE[1:3, 1:3] = 0.25  # the mean of the four centre pixels (a 4x4 kernel has no single centre)

# (name, 4x4 kernel, what it responds to). Edge kernels sum to 0 (no response on flat regions);
# blurs sum to 1 (keep brightness); sharpen sums to 1; the centre-surround sums to 0.
KERNEL_BANK: tuple[tuple[str, np.ndarray, str], ...] = (
    ("vertical edge", np.tile(_EDGE, (4, 1)) / 8, "dark-to-bright going right: left/right strokes"),
    ("horizontal edge", np.tile(_EDGE, (4, 1)).T / 8, "dark-to-bright going down: top/bottom strokes"),
    ("diagonal edge", _DIAG / 12, "brightness rising across the main diagonal (strokes like /)"),
    (
        "anti-diagonal edge",
        np.fliplr(_DIAG) / 12,
        "brightness rising across the other diagonal (strokes like \\)",
    ),
    ("box blur", np.full((4, 4), 1 / 16), "the 4x4 mean: smooths, output in the input's range"),
    (
        "binomial blur",
        np.outer([1, 3, 3, 1], [1, 3, 3, 1]) / 64,
        "a Gaussian-like blur, weighted to the centre",
    ),
    ("sharpen", 2 * _CENTRE - np.full((4, 4), 1 / 16), "centre minus blur, added back: crisper strokes"),
    ("centre-surround", np.where(_CENTRE > 0, 0.25, -1 / 12), "Laplacian-like: bright blobs and thin lines"),
)
KERNEL_NAMES: tuple[str, ...] = tuple(name for name, _, _ in KERNEL_BANK)


def kernel_bank() -> np.ndarray:
    """The eight built-in kernels, shape (8, 1, 4, 4) float64 (a fresh copy each call)."""
    return np.stack([kernel for _, kernel, _ in KERNEL_BANK])[:, None].astype(np.float64)


def synthetic_digits(digit: int, count: int = 5, seed: int = 0) -> np.ndarray:
    """`count` images of `digit`, shape (count, 1, 28, 28) uint8 (0 background, up to 255 ink)."""
    if isinstance(digit, bool) or not isinstance(digit, (int, np.integer)) or not 0 <= digit <= 9:
        raise ValueError(f"digit must be an int from 0 to 9, got {digit!r}")
    count = positive_int(count, "count")
    rng = np.random.default_rng([seed, digit])
    return np.stack([_draw_digit(str(digit), rng)[None] for _ in range(count)])


def _draw_digit(text: str, rng: np.random.Generator) -> np.ndarray:
    """One distorted digit, [28, 28] uint8."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties
    from matplotlib.patches import PathPatch
    from matplotlib.textpath import TextPath
    from matplotlib.transforms import Affine2D

    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    # Mostly thin faces: MNIST strokes are pen lines, and a bold glyph plus a wide stroke blobs.
    face = rng.choice(
        ["DejaVuSans.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSans-Bold.ttf"], p=[0.45, 0.4, 0.15]
    )
    max_stroke = 0.5 if face.endswith("Bold.ttf") else 1.5
    glyph = TextPath((0, 0), text, size=1, prop=FontProperties(fname=fonts / face))
    box = glyph.get_extents()
    size = IMAGE_SIZE * SUPERSAMPLE
    height = DIGIT_HEIGHT * SUPERSAMPLE * rng.uniform(0.8, 1.05)
    place = (
        Affine2D()
        .translate(-(box.x0 + box.x1) / 2, -(box.y0 + box.y1) / 2)  # glyph centre to the origin
        .scale(height / box.height)
        .skew_deg(rng.uniform(-12, 12), 0)  # slant, as handwriting leans
        .rotate_deg(rng.uniform(-12, 12))
        .translate(
            size / 2 + rng.uniform(-1.5, 1.5) * SUPERSAMPLE, size / 2 + rng.uniform(-1.5, 1.5) * SUPERSAMPLE
        )
    )
    fig = Figure(figsize=(1, 1), dpi=size, facecolor="black")
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, size)
    ax.set_ylim(0, size)
    ax.set_axis_off()
    # Stroke width in points: 1 pixel here is 72 / size points. The outline is thickened by up
    # to 1.5 pixels (of 28) for the thin faces: pens of different widths.
    stroke_px = rng.uniform(0.0, max_stroke) * SUPERSAMPLE
    ax.add_patch(
        PathPatch(
            place.transform_path(glyph),
            facecolor="white",
            edgecolor="white",
            linewidth=stroke_px * 72 / size,
            joinstyle="round",
        )
    )
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    ink = np.asarray(canvas.buffer_rgba())[:, :, 0].astype(np.float64)  # [size, size], 0..255
    small = ink.reshape(IMAGE_SIZE, SUPERSAMPLE, IMAGE_SIZE, SUPERSAMPLE).mean(axis=(1, 3))
    small *= rng.uniform(0.85, 1.0)  # pens differ in darkness
    small += rng.normal(0.0, 6.0, small.shape) * (small > 0)  # uneven ink, none on the paper
    return np.clip(np.rint(small), 0, 255).astype(np.uint8)
