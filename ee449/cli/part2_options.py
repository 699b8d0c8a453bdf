"""The options of `ee449 part2`: parsed without NumPy or matplotlib, so that `--help` answers at once."""

from __future__ import annotations

import argparse

DEFAULT_OUT = "ee449-out"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--samples", metavar="FILE", help="input images .npy [N, C, H, W] (e.g. the course's samples_X.npy)"
    )
    parser.add_argument(
        "--kernel", metavar="FILE", help="kernels .npy [C_out, C, kh, kw] (e.g. the course's kernel.npy)"
    )
    parser.add_argument(
        "--digit",
        type=int,
        choices=range(10),
        default=0,
        metavar="X",
        help="the digit of the built-in samples, 0 to 9 (default 0)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the built-in samples' distortions")
    parser.add_argument(
        "--out", default=DEFAULT_OUT, metavar="DIR", help=f"output folder (default {DEFAULT_OUT})"
    )
