"""The sandbox's children as processes: started, waited for, killed with everything they started.

`Child` is one sandboxed child (the bwrap command line or the fence's shim around its argv, its
limits, the pipes the grader drains); `run` starts one and waits for it. Every live child is
known here, so Ctrl-C (`stop_all`) kills them all. `sandbox` is the public face of this module.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import resource
import signal
import subprocess
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import IO, Callable, Iterator, Sequence

from ee449.grading.sandbox import font_cache
from ee449.grading.sandbox.child_io import Drain, Lines, disk_used
from ee449.grading.sandbox.fence import MARKER_ENV, SHIM, kill_marked
from ee449.grading.sandbox.isolation import Isolation, Mounts, bwrap_argv, isolation, python
from ee449.grading.sandbox.limits import Completed, Limits

DISK_POLL_S = 1.0
POLL_S = 0.05


def _limit(limits: Limits) -> Callable[[], None]:
    def preexec() -> None:  # runs in the child between fork and exec
        memory = limits.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        size = limits.file_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return preexec


_SERIAL = itertools.count()
_LIVE: set[subprocess.Popen] = set()
_LIVE_LOCK = threading.Lock()
_STOP = threading.Event()


class Interrupted(BaseException):
    """`stop_all` was called (Ctrl-C): a BaseException like KeyboardInterrupt, so nothing swallows it."""


def stop_all(stop: threading.Event | None = None) -> None:
    """Kill every running child (each with everything it started) and refuse to start new ones.

    `stop`: the flag of the grading that was interrupted (a class run owns one, see `classroom`);
    without it the process-wide flag, which `resume` clears."""
    (stop or _STOP).set()
    with _LIVE_LOCK:
        live = list(_LIVE)
    for process in live:
        _kill_group(process)


@contextlib.contextmanager
def stopped_by_ctrl_c(process: subprocess.Popen) -> Iterator[None]:
    """While inside, `stop_all` kills `process` (started with start_new_session=True) too: a trusted
    child of the grader's (the reference models) never keeps a Ctrl-C waiting."""
    with _LIVE_LOCK:
        _LIVE.add(process)
    try:
        if _STOP.is_set():
            _kill_group(process)
            raise Interrupted("grading was interrupted")
        yield
    finally:
        with _LIVE_LOCK:
            _LIVE.discard(process)
    if _STOP.is_set():
        raise Interrupted("grading was interrupted")


def resume() -> None:
    """Clear the process-wide stop flag: a grading started after an interrupted one runs again."""
    _STOP.clear()


def run(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: dict[str, str],
    limits: Limits,
    watchdog: Callable[[], bool] | None = None,
    mounts: Mounts | None = None,
    mode: Isolation | None = None,
    stop: threading.Event | None = None,
) -> Completed:
    """Run `argv` (use `sys.executable`) and wait, killing everything it started when it ends.

    Under bwrap the child sees the system, Python, `mounts` and `cwd` (writable) only. `watchdog`
    is called every 50 ms while the child runs; returning True stops the child (the runner uses it
    to stop a check that hangs in C code where an alarm signal cannot reach). Ctrl-C (or
    `stop_all`) kills the child and everything it started before the exception propagates.
    """
    child = Child(argv, cwd=cwd, env=env, limits=limits, mounts=mounts, mode=mode, stop=stop)
    done = child.wait(limits, watchdog)  # closes it, whatever happens
    assert done is not None  # without `until`, wait returns only when the child has ended
    return done


