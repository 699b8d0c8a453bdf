"""The fence's kill: every process carrying the marker dies, wherever it moved, and no other."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from ee449.grading.sandbox.fence import MARKER_ENV, kill_marked

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc"), reason="the marker is read from /proc")


def _start(marker: str | None, code: str = "import time; time.sleep(60)") -> subprocess.Popen:
    env = {**os.environ, **({MARKER_ENV: marker} if marker else {})}
    # A new session: what a student's process does to leave the grader's process group.
    return subprocess.Popen([sys.executable, "-c", code], env=env, start_new_session=True)


def _wait(process: subprocess.Popen) -> int | None:
    deadline = time.monotonic() + 10
    while process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    return process.poll()


def _alive(pid: int) -> bool:
    """Running: not gone, and not a zombie waiting for init to reap it (dead either way)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return False


def test_every_marked_process_is_killed_and_no_other(tmp_path):
    marker = f"test-{os.getpid()}-{time.monotonic_ns()}"
    marked = [_start(marker) for _ in range(2)]
    other_marker, unmarked = _start(marker + "x"), _start(None)
    time.sleep(0.3)  # their environments are in /proc once they run
    try:
        assert kill_marked(marker) == 2
        assert all(_wait(p) == -9 for p in marked)
        assert other_marker.poll() is None and unmarked.poll() is None  # a marker is matched whole
    finally:
        for process in (*marked, other_marker, unmarked):
            process.kill()
            process.wait()


def test_a_marked_process_that_forked_leaves_no_child_behind(tmp_path):
    marker = f"test-{os.getpid()}-{time.monotonic_ns()}-fork"
    pid_file = tmp_path / "grandchild.pid"
    code = (
        "import os, subprocess, sys, time\n"
        f"child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'], start_new_session=True)\n"
        f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        "time.sleep(60)\n"
    )
    parent = _start(marker, code)
    deadline = time.monotonic() + 20
    while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    grandchild = int(pid_file.read_text())
    time.sleep(0.2)
    try:
        assert kill_marked(marker) >= 2
        assert _wait(parent) == -9
        deadline = time.monotonic() + 10
        while _alive(grandchild) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(grandchild)
    finally:
        parent.kill()
        parent.wait()
