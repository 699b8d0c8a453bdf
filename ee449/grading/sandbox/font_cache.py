"""matplotlib's font list, built once per grader process and copied into every sandbox.

Each sandbox starts with an empty matplotlib config folder (`sandbox.minimal_env`), and a
matplotlib that finds no font list scans every system font to build one: about 1 s of CPU in
every child that imports pyplot (measured: `import matplotlib.pyplot` with a fresh MPLCONFIGDIR
1.6-1.7 s, with the list already there 0.7 s), two or three times per grading. The list is the
same for every child (the system and site-packages are the grader's, read-only in the sandbox),
so the grader builds it once, in a trusted child of its own that runs no student code and sees
what a sandboxed child sees (under bubblewrap, the same mounts: the list is the one the child
would have built), and places the file in each sandbox's config folder before the student's code
starts (read-only under bubblewrap; a copy under the fence, where a student who edits it only
changes their own plots).
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from ee449.grading.sandbox.isolation import Mounts, bwrap_argv, isolation

BUILD_TIMEOUT_S = 120.0


_LOCK = threading.Lock()
_BUILT: list[Path | None] = []  # [] not tried yet; [None] the build failed (never retried); [path]


def font_list() -> Path | None:
    """The font list file (`fontlist-v*.json`), or None when matplotlib is absent or fails: then
    each sandbox builds its own, as before (slower, never wrong). Built again if the file is gone
    (a /tmp cleaner during a class run of days)."""
    with _LOCK:
        if not _BUILT or (_BUILT[0] is not None and not _BUILT[0].is_file()):
            _BUILT[:] = [_build()]
        return _BUILT[0]


def _build() -> Path | None:
    folder = Path(tempfile.mkdtemp(prefix="ee449-matplotlib-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)  # one small folder per grader process
    env = {"PATH": os.defpath, "MPLCONFIGDIR": str(folder), "MPLBACKEND": "Agg", "LANG": "C.UTF-8"}
    command = [sys.executable, "-I", "-c", "import matplotlib.font_manager"]
    if isolation().mode == "bwrap":
        command = bwrap_argv(Mounts(writable=(folder,)), folder) + command
    try:
        subprocess.run(
            command,
            env=env,
            cwd=folder,
            timeout=BUILD_TIMEOUT_S,
            check=True,
            capture_output=True,
        )
    except (OSError, subprocess.SubprocessError, ValueError):  # ValueError: a bad EE449_SANDBOX
        return None
    built = sorted(folder.glob("fontlist-*.json"))
    return built[-1] if built else None


def seed(source: Path, config_folder: Path) -> None:
    """Put a copy of the font list `source` (`font_list()`) into `config_folder` (a sandbox's
    MPLCONFIGDIR, created here)."""
    config_folder.mkdir(parents=True, exist_ok=True)
    try:
        shutil.copyfile(source, config_folder / source.name)
    except OSError:  # gone since it was checked: this sandbox builds its own
        pass
