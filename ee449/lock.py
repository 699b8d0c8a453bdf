"""One writer per output folder: an advisory lock file that names the command holding it.

`FolderLock(folder)` takes `folder/.ee449.lock` with `flock` (exclusive, non-blocking) and writes
its PID there. A second command on the same folder does not wait: it raises `FolderBusy` naming
the first one's PID (the command line exits with status 2). The kernel drops the lock when the
holder exits, however it exits (Ctrl-C, SIGKILL, a crash), so a stale lock file never blocks a
later run; the file itself stays, holding the last holder's PID.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from ee449.errors import FolderBusy

LOCK_NAME = ".ee449.lock"
__all__ = ["LOCK_NAME", "FolderBusy", "FolderLock"]


class FolderLock:
    def __init__(self, folder: str | os.PathLike):
        self.path = Path(folder) / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> FolderLock:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise FolderBusy(
                f"{self.path.parent} is being written by another ee449 command (PID {holder}); "
                "wait for it to finish, or choose another --out"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock
            self._fd = None

    def __enter__(self) -> FolderLock:
        return self.acquire()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.release()
