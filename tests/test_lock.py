"""One writer per output folder: a second holder is refused with the first's PID; a killed holder frees it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ee449.errors import FolderBusy
from ee449.lock import FolderLock

HOLD = """
import sys, time
from ee449.lock import FolderLock
FolderLock(sys.argv[1]).acquire()
print("held", flush=True)
time.sleep(60)
"""


def _holder(folder: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(folder)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    return process


def test_a_second_writer_is_refused_naming_the_first_ones_pid(tmp_path):
    holder = _holder(tmp_path)
    try:
        with pytest.raises(FolderBusy, match=rf"\(PID {holder.pid}\)"):
            FolderLock(tmp_path).acquire()
    finally:
        holder.kill()
        holder.wait()


def test_a_killed_holder_leaves_the_folder_free(tmp_path):
    holder = _holder(tmp_path)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    with FolderLock(tmp_path) as lock:  # the kernel dropped the flock with the process
        assert lock.path.read_text().strip() == str(os.getpid())
    with FolderLock(tmp_path):  # and released again on exit
        pass


def test_the_lock_is_exclusive_within_one_process_too(tmp_path):
    with FolderLock(tmp_path):
        started = time.perf_counter()
        with pytest.raises(FolderBusy):
            FolderLock(tmp_path).acquire()
        assert time.perf_counter() - started < 1, "the second writer waited instead of being refused"
