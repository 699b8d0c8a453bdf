"""What a sandboxed child may use (`Limits`: time, memory, file size, disk) and what comes back (`Completed`).

The grader's settings are checked here before any child starts: a limit that would fail every
student (a timeout of 0 or inf, too little memory for torch's import) is refused with one line.
`sandbox.run` applies them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MEMORY_MB_DEFAULT = 6144  # torch alone maps ~3.4 GB of address space (VmPeak, measured)
MEMORY_MB_MIN = 4096  # the least the checks need (measured on the correct fixture: see README, Safety)
FILE_MB_DEFAULT = 256  # the largest file the child may write: no disk bombs
DISK_MB_DEFAULT = 1024  # a submission's copy, its scratch files and records: tens of MB


@dataclass(frozen=True)
class Limits:
    timeout_s: float = 300.0  # wall clock for the whole child process
    memory_mb: int = MEMORY_MB_DEFAULT  # RLIMIT_AS
    file_mb: int = FILE_MB_DEFAULT  # RLIMIT_FSIZE
    disk_mb: int = DISK_MB_DEFAULT  # all files together, in the folders it may write (`disk_used`)

    def __post_init__(self) -> None:
        check_seconds("timeout", self.timeout_s)
        if self.memory_mb < 1024:
            raise ValueError(
                f"memory limit must be at least 1024 MB (torch needs ~3.4 GB), got {self.memory_mb}"
            )


def check_seconds(what: str, seconds: float) -> None:
    """A time limit must be a finite number of seconds above zero (inf and nan would disable it)."""
    if (
        isinstance(seconds, bool)
        or not isinstance(seconds, (int, float))
        or not math.isfinite(seconds)
        or seconds <= 0
    ):
        raise ValueError(f"{what} must be a finite number of seconds above 0, got {seconds!r}")


def check_memory_mb(memory_mb: int) -> None:
    """Below MEMORY_MB_MIN torch cannot even import: every check would fail for the grader's setting."""
    if isinstance(memory_mb, bool) or not isinstance(memory_mb, int) or memory_mb < MEMORY_MB_MIN:
        raise ValueError(
            f"--memory-mb must be at least {MEMORY_MB_MIN} (torch and the checks need that much "
            f"address space), got {memory_mb!r}"
        )


@dataclass(frozen=True)
class Completed:
    returncode: int | None  # None when killed by us
    stdout: str
    stderr: str
    timed_out: bool
    stopped_by_watchdog: bool
    seconds: float
    disk_full: bool = False  # killed for writing more than `Limits.disk_mb`
