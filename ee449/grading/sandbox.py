"""Run a command in a child process with a timeout, a memory limit and a folder of its own.

Two modes (`isolation()`):

* **bwrap** (Linux with bubblewrap): the child runs in its own user, PID, network, IPC and UTS
  namespaces with a fresh /proc, sees the system read-only and only the folders it is given
  (`Mounts`), can write only its own (`work/`, `tmp/`, `out/`), has no network, cannot see or
  signal the grader or any other process, and every process it starts dies with it.
* **fence** (bwrap missing or unusable, or `EE449_SANDBOX=fence`): a guard against accidents
  (an infinite loop, a memory bomb, `os._exit`, files written in the wrong place), not a
  security boundary: the child can read what the grader's user can read and open sockets.
  Its processes are killed by process group and by a marker in their environment.

Both modes apply the same rlimits (address space, file size, no core files) and timeouts.

Layout of a sandbox folder (`make_sandbox`):

    root/work/    the copy of the submission; the child's cwd and HOME
    root/tmp/     TMPDIR and matplotlib's config folder
    root/out/     what the child hands back (progress log, outputs)
    root/...      the grader's own files; anything new here was written "outside its folder"

Here: the limits, the folder, running a child and killing what it started. Which mode and the
bwrap command line are `isolation`; reading back what the child wrote is `output_folder`.
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterator, Sequence

from ee449.grading import font_cache
from ee449.grading.child_io import OUTPUT_BYTES, Drain, disk_used  # noqa: F401 - OUTPUT_BYTES: public here
from ee449.grading.isolation import Isolation, Mounts, bwrap_argv, isolation, python
from ee449.grading.limits import (  # noqa: F401 - public here: the sandbox's limits and results
    DISK_MB_DEFAULT,
    FILE_MB_DEFAULT,
    MEMORY_MB_DEFAULT,
    MEMORY_MB_MIN,
    Completed,
    Limits,
    check_memory_mb,
    check_seconds,
)

DISK_POLL_S = 1.0
POLL_S = 0.05


def make_sandbox(parent: str | os.PathLike | None = None) -> Path:
    """A fresh sandbox folder with `work/`, `tmp/` and `out/` inside."""
    root = Path(tempfile.mkdtemp(prefix="ee449-grade-", dir=parent))
    for name in ("work", "tmp", "out"):
        (root / name).mkdir()
    return root


def copy_submission(source: Path, root: Path) -> Path:
    """Copy the submission into `root/work` (no symlinks followed), so the original is never touched."""
    work = root / "work"
    shutil.copytree(
        source,
        work,
        symlinks=True,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("__pycache__", ".git", "*.pyc"),
    )
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


MARKER_ENV = "EE449_SANDBOX_ID"  # every fenced child carries it: how leftovers are found
# The fence's child runs under this shim, so os.getppid() names the shim, not the grader: a child
# that kills its parent ends its own grading, not everyone's.
# On Linux the child also dies the moment the shim does (PR_SET_PDEATHSIG), so the check that
# killed it is the one recorded as having died.
_SHIM = (
    "import ctypes, signal, subprocess, sys\n"
    "def die_with_shim():\n"
    "    if sys.platform.startswith('linux'):\n"
    "        ctypes.CDLL(None).prctl(1, int(signal.SIGKILL))\n"
    "code = subprocess.call(sys.argv[1:], preexec_fn=die_with_shim)\n"
    "sys.exit(code if code >= 0 else 128 - code)\n"
)
_LIVE: set[subprocess.Popen] = set()
_LIVE_LOCK = threading.Lock()
_STOP = threading.Event()


class Interrupted(BaseException):
    """`stop_all` was called (Ctrl-C): a BaseException like KeyboardInterrupt, so nothing swallows it."""


def stop_all(stop: threading.Event | None = None) -> None:
    """Kill every running child (each with everything it started) and refuse to start new ones.

    `stop`: the flag of the grading that was interrupted (a class run owns one, see `classroom`);
    without it the process-wide flag, which `resume` clears."""
    (stop or _STOP).set()
    with _LIVE_LOCK:
        live = list(_LIVE)
    for process in live:
        _kill_group(process)


@contextlib.contextmanager
def stopped_by_ctrl_c(process: subprocess.Popen) -> Iterator[None]:
    """While inside, `stop_all` kills `process` (started with start_new_session=True) too: a trusted
    child of the grader's (the reference models) never keeps a Ctrl-C waiting."""
    with _LIVE_LOCK:
        _LIVE.add(process)
    try:
        if _STOP.is_set():
            _kill_group(process)
            raise Interrupted("grading was interrupted")
        yield
    finally:
        with _LIVE_LOCK:
            _LIVE.discard(process)
    if _STOP.is_set():
        raise Interrupted("grading was interrupted")


