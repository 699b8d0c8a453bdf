"""What the grader takes from a running child without trusting it: its output, its disk use.

`Drain` reads a pipe the grader created to its end, keeping a bounded tail (a child can neither
fill the pipe and block, nor fill the grader's memory); `disk_used` measures the folders it
shares with the grader, links not followed, with a bound on how many entries it will walk.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import IO, Sequence

from ee449.grading.sandbox import signals

MAX_ENTRIES = 100_000  # files and folders it may create: a walk of more would be the grader's cost
OUTPUT_BYTES = 20_000  # the tail of each stream the grader keeps (messages quote at most 2,000)


class _Reader:
    """Reads a child's pipe to its end in a daemon thread (`_consume`), so the child never blocks."""

    def __init__(self, stream: IO[bytes] | None):
        self.thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.thread.start()

    def _read(self, stream: IO[bytes] | None) -> None:
        signals.to_the_main_thread()
        if stream is None:
            return
        with stream:
            self._consume(stream)

    def _consume(self, stream: IO[bytes]) -> None:
        raise NotImplementedError

    def join(self) -> None:
        self.thread.join(timeout=5.0)  # the group is dead; a descriptor passed on elsewhere is not waited for


class Drain(_Reader):
    """Keeps only the last OUTPUT_BYTES of a child's pipe."""

    def __init__(self, stream: IO[bytes] | None):
        self.kept = bytearray()
        self.total = 0  # bytes read so far (`text(since=...)`)
        super().__init__(stream)

    def _consume(self, stream: IO[bytes]) -> None:
        while chunk := stream.read1(65536) if hasattr(stream, "read1") else stream.read(65536):
            self.kept += chunk
            self.total += len(chunk)
            del self.kept[:-OUTPUT_BYTES]

    def text(self, since: int = 0) -> str:
        """What it kept of the bytes read after the first `since` (`total` at some earlier moment)."""
        kept = bytes(self.kept)
        return kept[max(0, len(kept) - (self.total - since)) :].decode("utf-8", errors="replace")


class Lines(_Reader):
    """A child's line channel: at most MAX_LINES lines of at most MAX_LINE bytes each are kept
    (longer ones cut); the rest is read and dropped."""

    MAX_LINES = 16
    MAX_LINE = 200

    def __init__(self, stream: IO[bytes] | None):
        self.kept: list[str] = []
        super().__init__(stream)

    def _consume(self, stream: IO[bytes]) -> None:
        for raw in iter(lambda: stream.readline(self.MAX_LINE + 1), b""):
            if len(self.kept) < self.MAX_LINES:
                self.kept.append(raw[: self.MAX_LINE].decode("utf-8", errors="replace").strip())


def disk_used(folders: Sequence[Path]) -> int:
    """Bytes of disk the files under `folders` take (links not followed); past MAX_ENTRIES files
    and folders, more than any quota: a child making a million empty files is stopped too."""
    used, entries = 0, 0
    stack = [str(f) for f in folders]
    while stack:
        try:
            with os.scandir(stack.pop()) as listing:
                for entry in listing:
                    entries += 1
                    if entries > MAX_ENTRIES:
                        return 2**62
                    info = entry.stat(follow_symlinks=False)
                    used += info.st_blocks * 512
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
        except OSError:
            continue
    return used
