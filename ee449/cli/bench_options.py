"""The options of `ee449 bench`: parsed without importing torch, so that `--help` answers at once."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from ee449.bench.options import QUICK, BenchOptions


def add_arguments(parser: argparse.ArgumentParser) -> None:
    full = BenchOptions()
    parser.add_argument(
        "--data",
        default=None,
        metavar="SOURCE",
        help="'torchvision' (default, as the other commands; synthetic with --quick), 'synthetic', "
        "or an image folder",
    )
    parser.add_argument(
        "--data-root",
        dest="root",
        default=None,
        metavar="DIR",
        help="download/cache folder (default $EE449_DATA or ~/.cache/ee449)",
    )
    parser.add_argument("--device", default=full.device, help="auto (default), cpu, cuda, cuda:N")
    parser.add_argument("--steps", type=int, help=f"training steps, a multiple of 10 (default {full.steps})")
    parser.add_argument("--val-size", type=int, help=f"validation images per pass (default {full.val_size})")
    parser.add_argument("--replicas", type=int, help=f"replica runs, 0 skips them (default {full.replicas})")
    parser.add_argument(
        "--replica-steps", type=int, help=f"steps per replica run (default {full.replica_steps})"
    )
    parser.add_argument("--seed", type=int, default=full.seed, help="seed of the images, split and runs")
    parser.add_argument("--skip-reference", action="store_true", help="do not run the reference loop")
    parser.add_argument(
        "--warmup",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="an untimed 10-step run of each phase first (default on, every device)",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        help=f"times each phase runs at least (default {full.repeats}); "
        "the median is reported, with the spread",
    )
    parser.add_argument(
        "--min-seconds",
        type=float,
        help=f"each phase repeats until it has run this long (default {full.min_seconds:g})",
    )
    parser.add_argument(
        "--compile",
        action="store_true",
        help="torch.compile ee449's training forward (CUDA: fewer launches, ~30 s compile; CPU: slower)",
    )
    parser.add_argument(
        "--tf32",
        dest="allow_tf32",
        action="store_true",
        help="TF32 convolutions and matmuls on CUDA (about 1e-3 relative error)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"a smoke test in seconds: synthetic data, {QUICK.steps} steps, "
        f"{QUICK.val_size} validation images, {QUICK.replicas} replicas, one repeat, no warm-up; explicit options win",
    )
    parser.add_argument(
        "--json", default="ee449-out/bench.json", type=Path, help="where to write the numbers"
    )
    parser.add_argument(
        "--markdown", action="store_true", help="also print the benchmarks/RESULTS.md table row"
    )


def options_from(args: argparse.Namespace) -> BenchOptions:
    base = QUICK if args.quick else BenchOptions()
    given = {
        name: getattr(args, name)
        for name in (
            "steps",
            "val_size",
            "replicas",
            "replica_steps",
            "warmup",
            "repeats",
            "min_seconds",
            "data",
        )
        if getattr(args, name) is not None
    }
    return dataclasses.replace(
        base,
        root=args.root,
        device=args.device,
        seed=args.seed,
        skip_reference=args.skip_reference,
        compile=args.compile,
        allow_tf32=args.allow_tf32,
        **given,
    )
