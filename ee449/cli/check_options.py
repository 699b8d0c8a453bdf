"""`ee449 check`'s options: the parser alone, so that `--help` imports none of the grader (lazy, as `cli.COMMANDS` says)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ee449.cli.experiment_options import add_homework_argument


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("submission", type=Path, help="your folder, .zip, notebook (.ipynb) or PDF report")
    parser.add_argument(
        "--rubric",
        type=Path,
        default=None,
        help="the course's rubric file or preset (default: the shipped one)",
    )
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds per check (default: 20)")
    add_homework_argument(parser)
