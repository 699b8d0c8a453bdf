"""Which isolation the sandbox gives (`isolation()`), and the bubblewrap command line that gives it.

* **bwrap** (Linux with bubblewrap): its own user, PID, network, IPC and UTS namespaces, a fresh
  /proc, the system read-only and only the folders it is given (`Mounts`).
* **fence** (bwrap missing or unusable, or `EE449_SANDBOX=fence`): a guard against accidents, not
  a security boundary (see `sandbox`)."""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ee449.grading.sandboxed.checks.rules import CONVOLVING


@dataclass(frozen=True)
class Mounts:
    """What a bwrap child sees besides the system and Python: its writable and read-only paths."""

    writable: tuple[Path, ...] = ()
    readable: tuple[Path, ...] = ()
    # Writable folders the grader never reads back: each an empty tmpfs of `scratch_mb`, inside
    # the child's namespace only (its TMPDIR): a disk quota that the kernel enforces.
    scratch: tuple[Path, ...] = ()
    scratch_mb: int = 512
    # Paths shown as empty folders (a tmpfs over them): what the child must not import (torch
    # for the conv checks: a library convolution cannot pass, however it is hidden).
    hidden: tuple[Path, ...] = ()
    # Single files of the grader's shown read-only at a path of the child's choosing (inside its
    # TMPDIR, say): (the grader's file, where the child sees it).
    placed: tuple[tuple[Path, Path], ...] = ()


@dataclass(frozen=True)
class Isolation:
    mode: str  # "bwrap" or "fence"
    reason: str = ""  # why the fence (empty under bwrap)

    @property
    def announcement(self) -> str:
        if self.mode == "bwrap":
            return "sandbox: bubblewrap (no network, no view of the grader's files or processes)"
        return (
            f"WARNING: sandbox: fence only ({self.reason}); student code can read the grader user's "
            "files and open network connections: grade untrusted code in a container or VM"
        )


def python() -> str:
    """The interpreter children run with: the grader's own (same torch, same ee449)."""
    return sys.executable


# `python -I` ignores PYTHONPATH, the user's site-packages and the cwd; the sandbox's ee449
# (`sandbox.lib`, no reference code) goes first and the submission's own folder last, so `import helper` still works for the student's
# code but a student's pytest.py, random.py, numpy.py or ee449/ never replaces the real one.
BOOT = (
    "import os, sys; sys.path[:0] = sys.argv.pop(1).split(os.pathsep); sys.path.append(sys.argv.pop(1)); "
    "sys.argv[0] = {entry!r}; "
    "import runpy; runpy.run_module({entry!r}, run_name='__main__', alter_sys=True)"
)


def isolated_python(module: str, lib: Path | list[Path], work: Path) -> list[str]:
    """argv running `python -m module` with `lib` (`sandbox.lib`; a list: these, in order) first and
    `work` last on the path."""
    front = os.pathsep.join(str(path) for path in (lib if isinstance(lib, list) else [lib]))
    return [python(), "-I", "-c", BOOT.format(entry=module), front, str(work)]


def installed_ee449() -> tuple[Path, ...]:
    """ee449 as installed in site-packages (not an editable link): hidden from the child, which
    could otherwise load its reference code by path."""
    found = []
    for entry in sys.path:
        if (
            entry
            and ("site-packages" in entry or "dist-packages" in entry)
            and (Path(entry) / "ee449").is_dir()
        ):
            found.append(Path(entry) / "ee449")
    return tuple(found)


def convolving_packages() -> tuple[Path, ...]:
    """The installed folders of CONVOLVING (found without importing them), to show empty."""
    found = []
    for name in CONVOLVING:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            continue
        for location in (spec.submodule_search_locations or []) if spec else []:
            if Path(location).is_dir():
                found.append(Path(location))
    return tuple(found)


SHM_BYTES = 16 * 2**20  # /dev/shm: enough for a semaphore or two, not a RAM disk

