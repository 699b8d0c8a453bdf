"""The options of `ee449 part3 | part4 | part5 | all`, and the `--quick` preset."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from ee449.editions import DEFAULT_HOMEWORK, ENV_VAR, available, requested_year
from ee449.spec import ARCHITECTURES, check_architecture

QUICK: dict[
    str, Any
] = {  # the README's main job: every part on synthetic data in under 3 minutes on 2 CPU cores,
    # with every claim of the homework measurable (none at chance, both schedule switches inside the run).
    # 2,700 training images (54 steps of 50 per epoch), 300 validation, 500 test: enough that the
    # CNNs clearly beat the MLPs after 4 epochs (measured: about 50-70% against 25-35%).
    "synthetic_per_class": (300, 50),
    "record_every": 10,  # the homework's rule: about 5 points per epoch here
    "epochs": 4,
    "runs": 2,  # Parts 3 and 4: "several runs" kept to two
    # Part 5 on mlp_2 for the homework's 20 + 30 epochs: SGD at lr 0.01 needs about 1,000 steps to leave
    # chance, which mlp_2 takes in seconds and cnn_4 in minutes (measured on this data: cnn_4 at lr 0.01
    # was at chance after 6 epochs; mlp_2 reaches about 20% at 0.01, 45% at 0.1, 10% at 0.001 in 20).
    "part5_arch": "mlp_2",
    "part5_epochs": 20,
    "schedule_epochs": 30,
    "patience": 2,  # one noisy epoch is not a plateau; with 2 both switches fall inside the 30 epochs
    "threads": 1,  # one CPU thread: small models gain little from more, and a busy machine loses a lot
}
EPOCHS_HELP = {
    "part3": "epochs per run (default 15, the homework's; 4 with --quick)",
    "part4": "epochs per run (default 15, the homework's; 4 with --quick)",
    "part5": "epochs of Part 5 (a) (default 20, the homework's); the schedule trains ceil(1.5 N) (30)",
    "all": "epochs of Parts 3 and 4 (default 15) and of Part 5 (a) (default 20; the schedule ceil(1.5 N), 30): "
    "the homework's numbers; with --quick 4 and 20",
}


def add_homework_argument(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """`--homework YEAR`: the edition of Homework 1 a command follows (ee449.editions)."""
    parser.add_argument(
        "--homework",
        default=None,
        metavar="YEAR",
        help=f"the homework's edition: {', '.join(map(str, available()))} "
        f"(default ${ENV_VAR}, else {DEFAULT_HOMEWORK})",
    )


def graded_edition(given: str | None) -> int:
    """The edition `ee449 grade` grades: --homework, else $EE449_HOMEWORK, else 2023 (an unknown year is
    refused naming those there are). Its images size the models' checks and its training set the
    result files'; its Part 1 decides whether the XOR network (2024 / 2025) is graded."""
    return requested_year(given)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    command = parser.prog.split()[-1]
    data = parser.add_argument_group("data and output")
    add_homework_argument(data)
    data.add_argument(
        "--data",
        default=None,
        metavar="SOURCE",
        help="'torchvision' (default; downloads once), 'synthetic' (built in), or an image folder",
    )
    data.add_argument(
        "--data-root", default=None, metavar="DIR", help="download/cache folder (default ~/.cache/ee449)"
    )
    data.add_argument(
        "--out",
        default="ee449-out",
        type=Path,
        metavar="DIR",
        help="output folder for result files and figures (default ee449-out)",
    )
    runs = parser.add_argument_group("training")
    runs.add_argument("--device", default="auto", help="'auto' (CUDA when present), 'cpu', 'cuda', 'cuda:N'")
    runs.add_argument("--epochs", type=positive, default=None, metavar="N", help=EPOCHS_HELP[command])
    if command in ("part3", "all"):
        runs.add_argument(
            "--runs",
            type=positive,
            default=None,
            help="Part 3 runs per architecture (default the edition's: 10 in 2023, 1 in 2024 and 2025)",
        )
    if command in ("part3", "part4", "all"):
        runs.add_argument(
            "--arch",
            action="append",
            default=None,
            metavar="NAME",
            help=f"architectures, repeatable or comma-separated (default all: {','.join(ARCHITECTURES)})",
        )
    if command in ("part5", "all"):
        runs.add_argument(
            "--part5-arch" if command == "all" else "--arch",
            dest="part5_arch",
            default=None,
            metavar="NAME",
            help="Part 5's architecture (default cnn_4, mlp_2 with --quick; not mlp_1)",
        )
        runs.add_argument(
            "--switch-epochs",
            nargs=2,
            type=positive,
            default=None,
            metavar=("E1", "E2"),
            help="schedule switch epochs by hand (default: the plateau rule)",
        )
    runs.add_argument(
        "--tf32",
        action="store_true",
        help="TF32 convolutions and matmuls on CUDA: faster, about 1e-3 relative error (default off)",
    )
    runs.add_argument(
        "--compile",
        action="store_true",
        help="torch.compile the training forward: fewer CUDA launches, ~30 s per model; slower on a CPU",
    )
    runs.add_argument(
        "--threads",
        type=_threads,
        default=None,
        help="CPU threads for PyTorch (default: PyTorch's choice; 1 with --quick)",
    )
    runs.add_argument("--seed", type=_seed, default=0, help="base seed; run i uses seed*1000+i (default 0)")
    runs.add_argument("--force", action="store_true", help="retrain and replace existing results")
    runs.add_argument(
        "--quick",
        action="store_true",
        help="smoke preset: small synthetic data, few epochs, few runs (explicit options win)",
    )


def positive(text: str) -> int:
    """An argparse type: a whole number >= 1 (epochs, runs, threads, Part 1's sizes)."""
    value = _natural(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _natural(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text!r}")
    return value


# Run i of a command uses seed S*1000+i (ee449.experiments.configs.run_seeds); torch's manual_seed takes
# up to 2**64 - 1, so S stops where S*1000+999 would pass 2**63 - 1 (a signed 64-bit seed everywhere).
MAX_SEED = (2**63 - 1 - 999) // 1000


def _seed(text: str) -> int:
    value = _natural(text)
    if value > MAX_SEED:
        raise argparse.ArgumentTypeError(f"seed out of range: {text!r}; valid: 0 to {MAX_SEED}")
    return value


def _threads(text: str) -> int:
    """1 to the machine's CPU count: more threads than cores only slow PyTorch down."""
    value = positive(text)
    cores = os.cpu_count() or 1
    if value > cores:
        raise argparse.ArgumentTypeError(
            f"{value} threads, but this machine has {cores} CPU cores; valid: 1 to {cores}"
        )
    return value


def parse_archs(values: list[str] | None) -> tuple[str, ...]:
    """`--arch a --arch b,c` -> ('a', 'b', 'c'), validated; None -> all five."""
    if not values:
        return ARCHITECTURES
    names = [n.strip() for v in values for n in v.split(",") if n.strip()]
    if not names:
        raise ValueError(
            f"--arch {','.join(values)!r} names no architecture; valid: {', '.join(ARCHITECTURES)}"
        )
    for name in names:
        check_architecture(name)
    return tuple(dict.fromkeys(names))
