"""The sandbox runs real child processes: limits, timeouts and environment are checked on them."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

from ee449.grading import sandbox
from ee449.grading.isolation import Isolation, isolation


@pytest.fixture
def box(tmp_path):
    return sandbox.make_sandbox(tmp_path)


def _python(box, code: str, limits: sandbox.Limits, watchdog=None) -> sandbox.Completed:
    return sandbox.run(
        [sys.executable, "-c", code],
        cwd=box / "work",
        env=sandbox.minimal_env(box),
        limits=limits,
        watchdog=watchdog,
    )


@pytest.mark.parametrize("mode", ["bwrap", "fence"])
def test_a_child_that_never_ends_is_killed_with_its_own_children_at_the_timeout(box, mode):
    if mode == "bwrap" and isolation().mode != "bwrap":
        pytest.skip("bubblewrap is not usable here")
    tag = f"{time.time_ns()}"  # the grandchild's command line names it (bwrap's PIDs are its namespace's)
    code = (
        "import subprocess, sys\n"
        f"subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)', '{tag}'])\n"
        f"subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)', '{tag}'], start_new_session=True)\n"
        "while True: pass\n"
    )
    result = sandbox.run(
        [sys.executable, "-c", code],
        cwd=box / "work",
        env=sandbox.minimal_env(box),
        limits=sandbox.Limits(timeout_s=3),
        mode=Isolation(mode),
    )
    assert result.timed_out and result.returncode is None
    deadline = time.monotonic() + 10  # the kill is asynchronous: give the kernel a moment
    while _tagged(tag) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _tagged(tag) == []


def _tagged(tag: str) -> list[int]:
    """Running processes whose command line holds `tag` (zombies waiting for a reaper count as dead)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if (
                entry.name.isdigit()
                and tag.encode() in (entry / "cmdline").read_bytes()
                and _alive(int(entry.name))
            ):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for its reaper counts as dead)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_the_memory_limit_stops_a_memory_bomb_near_the_limit(box):
    # Anonymous mappings count against the address space without using real memory.
    code = (
        "import mmap\nhog = []\ntry:\n    while True: hog.append(mmap.mmap(-1, 10 ** 8))\n"
        "except (MemoryError, OSError):\n    print('stopped', len(hog))\n"
    )
    result = _python(box, code, sandbox.Limits(timeout_s=60, memory_mb=1024))
    assert result.returncode == 0 and result.stdout.startswith("stopped")
    assert int(result.stdout.split()[1]) < 11  # stopped near 1 GB of address space, not later


def test_the_child_gets_a_minimal_environment_and_its_own_home(box, monkeypatch):
    monkeypatch.setenv("EE449_SECRET_TOKEN", "do-not-leak")
    code = "import os, json; print(json.dumps(dict(os.environ)))"
    result = _python(box, code, sandbox.Limits(timeout_s=60))
    env = json.loads(result.stdout)
    assert "EE449_SECRET_TOKEN" not in env
    assert env["HOME"] == str(box / "work") and env["TMPDIR"] == str(box / "tmp")


def test_exit_status_and_output_come_back(box):
    result = _python(
        box,
        "import sys; print('out'); print('err', file=sys.stderr); sys.exit(7)",
        sandbox.Limits(timeout_s=60),
    )
    assert (result.returncode, result.stdout.strip(), result.stderr.strip()) == (7, "out", "err")
    assert not result.timed_out and not result.stopped_by_watchdog


def test_the_watchdog_stops_a_child_early(box):
    calls = []

    def watchdog() -> bool:
        calls.append(1)
        return len(calls) > 3

    result = _python(box, "while True: pass", sandbox.Limits(timeout_s=60), watchdog)
    assert result.stopped_by_watchdog and not result.timed_out and result.returncode is None


def test_copy_submission_drops_symlinks_so_nothing_outside_is_reachable(tmp_path, box):
    source = tmp_path / "submission"
    source.mkdir()
    (source / "hw1.py").write_text("x = 1\n")
    (tmp_path / "secret.txt").write_text("secret")
    (source / "link.txt").symlink_to(tmp_path / "secret.txt")
    work = sandbox.copy_submission(source, box)
    assert sorted(p.name for p in work.iterdir()) == ["hw1.py"]


@pytest.mark.parametrize("kwargs", [{"timeout_s": 0}, {"memory_mb": 100}])
def test_limits_reject_values_that_cannot_work(kwargs):
    with pytest.raises(ValueError):
        sandbox.Limits(**kwargs)
