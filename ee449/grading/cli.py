"""`ee449 grade`: grade one submission, or a folder of them.

    ee449 grade SUBMISSION [--rubric FILE] [--out DIR] [--course-data DIR] [--timeout S]
    ee449 grade FOLDER_OF_SUBMISSIONS -j N --out DIR      # one subfolder or .zip per student

Exit status 0 whenever grading ran, whatever the scores; 2 on bad arguments.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ee449.errors import WorkError, describe_os_error
from ee449.io import atomic_write_bytes


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("submission", type=Path,
                        help="a submission folder or .zip, or a folder of them (one per student)")
    parser.add_argument("--rubric", type=Path, default=None, help="rubric file (.json or .toml); default: the shipped one")
    parser.add_argument("--out", type=Path, default=Path("grading-out"),
                        help="where results.json, junit.xml (and scores.csv for a class) go (default: grading-out)")
    parser.add_argument("--course-data", type=Path, default=None,
                        help="folder with the course's kernel.npy and samples_*.npy: adds the course-sample conv check")
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds per check (default: 20)")
    parser.add_argument("--memory-mb", type=int, default=None, help="address-space limit of student code (default: 6144)")
    parser.add_argument("-j", "--jobs", type=int, default=1, help="submissions graded in parallel for a class folder")
    parser.add_argument("--class", dest="class_folder", action="store_true",
                        help="treat SUBMISSION as a folder of submissions even if it holds .py files")


def run(args: argparse.Namespace) -> int:
    from ee449.grading import grade, report, sandbox
    from ee449.grading.rubric import load_rubric

    if not args.submission.exists():
        raise ValueError(f"submission {args.submission} does not exist")
    if args.out.exists() and not args.out.is_dir():
        raise ValueError(f"--out {args.out} is a file, not a folder")
    if args.jobs < 1:
        raise ValueError(f"-j must be at least 1, got {args.jobs}")
    options = grade.GradeOptions(
        rubric=load_rubric(args.rubric), check_timeout=args.timeout,
        memory_mb=args.memory_mb or sandbox.MEMORY_MB_DEFAULT, course_data=args.course_data)
    if args.class_folder or grade.is_class_folder(args.submission):
        results = grade.grade_class(args.submission, options, jobs=args.jobs)
        written = 0
        try:
            for result in results:
                print(report.summary(result))  # first: a write that fails must not lose the score
                report.write_outputs(result, args.out / result.student)
                written += 1
            atomic_write_bytes(args.out / "scores.csv", report.scores_csv(results).encode("utf-8"))
        except OSError as error:
            raise WorkError(f"{describe_os_error(error)}; the outputs of the {written} submissions written "
                            f"before it are kept under {args.out}, and every score is printed above"
                            ) from error
        print(f"graded {len(results)} submissions -> {args.out / 'scores.csv'}")
        return 0
    result = grade.grade_submission(args.submission, options)
    print(report.summary(result))
    try:
        report.write_outputs(result, args.out)
    except OSError as error:
        raise WorkError(f"{describe_os_error(error)}; the score is printed above") from error
    print(f"-> {args.out / 'results.json'}, {args.out / 'junit.xml'}")
    return 0
