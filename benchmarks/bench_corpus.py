"""Discovery and extraction over files nobody here wrote: every .py of the standard library and of
the installed site-packages, each read as a student's whole submission (`extract.extract` on a
folder holding it as hw1.py). Reports crashes (any exception out of extraction) and time per file.

The property tests read a sample of this corpus (tests/grading/test_extract_any_file.py); this
reads all of it, once, for the numbers in benchmarks/RESULTS.md.
Run: `PYTHONPATH=$PWD .venv/bin/python benchmarks/bench_corpus.py [--every N] [--limit N] [--json out.json]`.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from ee449.grading.discovery import extract
from tests.grading.test_extract_any_file import corpus_files

SLOWEST_SHOWN = 5
PROGRESS_EVERY = 200  # files between progress lines


def time_one(path: Path, scratch: Path) -> tuple[float, str | None]:
    """Seconds to extract one file as a submission, and the crash (None when it finished)."""
    folder, out = scratch / "sub", scratch / "out"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    folder.mkdir()
    (folder / "hw1.py").write_bytes(path.read_bytes())
    start = time.perf_counter()
    try:
        extract.extract(folder, out)
    except Exception as error:  # noqa: BLE001 - a crash is what this counts
        return time.perf_counter() - start, f"{type(error).__name__}: {str(error)[:200]}"
    return time.perf_counter() - start, None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="read only the first N files (0: all)")
    parser.add_argument(
        "--every", type=int, default=1, help="read every Nth file of the sorted corpus (1: all)"
    )
    parser.add_argument("--json", type=Path, help="also write the per-file times and crashes here")
    args = parser.parse_args(argv)
    files = corpus_files()[:: max(args.every, 1)]
    if args.limit:
        files = files[: args.limit]
    times: dict[str, float] = {}
    crashes: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for index, path in enumerate(files, start=1):
            seconds, crash = time_one(path, Path(scratch))
            if index % PROGRESS_EVERY == 0:
                print(f"  {index} / {len(files)} files, {len(crashes)} crashes so far", flush=True)
            times[str(path)] = seconds
            if crash is not None:
                crashes[str(path)] = crash
    values = sorted(times.values())
    print(f"files: {len(values)}, crashes: {len(crashes)}, total {sum(values):.1f} s")
    print(
        f"per file: median {statistics.median(values) * 1000:.1f} ms, "
        f"p99 {values[int(0.99 * (len(values) - 1))] * 1000:.0f} ms, max {values[-1]:.2f} s"
    )
    for path, seconds in sorted(times.items(), key=lambda kv: -kv[1])[:SLOWEST_SHOWN]:
        print(f"  slowest: {seconds:.2f} s {path} ({Path(path).stat().st_size // 1024} KiB)")
    for path, crash in crashes.items():
        print(f"  CRASH {path}: {crash}")
    if args.json:
        args.json.write_text(json.dumps({"times": times, "crashes": crashes}, indent=1))
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
