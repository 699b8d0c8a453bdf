"""A child's end, as `Child.wait` reports it: real sandboxed processes, in the mode this machine has."""

from __future__ import annotations

import sys
import time

from ee449.grading import sandbox
from ee449.grading.sandbox.isolation import Mounts, isolation


def _child(root, code: str, talk: bool = False) -> sandbox.Child:
    return sandbox.Child(
        [sys.executable, "-I", "-c", code],
        cwd=root / "work",
        env=sandbox.minimal_env(root),
        limits=sandbox.Limits(timeout_s=30.0),
        mounts=Mounts(writable=(root / "out",)),
        mode=isolation(),
        talk=talk,
    )


def test_what_a_child_said_before_the_grader_waited_is_still_its_own(tmp_path):
    # A busy grader may reach `wait` after the child has written and ended (a load flake of
    # test_warm's: "exit status 3: no output" where the child had said why).
    root = sandbox.make_sandbox(tmp_path)
    child = _child(root, "import sys; print('why it ended', file=sys.stderr); sys.exit(3)")
    deadline = time.monotonic() + 30
    while child.drains[1].total == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert child.drains[1].total > 0  # read by the grader before it waits
    ended = child.wait(sandbox.Limits(timeout_s=30.0))
    assert ended is not None and ended.returncode == 3 and "why it ended" in ended.stderr


def test_a_later_wait_reports_only_what_came_after_the_earlier_phase(tmp_path):
    root = sandbox.make_sandbox(tmp_path)
    code = (
        "import sys; print('the run', file=sys.stderr, flush=True); print('ran 0', flush=True);"
        "sys.stdin.readline(); print('the checks', file=sys.stderr); sys.exit(0)"
    )
    child = _child(root, code, talk=True)
    lines = child.lines
    assert lines is not None
    assert child.wait(sandbox.Limits(timeout_s=30.0), until=lambda: bool(lines.kept)) is None
    deadline = time.monotonic() + 30
    while "the run" not in child.drains[1].text() and time.monotonic() < deadline:
        time.sleep(0.01)
    child.output_from = child.drains[1].total  # what `warm.ran` does before the models pass
    assert child.send("go")
    ended = child.wait(sandbox.Limits(timeout_s=30.0))
    assert ended is not None and ended.stderr.strip() == "the checks"
