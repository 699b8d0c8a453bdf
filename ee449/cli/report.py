"""`ee449 report [RESULTS_DIR]`: build the HTML + Markdown report from a results folder."""

from __future__ import annotations

import argparse
import sys

DEFAULT_DIR = "ee449-out"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("results_dir", nargs="?", default=DEFAULT_DIR,
                        help=f"folder with the result files (default: {DEFAULT_DIR})")


def run(args: argparse.Namespace) -> int:
    # Deferred on purpose: the report imports torch and matplotlib, which `ee449 --help` must not pay.
    from ee449.report import build_report, load_folder

    html = build_report(args.results_dir)
    results = load_folder(args.results_dir)
    if not results.all_results():
        print(f"ee449 report: warning: no result files in {args.results_dir}", file=sys.stderr)
    print(html)
    print(html.with_suffix(".md"))
    return 0
