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
"""

from __future__ import annotations

import functools
import math
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

MEMORY_MB_DEFAULT = 6144  # torch alone maps ~3.4 GB of address space (VmPeak, measured)
MEMORY_MB_MIN = 4096  # the least the checks need (measured on the correct fixture: see README, Safety)
FILE_MB_DEFAULT = 256  # the largest file the child may write: no disk bombs
POLL_S = 0.05


@dataclass(frozen=True)
class Limits:
    timeout_s: float = 300.0  # wall clock for the whole child process
    memory_mb: int = MEMORY_MB_DEFAULT  # RLIMIT_AS
    file_mb: int = FILE_MB_DEFAULT  # RLIMIT_FSIZE

    def __post_init__(self) -> None:
        check_seconds("timeout", self.timeout_s)
        if self.memory_mb < 1024:
            raise ValueError(f"memory limit must be at least 1024 MB (torch needs ~3.4 GB), got {self.memory_mb}")


def check_seconds(what: str, seconds: float) -> None:
    """A time limit must be a finite number of seconds above zero (inf and nan would disable it)."""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not math.isfinite(seconds) \
            or seconds <= 0:
        raise ValueError(f"{what} must be a finite number of seconds above 0, got {seconds!r}")


def check_memory_mb(memory_mb: int) -> None:
    """Below MEMORY_MB_MIN torch cannot even import: every check would fail for the grader's setting."""
    if isinstance(memory_mb, bool) or not isinstance(memory_mb, int) or memory_mb < MEMORY_MB_MIN:
        raise ValueError(f"--memory-mb must be at least {MEMORY_MB_MIN} (torch and the checks need that much "
                         f"address space), got {memory_mb!r}")


@dataclass(frozen=True)
class Mounts:
    """What a bwrap child sees besides the system and Python: its writable and read-only paths."""

    writable: tuple[Path, ...] = ()
    readable: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Isolation:
    mode: str  # "bwrap" or "fence"
    reason: str = ""  # why the fence (empty under bwrap)

    @property
    def announcement(self) -> str:
        if self.mode == "bwrap":
            return "sandbox: bubblewrap (no network, no view of the grader's files or processes)"
        return (f"WARNING: sandbox: fence only ({self.reason}); student code can read the grader user's "
                "files and open network connections: grade untrusted code in a container or VM")


@dataclass(frozen=True)
class Completed:
    returncode: int | None  # None when killed by us
    stdout: str
    stderr: str
    timed_out: bool
    stopped_by_watchdog: bool
    seconds: float


def make_sandbox(parent: str | os.PathLike | None = None) -> Path:
    """A fresh sandbox folder with `work/`, `tmp/` and `out/` inside."""
    root = Path(tempfile.mkdtemp(prefix="ee449-grade-", dir=parent))
    for name in ("work", "tmp", "out"):
        (root / name).mkdir()
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


ISOLATION_ENV = "EE449_SANDBOX"  # "fence" forces the fallback; "bwrap" refuses to run without it
MARKER_ENV = "EE449_SANDBOX_ID"  # every fenced child carries it: how leftovers are found
# The fence's child runs under this shim, so os.getppid() names the shim, not the grader: a child
# that kills its parent ends its own grading, not everyone's.
# On Linux the child also dies the moment the shim does (PR_SET_PDEATHSIG), so the check that
# killed it is the one recorded as having died.
_SHIM = ("import ctypes, signal, subprocess, sys\n"
         "def die_with_shim():\n"
         "    if sys.platform.startswith('linux'):\n"
         "        ctypes.CDLL(None).prctl(1, int(signal.SIGKILL))\n"
         "code = subprocess.call(sys.argv[1:], preexec_fn=die_with_shim)\n"
         "sys.exit(code if code >= 0 else 128 - code)\n")
_LIVE: set[subprocess.Popen] = set()
_LIVE_LOCK = threading.Lock()
_STOP = threading.Event()


