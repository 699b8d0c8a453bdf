"""`ee449 report [RESULTS_DIR]`: build the HTML + Markdown report from a results folder."""

from __future__ import annotations

import argparse
import os
import sys

DEFAULT_DIR = "ee449-out"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from ee449.cli.experiment_options import add_homework_argument

    add_homework_argument(parser)
    parser.add_argument(
        "results_dir", nargs="?", default=None, help=f"folder with the result files (default: {DEFAULT_DIR})"
    )
    parser.add_argument(
        "--out",
        default=None,
        metavar="DIR",
        help="the same folder, named as the other commands name it (--out DIR)",
    )


def run(args: argparse.Namespace) -> int:
    # Deferred on purpose: the report imports torch and matplotlib, which `ee449 --help` must not pay.
    from ee449.report import build_report, load_folder

    if args.results_dir and args.out and args.results_dir != args.out:
        raise ValueError(f"two folders given: {args.results_dir} and --out {args.out}; give one")
    folder = args.results_dir or args.out or DEFAULT_DIR
    from ee449.spec import requested_year

    asked = requested_year(args.homework) if (args.homework or os.environ.get("EE449_HOMEWORK")) else None
    html = build_report(folder, asked)
    results = load_folder(folder)
    if not results.all_results() and not args.quiet:
        print(f"ee449 report: warning: no result files in {folder}", file=sys.stderr)
    print(f"wrote {html}")
    print(f"wrote {html.with_suffix('.md')}")
    return 0
