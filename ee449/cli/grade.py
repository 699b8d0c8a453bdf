"""`ee449 grade`: grade one submission, or a folder of them.

    ee449 grade SUBMISSION [--rubric FILE] [--out DIR] [--course-data DIR] [--timeout S]  # folder, .zip or .pdf
    ee449 grade --class FOLDER_OF_SUBMISSIONS -j N --out DIR [--roster CSV]   # one subfolder, .zip or .pdf per student
    ee449 grade --gradescope-bundle autograder.zip [--rubric R] [--course-data DIR] [--timeout S]  # for Gradescope

A SUBMISSION is always one student's, whatever its layout: code anywhere below it counts
(`Q2/`, `HW1/part3/`, notebooks, the code appended to a PDF report). A class is graded only
with `--class`.

Exit status 0 whenever grading ran, whatever the scores; 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import sys

from ee449.cli.experiment_options import graded_edition
from ee449.errors import WorkError, describe_os_error
from ee449.grading import classroom, classrun, grade, grades, sandbox
from ee449.grading.intake import roster
from ee449.grading.intake.submission_meta import add_to_results, read_submission_metadata
from ee449.grading.output import report, similarity
from ee449.grading.output.bundle import BundleOptions, write_bundle
from ee449.grading.rubric import load_rubric
from ee449.grading.sandbox.isolation import isolation


def _bundle(args: argparse.Namespace) -> int:
    """Write the Gradescope zip, carrying the options a grading there needs; refuse those it cannot."""
    cannot = [
        flag
        for flag, given in (
            ("SUBMISSION", args.submission is not None),
            ("--class", args.class_folder),
            ("--roster", args.roster is not None),
            ("--skeleton", args.skeleton is not None),
            ("--submission-metadata", args.submission_metadata is not None),
            ("-j", args.jobs != 1),
        )
        if given
    ]
    if cannot:
        raise ValueError(
            f"--gradescope-bundle writes the autograder; {', '.join(cannot)} has no meaning there "
            "(Gradescope grades one submission per run)"
        )
    sandbox.check_seconds("--timeout", args.timeout)
    if args.memory_mb is not None:
        sandbox.check_memory_mb(args.memory_mb)
    bundle_options = BundleOptions(
        rubric=None if args.rubric is None else str(args.rubric),
        course_data=args.course_data,
        check_timeout=args.timeout,
        memory_mb=args.memory_mb,
        homework=None if args.homework is None else graded_edition(args.homework),
    )
    names = write_bundle(args.gradescope_bundle, bundle_options)
    print(f"wrote {args.gradescope_bundle}: {', '.join(names)}")
    print("upload it on Gradescope as the assignment's autograder (Configure Autograder > Zip file upload)")
    return 0


def run(args: argparse.Namespace) -> int:
    year = graded_edition(args.homework)
    if args.gradescope_bundle is not None:
        return _bundle(args)
    if args.submission is None:
        raise ValueError("give a SUBMISSION to grade (or --gradescope-bundle DIR)")
    if not args.submission.exists():
        raise ValueError(f"submission {args.submission} does not exist")
    if args.out.exists() and not args.out.is_dir():
        raise ValueError(f"--out {args.out} is a file, not a folder")
    if args.jobs < 1:
        raise ValueError(f"-j must be at least 1, got {args.jobs}")
    options = grades.GradeOptions(
        rubric=load_rubric(args.rubric),
        check_timeout=args.timeout,
        memory_mb=sandbox.MEMORY_MB_DEFAULT if args.memory_mb is None else args.memory_mb,
        course_data=args.course_data,
        homework=year,
    )
    mode = isolation()
    if mode.mode != "bwrap":
        print(mode.announcement, file=sys.stderr)
    if args.class_folder:
        return _grade_class(args, options)
    if args.roster is not None or args.skeleton is not None:
        raise ValueError("--roster and --skeleton are for a class: use them with --class")
    hint = roster.looks_like_a_class(args.submission)
    if hint:
        print(
            f"hint: {args.submission} is graded as ONE submission, but {hint}; "
            "to grade each as its own student, add --class",
            file=sys.stderr,
        )
    info = None
    if args.submission_metadata is not None:
        if args.submission_metadata.is_file():
            info = read_submission_metadata(args.submission_metadata)
        else:
            print(f"note: no {args.submission_metadata}: graded without the submitter's id", file=sys.stderr)
    result = grade.grade_submission(args.submission, options, info.student_id if info else None)
    print(report.summary(result))
    try:
        report.write_outputs(result, args.out)
        if info is not None:
            add_to_results(args.out / "results.json", info)
    except OSError as error:
        raise WorkError(f"{describe_os_error(error)}; the score is printed above") from error
    print(f"wrote {args.out / 'results.json'}")
    print(f"wrote {args.out / 'junit.xml'}")
    return 0


def _grade_class(args: argparse.Namespace, options: grades.GradeOptions) -> int:
    """Grade a class folder, going on from what OUT already holds; Ctrl-C leaves partial tables."""
    if args.skeleton is not None and not args.skeleton.is_file():
        raise ValueError(f"--skeleton {args.skeleton} is not a file")
    plan = classrun.plan_class(args.submission, args.out, options, args.roster)  # a usage error first
    classroom.require_isolation()  # the fence only when asked for
    for note in plan.notes:
        print(f"note: {note}", file=sys.stderr)
    if plan.finished:
        print(
            f"resuming: {len(plan.finished)} of {len(plan.submissions)} submissions already graded in "
            f"{args.out} (re-scored with this rubric, not run again; delete OUT/<id>/ to regrade one)",
            file=sys.stderr,
        )
    results: list[grades.GradeResult] = []

    def write(result: grades.GradeResult) -> None:  # as each finishes: a stopped run keeps these
        print(report.summary(result), flush=True)  # first: a write that fails must not lose the score
        submission = next(s for s in plan.submissions if s.id == result.student)
        classrun.write_student(args.out, submission, result, options)
        results.append(result)

    todo = [(s.id, s.path) for s in plan.to_grade]
    try:
        classroom.grade_class(args.submission, options, jobs=args.jobs, on_result=write, submissions=todo)
    except KeyboardInterrupt:
        classrun.write_tables(args.out, plan, results, partial=True)
        print(
            f"stopped: {len(plan.finished) + len(results)} of {len(plan.submissions)} graded; {args.out / 'scores.csv'} "
            "is partial (the rest are marked 'not graded'); run the same command again to go on",
            file=sys.stderr,
        )
        raise
    except OSError as error:
        raise WorkError(
            f"{describe_os_error(error)}; the outputs of the {len(results)} submissions written "
            f"before it are kept under {args.out}, and their scores are printed above"
        ) from error
    for path in classrun.write_tables(args.out, plan, results):
        print(f"wrote {path}")
    skeleton = args.skeleton.read_text(encoding="utf-8") if args.skeleton is not None else ""
    pairs, similarity_files = classrun.write_similarity(
        args.out, [*plan.finished.values(), *results], skeleton
    )
    flagged = list(similarity.rendered(pairs))
    print(f"similarity hints: {len(flagged)} pairs of near-identical graded code" + (":" if flagged else ""))
    for line in flagged:
        print(f"  {line}")
    for path in similarity_files:
        print(f"wrote {path}")
    review = report.to_read([*plan.finished.values(), *results])
    print(f"to read: {len(review)} submissions with a check asking for a person" + (":" if review else ""))
    for line in review:
        print(f"  {line}")
    print(f"graded {len(results)} submissions, {len(plan.finished)} resumed from {args.out}")
    return 0
