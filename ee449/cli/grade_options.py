"""`ee449 grade`'s options: the parser alone, so that `--help` imports none of the grader (lazy, as `cli.COMMANDS` says)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ee449.cli.experiment_options import add_homework_argument


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
        "--rubric",
        type=Path,
        default=None,
        help="rubric file (.json or .toml), or a preset: 'default' (the code; result files reported, "
        "not scored) or 'with-results' (result files 1 point per check)",
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
        "--roster",
        type=Path,
        default=None,
        help="with --class: a CSV with the columns entry (file or folder name in the class folder), id "
        "and optionally name, giving each submission its student id",
    )
    parser.add_argument(
        "--skeleton",
        type=Path,
        default=None,
        help="with --class: the code the course gave the students, left out of the similarity hints",
    )
    parser.add_argument(
        "--gradescope-bundle",
        type=Path,
        default=None,
        metavar="ZIP",
        help="write the Gradescope autograder zip (a wheel of this ee449, pinned dependencies, setup.sh, "
        "run_autograder with --rubric, --course-data, --timeout and --memory-mb baked in)",
    )
    parser.add_argument(
        "--submission-metadata",
        type=Path,
        default=None,
        metavar="JSON",
        help="Gradescope's submission_metadata.json: the submitter's id names the result, and the "
        "id, name, created_at and lateness go into results.json's extra_data",
    )
