"""The grader process's zygote: torch imported once per process, forked into each grading's sandbox.

`sandboxed_zygote` (our code only, outside every sandbox) imports torch and torchvision once.
For a grading under bubblewrap, `warm.start` starts the sandbox with a sleeping process in it
(`HOLDER`), and asks the zygote for a process that joins that sandbox's namespaces and root,
drops every privilege and serves as `sandboxed_warm` does: the student's run, "ran N", then "go"
and the models pass. The three pipes it talks through are made here and passed over the zygote's
Unix socket; the zygote writes "exit N" on the stdout pipe when that process ends (the serving
process is adopted by the sandbox's init, bwrap's, as bwrap's own child is its child; the zygote
watches it through a pidfd). The sandbox itself is bwrap's, as for every other child
(`processes.Child`): killing it ends everything in it.

Used only under bubblewrap, and only while it works: a zygote whose process fails its set-up
(status 97: nothing of the student's had run) or is not ready in time is not asked again in this
process, which then starts a warm interpreter per grading; one that dies (a fence-mode student
can kill it) is started again, at most MAX_STARTS times. `EE449_ZYGOTE=0` turns it off.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import threading
from pathlib import Path
from typing import Callable

from ee449.grading.sandbox.child_io import Drain, Lines
from ee449.grading.sandbox.isolation import python
from ee449.grading.sandbox.processes import Child

ZYGOTE = (
    Path(__file__).resolve().parents[1] / "sandboxed" / "sandboxed_zygote.py"
)  # our code, started by path
# bwrap starts its command last, once every mount is in place: the holder's "up" is the sign that
# the sandbox is whole (bwrap's --info-fd comes earlier, while it is still being built).
HOLDER = ("-I", "-c", "import sys, time\nprint('up', flush=True)\nwhile True: time.sleep(3600)")
UP = "up"
ENV = "EE449_ZYGOTE"
EXIT = re.compile(r"exit (\d{1,3})")
# What torch and Python read when they start (a joined process gets its request's environment
# after that): the sandbox's values (`sandbox.minimal_env`).
ENVIRONMENT = {
    "PATH": os.defpath,
    "LANG": "C.UTF-8",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "CUDA_VISIBLE_DEVICES": "",
}
READY = "ready"  # the joined process, once set up (before any student code)
BOOT = (
    "import os, runpy, sys; os.dup2({fd}, 3); {fd} != 3 and os.close({fd}); sys.argv = [{path!r}]; "
    "runpy.run_path({path!r}, run_name='__main__')"
)


class Zygote:
    """The zygote process and the socket to it (one per grader process: `shared`)."""

    def __init__(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        os.set_inheritable(theirs.fileno(), True)
        # Its fd 3 is the socket: dup2 in the child (pass_fds keeps the number it has here).
        self.process = subprocess.Popen(
            [python(), "-I", "-c", BOOT.format(fd=theirs.fileno(), path=str(ZYGOTE))],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={
                "PATH": os.defpath,
                "OMP_NUM_THREADS": "1",
                "MKL_NUM_THREADS": "1",
                "CUDA_VISIBLE_DEVICES": "",
            },
            cwd="/",
            pass_fds=(theirs.fileno(),),
            start_new_session=True,
        )
        theirs.close()
        self.socket = ours
        self.lock = threading.Lock()
        self.broken = False

    def alive(self) -> bool:
        return not self.broken and self.process.poll() is None

    def join(self, holder: Child, request: dict) -> bool:
        """Ask for a process in `holder`'s sandbox and attach its pipes to `holder`; False when it
        cannot be asked (the caller then starts its own interpreter)."""
        if holder.pid1 is None or not self.alive():
            return False
        stdin_r, stdin_w = os.pipe()
        stdout_r, stdout_w = os.pipe()
        stderr_r, stderr_w = os.pipe()
        try:
            with self.lock:
                socket.send_fds(
                    self.socket,
                    [json.dumps({**request, "pid1": holder.pid1}).encode()],
                    [stdin_r, stdout_w, stderr_w],
                )
        except OSError:  # it is gone: `shared` starts another next time
            self.process.kill()
            for fd in (stdin_r, stdin_w, stdout_r, stdout_w, stderr_r, stderr_w):
                os.close(fd)
            return False
        for fd in (stdin_r, stdout_w, stderr_w):
            os.close(fd)
        lines = Lines(os.fdopen(stdout_r, "rb"))
        holder.attach(
            os.fdopen(stdin_w, "wb"), lines, Drain(os.fdopen(stderr_r, "rb")), self._reported(lines)
        )
        return True

    @staticmethod
    def _reported(lines: Lines) -> Callable[[], int | None]:
        """The joined process's exit status, once the zygote has said it."""

        def reported() -> int | None:
            said = next((EXIT.fullmatch(line) for line in lines.kept if EXIT.fullmatch(line)), None)
            return int(said.group(1)) if said else None

        return reported

    def close(self) -> None:
        self.socket.close()
        try:
            self.process.kill()
            self.process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            pass


_SHARED: Zygote | None = None
_SHARED_LOCK = threading.Lock()
_STARTS = [0]
MAX_STARTS = 3  # a zygote that dies (killed from outside: a fence-mode student can) is started again


def shared() -> Zygote | None:
    """This process's zygote, started on first use; None when turned off or broken."""
    global _SHARED
    if os.environ.get(ENV, "1") == "0":
        return None
    with _SHARED_LOCK:
        if _SHARED is not None and not _SHARED.broken and _SHARED.process.poll() is not None:
            _SHARED.close()
            _SHARED = None  # died without failing a set-up: once more
        if _SHARED is None and _STARTS[0] < MAX_STARTS:
            _STARTS[0] += 1
            try:
                _SHARED = Zygote()
            except OSError:
                return None
        return _SHARED if _SHARED is not None and _SHARED.alive() else None
