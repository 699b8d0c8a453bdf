"""Grade a student's Homework 1 submission against the reference, safely.

    sources   the submission's Python: .py files and notebooks' code cells, magics dropped
    construct which definition is each architecture, and how the student's code builds it (AST only)
    pdf_code  the code appended to a PDF report, as a .py file (pdf_layout, pdf_lines; pdf_tables: its accuracy table)
    extract   pick my_conv2d and the architecture definitions out of the student's files (AST only)
    resultfiles  result files found by content into fixed slots (`peek` opens them in a sandbox)
    sandbox   child processes under bubblewrap (or the announced fallback fence), with limits
    runner    the checks (pytest, in `checks/`) in one sandboxed process, restarted past crashes
    judge     the verdicts, in the grader's process, from the outputs the sandbox recorded
    reference the reference models' answers, from a trusted child (no student code)
    static    library convolutions in my_conv2d, read from the source
    diagnose  one-sentence diagnoses of the known defects
    rubric    points and visibility per check (default_rubric.json)
    grade     one submission or a class folder -> GradeResult
    report    results.json (Gradescope), junit.xml, scores.csv, terminal summary
    bundle    the Gradescope autograder (setup.sh, run_autograder)
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
