"""Reading back what a sandboxed child wrote, without following any link it planted."""

from __future__ import annotations

import os
import stat
from pathlib import Path


class OutputFolder:
    """A folder the child could write, read without following any link it may have planted there.

    Every name is opened relative to the folder (openat) with O_NOFOLLOW, the folder itself too,
    and only regular files up to a size limit are read: a child that replaces a file or the
    folder by a link to /etc/shadow gets nothing read back.
    """

    def __init__(self, root: Path, *parts: str):
        self.root, self.parts = Path(root), parts

    def names(self, limit: int) -> list[str]:
        """The names of up to `limit` regular files in the folder, reached without links ([] when the
        folder is not one); the caller reads each with `read`, which checks again."""
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        directory = getattr(os, "O_DIRECTORY", 0)
        fds: list[int] = []
        try:
            fds.append(os.open(self.root, flags | directory))
            for part in self.parts:
                fds.append(os.open(part, flags | directory, dir_fd=fds[-1]))
            found = []
            with os.scandir(os.dup(fds[-1])) as entries:
                for entry in entries:
                    if entry.is_file(follow_symlinks=False):
                        found.append(entry.name)
                    if len(found) >= limit:
                        break
            return sorted(found)
        except OSError:
            return []
        finally:
            for fd in fds:
                os.close(fd)

    def read(self, name: str, limit: int) -> bytes | None:
        """The whole file `name` when it is a regular file of at most `limit` bytes, else None."""
        return self.read_from(name, 0, limit, whole=True)

    def read_from(self, name: str, offset: int, limit: int, whole: bool = False) -> bytes | None:
        """Up to `limit` bytes of `name` from `offset` (a log read as it grows); None when it is not
        a regular file reached without links, or (`whole`) when it holds more than `limit` bytes."""
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
            if not stat.S_ISREG(info.st_mode) or (whole and info.st_size > limit):
                return None
            with os.fdopen(os.dup(fds[-1]), "rb") as handle:
                handle.seek(offset)
                data = handle.read(limit + 1 if whole else limit)
            return None if whole and len(data) > limit else data
        except OSError:
            return None
        finally:
            for fd in fds:
                os.close(fd)
