"""The sandbox-side pytest plugin: check ids, per-check alarms, the fence, and the progress log.

Every check carries `@pytest.mark.check("arch/{key}/layers", target="{key}")` (put there from the
registry by `support.registered`); the id is formatted with the test's parameters, and a check the
grading does not plan (`registry.planned`) is dropped unreported. The plugin appends one JSON line per event to the
progress file the grader watches: `collected` (every check id), `start` (a check began) and
`result` (passed, message, diagnoses). When the process dies mid-check (os._exit, a crash, the
grader's watchdog), the grader knows which check was running from the last `start` line and
restarts pytest without it.
"""

from __future__ import annotations

import json
import os
import re
import signal
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from ee449.grading.sandboxed.checks import registry
from ee449.grading.sandboxed.checks.rules import CONVOLVING, NEEDS_LIBRARY
from ee449.grading.sandboxed.checks.support import (
    WROTE_OUTSIDE,
    CheckTimeout,
    blocked_write,
    manifest,
    targets,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterator
    from types import FrameType
    from typing import NoReturn

    import pluggy


@dataclass
class _Running:
    """The check in progress (pytest runs one at a time) and how it is going."""

    nodeid: str
    id: str
    target: str
    timeout: float
    start: float = field(default_factory=time.monotonic)
    failed: bool = False
    skipped: bool = False
    message: str = ""


@dataclass
class _Session:
    """The plugin's state for one pytest session, kept in its `config.stash`."""

    running: _Running | None = None
    wrote: dict[str, str] = field(
        default_factory=dict
    )  # target -> what it wrote outside: every later check fails


_SESSION = pytest.StashKey[_Session]()


def _session(config: pytest.Config) -> _Session:
    return config.stash.setdefault(_SESSION, _Session())


def _emit(event: dict) -> None:
    path = manifest().progress
    if not path:
        return
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(event) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def _format(template: str, item: pytest.Item) -> str:
    params = getattr(getattr(item, "callspec", None), "params", {})
    return template.format(**params)


def check_id(item: pytest.Item) -> tuple[str, str]:
    marker = item.get_closest_marker("check")
    if marker is None:
        return item.nodeid, ""
    return _format(marker.args[0], item), _format(marker.kwargs.get("target", ""), item)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "check(id, target): a graded check and the target it runs")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip = set(manifest().skip)
    # A check this grading does not have (another edition's Part 1, no course data, an empty list of
    # subjects) is neither run nor reported: what is collected is what the grader plans (`registry`).
    planned = {cid for cid, _ in registry.planned(manifest())}
    keep: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    checks = []
    for item in items:
        cid, target = check_id(item)
        item.stash_check = (cid, target)  # type: ignore[attr-defined]
        if item.get_closest_marker("check") is not None and cid not in planned:
            dropped.append(item)
            continue
        checks.append({"id": cid, "target": target})
        (dropped if cid in skip else keep).append(item)
    _emit({"event": "collected", "checks": checks})
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


def check_timeout(item: pytest.Item) -> float:
    """The check's time budget: `--timeout` per call of student code (`calls=` on the marker)."""
    marker = item.get_closest_marker("check")
    calls = marker.kwargs.get("calls", 1) if marker else 1
    return manifest().check_timeout * calls


