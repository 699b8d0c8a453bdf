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
import shutil
import time
from dataclasses import dataclass, replace
from pathlib import Path

from ee449.errors import GradingError
from ee449.grading import sandbox
from ee449.grading.sandbox.isolation import (
    Isolation,
    Mounts,
    convolving_packages,
    installed_ee449,
    isolated_python,
    isolation,
)
from ee449.grading.sandbox.lib import build_lib
from ee449.grading.sandbox.progress_log import Outcome, Progress, died
from ee449.grading.sandboxed.checks.manifest import Manifest
from ee449.io import atomic_write_bytes

GRACE_S = 5.0  # the alarm inside goes first; the watchdog is the backstop
MAX_RESTARTS = 12  # per pass


@dataclass(frozen=True)
class Pass:
    """One sandboxed pytest process (restarted past any check that kills it) over some check modules."""

    name: str
    modules: tuple[str, ...]
    # Part 2 is NumPy: its checks run where torch is the NumPy stand-in (`checks/torch_standin`) and
    # the real libraries that convolve are not importable (`isolation.convolving_packages`).
    numpy_only: bool = False


# conv first, alone and cheap (no torch to import); then the models, which need the real torch.
PASSES = (
    Pass("conv", ("check_conv.py",), numpy_only=True),
    Pass("models", ("check_xor.py", "check_architectures.py", "check_results.py")),
)
CHECK_MODULES = tuple(module for one in PASSES for module in one.modules)


GRADER_DIR = "grader"  # root/grader: written by the grader only, shown read-only to the child


STANDIN_DIR = "standin"  # root/grader/standin/torch: the NumPy stand-in, first on the conv pass's path


MANIFEST = "manifest.json"  # root/grader/manifest.json: a folder is mounted, so a rewrite is seen


def lib_for(grader: Path) -> Path:
    """The sandbox's ee449 (`sandbox.lib`) in `grader`/lib, built once per sandbox: children that
    start side by side never read it while it is being written."""
    lib = grader / "lib"
    if not (lib / ".built").is_file():
        build_lib(lib)
        (lib / ".built").touch()
    return lib


def pytest_argv(root: Path, one: Pass = PASSES[-1]) -> list[str]:
    grader = root / GRADER_DIR
    checks_dir = (
        grader / "lib" / "ee449" / "grading" / "sandboxed" / "checks"
    )  # the sandbox's copy (`sandbox.lib`)
    grader.mkdir(exist_ok=True)
    atomic_write_bytes(grader / "pytest.ini", b"[pytest]\n")  # replaces, never writes through, a link
    front = [lib_for(grader)]
    if one.numpy_only:
        standin = grader / STANDIN_DIR / "torch"
        standin.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(checks_dir / "torch_standin.py", standin / "__init__.py")
        front.insert(0, standin.parent)
    return [
        *isolated_python("pytest", front, root / "work"),
        "-q",
        "-p",
        "no:cacheprovider",
        "--noconftest",
        "-p",
        "ee449.grading.sandboxed.checks.plugin",
        "-c",
        str(grader / "pytest.ini"),
        "--rootdir",
        str(grader),
        "-o",
        "python_files=check_*.py",
        "--tb=no",
        "-W",
        "ignore",
        # Plugins the checks never use: the unraisable-exception one alone collects garbage twice
        # at exit (0.2 s of CPU per pass in a `cProfile` of the models pass).
        *("-p", "no:unraisableexception", "-p", "no:threadexception", "-p", "no:doctest"),
        *("-p", "no:junitxml", "-p", "no:pastebin", "-p", "no:legacypath"),
        *(str(checks_dir / name) for name in one.modules),
    ]


def mounts(root: Path, manifest: Manifest, one: Pass = PASSES[-1]) -> Mounts:
    """What the sandboxed checks may see: their own folders, the extracted code, the sandbox's ee449
    (`sandbox.lib`, in the grader's folder), a copy of the course data."""
    readable = [
        root / "extracted",
        root / GRADER_DIR,
    ]  # never ee449's own folder: an editable install's finder would load the reference from it
    if (root / SUBMITTED).is_dir():  # the graded copy: the result files checked are read there
        readable.append(root / SUBMITTED)
    if manifest.course_data:
        readable.append(Path(manifest.course_data))  # the grader's copy (`copy_course_data`)
    return Mounts(
        writable=(root / "work", root / "tmp", root / "out"),
        readable=tuple(readable),
        hidden=installed_ee449() + (convolving_packages() if one.numpy_only else ()),
    )


SUBMITTED = "submitted"  # root/submitted: the graded copy (the checks' cwd is work/, a copy of it)
COURSE_DIR = "course"  # root/course: the grader's copy of the course data, shown read-only


