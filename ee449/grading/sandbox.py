"""Run a command in a child process with a timeout, a memory limit and a folder of its own.

This is a fence against accidents (an infinite loop, a memory bomb, `os._exit`, files written
in the wrong place), not a security boundary: code written to attack the grader can still read
files the grader's user can read. Grade untrusted code inside a container or VM as well.

Layout of a sandbox folder (`make_sandbox`):

    root/work/    the copy of the submission; the child's cwd and HOME
    root/tmp/     TMPDIR and matplotlib's config folder
    root/...      the grader's own files; anything new here was written "outside its folder"
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

MEMORY_MB_DEFAULT = 6144  # torch alone maps ~3.4 GB of address space (VmPeak, measured)
FILE_MB_DEFAULT = 256  # the largest file the child may write: no disk bombs
POLL_S = 0.05


@dataclass(frozen=True)
class Limits:
    timeout_s: float = 300.0  # wall clock for the whole child process
    memory_mb: int = MEMORY_MB_DEFAULT  # RLIMIT_AS
    file_mb: int = FILE_MB_DEFAULT  # RLIMIT_FSIZE

    def __post_init__(self) -> None:
        if self.timeout_s <= 0:
            raise ValueError(f"timeout must be positive, got {self.timeout_s}")
        if self.memory_mb < 1024:
            raise ValueError(f"memory limit must be at least 1024 MB (torch needs ~3.4 GB), got {self.memory_mb}")


@dataclass(frozen=True)
class Completed:
    returncode: int | None  # None when killed by us
    stdout: str
    stderr: str
    timed_out: bool
    stopped_by_watchdog: bool
    seconds: float


def make_sandbox(parent: str | os.PathLike | None = None) -> Path:
    """A fresh sandbox folder with `work/` and `tmp/` inside."""
    root = Path(tempfile.mkdtemp(prefix="ee449-grade-", dir=parent))
    (root / "work").mkdir()
    (root / "tmp").mkdir()
    return root


def copy_submission(source: Path, root: Path) -> Path:
    """Copy the submission into `root/work` (no symlinks followed), so the original is never touched."""
    work = root / "work"
    shutil.copytree(source, work, symlinks=True, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__", ".git", "*.pyc"))
    for path in list(work.rglob("*")):
        if path.is_symlink():  # a link could point anywhere; the grader never follows one
            path.unlink()
    return work


def minimal_env(root: Path) -> dict[str, str]:
    """The child's whole environment: no credentials, no proxies, one thread, home in the sandbox."""
    env = {
        "PATH": os.defpath,
        "HOME": str(root / "work"),
        "TMPDIR": str(root / "tmp"),
        "MPLCONFIGDIR": str(root / "tmp" / "matplotlib"),
        "MPLBACKEND": "Agg",
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "OMP_NUM_THREADS": "1",  # many graders may run side by side on a few cores
        "MKL_NUM_THREADS": "1",
        "CUDA_VISIBLE_DEVICES": "",  # grading runs on the CPU: same numbers everywhere
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
        "NO_PROXY": "*",
    }
    return env


def _limit(limits: Limits) -> Callable[[], None]:
    def preexec() -> None:  # runs in the child between fork and exec
        memory = limits.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        size = limits.file_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return preexec


def run(argv: Sequence[str], *, cwd: Path, env: dict[str, str], limits: Limits,
        watchdog: Callable[[], bool] | None = None) -> Completed:
    """Run `argv` (use `sys.executable`) and wait, killing its whole process group on timeout.

    `watchdog` is called every 50 ms while the child runs; returning True stops the child (the
    runner uses it to stop a check that hangs in C code where an alarm signal cannot reach).
    """
    root = Path(env["TMPDIR"])
    out_path, err_path = root / "stdout.txt", root / "stderr.txt"
    start = time.monotonic()
    timed_out = stopped = False
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        # Files, not pipes: a chatty child cannot fill a pipe and deadlock us.
        process = subprocess.Popen(
            list(argv), cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
            preexec_fn=_limit(limits), start_new_session=True, close_fds=True,
        )
        while process.poll() is None:
            if time.monotonic() - start > limits.timeout_s:
                timed_out = True
            elif watchdog is not None and watchdog():
                stopped = True
            if timed_out or stopped:
                _kill_group(process)
                break
            time.sleep(POLL_S)
        process.wait()
    return Completed(
        returncode=None if (timed_out or stopped) else process.returncode,
        stdout=_tail(out_path), stderr=_tail(err_path), timed_out=timed_out,
        stopped_by_watchdog=stopped, seconds=time.monotonic() - start,
    )


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)  # its own session: the child and anything it forked
    except ProcessLookupError:
        pass


def _tail(path: Path, limit: int = 20_000) -> str:
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    return data[-limit:].decode("utf-8", errors="replace")


def python() -> str:
    """The interpreter children run with: the grader's own (same torch, same ee449)."""
    return sys.executable
