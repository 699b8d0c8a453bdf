"""Keep freed memory in the process on the CPU, so that training does not page-fault.

Why: every chunk of a validation pass allocates activations of 1 to 15 MB and frees them a
moment later. glibc's malloc serves blocks that large with mmap (above a threshold that starts
at 128 KiB) and gives freed memory back to the kernel (above a trim threshold), so the next
chunk's allocation is fresh pages that fault in one at a time. On the 2-core development VM
that made a cnn_4 validation pass anywhere from 0.8 to 1.7 s instead of 0.5 s, with a third of
the CPU time spent in the kernel (benchmarks/RESULTS.md, "the CPU allocator").

`keep_freed_memory()` raises both thresholds with `mallopt`, once per process. It changes how
much memory the process keeps (up to the largest working set it has had), not what it
computes. On anything but glibc (macOS, musl) it does nothing and says so by returning False;
so does it with the environment variable EE449_KEEP_FREED_MEMORY=0 (to compare, or to keep a
process's resident memory small).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
import platform

ENV_SWITCH = "EE449_KEEP_FREED_MEMORY"
_M_TRIM_THRESHOLD = -1  # glibc's mallopt parameter numbers (malloc.h)
_M_MMAP_THRESHOLD = -3
TRIM_THRESHOLD = 1 << 30  # keep up to 1 GiB of freed heap instead of returning it
MMAP_THRESHOLD = 32 << 20  # glibc's maximum: blocks below 32 MiB come from the reusable heap


@functools.cache
def keep_freed_memory() -> bool:
    """Make glibc keep freed memory for reuse; True when applied, False where not glibc."""
    libc = _glibc()
    if libc is None or os.environ.get(ENV_SWITCH, "1").strip() == "0":
        return False
    # mallopt returns 1 on success; a fixed mmap threshold also stops glibc's dynamic rule from
    # lowering it again.
    return bool(libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )


def _glibc() -> ctypes.CDLL | None:
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "mallopt") else None