def copy_course_data(course_data: str | None, root: Path) -> str | None:
    """A copy of the course's sample files for this sandbox: the TA's own folder is never mounted,
    so nothing a student's code does can reach it (or another student's run through it)."""
    if not course_data:
        return None
    copy = root / COURSE_DIR
    if copy.is_dir():  # copied already (`prepare`)
        return str(copy)
    copy.mkdir(exist_ok=True)
    for path in sorted(Path(course_data).glob("*.npy")):
        if path.is_file() and not path.is_symlink():
            shutil.copyfile(path, copy / path.name)
    return str(copy)


def models_env(root: Path) -> dict[str, str]:
    env = sandbox.minimal_env(root)
    env["EE449_GRADING_MANIFEST"] = str(root / GRADER_DIR / MANIFEST)
    return env


def prepare(root: Path, course_data: str | None) -> str | None:
    """What every pass needs before any child starts: the sandbox's ee449, the folder the grader
    extracts into, the course data's copy (returned)."""
    lib_for(root / GRADER_DIR)
    (root / "extracted").mkdir(exist_ok=True)
    return copy_course_data(course_data, root)


def run_checks(
    root: Path,
    manifest: Manifest,
    limits: sandbox.Limits,
    check_timeout: float,
    mode: Isolation | None = None,
    warm: sandbox.Child | None = None,
) -> tuple[list[Outcome], float]:
    """Every check's outcome, in collection order (pass by pass), and the seconds spent in sandboxed pytest.

    `warm`: a live `sandboxed_warm` child (torch imported, waiting for "go"): the models pass's first
    attempt runs there; a restart is a fresh process, as without it."""
    if importlib.util.find_spec("pytest") is None:
        raise GradingError("grading runs its checks with pytest: pip install 'ee449[test]' (or pytest)")
    mode = mode or isolation()
    (root / "out" / "records").mkdir(exist_ok=True)
    manifest = replace(
        manifest,
        course_data=copy_course_data(manifest.course_data, root),
        records=str(root / "out" / "records"),
        check_timeout=check_timeout,
        memory_mb=limits.memory_mb,
        skip=(),
        hung_targets=(),
        # Under bubblewrap the sandbox's own folders are read-only but for work/, out/ and its tmpfs:
        # the plugin's before-and-after listing of them (the fence's guard) would find nothing.
        writes_blocked=mode.mode == "bwrap",
    )
    env = models_env(root)
    outcomes: list[Outcome] = []
    spent = 0.0
    for one in PASSES:  # the passes share one time budget
        found, seconds, manifest = _run_pass(
            one,
            root,
            manifest,
            env,
            replace(limits, timeout_s=limits.timeout_s - spent),
            mode,
            warm if one is PASSES[-1] else None,
        )
        outcomes += found
        spent += seconds
        if spent >= limits.timeout_s:
            break
    return outcomes, spent


def _run_pass(
    one: Pass,
    root: Path,
    manifest: Manifest,
    env: dict[str, str],
    limits: sandbox.Limits,
    mode: Isolation,
    warm: sandbox.Child | None = None,
) -> tuple[list[Outcome], float, Manifest]:
    """One pass's outcomes, restarting pytest past each check that kills it or hangs; the manifest
    carries the targets that hung to the next pass."""
    progress_path = root / "out" / f"progress-{one.name}.jsonl"
    manifest = replace(manifest, progress=str(progress_path), skip=(), numpy_only=one.numpy_only)
    progress = Progress(progress_path, manifest.check_timeout)
    spent = 0.0
    last_error = ""
    for _ in range(MAX_RESTARTS + 1):
        if spent >= limits.timeout_s:  # the restarts share one budget: 12 restarts never cost 12 of them
            break
        atomic_write_bytes(root / GRADER_DIR / MANIFEST, json.dumps(manifest.to_json()).encode("utf-8"))
        progress.running = None

        def watchdog() -> bool:
            progress.poll()
            return (
                progress.running is not None
                and time.monotonic() - progress.running[2] > progress.running[3] + GRACE_S
            )

        remaining = replace(limits, timeout_s=limits.timeout_s - spent)
        ended = (
            warm.wait(remaining, watchdog) if warm is not None and warm.alive() and warm.send("go") else None
        )
        if ended is not None:
            completed = ended
        else:
            completed = sandbox.run(
                pytest_argv(root, one),
                cwd=root / "work",
                env=env,
                limits=remaining,
                watchdog=watchdog,
                mounts=mounts(root, manifest, one),
                mode=mode,
            )
        warm = None  # a restart starts afresh
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
            progress.results[cid] = died(cid, target, completed, timeout, limits.memory_mb)
            if completed.stopped_by_watchdog or completed.timed_out:
                manifest = replace(manifest, hung_targets=(*manifest.hung_targets, target))
        manifest = replace(manifest, skip=tuple(sorted(progress.results)))
        if len(progress.results) >= len(progress.collected) and progress.collected:
            break
    if not progress.collected:
        raise GradingError(
            f"the grader's checks ({one.name}) could not run in the sandbox: {last_error or 'no output'}"
        )
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
    return outcomes, spent, manifest
