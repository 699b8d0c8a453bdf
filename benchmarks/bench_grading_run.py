"""What finding the models by running the student's code costs: one submission graded with and without it.

Grades each submission `--repeats` times per way, alternating (run-the-code, read-only, ...), each
in a fresh grader process so that the trusted references' warm-up counts every time, as it does
for `ee449 grade` on one submission; prints the median wall seconds per way and the load average.
Run: `PYTHONPATH=. .venv/bin/python benchmarks/bench_grading_run.py [--repeats 3] [SUBMISSION ...]`
(default: fixtures/submissions/correct and fixtures/submissions/run_module_alias).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ("fixtures/submissions/correct", "fixtures/submissions/run_module_alias")
GRADE_ONE = (
    "import sys\n"
    "from ee449.grading.grade import GradeOptions, grade_submission\n"
    "result = grade_submission(sys.argv[1], GradeOptions(run_code=sys.argv[2] == 'run'))\n"
    "print(result.score, result.max_score)\n"
)


def grade_seconds(submission: str, way: str) -> tuple[float, str]:
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", GRADE_ONE, submission, way],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=True,
    )
    return time.monotonic() - start, done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submissions", nargs="*", default=list(DEFAULT))
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    for submission in args.submissions:
        seconds: dict[str, list[float]] = {"run": [], "read": []}
        scores: dict[str, str] = {}
        for _ in range(args.repeats):
            for way in seconds:
                spent, scores[way] = grade_seconds(submission, way)
                seconds[way].append(spent)
        load = os.getloadavg()[0]
        for way, values in seconds.items():
            print(
                f"| {submission} | {way} | {statistics.median(values):.1f} s "
                f"(runs: {', '.join(f'{v:.1f}' for v in values)}) | score {scores[way]} | load {load:.1f} |"
            )


if __name__ == "__main__":
    main()
