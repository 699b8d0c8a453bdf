"""How fast is `my_conv2d` next to `torch.nn.functional.conv2d`, both on float64?

    python benchmarks/bench_conv.py                 # the issue's case: (64,3,32,32) x (16,3,5,5)
    python benchmarks/bench_conv.py --strategies    # also time the NumPy designs we rejected
    python benchmarks/bench_conv.py --shape 5 1 28 28 --kernel 8 1 4 4   # the course's Part 2 size

Prints the median of `--repeats` timings of each (after one warm-up call), and the ratio
my_conv2d / torch. The target of issue 2 is a ratio of at most 1.5. Calls are interleaved
(torch, ours, torch, ours, ...) so that load from other processes hits both alike. Exit status
is 0 either way: this script measures, it does not judge (timings on a shared machine are noisy).
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Callable

import numpy as np
import torch
from numpy.lib.stride_tricks import sliding_window_view

from ee449.conv import my_conv2d

TARGET_RATIO = 1.5  # issue 2: my_conv2d at most 1.5x torch's conv2d on float64


# --- the alternatives my_conv2d was chosen against (same contract, float64 in) -----------------


def tensordot_windows(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """One tensordot over a sliding_window_view [N, C, Ho, Wo, kh, kw]; transpose copy at the end."""
    kh, kw = w.shape[2:]
    windows = sliding_window_view(x, (kh, kw), axis=(2, 3))
    out = np.tensordot(windows, w, axes=([1, 4, 5], [1, 2, 3]))  # (N, Ho, Wo, O)
    return np.ascontiguousarray(out.transpose(0, 3, 1, 2))


def offset_loop(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Sum over the kh*kw kernel offsets of a [C] x [C, O] product of the shifted input."""
    N, C, H, W = x.shape
    O, _, kh, kw = w.shape
    Ho, Wo = H - kh + 1, W - kw + 1
    out = np.zeros((O, N, Ho, Wo))
    for p in range(kh):
        for q in range(kw):
            out += np.tensordot(w[:, :, p, q], x[:, :, p : p + Ho, q : q + Wo], axes=([1], [1]))
    return np.ascontiguousarray(out.transpose(1, 0, 2, 3))


def im2col_one_matmul(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The whole batch as one [C*kh*kw, N*Ho*Wo] matrix and one matmul; transpose copy at the end."""
    N, C, H, W = x.shape
    O, _, kh, kw = w.shape
    Ho, Wo = H - kh + 1, W - kw + 1
    cols = sliding_window_view(x, (kh, kw), axis=(2, 3)).transpose(1, 4, 5, 0, 2, 3)
    out = w.reshape(O, -1) @ cols.reshape(C * kh * kw, N * Ho * Wo)
    return np.ascontiguousarray(out.reshape(O, N, Ho, Wo).transpose(1, 0, 2, 3))


def matmul_per_image(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """im2col per image [N, C*kh*kw, Ho*Wo] and a batched matmul: N BLAS calls, no transpose."""
    N, C, H, W = x.shape
    O, _, kh, kw = w.shape
    Ho, Wo = H - kh + 1, W - kw + 1
    cols = np.empty((N, C, kh, kw, Ho, Wo))
    for p in range(kh):
        for q in range(kw):
            cols[:, :, p, q] = x[:, :, p : p + Ho, q : q + Wo]
    return np.matmul(w.reshape(O, -1), cols.reshape(N, C * kh * kw, Ho * Wo)).reshape(N, O, Ho, Wo)


STRATEGIES: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "tensordot_windows": tensordot_windows,
    "offset_loop": offset_loop,
    "im2col_one_matmul": im2col_one_matmul,
    "matmul_per_image": matmul_per_image,
}


def median_seconds(functions: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Median wall time of each zero-argument callable, calls interleaved round by round."""
    for call in functions.values():
        call()  # warm-up: allocations, BLAS thread start, torch's first-call dispatch
    times: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(repeats):
        for name, call in functions.items():
            start = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", type=int, nargs=4, default=[64, 3, 32, 32], metavar=("N", "C", "H", "W"))
    parser.add_argument("--kernel", type=int, nargs=4, default=[16, 3, 5, 5], metavar=("O", "C", "KH", "KW"))
    parser.add_argument("--repeats", type=int, default=21, help="timed calls of each (median reported)")
    parser.add_argument("--strategies", action="store_true", help="also time the rejected NumPy designs")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    rng = np.random.default_rng(args.seed)
    x = rng.standard_normal(args.shape)
    w = rng.standard_normal(args.kernel)
    xt, wt = torch.from_numpy(x), torch.from_numpy(w)

    expected = torch.nn.functional.conv2d(xt, wt).numpy()
    err = float(np.max(np.abs(my_conv2d(x, w) - expected)))
    calls: dict[str, Callable[[], object]] = {
        "torch.conv2d": lambda: torch.nn.functional.conv2d(xt, wt),
        "my_conv2d": lambda: my_conv2d(x, w),
    }
    if args.strategies:
        for name, function in STRATEGIES.items():
            alt_err = float(np.max(np.abs(function(x, w) - expected)))
            assert alt_err < 1e-9, f"{name} disagrees with torch: max abs err {alt_err}"
            calls[name] = lambda function=function: function(x, w)

    seconds = median_seconds(calls, args.repeats)
    base = seconds["torch.conv2d"]
    print(
        f"input {tuple(args.shape)} float64, kernel {tuple(args.kernel)} float64, "
        f"median of {args.repeats}; torch threads {torch.get_num_threads()}; "
        f"max abs err vs torch {err:.2e}"
    )
    for name, value in seconds.items():
        print(f"  {name:<20} {value * 1e3:9.2f} ms   {value / base:5.2f}x torch")
    ratio = seconds["my_conv2d"] / base
    verdict = "meets" if ratio <= TARGET_RATIO else "MISSES"
    print(f"ratio my_conv2d / torch = {ratio:.2f} ({verdict} the {TARGET_RATIO}x target)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