class Interrupted(BaseException):
    """`stop_all` was called (Ctrl-C): a BaseException like KeyboardInterrupt, so nothing swallows it."""


def stop_all() -> None:
    """Kill every running child (each with everything it started) and refuse to start new ones."""
    _STOP.set()
    with _LIVE_LOCK:
        live = list(_LIVE)
    for process in live:
        _kill_group(process)


def _system_paths() -> list[str]:
    """bwrap arguments for the read-only system: /usr, the /bin and /lib links or folders, ld's cache."""
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(name):
            args += ["--symlink", os.readlink(name), name]
        elif os.path.isdir(name):
            args += ["--ro-bind", name, name]
    for name in ("/etc/ld.so.cache", "/etc/localtime"):  # never /etc as a whole: no passwd, shadow, hosts
        if os.path.exists(name):
            args += ["--ro-bind", name, name]
    return args


def _python_paths() -> list[Path]:
    """The interpreter, its standard library and site-packages (read-only), but no project folder."""
    paths = {Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix), Path(sys.executable).resolve().parent}
    for entry in sys.path:
        if entry and ("site-packages" in entry or "dist-packages" in entry):
            paths.add(Path(entry))
    outside_usr = [p for p in paths if p.exists() and not p.is_relative_to("/usr")]
    return sorted(p for p in outside_usr if not any(p != q and p.is_relative_to(q) for q in outside_usr))


def bwrap_argv(mounts: Mounts, cwd: Path) -> list[str]:
    """The bwrap command line that runs a child with only `mounts` (and the system) in view."""
    # The child's parent is bwrap's init (PID 1 of the new namespace): a SIGKILL sent to it from
    # inside is ignored by the kernel, and its environment is the child's minimal one.
    args = [shutil.which("bwrap") or "bwrap", "--unshare-all", "--die-with-parent", "--new-session",
            "--cap-drop", "ALL", *_system_paths(), "--proc", "/proc", "--dev", "/dev"]
    for path in _python_paths():
        args += ["--ro-bind", str(path), str(path)]
    for path in mounts.readable:
        args += ["--ro-bind", str(path), str(path)]
    for path in mounts.writable:
        args += ["--bind", str(path), str(path)]
    return [*args, "--remount-ro", "/", "--chdir", str(cwd)]


@functools.lru_cache(maxsize=4)
def _probe_bwrap(requested: str) -> Isolation:
    del requested  # part of the cache key only: a changed EE449_SANDBOX is probed again
    if shutil.which("bwrap") is None:
        return Isolation("fence", "bubblewrap (bwrap) is not installed")
    probe = tempfile.mkdtemp(prefix="ee449-bwrap-probe-")
    try:
        argv = bwrap_argv(Mounts(writable=(Path(probe),)), Path(probe)) + [
            python(), "-c", "import socket, os; open('ok', 'w').write(str(os.getpid()))"]
        completed = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=60,
                                   env={"PATH": os.defpath})
        if completed.returncode != 0 or not (Path(probe) / "ok").is_file():
            error = completed.stderr.decode(errors="replace").strip().splitlines()
            return Isolation("fence", f"bwrap cannot run here: {error[-1] if error else completed.returncode}")
    except (OSError, subprocess.TimeoutExpired) as error:
        return Isolation("fence", f"bwrap cannot run here: {error}")
    finally:
        shutil.rmtree(probe, ignore_errors=True)
    return Isolation("bwrap")


def isolation() -> Isolation:
    """bwrap where it works; the fence where it does not or where EE449_SANDBOX=fence asks for it."""
    requested = os.environ.get(ISOLATION_ENV, "").strip().lower()
    if requested not in {"", "bwrap", "fence"}:
        raise ValueError(f"{ISOLATION_ENV} must be 'bwrap' or 'fence', got {requested!r}")
    if requested == "fence":
        return Isolation("fence", f"{ISOLATION_ENV}=fence")
    found = _probe_bwrap(requested)
    if requested == "bwrap" and found.mode != "bwrap":
        raise ValueError(f"{ISOLATION_ENV}=bwrap, but {found.reason}")
    return found


