"""`ee449 rescore OUT [--rubric R] [--overrides CSV]`: a graded class's scores again, without running any code.

    ee449 rescore grading-out/ --rubric with-results          # every student under another rubric
    ee449 rescore grading-out/ --overrides overrides.csv      # student,check,points,reason

Reads each OUT/<id>/graded.json that `ee449 grade --class` left, gives every check its points
from the rubric, applies the overrides (shown in the student's results.json and the summary),
and rewrites each results.json and junit.xml, scores.csv and checks.csv.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ee449.grading import classrun, graded, report
from ee449.grading.rubric import load_rubric


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


def run(args: argparse.Namespace) -> int:
    rubric = load_rubric(args.rubric)
    overrides = graded.read_overrides(args.overrides) if args.overrides is not None else []
    results, written = classrun.rescore_class(args.out, rubric, overrides)
    for result in results:
        print(report.summary(result))
    for path in written:
        print(f"wrote {path}")
    print(f"re-scored {len(results)} submissions with {rubric.title}; {len(overrides)} overrides applied")
    return 0
