"""Part 2 run: `my_conv2d` on sample digits, the output array, a summary and the grid figure.

Built-in inputs, so that `ee449 part2` runs anywhere (no download, no course files):

- `synthetic_digits(digit, count=5, seed=0)`: handwritten-digit-like 28x28 uint8 images, white on
  black like MNIST. Each is the digit's outline from matplotlib's bundled DejaVu Sans (regular,
  bold or oblique), drawn with a random stroke width, scale, rotation, shear and offset at 4x
  resolution on an Agg canvas, averaged down to 28x28 (anti-aliasing, like MNIST's soft
  edges) and given a little noise. Deterministic in (digit, seed). Shape (count, 1, 28, 28),
  as the course's `samples_X.npy`.
- `KERNEL_BANK` / `kernel_bank()`: eight 4x4 filters, shape (8, 1, 4, 4) float64, as the
  course's `kernel.npy`.

`--samples FILE --kernel FILE` take the course's `.npy` files instead (either one alone
replaces only that input).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ee449.conv import my_conv2d
from ee449.errors import DataError

IMAGE_SIZE = 28  # MNIST's 28x28
SUPERSAMPLE = 4  # draw at 4x, then average 4x4 blocks: smooth, MNIST-like edges
DIGIT_HEIGHT = 20  # MNIST digits fit a 20x20 box centred in the 28x28 image
DEFAULT_OUT = "ee449-out"

_EDGE = np.array([-1.0, -1.0, 1.0, 1.0])
_DIAG = np.sign(np.subtract.outer(np.arange(4), np.arange(4))).astype(np.float64)  # -1 above, +1 below the diagonal
_CENTRE = np.zeros((4, 4))
_CENTRE[1:3, 1:3] = 0.25  # the mean of the four centre pixels (a 4x4 kernel has no single centre)

# (name, 4x4 kernel, what it responds to). Edge kernels sum to 0 (no response on flat regions);
# blurs sum to 1 (keep brightness); sharpen sums to 1; the centre-surround sums to 0.
KERNEL_BANK: tuple[tuple[str, np.ndarray, str], ...] = (
    ("vertical edge", np.tile(_EDGE, (4, 1)) / 8, "dark-to-bright going right: left/right strokes"),
    ("horizontal edge", np.tile(_EDGE, (4, 1)).T / 8, "dark-to-bright going down: top/bottom strokes"),
    ("diagonal edge", _DIAG / 12, "brightness rising across the main diagonal (strokes like /)"),
    ("anti-diagonal edge", np.fliplr(_DIAG) / 12, "brightness rising across the other diagonal (strokes like \\)"),
    ("box blur", np.full((4, 4), 1 / 16), "the 4x4 mean: smooths, output in the input's range"),
    ("binomial blur", np.outer([1, 3, 3, 1], [1, 3, 3, 1]) / 64, "a Gaussian-like blur, weighted to the centre"),
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
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count <= 0:
        raise ValueError(f"count must be a positive int, got {count!r}")
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
    face = rng.choice(["DejaVuSans.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSans-Bold.ttf"], p=[0.45, 0.4, 0.15])
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
        .translate(size / 2 + rng.uniform(-1.5, 1.5) * SUPERSAMPLE, size / 2 + rng.uniform(-1.5, 1.5) * SUPERSAMPLE)
    )
    fig = Figure(figsize=(1, 1), dpi=size, facecolor="black")
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, size)
    ax.set_ylim(0, size)
    ax.set_axis_off()
    # Stroke width in points: 1 pixel here is 72 / size points. The outline is thickened by up
    # to 1.5 pixels (of 28) for the thin faces: pens of different widths.
    stroke_px = rng.uniform(0.0, max_stroke) * SUPERSAMPLE
    ax.add_patch(PathPatch(place.transform_path(glyph), facecolor="white", edgecolor="white",
                           linewidth=stroke_px * 72 / size, joinstyle="round"))
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    ink = np.asarray(canvas.buffer_rgba())[:, :, 0].astype(np.float64)  # [size, size], 0..255
    small = ink.reshape(IMAGE_SIZE, SUPERSAMPLE, IMAGE_SIZE, SUPERSAMPLE).mean(axis=(1, 3))
    small *= rng.uniform(0.85, 1.0)  # pens differ in darkness
    small += rng.normal(0.0, 6.0, small.shape) * (small > 0)  # uneven ink, none on the paper
    return np.clip(np.rint(small), 0, 255).astype(np.uint8)


@dataclass(frozen=True)
class Part2Result:
    """What `run_part2` wrote, and a summary of the output array."""

    output_path: Path  # part2_output.npy: my_conv2d(samples, kernel), [N, C_out, H-kh+1, W-kw+1]
    json_path: Path  # part2.json: sources, shapes, dtypes, output min/max/sum
    figure_path: Path  # figures/part2.png: one row per image, one column per kernel
    output_shape: tuple[int, int, int, int]
    output_min: float
    output_max: float


def run_part2(
    samples: np.ndarray | None,
    kernel: np.ndarray | None,
    out_dir: Path,
    *,
    digit: int = 0,
    seed: int = 0,
    samples_source: str | None = None,
    kernel_source: str | None = None,
) -> Part2Result:
    """Convolve `samples` [N, C, H, W] with `kernel` [C_out, C, kh, kw] and write the results.

    None picks the built-in input: `synthetic_digits(digit, 5, seed)` and `kernel_bank()`.
    Writes `out_dir/part2_output.npy`, `out_dir/part2.json` and `out_dir/figures/part2.png`.
    """
    from ee449.io import save_npy, write_json
    from ee449.plots.grids import part2Plots

    if samples is None:
        samples, samples_source = synthetic_digits(digit, 5, seed), f"built-in synthetic digits (digit {digit}, seed {seed})"
    if kernel is None:
        kernel, kernel_source = kernel_bank(), "built-in kernel bank: " + ", ".join(KERNEL_NAMES)
    samples, kernel = np.asarray(samples), np.asarray(kernel)
    output = my_conv2d(samples, kernel)  # (N, C_out, H - kh + 1, W - kw + 1) float64

    out_dir = Path(out_dir)
    output_path = save_npy(out_dir / "part2_output.npy", output)
    figure_path = part2Plots(output, save_dir=out_dir / "figures", filename="part2")
    summary = {
        "samples": {"source": samples_source or "array", "shape": samples.shape, "dtype": str(samples.dtype)},
        "kernel": {"source": kernel_source or "array", "shape": kernel.shape, "dtype": str(kernel.dtype)},
        "output": {"shape": output.shape, "dtype": str(output.dtype), "min": float(np.min(output)),
                   "max": float(np.max(output)), "sum": float(np.sum(output))},
        "files": {"output": output_path.name, "figure": str(figure_path.relative_to(out_dir))},
    }
    json_path = write_json(out_dir / "part2.json", summary)
    return Part2Result(output_path, json_path, figure_path, output.shape, summary["output"]["min"], summary["output"]["max"])


def load_array(path: str | Path, what: str) -> np.ndarray:
    """A 4-D numeric array from a .npy file, or DataError naming the file and the problem."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{what} file not found: {path}")
    try:
        array = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as error:
        raise DataError(f"{what} file {path} is not a readable .npy array ({error})") from None
    if not isinstance(array, np.ndarray):  # an .npz archive loads as a mapping
        raise DataError(f"{what} file {path} holds {type(array).__name__}, expected one .npy array")
    if array.ndim != 4:
        layout = "[N, C, H, W]" if what == "samples" else "[C_out, C_in, kh, kw]"
        raise DataError(f"{what} file {path} has shape {array.shape}; expected a 4-D array {layout}")
    return array


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--samples", metavar="FILE", help="input images .npy [N, C, H, W] (e.g. the course's samples_X.npy)")
    parser.add_argument("--kernel", metavar="FILE", help="kernels .npy [C_out, C, kh, kw] (e.g. the course's kernel.npy)")
    parser.add_argument("--digit", type=int, choices=range(10), default=0, metavar="X",
                        help="the digit of the built-in samples, 0 to 9 (default 0)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the built-in samples' distortions")
    parser.add_argument("--out", default=DEFAULT_OUT, metavar="DIR", help=f"output folder (default {DEFAULT_OUT})")


def run(args: argparse.Namespace) -> int:
    samples = load_array(args.samples, "samples") if args.samples else None
    kernel = load_array(args.kernel, "kernel") if args.kernel else None
    result = run_part2(samples, kernel, Path(args.out), digit=args.digit, seed=args.seed,
                       samples_source=args.samples, kernel_source=args.kernel)
    print(f"my_conv2d output {result.output_shape}, values {result.output_min:.6g} to {result.output_max:.6g}")
    print(f"wrote {result.output_path}")
    print(f"wrote {result.json_path}")
    print(f"wrote {result.figure_path}")
    return 0
