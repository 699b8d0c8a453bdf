"""Where one grading's CPU goes: each sandboxed child's wall and CPU seconds, for the CI-time budget.

The slow tests are CPU-bound on their gradings (README, Tests), so what a grading costs is the
CPU of its children: the result-file peek, the run of the student's scripts, the conv pass and
the models pass of the checks (the run and the models pass share one child, `warm`: torch is
imported once; a restart of the models pass is a process of its own), and, once per grader
process, the trusted references. Runs under
the fence (`EE449_SANDBOX=fence`, set here), where the children are the grader's own and their
CPU is counted by `getrusage(RUSAGE_CHILDREN)`; bubblewrap's children are reaped inside its
namespace. A child's CPU is counted when it is reaped, so the peek (which runs beside the run of
the scripts) may show in both, and the first grading's first child carries the references'
(about 5 s). Each submission is graded `--repeats` times in one grader process, so from the
second on the references are warm, as in a class run.
Run: `PYTHONPATH=. .venv/bin/python benchmarks/bench_grading_cpu.py [--repeats 2] [SUBMISSION ...]`
(default: fixtures/submissions/correct and fixtures/submissions/run_learner_loop, which plots).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

os.environ["EE449_SANDBOX"] = "fence"  # before the grader is imported: its children are then countable

from ee449.grading.grade import grade_submission
from ee449.grading.grades import GradeOptions  # noqa: E402
from ee449.grading.sandbox import processes  # noqa: E402 - after the environment is set

DEFAULT = ("fixtures/submissions/correct", "fixtures/submissions/run_learner_loop")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def child_name(argv: list[str]) -> str:
    """Which child a command line is, by the script or check modules it names."""
    text = " ".join(argv)
    for marker, name in (
        ("sandboxed_warm", "warm: run + models pass"),
        ("peek", "result-file peek"),
        ("sandboxed_run_harness", "run of the scripts"),
        ("check_conv.py", "checks: conv pass"),
        ("check_architectures.py", "checks: models pass"),
        ("pdf.guard", "PDF reading"),
    ):
        if marker in text:
            return name
    return text[-60:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submissions", nargs="*", default=list(DEFAULT))
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args(argv)
    spent: list[tuple[str, float, float]] = []
    real_init, real_close = processes.Child.__init__, processes.Child.close
    cpu_at_start: dict[int, float] = {}

    def started(child: processes.Child, *args: Any, **kwargs: Any) -> None:
        cpu_at_start[id(child)] = children_cpu()
        real_init(child, *args, **kwargs)

    def timed(child: processes.Child) -> None:  # a child's CPU is counted once it is reaped
        if child.closed:
            return
        real_close(child)
        cpu = children_cpu() - cpu_at_start.pop(id(child), children_cpu())
        spent.append((child_name(child.argv), time.monotonic() - child.started, cpu))

    processes.Child.__init__ = started  # type: ignore[method-assign]
    processes.Child.close = timed  # type: ignore[method-assign]
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    for submission in args.submissions:
        for repeat in range(1, args.repeats + 1):
            spent.clear()
            wall, cpu = time.monotonic(), children_cpu()
            result = grade_submission(Path(submission), GradeOptions())
            total_cpu = children_cpu() - cpu
            print(
                f"{submission} #{repeat}: {result.score:g} / {result.max_score:g}, "
                f"{time.monotonic() - wall:.1f} s wall, children {total_cpu:.2f} s CPU"
            )
            for name, seconds, child_cpu in spent:
                print(f"    {name:<22} {seconds:5.2f} s wall  {child_cpu:5.2f} s CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
