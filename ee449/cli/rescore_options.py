"""`ee449 rescore`'s options: the parser alone, so that `--help` imports none of the grader (lazy, as `cli.COMMANDS` says)."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out", type=Path, help="the --out folder of a graded class (OUT/<id>/graded.json)")
    parser.add_argument(
        "--rubric",
        type=Path,
        default=None,
        help="rubric file (.json or .toml) or preset ('default', 'with-results'); default: the shipped one",
    )
    parser.add_argument(
        "--overrides",
        type=Path,
        default=None,
        help="a CSV with the columns student, check, points, reason: a TA's points for one check, with why",
    )
    parser.add_argument(
        "--rejudge",
        action="store_true",
        help="judge every run check again from the records the grading kept (after a fix to the grader)",
    )
