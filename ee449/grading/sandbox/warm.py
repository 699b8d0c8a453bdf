"""The student's run and the models' checks in one sandboxed interpreter (`sandboxed_warm`).

Importing torch, torchvision and the compiler stack an optimizer pulls in is most of what the run
of the student's scripts and the models pass cost (about 4 s and 2.4 s of CPU, measured); the warm
child pays it once. It is started with the models pass's folders and command (`runner`) and the
run's plan, runs the scripts in a forked child, says "ran STATUS" and waits; the grader reads the
run's records, decides what is graded, runs the conv pass (its own process: no torch there), and
then sends "go" (`runner.run_checks`). Anything that goes wrong on the way (the child dies, says
something else, takes too long) leaves the run read as it is and the models pass to a fresh process.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from ee449.grading import sandbox
from ee449.grading.run_records import Run
from ee449.grading.sandbox import runner, running, zygote
from ee449.grading.sandbox.isolation import Isolation, python
from ee449.grading.sandboxed.checks.manifest import Manifest

WARM = running.SANDBOXED / "sandboxed_warm.py"
RAN = re.compile(r"ran (\d{1,3})")
# Under bwrap the warm child has a PID namespace of its own: after the run it kills every other
# process there (what the student's scripts left running). The fence's processes are found by
# their marker when the child closes.
NAMESPACE = {"bwrap": "own", "fence": "shared"}
# A process of the zygote's joins a sandbox in milliseconds, once the zygote has imported torch
# (seconds, on the first grading of a process); a busy machine takes longer.
READY_S = running.STARTUP_S


@dataclass
class Started:
    """A warm child running the student's scripts (`start`); `ran` waits for it."""

    child: sandbox.Child
    programs: list[dict]
    limits: sandbox.Limits
    started: float
    out: Path  # the sandbox's out/, where the harness leaves its records


def start(
    root: Path, course_copy: str | None, memory_mb: int, mode: Isolation, input_shape: tuple[int, ...]
) -> Started | Run:
    """Start running the scripts of `root`/submitted in `root`/work (a Run when there is nothing to
    run). `runner.prepare` has been called. Call it in the thread that will wait for the models
    pass: bwrap dies with the thread that started it (`--die-with-parent`)."""
    plan_programs = running.programs(root / runner.SUBMITTED)
    if not plan_programs:
        return Run(failure="no script or notebook to run")
    grader = root / runner.GRADER_DIR
    plan = running.write_plan(grader, root / "work", root / "out", plan_programs, input_shape)
    limits = running.run_limits(len(plan_programs), memory_mb)
    models = runner.PASSES[-1]
    boot = runner.pytest_argv(root, models)  # python -I -c BOOT FRONT WORK ARGS...
    mounts = runner.mounts(root, Manifest(course_data=course_copy), models)
    # Placed, not readable: an installed ee449's folder is an empty tmpfs in the sandbox (`hidden`),
    # and placed files are bound after it (the harness's three files and this interpreter's one).
    shown = tuple((path, path) for path in (*running.HARNESS_FILES, WARM))
    mounts = replace(mounts, placed=(*mounts.placed, *shown))
    env = runner.models_env(root)

    def child(argv: list[str], info: bool = False) -> sandbox.Child:  # in this grading's sandbox
        return sandbox.Child(
            argv, cwd=root / "work", env=env, limits=limits, mounts=mounts, mode=mode, talk=True, info=info
        )

    tail = [str(running.HARNESS), str(plan)]
    joined = _joined(root, env, limits, mode, child, [*tail, "joined", *boot[4:]])
    started = joined or child([python(), "-I", str(WARM), *tail, NAMESPACE[mode.mode], *boot[4:]])
    return Started(started, plan_programs, limits, time.monotonic(), root / "out")


def _joined(
    root: Path,
    env: dict[str, str],
    limits: sandbox.Limits,
    mode: Isolation,
    child: Callable[..., sandbox.Child],
    argv: list[str],
) -> sandbox.Child | None:
    """Under bubblewrap, with the process's zygote: the sandbox (holding a sleeping process) with a
    process of the zygote's in it, set up and ready; None when that cannot be had."""
    shared = zygote.shared() if mode.mode == "bwrap" else None
    if shared is None:
        return None
    holder = child([python(), *zygote.HOLDER], info=True)
    request = {
        "cwd": str(root / "work"),
        "env": {**env, sandbox.MARKER_ENV: holder.marker},
        "argv": argv,
        "memory_mb": limits.memory_mb,
        "file_mb": limits.file_mb,
    }
    ready = sandbox.Limits(timeout_s=READY_S, memory_mb=limits.memory_mb)
    if _said_first(holder, ready, zygote.UP) and shared.join(holder, request):
        if _said_first(holder, ready, zygote.READY):
            return holder
        shared.broken = True  # it could not set a process up: this process goes on without it
    holder.close()
    return None


def _said_first(child: sandbox.Child, limits: sandbox.Limits, line: str) -> bool:
    """Whether the first line `child` says (on its current channel) is `line`."""
    lines = child.lines
    assert lines is not None
    return child.wait(limits, until=lambda: bool(lines.kept)) is None and lines.kept[0] == line


def _said(lines: list[str]) -> list[str]:
    return [line for line in lines if line != zygote.READY]


def ran(started: Started | Run) -> tuple[Run, sandbox.Child | None]:
    """The run's models, and the child waiting for "go" (None when it did not get there alive)."""
    if isinstance(started, Run):
        return started, None
    child, lines = started.child, started.child.lines
    assert lines is not None
    ended = child.wait(started.limits, until=lambda: bool(_said(lines.kept)))
    if ended is None:
        said = RAN.fullmatch(_said(lines.kept)[0])
        ended = sandbox.Completed(
            returncode=int(said.group(1)) if said else None,
            stdout="",
            stderr=child.drains[1].text(),
            timed_out=False,
            stopped_by_watchdog=False,
            seconds=time.monotonic() - started.started,
        )
        if said is None:  # not what it says: not trusted with the checks either
            child.close()
    run = running.read_run(started.out, started.programs, ended, started.limits)
    child.output_from = child.drains[1].total  # the models pass reports only what it says after this
    return run, child if child.alive() else None
