"""ee449.training.allocator: freed memory stays in the process, judged by glibc's own accounting."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys

import pytest

from ee449.training import allocator
from tests.helpers.assertions import assert_equal

pytestmark = pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
    reason="mallopt and mallinfo2 are glibc's",
)

# In a fresh interpreter, with or without keep_freed_memory() first: malloc and free one block
# of BLOCK bytes, then read how many free bytes the heap holds (mallinfo2's fordblks). The first
# free of the process is compared: later ones are kept anyway by glibc's dynamic thresholds.
_PROBE = """
import ctypes, importlib.util, json, sys
# Loaded from its file: importing the ee449.training package would import torch, whose own
# allocations move glibc's dynamic thresholds before the probe runs.
spec = importlib.util.spec_from_file_location("allocator", sys.argv[3])
allocator = importlib.util.module_from_spec(spec)
spec.loader.exec_module(allocator)
libc = ctypes.CDLL("libc.so.6")
class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]
libc.mallinfo2.restype = MallInfo2
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
def kept_after_free(size):
    block = libc.malloc(size)
    ctypes.memset(block, 1, size)  # touch it: pages really allocated
    libc.free(block)
    return libc.mallinfo2().fordblks
applied = allocator.keep_freed_memory() if sys.argv[2] == "apply" else None
print(json.dumps({"applied": applied, "kept": kept_after_free(int(sys.argv[1]))}))
"""
BLOCK = 24 << 20  # 24 MiB: above glibc's default mmap threshold, below the 32 MiB we set


def _probe(apply: bool, switch: str | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != allocator.ENV_SWITCH}
    if switch is not None:
        env[allocator.ENV_SWITCH] = switch
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(BLOCK), "apply" if apply else "default", allocator.__file__],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_freed_blocks_go_back_to_the_kernel_by_default_and_stay_after_keep_freed_memory():
    default, applied = _probe(apply=False), _probe(apply=True)
    assert applied["applied"] is True, applied
    assert default["kept"] < BLOCK, f"glibc kept the freed block without being asked: {default}"
    assert applied["kept"] >= BLOCK, f"the freed block was not kept for reuse: {applied}"


def test_the_environment_switch_leaves_malloc_as_it_is():
    figures = _probe(apply=True, switch="0")
    assert figures["applied"] is False, figures
    assert figures["kept"] < BLOCK, f"the switch was ignored: {figures}"


def test_keep_freed_memory_is_applied_once_per_process():
    allocator.keep_freed_memory.cache_clear()  # mallopt again here is harmless: same thresholds
    first, second = allocator.keep_freed_memory(), allocator.keep_freed_memory()
    assert_equal(second, first, "the second call's answer")
    info = allocator.keep_freed_memory.cache_info()
    assert_equal((info.misses, info.hits), (1, 1), "mallopt applied by the first call only")