ISOLATION_ENV = "EE449_SANDBOX"  # "fence" forces the fallback; "bwrap" refuses to run without it


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
    paths = {
        Path(sys.prefix),
        Path(sys.base_prefix),
        Path(sys.exec_prefix),
        Path(sys.executable).resolve().parent,
    }
    for entry in sys.path:
        if entry and ("site-packages" in entry or "dist-packages" in entry):
            paths.add(Path(entry))
    outside_usr = [p for p in paths if p.exists() and not p.is_relative_to("/usr")]
    return sorted(p for p in outside_usr if not any(p != q and p.is_relative_to(q) for q in outside_usr))


@functools.lru_cache(maxsize=1)
def _bwrap_has_size() -> bool:
    """bubblewrap 0.7+ sizes a tmpfs (`--size`); older ones (Ubuntu 22.04's 0.6) cannot."""
    try:
        done = subprocess.run(
            [shutil.which("bwrap") or "bwrap", "--help"], capture_output=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return b"--size" in done.stdout + done.stderr


def _sized_tmpfs(size: int, path: str) -> list[str]:
    """A tmpfs of `size` bytes at `path`; without `--size`, the grader's measurement is the quota
    (`sandbox.disk_used`) and /dev/shm stays bwrap's own."""
    if _bwrap_has_size():
        return ["--size", str(size), "--tmpfs", path]
    return [] if path == "/dev/shm" else ["--bind", path, path]


def bwrap_argv(mounts: Mounts, cwd: Path, info_fd: int | None = None) -> list[str]:
    """The bwrap command line that runs a child with only `mounts` (and the system) in view;
    `info_fd`: where bwrap writes, as JSON, the PID of the sandbox's init (`zygote` joins it)."""
    # The child's parent is bwrap's init (PID 1 of the new namespace): a SIGKILL sent to it from
    # inside is ignored by the kernel, and its environment is the child's minimal one.
    args = [
        shutil.which("bwrap") or "bwrap",
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
        "--cap-drop",
        "ALL",
        *_system_paths(),
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        *_sized_tmpfs(
            SHM_BYTES, "/dev/shm"
        ),  # else a RAM disk as large as the machine's, outside --memory-mb
    ]
    for path in _python_paths():
        args += ["--ro-bind", str(path), str(path)]
    for path in mounts.readable:
        args += ["--ro-bind", str(path), str(path)]
    for path in mounts.writable:
        args += ["--bind", str(path), str(path)]
    for path in mounts.scratch:
        args += _sized_tmpfs(mounts.scratch_mb * 2**20, str(path))
    for path in mounts.hidden:
        args += ["--tmpfs", str(path)]
    for source, shown_at in mounts.placed:  # after the tmpfs mounts: a file placed inside one stays
        args += ["--ro-bind", str(source), str(shown_at)]
    if info_fd is not None:
        args += ["--info-fd", str(info_fd)]
    return [*args, "--remount-ro", "/", "--chdir", str(cwd)]


@functools.lru_cache(maxsize=4)
def _probe_bwrap(requested: str) -> Isolation:
    del requested  # part of the cache key only: a changed EE449_SANDBOX is probed again
    if shutil.which("bwrap") is None:
        return Isolation("fence", "bubblewrap (bwrap) is not installed")
    probe = tempfile.mkdtemp(prefix="ee449-bwrap-probe-")
    try:
        argv = bwrap_argv(Mounts(writable=(Path(probe),)), Path(probe)) + [
            python(),
            "-c",
            "import socket, os; open('ok', 'w').write(str(os.getpid()))",
        ]
        completed = subprocess.run(
            argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=60, env={"PATH": os.defpath}
        )
        if completed.returncode != 0 or not (Path(probe) / "ok").is_file():
            error = completed.stderr.decode(errors="replace").strip().splitlines()
            return Isolation(
                "fence", f"bwrap cannot run here: {error[-1] if error else completed.returncode}"
            )
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
