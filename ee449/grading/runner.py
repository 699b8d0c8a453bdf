"""Run the checks in a sandboxed pytest process, restarting it past any check that kills it.

One interpreter runs every check (importing torch costs seconds; forty interpreters would cost
minutes). Inside it, each check has an alarm (`check_timeout`). Outside, a watchdog reads the
progress log and kills the process when a check outlives its alarm by `GRACE_S` (a loop in C
code that no signal interrupts) ; a check that kills the process (os._exit, a segfault, the
memory limit) is recorded as failed, and pytest starts again with the finished checks skipped.
So a hostile check costs its own points and one restart, nothing else.
"""

from __future__ import annotations

import importlib.util
import json
import os
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path

from ee449.grading import sandbox
from ee449.grading.isolation import Isolation, Mounts, isolation, python

GRACE_S = 5.0  # the alarm inside goes first; the watchdog is the backstop
MAX_RESTARTS = 12
MAX_LOG_BYTES = 8 * 2**20  # read per poll: a child flooding its log cannot exhaust the grader's memory
CHECK_MODULES = ("check_conv.py", "check_architectures.py", "check_results.py")


class GradingError(RuntimeError):
    """The grader itself could not run its checks (not the submission's fault)."""


@dataclass
class Outcome:
    id: str
    target: str
    passed: bool
    message: str = ""
    diagnoses: list[list[str]] = field(default_factory=list)  # [code, sentence] pairs
    seconds: float = 0.0


class _Progress:
    """Incremental reader of the plugin's JSON-lines progress log."""

    def __init__(self, path: Path, default_timeout: float = 0.0):
        self.path, self.offset, self.default_timeout = path, 0, default_timeout
        self.collected: list[dict] = []
        self.results: dict[str, Outcome] = {}
        self.skipped: set[str] = set()
        self.running: tuple[str, str, float, float] | None = None  # (id, target, monotonic start, timeout)

    def poll(self) -> None:
        try:  # the child can write here: a link it plants in place of the log is never followed
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            return
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return
            handle.seek(self.offset)
            chunk = handle.read(MAX_LOG_BYTES)
        end = chunk.rfind(b"\n") + 1
        self.offset += end
        for line in chunk[:end].splitlines():
            try:
                event = json.loads(line)
            except ValueError:
                continue  # a torn or forged line; the check it belongs to is re-run or failed
            kind = event.get("event")
            if kind == "collected" and not self.collected:
                self.collected = event["checks"]
            elif kind == "start":
                self.running = (
                    event["id"],
                    event.get("target", ""),
                    time.monotonic(),
                    float(event.get("timeout") or self.default_timeout),
                )
            elif kind == "result":
                if event.get("skipped"):
                    self.skipped.add(event["id"])
                self.results[event["id"]] = Outcome(
                    event["id"],
                    event.get("target", ""),
                    bool(event["passed"]),
                    event.get("message", ""),
                    [list(d) for d in event.get("diagnoses", [])],
                    float(event.get("seconds", 0.0)),
                )
                self.running = None


def pytest_argv(root: Path) -> list[str]:
    checks_dir = Path(__file__).resolve().parent / "checks"
    (root / "tmp" / "pytest.ini").write_text("[pytest]\n")
    return [
        python(),
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "--noconftest",
        "-p",
        "ee449.grading.checks.plugin",
        "-c",
        str(root / "tmp" / "pytest.ini"),
        "--rootdir",
        str(root / "tmp"),
        "-o",
        "python_files=check_*.py",
        "--tb=no",
        "-W",
        "ignore",
        *(str(checks_dir / name) for name in CHECK_MODULES),
    ]


def mounts(root: Path, manifest: dict) -> Mounts:
    """What the sandboxed checks may see: their own folders, the extracted code, ee449, the course data."""
    readable = [root / "extracted", root / "manifest.json", Path(__file__).resolve().parents[1]]
    if manifest.get("course_data"):
        readable.append(Path(manifest["course_data"]))
    return Mounts(writable=(root / "work", root / "tmp", root / "out"), readable=tuple(readable))


