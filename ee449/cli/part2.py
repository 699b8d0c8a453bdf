"""`ee449 part2`: `my_conv2d` on sample digits, the output array, a summary and the grid figure.

The inputs are the built-in digits and kernel bank (`ee449.basics.digits`) unless
`--samples FILE --kernel FILE` name the course's `.npy` files (either one alone replaces only
that input).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ee449.basics.conv import my_conv2d
from ee449.basics.digits import KERNEL_NAMES, kernel_bank, synthetic_digits
from ee449.errors import DataError
from ee449.io import save_npy, write_json
from ee449.plots.grids import part2Plots


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
    if samples is None:
        samples, samples_source = (
            synthetic_digits(digit, 5, seed),
            f"built-in synthetic digits (digit {digit}, seed {seed})",
        )
    names: list[str] | None = None
    if kernel is None:
        kernel, kernel_source = kernel_bank(), "built-in kernel bank: " + ", ".join(KERNEL_NAMES)
        names = list(KERNEL_NAMES)
    samples, kernel = np.asarray(samples), np.asarray(kernel)
    output = my_conv2d(samples, kernel)  # (N, C_out, H - kh + 1, W - kw + 1) float64

    out_dir = Path(out_dir)
    output_path = save_npy(out_dir / "part2_output.npy", output)
    figure_path = part2Plots(output, save_dir=out_dir / "figures", filename="part2", kernel_names=names)
    low, high = float(np.min(output)), float(np.max(output))
    summary: dict[str, dict[str, object]] = {
        "samples": {"source": samples_source or "array", "shape": samples.shape, "dtype": str(samples.dtype)},
        "kernel": {
            "source": kernel_source or "array",
            "shape": kernel.shape,
            "dtype": str(kernel.dtype),
            **({"names": names} if names else {}),
        },
        "output": {
            "shape": output.shape,
            "dtype": str(output.dtype),
            "min": low,
            "max": high,
            "sum": float(np.sum(output)),
        },
        "files": {"output": output_path.name, "figure": str(figure_path.relative_to(out_dir))},
    }
    json_path = write_json(out_dir / "part2.json", summary)
    return Part2Result(output_path, json_path, figure_path, output.shape, low, high)


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


def run(args: argparse.Namespace) -> int:
    samples = load_array(args.samples, "samples") if args.samples else None
    kernel = load_array(args.kernel, "kernel") if args.kernel else None
    result = run_part2(
        samples,
        kernel,
        Path(args.out),
        digit=args.digit,
        seed=args.seed,
        samples_source=args.samples,
        kernel_source=args.kernel,
    )
    print(
        f"my_conv2d output {result.output_shape}, values {result.output_min:.6g} to {result.output_max:.6g}"
    )
    print(f"wrote {result.output_path}")
    print(f"wrote {result.json_path}")
    print(f"wrote {result.figure_path}")
    return 0
