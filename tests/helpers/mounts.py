"""Small real file systems for fault tests: a tiny tmpfs (a disk that fills up) and a read-only one.

Mounting needs root (or CAP_SYS_ADMIN); where it is not allowed the test is skipped, saying so.
A read-only mount is refused to root as well, unlike a folder whose mode bits say read-only.
"""

from __future__ import annotations

import contextlib
import subprocess
from pathlib import Path
from typing import Iterator

import pytest


def _mount(folder: Path, options: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.skip(
            f"cannot mount a tmpfs here ({done.stderr.strip() or 'mount failed'}): needs root in a "
            "machine that allows mounts"
        )


@contextlib.contextmanager
def tmpfs(folder: Path, size: str, read_only: bool = False) -> Iterator[Path]:
    """A tmpfs of `size` (e.g. '1200k') at `folder`, unmounted afterwards."""
    _mount(folder, f"size={size}" + (",ro" if read_only else ""))
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def resize(folder: Path, size: str) -> None:
    """Grow (or shrink) a mounted tmpfs: the 'free some space' of a disk-full test."""
    subprocess.run(["mount", "-o", f"remount,size={size}", str(folder)], check=True, capture_output=True)


def fill(folder: Path) -> None:
    """Write zeros into `folder` until its file system is full."""
    with contextlib.suppress(OSError), open(folder / "filler", "wb", buffering=0) as handle:
        while True:
            handle.write(b"\0" * 4096)