def _alarm(timeout: float) -> Callable[[int, FrameType | None], NoReturn]:
    def time_is_up(signum: int, frame: FrameType | None) -> NoReturn:
        raise CheckTimeout(f"did not finish within {timeout:g} s (an infinite loop?)")

    return time_is_up


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, object, None]:
    cid, target = item.stash_check  # type: ignore[attr-defined]
    session = _session(item.config)
    state = session.running = _Running(item.nodeid, cid, target, check_timeout(item))
    timeout = state.timeout
    _emit({"event": "start", "id": cid, "target": target, "timeout": timeout})
    previous = signal.signal(signal.SIGALRM, _alarm(timeout))
    if timeout:
        signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        session.running = None
        diagnoses = [value for name, value in item.user_properties if name == "diagnosis"]
        notes = [value for name, value in item.user_properties if name == "note"]  # shown even on a pass
        state.message = "\n".join(str(text) for text in (state.message, *notes) if text)
        _emit(
            {
                "event": "result",
                "id": cid,
                "target": target,
                "passed": not state.failed,
                "skipped": state.skipped and not state.failed,
                "message": state.message,
                "diagnoses": diagnoses,
                "seconds": round(time.monotonic() - state.start, 3),
            }
        )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo
) -> Generator[None, pluggy.Result[pytest.TestReport], None]:
    outcome = yield
    report = outcome.get_result()
    state = _session(item.config).running
    if state is not None and state.nodeid != item.nodeid:
        state = None
    if state is not None and report.skipped:
        state.skipped = True  # not applicable here (no course data, no result files): not graded
    if state is None or not report.failed or state.failed:
        return
    state.failed = True
    state.message = _message(call.excinfo) if call.excinfo else str(report.longrepr)
    if call.excinfo is None:
        return
    error, target = call.excinfo.value, state.target
    extra = None
    if isinstance(error, CheckTimeout):
        targets(item.config).hung.add(target)
        extra = (
            "timeout",
            f"Your code did not finish within {state.timeout:g} s in "
            "this check: look for a loop that never ends.",
        )
    elif isinstance(error, MemoryError):
        extra = (
            "out_of_memory",
            "Your code ran out of memory in this check (the grader allows "
            f"{manifest().memory_mb} MB): look for an array or list that grows without bound.",
        )
    elif blocked_write(error):
        extra = WROTE_OUTSIDE
    elif isinstance(error, SystemExit):
        extra = (
            "exit_called",
            "Your code called sys.exit() (or exit()) in a function the grader "
            "calls: remove exit calls from my_conv2d and your model classes.",
        )
    elif _needs_a_library(state.message):
        extra = ("needs_library", NEEDS_LIBRARY)
    if extra:
        item.user_properties.append(("diagnosis", list(extra)))


_LIBRARY_FAILURE = re.compile(
    r"torch is a stand-in|No module named '(?:%s)\b|cannot import name .* from '(?:%s)\b"
    % (("|".join(CONVOLVING),) * 2)
)


def _needs_a_library(message: str) -> bool:
    """Whether a check of the NumPy-only pass (`runner.PASSES`: the grader's manifest says which, read-only)
    failed for want of torch or another library that convolves."""
    return manifest().numpy_only and bool(_LIBRARY_FAILURE.search(message))


def _message(excinfo: pytest.ExceptionInfo) -> str:
    error = excinfo.value
    if isinstance(error, (AssertionError, pytest.fail.Exception)):
        return str(error).strip()
    text = f"{type(error).__name__}: {error}".strip()
    extracted = manifest().extracted
    frames = [f for f in traceback.extract_tb(excinfo.tb) if extracted and f.filename.startswith(extracted)]
    if frames:
        text += f" (in your code: `{(frames[-1].line or '').strip()}`)"
    return text


# --- the fence: files written outside the submission's working folder -------------------------


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    skip = {root / "work", root / "tmp", root / "out", Path(manifest().progress or "/nonexistent")}
    seen: dict[str, tuple[int, int]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames if here / d not in skip and d != "__pycache__"]
        for name in filenames:
            path = here / name
            if path in skip:
                continue
            try:
                stat = path.stat()
            except OSError:
                continue
            seen[str(path.relative_to(root))] = (stat.st_size, stat.st_mtime_ns)
    return seen


@pytest.fixture(autouse=True)
def _fence(request: pytest.FixtureRequest) -> Iterator[None]:
    root = manifest().root
    target = request.node.stash_check[1]
    if not root or manifest().writes_blocked:  # bubblewrap refuses the write itself (`blocked_write`)
        yield
        return
    before = _snapshot(Path(root))
    yield
    after = _snapshot(Path(root))
    changed = sorted(name for name in after if before.get(name) != after[name])
    wrote = _session(request.config).wrote
    if changed:
        wrote.setdefault(target, ", ".join(changed[:5]))
    if target in wrote:
        # Sticky: a write made while loading a target (a class body, a default argument) happens
        # once, in its first check, but taints every check of that target.
        request.node.user_properties.append(
            (
                "diagnosis",
                [
                    "wrote_outside",
                    "Your code wrote files outside its own folder "
                    f"({wrote[target]}): only write into the current working folder.",
                ],
            )
        )
        pytest.fail(f"wrote outside its folder: {wrote[target]}", pytrace=False)