def run(argv: Sequence[str], *, cwd: Path, env: dict[str, str], limits: Limits,
        watchdog: Callable[[], bool] | None = None, mounts: Mounts | None = None,
        mode: Isolation | None = None) -> Completed:
    """Run `argv` (use `sys.executable`) and wait, killing everything it started when it ends.

    Under bwrap the child sees the system, Python, `mounts` and `cwd` (writable) only. `watchdog`
    is called every 50 ms while the child runs; returning True stops the child (the runner uses it
    to stop a check that hangs in C code where an alarm signal cannot reach). Ctrl-C (or
    `stop_all`) kills the child and everything it started before the exception propagates.
    """
    mode = mode or isolation()
    root = Path(env["TMPDIR"])
    env = {**env, MARKER_ENV: str(root)}
    if mode.mode == "bwrap":
        mounts = mounts or Mounts()
        writable = tuple(dict.fromkeys((*mounts.writable, Path(cwd), root)))
        command = bwrap_argv(Mounts(writable, mounts.readable), Path(cwd)) + list(argv)
    else:
        command = [python(), "-c", _SHIM, *argv]
    out_path, err_path = root / "stdout.txt", root / "stderr.txt"
    start = time.monotonic()
    timed_out = stopped = False
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        if _STOP.is_set():
            raise Interrupted("grading was interrupted")
        # Files, not pipes: a chatty child cannot fill a pipe and deadlock us.
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
            preexec_fn=_limit(limits), start_new_session=True, close_fds=True,
        )
        with _LIVE_LOCK:
            _LIVE.add(process)
        try:
            while process.poll() is None:
                if _STOP.is_set():
                    raise Interrupted("grading was interrupted")
                if time.monotonic() - start > limits.timeout_s:
                    timed_out = True
                elif watchdog is not None and watchdog():
                    stopped = True
                if timed_out or stopped:
                    break
                time.sleep(POLL_S)
        finally:  # whatever happened (an exit, a kill, Ctrl-C): nothing it started outlives it
            _kill_group(process)
            process.wait()
            if mode.mode == "fence":
                kill_marked(str(root))
            with _LIVE_LOCK:
                _LIVE.discard(process)
    return Completed(
        returncode=None if (timed_out or stopped) else process.returncode,
        stdout=_tail(out_path), stderr=_tail(err_path), timed_out=timed_out,
        stopped_by_watchdog=stopped, seconds=time.monotonic() - start,
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


class OutputFolder:
    """A folder the child could write, read without following any link it may have planted there.

    Every name is opened relative to the folder (openat) with O_NOFOLLOW, the folder itself too,
    and only regular files up to a size limit are read: a child that replaces a file or the
    folder by a link to /etc/shadow gets nothing read back.
    """

    def __init__(self, root: Path, *parts: str):
        self.root, self.parts = Path(root), parts

    def read(self, name: str, limit: int) -> bytes | None:
        if "/" in name or name in {"", ".", ".."}:
            return None
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        fds: list[int] = []
        try:
            fds.append(os.open(self.root, flags | getattr(os, "O_DIRECTORY", 0)))
            for part in self.parts:
                fds.append(os.open(part, flags | getattr(os, "O_DIRECTORY", 0), dir_fd=fds[-1]))
            fds.append(os.open(name, flags | getattr(os, "O_NONBLOCK", 0), dir_fd=fds[-1]))
            info = os.fstat(fds[-1])
            if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
                return None
            with os.fdopen(os.dup(fds[-1]), "rb") as handle:
                data = handle.read(limit + 1)
            return data if len(data) <= limit else None
        except OSError:
            return None
        finally:
            for fd in fds:
                os.close(fd)


def _tail(path: Path, limit: int = 20_000) -> str:
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    return data[-limit:].decode("utf-8", errors="replace")


def python() -> str:
    """The interpreter children run with: the grader's own (same torch, same ee449)."""
    return sys.executable
