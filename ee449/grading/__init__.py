"""Grade a student's Homework 1 submission against the reference, safely.

The subpackages follow one grading, in order (import-linter's layers contract holds each to the
ones below it):

    intake/       the submission taken in as data: `unzip` (a .zip, safely), `roster` and
                  `submission_meta` (who it is), `resultfiles` (result files found by content into
                  fixed slots, opened in a sandbox by `sandboxed.peek`), `pdf/` (the code appended
                  to a PDF report, as a .py file, read in a limited child by `pdf.guard`)
    discovery/    what to grade, read from the code and never run (import-linter holds it to that):
                  `sources`, `naming`, `folding`, `call_sites`, `constructions`, `construct`,
                  `bindings`, `closure`, `run_matching`, `extract`, `static`, `provenance`
    sandbox/      children in bubblewrap or the announced fence, with limits, killed with all they
                  started (`isolation`, `limits`, `processes`, `child_io`, `fence`, `signals`):
                  the student's scripts (`running`), the checks in two passes (`runner`), one
                  torch import per grading or per grader process (`warm`, `zygote`), the sandbox's
                  own `ee449` (`lib`), and what a child wrote read back (`output_folder`,
                  `progress_log`)
    sandboxed/    the only code that runs beside the student's: the checks (`checks/`, pytest and
                  its plugin), `probe`, `peek`, `layers`, and the scripts started by path (the run's
                  harness, the warm interpreter, the zygote); it imports nothing of the grader
    run_records   the records the run leaves, read back as untrusted data
    rubric        points and visibility per check (default_rubric.json)
    grades        what a grading is: `GradeOptions`, `CheckResult`, `GradeResult`
    judging/      the verdicts, in the grader's process: `records` (a check's record read back and
                  validated), `judge`, `conv`, `arch`, `results`, `xor`, `reference` (the reference
                  models' answers, from a trusted child), `diagnose`, `structure`, `align`,
                  `deductions` (an architecture scored by defect), `review` (arch/*/computes: a person reads it)
    output/       what a grading writes and keeps: `report` (results.json for Gradescope, junit.xml,
                  a class CSV, the terminal summary; student text made safe by `text`), `exports`,
                  `graded` and `evidence` (what re-scoring and re-judging read), `similarity`,
                  `bundle` (the Gradescope autograder)
    grade         one submission -> GradeResult
    classroom     a class folder, several submissions at a time; `classrun`: a class run that can
                  stop and go on; `selfcheck`: what a student sees before handing in

`ee449 grade` (the command line) is `ee449.cli.grade`.

The grader's own process never imports student code.
"""

import importlib

__all__ = ["GradeOptions", "GradeResult", "grade_class", "grade_submission"]
_HOMES = {
    "GradeOptions": "grades",
    "GradeResult": "grades",
    "grade_submission": "grade",
    "grade_class": "classroom",
}


def __getattr__(name: str) -> object:
    # Lazy on purpose: this package is imported by every module of it, including the ones that
    # run inside the sandbox with the student's code (checks/, peek); they must not load the
    # grader (numpy, the judge, the runner) first.
    if name in _HOMES:
        return getattr(importlib.import_module(f"ee449.grading.{_HOMES[name]}"), name)
    raise AttributeError(f"module 'ee449.grading' has no attribute {name!r}")