def resume() -> None:
    """Clear the process-wide stop flag: a grading started after an interrupted one runs again."""
    _STOP.clear()


def run(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: dict[str, str],
    limits: Limits,
    watchdog: Callable[[], bool] | None = None,
    mounts: Mounts | None = None,
    mode: Isolation | None = None,
    stop: threading.Event | None = None,
) -> Completed:
    """Run `argv` (use `sys.executable`) and wait, killing everything it started when it ends.

    Under bwrap the child sees the system, Python, `mounts` and `cwd` (writable) only. `watchdog`
    is called every 50 ms while the child runs; returning True stops the child (the runner uses it
    to stop a check that hangs in C code where an alarm signal cannot reach). Ctrl-C (or
    `stop_all`) kills the child and everything it started before the exception propagates.
    """
    mode = mode or isolation()
    root = Path(env["TMPDIR"])
    env = {**env, MARKER_ENV: str(root)}
    mounts = mounts or Mounts()
    # Its TMPDIR is a size-limited tmpfs under bwrap (the grader never reads it back); the
    # folders shared with the grader are measured while it runs (`disk_used`).
    writable = tuple(p for p in dict.fromkeys((*mounts.writable, Path(cwd))) if p != root)
    fonts = font_cache.font_list() if "MPLCONFIGDIR" in env else None
    if mode.mode == "bwrap":
        shown = replace(mounts, writable=writable, scratch=(*mounts.scratch, root), scratch_mb=limits.disk_mb)
        if fonts is not None:  # read-only, inside the fresh tmpfs that is its TMPDIR
            shown = replace(shown, placed=(*shown.placed, (fonts, Path(env["MPLCONFIGDIR"]) / fonts.name)))
        command = bwrap_argv(shown, Path(cwd)) + list(argv)
    else:
        if fonts is not None:
            font_cache.seed(fonts, Path(env["MPLCONFIGDIR"]))
        command = [python(), "-c", _SHIM, *argv]
    start = time.monotonic()
    timed_out = stopped = False
    stop = stop or _STOP
    if stop.is_set():
        raise Interrupted("grading was interrupted")
    # Pipes the grader created and drains (never files in a folder the child can write: a link
    # planted there would make the grader truncate or read whatever it points to), each kept to
    # its last OUTPUT_BYTES so a chatty child neither deadlocks nor fills the grader's memory.
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_limit(limits),
        start_new_session=True,
        close_fds=True,
    )
    drains = [Drain(process.stdout), Drain(process.stderr)]
    with _LIVE_LOCK:
        _LIVE.add(process)
    disk_full = False
    measured = start
    try:
        while process.poll() is None:
            if stop.is_set():
                raise Interrupted("grading was interrupted")
            if time.monotonic() - start > limits.timeout_s:
                timed_out = True
            elif watchdog is not None and watchdog():
                stopped = True
            elif time.monotonic() - measured > DISK_POLL_S:
                measured = time.monotonic()
                disk_full = disk_used((*writable, root)) > limits.disk_mb * 2**20
            if timed_out or stopped or disk_full:
                break
            time.sleep(POLL_S)
    finally:  # whatever happened (an exit, a kill, Ctrl-C): nothing it started outlives it
        _kill_group(process)
        process.wait()
        if mode.mode == "fence":
            kill_marked(str(root))
        with _LIVE_LOCK:
            _LIVE.discard(process)
        for drain in drains:  # a grandchild holding the pipe open is dead now: the drains end
            drain.join()
    return Completed(
        returncode=None if (timed_out or stopped or disk_full) else process.returncode,
        stdout=drains[0].text(),
        stderr=drains[1].text(),
        timed_out=timed_out,
        stopped_by_watchdog=stopped,
        seconds=time.monotonic() - start,
        disk_full=disk_full,
    )


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)  # its own session: the child and anything it forked
    except (ProcessLookupError, PermissionError):
        pass


def kill_marked(marker: str) -> int:
    """Kill every process whose environment carries `MARKER_ENV=marker` (the fence's leftovers)."""
    needle = f"{MARKER_ENV}={marker}".encode() + b"\0"
    killed = 0
    for _ in range(3):  # a leftover may fork while we look: look again until none is found
        found = 0
        for entry in os.scandir("/proc") if os.path.isdir("/proc") else ():
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:
                with open(f"/proc/{entry.name}/environ", "rb") as handle:
                    if needle not in handle.read() + b"\0":
                        continue
                os.kill(int(entry.name), signal.SIGKILL)
                found += 1
            except (OSError, ValueError):
                continue
        killed += found
        if not found:
            break
    return killed