class Child:
    """A started sandboxed child (`run` is start, wait, close). A child started with `talk=True`
    also has a line channel: the grader writes its stdin (`send`) and reads lines from its stdout
    (`lines`, at most MAX_LINES of MAX_LINE bytes: what it says is data, never trusted); its
    stderr is then all its output (`sandboxed_warm` sends the student's output there)."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        cwd: Path,
        env: dict[str, str],
        limits: Limits,
        mounts: Mounts | None = None,
        mode: Isolation | None = None,
        stop: threading.Event | None = None,
        talk: bool = False,
        info: bool = False,
    ) -> None:
        self.stop = stop or _STOP
        if self.stop.is_set():  # before any pipe is made
            raise Interrupted("grading was interrupted")
        mode = mode or isolation()
        self.mode, self.argv = mode, list(argv)
        self.tmp = Path(env["TMPDIR"])  # its scratch folder, within the sandbox's own (quota: `disk_used`)
        # Unique per child: the fence's leftovers of this child only (another child of the same
        # sandbox may be waiting for its turn, see `sandboxed_warm`).
        self.marker = f"{self.tmp}#{next(_SERIAL)}"
        env = {**env, MARKER_ENV: self.marker}
        mounts = mounts or Mounts()
        # Its TMPDIR is a size-limited tmpfs under bwrap (the grader never reads it back); the
        # folders shared with the grader are measured while it runs (`disk_used`).
        self.writable = tuple(p for p in dict.fromkeys((*mounts.writable, Path(cwd))) if p != self.tmp)
        fonts = font_cache.font_list() if "MPLCONFIGDIR" in env else None
        if mode.mode == "bwrap":
            shown = replace(
                mounts, writable=self.writable, scratch=(*mounts.scratch, self.tmp), scratch_mb=limits.disk_mb
            )
            if fonts is not None:  # read-only, inside the fresh tmpfs that is its TMPDIR
                shown = replace(
                    shown, placed=(*shown.placed, (fonts, Path(env["MPLCONFIGDIR"]) / fonts.name))
                )
            info_read, info_write = os.pipe() if info else (-1, -1)
            command = bwrap_argv(shown, Path(cwd), info_write if info else None) + list(argv)
        else:
            if fonts is not None:
                font_cache.seed(fonts, Path(env["MPLCONFIGDIR"]))
            command = [python(), "-c", SHIM, *argv]
            info_read = info_write = -1
        self.started = time.monotonic()
        # Pipes the grader created and drains (never files in a folder the child can write: a link
        # planted there would make the grader truncate or read whatever it points to), each kept to
        # its last OUTPUT_BYTES so a chatty child neither deadlocks nor fills the grader's memory.
        self.process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE if talk else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            preexec_fn=_limit(limits),
            start_new_session=True,
            close_fds=True,
            pass_fds=(info_write,) if info_write >= 0 else (),
        )
        self.lines = Lines(self.process.stdout) if talk else None
        self.drains = [Drain(None if talk else self.process.stdout), Drain(self.process.stderr)]
        self.stdin = self.process.stdin
        self.reported: Callable[[], int | None] | None = None  # an exit status said on a channel
        # stderr before this many bytes is an earlier phase's (the run's, `warm.ran`): a wait reports
        # what came after it. Not the bytes read when a wait starts: a child may have written and
        # ended before then, and what it said is its own.
        self.output_from = 0
        self.closed = False
        with _LIVE_LOCK:
            _LIVE.add(self.process)
        self.pid1 = _read_pid1(info_read, info_write) if info_write >= 0 else None

    def attach(
        self, stdin: IO[bytes], lines: Lines, stderr: Drain, reported: Callable[[], int | None]
    ) -> None:
        """Talk through these instead (pipes to a process that joined this child's sandbox,
        `zygote`): it has ended when `reported()` gives its exit status."""
        self.stdin, self.lines, self.drains, self.reported = stdin, lines, [Drain(None), stderr], reported
        self.output_from = 0

    def wait(
        self,
        limits: Limits,
        watchdog: Callable[[], bool] | None = None,
        until: Callable[[], bool] | None = None,
    ) -> Completed | None:
        """Wait until the child ends (or breaks `limits`, or `watchdog` says so): it is then closed and
        this is how it ended. None when `until()` came true first: the child runs on. The limits'
        timeout counts from this call."""
        start, mark = time.monotonic(), self.output_from
        timed_out = stopped = disk_full = False
        measured, reported = start, None
        try:
            while self.process.poll() is None:
                if self.stop.is_set():
                    raise Interrupted("grading was interrupted")
                if until is not None and until():
                    return None
                reported = self.reported() if self.reported is not None else None
                if reported is not None:
                    break
                if time.monotonic() - start > limits.timeout_s:
                    timed_out = True
                elif watchdog is not None and watchdog():
                    stopped = True
                elif time.monotonic() - measured > DISK_POLL_S:
                    measured = time.monotonic()
                    disk_full = disk_used((*self.writable, self.tmp)) > limits.disk_mb * 2**20
                if timed_out or stopped or disk_full:
                    break
                time.sleep(POLL_S)
        except BaseException:
            self.close()
            raise
        self.close()
        ended = reported if reported is not None else self.process.returncode
        return Completed(
            returncode=None if (timed_out or stopped or disk_full) else ended,
            stdout=self.drains[0].text(),
            stderr=self.drains[1].text(since=mark),
            timed_out=timed_out,
            stopped_by_watchdog=stopped,
            seconds=time.monotonic() - start,
            disk_full=disk_full,
        )

    def send(self, line: str) -> bool:
        """Write one line to its stdin; False when it is gone."""
        try:
            assert self.stdin is not None
            self.stdin.write(line.encode("utf-8") + b"\n")
            self.stdin.flush()
            return True
        except (OSError, ValueError):
            return False

    def alive(self) -> bool:
        return not self.closed and self.process.poll() is None

    def close(self) -> None:
        """Kill it and everything it started (whatever happened: an exit, a kill, Ctrl-C); idempotent."""
        if self.closed:
            return
        self.closed = True
        _kill_group(self.process)
        self.process.wait()
        if self.mode.mode == "fence":
            kill_marked(self.marker)
        with _LIVE_LOCK:
            _LIVE.discard(self.process)
        for stdin in {self.process.stdin, self.stdin} - {None}:
            with contextlib.suppress(OSError):
                stdin.close()  # type: ignore[union-attr]
        for drain in self.drains:  # a grandchild holding the pipe open is dead now: the drains end
            drain.join()
        if self.lines is not None:
            self.lines.join()


def _read_pid1(read_end: int, write_end: int) -> int | None:
    """The PID (the grader's view) of the sandbox's init, from bwrap's --info-fd JSON."""
    os.close(write_end)
    data = b""
    try:
        with os.fdopen(read_end, "rb") as info:
            while b"}" not in data and len(data) < 4096:
                chunk = info.read1(4096)
                if not chunk:
                    break
                data += chunk
        return int(json.loads(data.decode("utf-8"))["child-pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)  # its own session: the child and anything it forked
    except (ProcessLookupError, PermissionError):
        pass
