"""`ee449 bench`: what the training benchmark prints and writes (`ee449.bench` measures; the options are
`ee449.cli.bench_options`)."""

from __future__ import annotations

import argparse
import contextlib
import io

from ee449.bench.run import run_bench
from ee449.bench.summary import MARKDOWN_HEADER, markdown_row, summary
from ee449.cli.bench_options import options_from
from ee449.errors import WorkError, describe_os_error
from ee449.io import write_json


def run(args: argparse.Namespace) -> int:
    if args.json.is_dir() or any(p.exists() and not p.is_dir() for p in args.json.parents):
        raise ValueError(f"--json {args.json} must be a file in a folder (it is a folder, or under a file)")
    options = options_from(args)
    # -q: the phases' progress lines (stderr) are dropped; the results below still print
    with contextlib.redirect_stderr(io.StringIO()) if args.quiet else contextlib.nullcontext():
        result = run_bench(options)
    print(summary(result))  # first: a --json that cannot be written must not lose the measurement
    if args.markdown:
        print(MARKDOWN_HEADER)
        print(markdown_row(result))
    try:
        path = write_json(args.json, result)
    except OSError as error:
        raise WorkError(f"{describe_os_error(error)}; the measurements are printed above") from error
    print(f"wrote {path}")
    return 0
