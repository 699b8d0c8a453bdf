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

Here: the folder, and the one door to the rest (`run`, `Child`, `Limits`, ...). The package:

    isolation      which mode, and the bwrap command line (`Mounts`: what a child sees)
    limits         what a child may use (time, memory, file size, disk) and what comes back
    processes      a child started, waited for, signalled and closed (`Child`; `run` = start + wait)
    child_io       its stdout/stderr drained through pipes the grader made, capped
    fence          the fence mode's marker and its kill of everything that carries it
    signals        Ctrl-C handed to the main thread, so every child is killed on the way out
    font_cache     matplotlib's font list, built once and shown to every sandbox
    lib            the sandbox's own `ee449` (`grading/sandboxed/` and no reference code)
    running        the student's scripts run as `__main__` (`sandboxed/sandboxed_run_harness`)
    runner         the checks (pytest over `sandboxed/checks/`): the conv pass, then the models
    warm, zygote   one torch import per grading (`sandboxed_warm`), or per grader process
                   (`sandboxed_zygote`, which forks into each grading's sandbox)
    output_folder, progress_log
                   what a child wrote, read back without following links and trusting none of it
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ee449.grading.sandbox.child_io import OUTPUT_BYTES, disk_used  # noqa: F401 - public here
from ee449.grading.sandbox.fence import MARKER_ENV, kill_marked  # noqa: F401 - public here
from ee449.grading.sandbox.limits import (  # noqa: F401 - public here: the sandbox's limits and results
    DISK_MB_DEFAULT,
    FILE_MB_DEFAULT,
    MEMORY_MB_DEFAULT,
    MEMORY_MB_MIN,
    Completed,
    Limits,
    check_memory_mb,
    check_seconds,
)


def make_sandbox(parent: str | os.PathLike | None = None) -> Path:
    """A fresh sandbox folder with `work/`, `tmp/` and `out/` inside."""
    root = Path(tempfile.mkdtemp(prefix="ee449-grade-", dir=parent))
    for name in ("work", "tmp", "out"):
        (root / name).mkdir()
    return root


def copy_submission(source: Path, root: Path, folder: str = "work") -> Path:
    """Copy the submission into `root/folder` (no symlinks followed), so the original is never touched."""
    work = root / folder
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


from ee449.grading.sandbox.processes import (  # noqa: E402, F401 - public here: the sandbox's children
    Child,
    Interrupted,
    resume,
    run,
    stop_all,
    stopped_by_ctrl_c,
)
