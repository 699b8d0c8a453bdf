"""`ee449 grade`: grade one submission, or a folder of them.

    ee449 grade SUBMISSION [--rubric FILE] [--out DIR] [--course-data DIR] [--timeout S]  # folder, .zip or .pdf
    ee449 grade --class FOLDER_OF_SUBMISSIONS -j N --out DIR   # one subfolder, .zip or .pdf per student
    ee449 grade --gradescope-bundle DIR [--rubric FILE]        # setup.sh + run_autograder for Gradescope

A SUBMISSION is always one student's, whatever its layout: code anywhere below it counts
(`Q2/`, `HW1/part3/`, notebooks, the code appended to a PDF report). A class is graded only
with `--class`.

Exit status 0 whenever grading ran, whatever the scores; 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ee449.cli.experiment_options import add_homework_argument, graded_edition
from ee449.errors import WorkError, describe_os_error
from ee449.grading import classroom, grade, report, sandbox
from ee449.grading.bundle import write_bundle
from ee449.grading.isolation import isolation
from ee449.grading.rubric import load_rubric
from ee449.io import atomic_write_bytes


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_homework_argument(parser)
    parser.add_argument(
        "submission",
        type=Path,
        nargs="?",
        help="a submission folder, .zip or PDF report (code appended as text): one "
        "student's, whatever its layout; with --class, a folder of them",
    )
    parser.add_argument(
        "--rubric", type=Path, default=None, help="rubric file (.json or .toml); default: the shipped one"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("grading-out"),
        help="where results.json, junit.xml (and scores.csv for a class) go (default: grading-out)",
    )
    parser.add_argument(
        "--course-data",
        type=Path,
        default=None,
        help="folder with the course's kernel.npy and samples_*.npy: adds the course-sample conv check",
    )
    parser.add_argument(
        "--timeout", type=float, default=20.0, help="seconds per check, finite and above 0 (default: 20)"
    )
    parser.add_argument(
        "--memory-mb",
        type=int,
        default=None,
        help="address-space limit of student code, at least 4096 (default: 6144)",
    )
    parser.add_argument(
        "-j", "--jobs", type=int, default=1, help="submissions graded in parallel for a class folder"
    )
    parser.add_argument(
        "--class",
        dest="class_folder",
        action="store_true",
        help="SUBMISSION is a folder of submissions: each direct subfolder or .zip is one student",
    )
    parser.add_argument(
        "--gradescope-bundle",
        type=Path,
        default=None,
        metavar="DIR",
        help="write a Gradescope autograder (setup.sh, run_autograder, this package, the rubric) into DIR",
    )


def run(args: argparse.Namespace) -> int:
    graded_edition(args.homework)
    if args.gradescope_bundle is not None:
        load_rubric(args.rubric)  # a broken rubric fails here, not on Gradescope
        bundle_files = write_bundle(args.gradescope_bundle, args.rubric)
        print(
            f"Gradescope autograder in {args.gradescope_bundle}: "
            + ", ".join(p.name for p in bundle_files)
            + ", ee449-src/ (zip the folder's contents and upload them)"
        )
        return 0
    if args.submission is None:
        raise ValueError("give a SUBMISSION to grade (or --gradescope-bundle DIR)")
    if not args.submission.exists():
        raise ValueError(f"submission {args.submission} does not exist")
    if args.out.exists() and not args.out.is_dir():
        raise ValueError(f"--out {args.out} is a file, not a folder")
    if args.jobs < 1:
        raise ValueError(f"-j must be at least 1, got {args.jobs}")
    options = grade.GradeOptions(
        rubric=load_rubric(args.rubric),
        check_timeout=args.timeout,
        memory_mb=sandbox.MEMORY_MB_DEFAULT if args.memory_mb is None else args.memory_mb,
        course_data=args.course_data,
    )
    mode = isolation()
    if mode.mode != "bwrap":
        print(mode.announcement, file=sys.stderr)
    if args.class_folder:
        written: list[str] = []

        def write(result: grade.GradeResult) -> None:  # as each finishes: a stopped run keeps these
            print(report.summary(result), flush=True)  # first: a write that fails must not lose the score
            report.write_outputs(result, args.out / result.student)
            written.append(result.student)

        try:
            results = classroom.grade_class(args.submission, options, jobs=args.jobs, on_result=write)
            atomic_write_bytes(args.out / "scores.csv", report.scores_csv(results).encode("utf-8"))
        except OSError as error:
            raise WorkError(
                f"{describe_os_error(error)}; the outputs of the {len(written)} submissions written "
                f"before it are kept under {args.out}, and their scores are printed above"
            ) from error
        print(f"graded {len(results)} submissions")
        print(f"wrote {args.out / 'scores.csv'}")
        return 0
    result = grade.grade_submission(args.submission, options)
    print(report.summary(result))
    try:
        report.write_outputs(result, args.out)
    except OSError as error:
        raise WorkError(f"{describe_os_error(error)}; the score is printed above") from error
    print(f"wrote {args.out / 'results.json'}")
    print(f"wrote {args.out / 'junit.xml'}")
    return 0
