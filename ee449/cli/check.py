"""`ee449 check PATH`: for students, what the grader will say on the visible checks, before handing in.

    ee449 check hw1/                 # your folder, .zip, notebook or PDF report
    ee449 check hw1_name_e1234567.pdf --rubric course_rubric.json
    ee449 check hw1/ --homework 2025  # this year's edition (or set EE449_HOMEWORK=2025)

The same grading as `ee449 grade` (sandbox, checks, messages); only the checks the rubric makes
visible are shown, the others counted. Writes nothing. Exit status 0 whatever the score.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from ee449.cli.experiment_options import graded_edition
from ee449.grading import grade, grades
from ee449.grading.rubric import load_rubric
from ee449.grading.selfcheck import student_view


def run(args: argparse.Namespace) -> int:
    if not args.submission.exists():
        raise ValueError(f"{args.submission} does not exist")
    options = grades.GradeOptions(
        rubric=load_rubric(args.rubric), check_timeout=args.timeout, homework=graded_edition(args.homework)
    )
    submission, staged = args.submission, None
    if submission.is_file() and submission.suffix.lower() in {".ipynb", ".py"}:
        # One code file: graded as a folder holding it, as it would be inside a submission.
        staged = Path(tempfile.mkdtemp(prefix="ee449-check-"))
        shutil.copy(submission, staged)
        submission = staged
    try:
        result = grade.grade_submission(submission, options, args.submission.stem)
    finally:
        if staged is not None:
            shutil.rmtree(staged, ignore_errors=True)
    print(student_view(result))
    return 0
