"""Grade a student's Homework 1 submission against the reference, safely.

    pdf_code  the code appended to a PDF report, as a .py file (pdf_layout, pdf_lines; pdf_tables: its accuracy table)
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

__all__ = ["GradeOptions", "GradeResult", "grade_class", "grade_submission"]


def __getattr__(name: str):
    # Lazy, so that `ee449 grade --help` and the sandbox-side modules do not import torch first.
    if name in __all__:
        from ee449.grading import grade

        return getattr(grade, name)
    raise AttributeError(f"module 'ee449.grading' has no attribute {name!r}")
