"""The warm child's line channel: what it says is data, and anything unexpected sends the models
pass to a fresh process while the run is still read from its records.

The children here are real sandboxed processes running a few lines of Python in place of
`sandboxed_warm` (the real one is exercised by every grading, and by test_running's "warm" run).
"""

from __future__ import annotations

import sys
import time

import pytest

from ee449.grading import sandbox
from ee449.grading.sandbox import warm
from ee449.grading.sandbox.isolation import Mounts, isolation
from ee449.grading.sandbox.running import RECORDS

PROGRAMS = [{"rel": "hw1.py", "text": "", "cells": []}]
RECORD = '{"program_end": "hw1.py", "why": ""}\n'  # what the harness writes when a program ends


def _started(root, code: str) -> warm.Started:
    limits = sandbox.Limits(timeout_s=30.0)
    child = sandbox.Child(
        [sys.executable, "-I", "-c", code],
        cwd=root / "work",
        env=sandbox.minimal_env(root),
        limits=limits,
        mounts=Mounts(writable=(root / "out",)),
        mode=isolation(),
        talk=True,
    )
    return warm.Started(child, PROGRAMS, limits, time.monotonic(), root / "out")


@pytest.fixture
def root(tmp_path):
    return sandbox.make_sandbox(tmp_path)


def test_a_child_that_says_ran_waits_for_go_and_then_runs_on_until_it_ends(root):
    code = (
        "import sys; print('ran 0', flush=True); line = sys.stdin.readline();"
        "print('got', line.strip(), file=sys.stderr); sys.exit(5)"
    )
    run, waiting = warm.ran(_started(root, code))
    assert waiting is not None and waiting.alive()
    assert waiting.send("go")
    ended = waiting.wait(sandbox.Limits(timeout_s=30.0))
    assert ended is not None and ended.returncode == 5 and "got go" in ended.stderr
    assert not waiting.alive()
    assert run.failure.startswith("exit status 0")  # no records: the run made nothing


@pytest.mark.parametrize(
    "said",
    ["ran", "ran 1234", "ran 0 and more", "I am done", "x" * 5000],
    ids=["no status", "not a status", "trailing text", "other words", "a flood"],
)
def test_a_child_that_says_anything_else_is_closed_and_its_run_still_read(root, said):
    code = (
        f"import time; open({str(root / 'out' / RECORDS)!r}, 'w').write({RECORD!r});"
        f"print({said!r}, flush=True); time.sleep(60)"
    )
    run, waiting = warm.ran(_started(root, code))
    assert waiting is None  # the checks go to a fresh process
    assert run.endings == (("hw1.py", ""),) and run.failure == ""


def test_a_child_that_ends_before_it_says_ran_leaves_the_run_as_its_records_say(root):
    code = "import sys; print('a traceback of the harness', file=sys.stderr); sys.exit(3)"
    run, waiting = warm.ran(_started(root, code))
    assert waiting is None
    assert run.failure == "exit status 3: a traceback of the harness"


def test_a_child_that_never_says_anything_is_stopped_at_the_runs_limit(root):
    started = _started(root, "import time; time.sleep(60)")
    started = warm.Started(
        started.child, PROGRAMS, sandbox.Limits(timeout_s=1.0), started.started, started.out
    )
    run, waiting = warm.ran(started)
    assert waiting is None and not started.child.alive()
    assert run.failure == "it did not finish within 1 s"
