"""Grade a student's Homework 1 submission against the reference, safely.

    discovery/    what to grade, read from the code and never run (import-linter holds it to that):
                  `sources` (the submission's Python: .py files and notebooks' code cells, magics
                  dropped), `naming` (which architecture a student's name stands for: `MLP1Model` ->
                  mlp_1), `folding` (constants folded from the AST), `call_sites` (every call, its
                  arguments folded), `constructions` (how a claimed definition is built), `construct`
                  (which definition is each architecture), `bindings` and `closure` (a file's bindings
                  and what each statement needs), `run_matching` (the models the run recorded, matched
                  to definitions), `extract` (my_conv2d and the architectures picked out of the files),
                  `static` (library convolutions read from the source), `provenance` (ee449's own code)
    pdf/          the code appended to a PDF report, as a .py file (`pdf.code`; read by position in
                  `glyphs`, `layout`, `furniture` and `lines`, cut into code by `segments`, its accuracy
                  table in `tables`; `guard` reads it in a limited child)
    resultfiles   result files found by content into fixed slots (`peek` opens them in a sandbox)
    isolation     bubblewrap or the announced fallback fence, and the bwrap command line
    limits        what a child may use (time, memory, file size, disk) and what comes back
    sandbox       child processes in that isolation, with limits; killed with all they started
    font_cache    matplotlib's font list, built once and placed in every sandbox
    output_folder what a child wrote, read back without following links
    runner        the checks (pytest, in `checks/`) in sandboxed processes, restarted past crashes: the conv
                  pass (torch a NumPy stand-in, `checks/torch_standin`), then the models
    judging/      the verdicts, in the grader's process: `records` (a check's record, as the sandbox
                  wrote it, read back and validated), `judge` (which run checks there are, and the
                  verdict on each: `conv` my_conv2d, `arch` architectures, `results` result files, `xor`),
                  `reference` (the reference models' answers, from a trusted child: no student code),
                  `diagnose` (one-sentence diagnoses of the known defects; `structure`, `align`: a
                  model's layers against the homework's), `deductions` (an architecture scored by defect)
    probe         a model's outputs with the grader's weights and batch (arch/*/computes; sandbox side)
    rubric        points and visibility per check (default_rubric.json)
    grade         one submission -> GradeResult
    classroom     a class folder, several submissions at a time -> GradeResults
    output/       what a grading writes and keeps: `report` (results.json for Gradescope, junit.xml, a class
                  CSV, the terminal summary), `exports` (the scores as a TA imports them), `graded` and `evidence` (what
                  re-scoring and re-judging read), `similarity`, `bundle` (the Gradescope autograder)

`ee449 grade` (the command line) is `ee449.cli.grade`.

The grader's own process never imports student code.
"""

import importlib

__all__ = ["GradeOptions", "GradeResult", "grade_class", "grade_submission"]
_HOMES = {
    "GradeOptions": "grade",
    "GradeResult": "grade",
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
