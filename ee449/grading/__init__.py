"""Grade a student's Homework 1 submission against the reference, safely.

    extract   pick my_conv2d and the architecture classes out of the student's files (AST only)
    sandbox   child processes with a timeout, a memory limit and a folder of their own
    runner    the checks (pytest, in `checks/`) in one sandboxed process, restarted past crashes
    diagnose  one-sentence diagnoses of the known defects
    rubric    points and visibility per check (default_rubric.json)
    grade     one submission or a class folder -> GradeResult
    report    results.json (Gradescope), junit.xml, scores.csv, terminal summary
    cli       `ee449 grade`

The grader's own process never imports student code.
"""

from ee449.grading.grade import GradeOptions, GradeResult, grade_class, grade_submission

__all__ = ["GradeOptions", "GradeResult", "grade_class", "grade_submission"]