def run_checks(
    root: Path, manifest: dict, limits: sandbox.Limits, check_timeout: float, mode: Isolation | None = None
) -> tuple[list[Outcome], float]:
    """Every check's outcome, in collection order, and the seconds spent in sandboxed pytest."""
    if importlib.util.find_spec("pytest") is None:
        raise GradingError("grading runs its checks with pytest: pip install 'ee449[test]' (or pytest)")
    mode = mode or isolation()
    progress_path = root / "out" / "progress.jsonl"
    (root / "out" / "records").mkdir(exist_ok=True)
    manifest = {
        **manifest,
        "progress": str(progress_path),
        "records": str(root / "out" / "records"),
        "check_timeout": check_timeout,
        "memory_mb": limits.memory_mb,
        "skip": [],
        "hung_targets": [],
    }
    env = sandbox.minimal_env(root)
    env["EE449_GRADING_MANIFEST"] = str(root / "manifest.json")
    # The child imports this same ee449, installed or not (a source checkout run with python -m).
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    progress = _Progress(progress_path, check_timeout)
    spent = 0.0
    last_error = ""
    for _ in range(MAX_RESTARTS + 1):
        (root / "manifest.json").write_text(json.dumps(manifest))
        progress.running = None

        def watchdog() -> bool:
            progress.poll()
            return (
                progress.running is not None
                and time.monotonic() - progress.running[2] > progress.running[3] + GRACE_S
            )

        completed = sandbox.run(
            pytest_argv(root),
            cwd=root / "work",
            env=env,
            limits=limits,
            watchdog=watchdog,
            mounts=mounts(root, manifest),
            mode=mode,
        )
        spent += completed.seconds
        progress.poll()
        if completed.returncode in (0, 1, 5) and progress.running is None:
            break  # pytest finished (all passed / some failed / nothing collected)
        if progress.running is None:
            last_error = (completed.stderr or completed.stdout)[-2000:]
            if not progress.collected:
                break  # pytest itself could not start: reported as an internal error below
        else:
            cid, target, _, timeout = progress.running
            progress.results[cid] = _died(cid, target, completed, timeout, limits)
            if completed.stopped_by_watchdog or completed.timed_out:
                manifest["hung_targets"].append(target)
        manifest["skip"] = sorted(progress.results)
        if len(progress.results) >= len(progress.collected) and progress.collected:
            break
    if not progress.collected:
        raise GradingError(f"the grader's checks could not run in the sandbox: {last_error or 'no output'}")
    outcomes = []
    for check in progress.collected:
        if check["id"] in progress.skipped:
            continue
        outcome = progress.results.get(check["id"])
        if outcome is None:
            outcome = Outcome(
                check["id"], check["target"], False, "not run: the grading process stopped before this check"
            )
        outcomes.append(outcome)
    return outcomes, spent


def _died(
    cid: str, target: str, completed: sandbox.Completed, check_timeout: float, limits: sandbox.Limits
) -> Outcome:
    if completed.stopped_by_watchdog or completed.timed_out:
        return Outcome(
            cid,
            target,
            False,
            f"did not finish within {check_timeout:g} s",
            [
                [
                    "timeout",
                    f"Your code did not finish within {check_timeout:g} s in this check: "
                    "look for a loop that never ends.",
                ]
            ],
            check_timeout,
        )
    return Outcome(
        cid,
        target,
        False,
        f"the process running your code ended abruptly (exit status "
        f"{completed.returncode}) during this check",
        [
            [
                "process_died",
                "Your code ended the Python process (os._exit, a crash, or the "
                f"{limits.memory_mb} MB memory limit) while this check ran: "
                "functions the grader calls must return normally.",
            ]
        ],
    )
