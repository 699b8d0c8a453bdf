"""`ee449 rescore OUT [--rubric R] [--overrides CSV]`: a graded class's scores again, without running any code.

    ee449 rescore grading-out/ --rubric with-results          # every student under another rubric
    ee449 rescore grading-out/ --overrides overrides.csv      # student,check,points,reason
    ee449 rescore grading-out/ --rejudge                      # the verdicts again, with this ee449's judge

Reads each OUT/<id>/graded.json that `ee449 grade --class` left, gives every check its points
from the rubric, applies the overrides (shown in the student's results.json and the summary),
and rewrites each results.json and junit.xml, scores.csv and checks.csv. With --rejudge each run
check is first judged again from the evidence the class run kept (OUT/<id>/evidence/: the
records the sandboxed checks wrote), so a fixed verdict reaches every student without running
their code again.
"""

from __future__ import annotations

import argparse

from ee449.grading import classrun
from ee449.grading.output import graded, report
from ee449.grading.rubric import load_rubric


def run(args: argparse.Namespace) -> int:
    rubric = load_rubric(args.rubric)
    overrides = graded.read_overrides(args.overrides) if args.overrides is not None else []
    results, written, notes = classrun.rescore_class(args.out, rubric, overrides, rejudge=args.rejudge)
    for result in results:
        print(report.summary(result))
    for note in notes:
        print(f"note: {note}")
    for path in written:
        print(f"wrote {path}")
    how = "re-judged and re-scored" if args.rejudge else "re-scored"
    print(f"{how} {len(results)} submissions with {rubric.title}; {len(overrides)} overrides applied")
    return 0
