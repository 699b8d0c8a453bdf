"""One interpreter with torch imported for every grading of a grader process, forked into each sandbox.

Started by the grader (`zygote`) as `python -I sandboxed_zygote.py` with a Unix socket as fd 3.
It runs our code only, outside any sandbox, and never student code: it imports torch (and
torchvision), then for each request (JSON, with three pipe ends the grader made: stdin, stdout,
stderr) forks a child that
  1. opens the namespaces and the root of the request's sandbox (a bubblewrap sandbox the grader
     started, holding nothing but a sleeping process: its PID 1 is `pid1`) and joins them (user
     where it has one of its own, then mount, PID, network, IPC, UTS, cgroup), then chroots into its
     root, as `nsenter` does;
  2. forks again (a PID namespace is entered by a child) and in that grandchild: makes the three
     pipes its stdio and closes every other descriptor but a status pipe and a socket back to the
     child, drops every capability (bounding set, ambient, then the rest) and sets no_new_privs,
     applies the limits, the environment and the folder of the request, checks all that from
     /proc/self/status, says "ready", then forks the process that serves the request as
     `sandboxed_warm` does (the run in a forked child, "ran N", then "go" and the models pass),
     hands the child a pidfd of it, and exits: the served process is adopted by the sandbox's
     PID 1, bubblewrap's init, as bubblewrap's own child is its child. Its parent is then a
     process it can see and cannot kill (a student's `os.kill(os.getppid(), SIGKILL)` does nothing
     here, as under bubblewrap alone), where a parent outside the sandbox would read as PID 0;
  3. waits (outside the sandbox, where nothing in it can see or signal it) for the served process
     to end, through the pidfd, and writes "exit N" on the stdout pipe: N as the served process
     wrote it on the status pipe when it ended, or 137 when it was killed before it could.
So each sandbox still holds one student's code only, with bubblewrap's own view, and torch is
imported once per grader process instead of once per grading. A grandchild that fails a step
exits with status 97 before any student code runs; the grader then grades that submission the
way it does without a zygote. Like the other sandboxed_* modules, it imports nothing of ee449.
"""

from __future__ import annotations

import ctypes
import fcntl
import gc
import importlib.util
import json
import os
import resource
import select
import signal
import socket
import tempfile
import traceback

CLONE = {"user": 0x10000000, "mnt": 0x00020000, "pid": 0x20000000, "net": 0x40000000}
CLONE |= {"ipc": 0x08000000, "uts": 0x04000000, "cgroup": 0x02000000}
JOINED = ("mnt", "pid", "net", "ipc", "uts", "cgroup")  # after "user", in this order
SETUP_FAILED = 97
KILLED = 137  # the status of a served process that ended without saying one (128 + SIGKILL)
STATUS_FD, SOCKET_FD = 3, 4  # in the grandchild, beside its stdio: the status pipe, the socket back
PR_CAPBSET_DROP, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, PR_SET_NO_NEW_PRIVS = 24, 47, 4, 38
LINUX_CAPABILITY_VERSION_3 = 0x20080522

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")


def join(pid1: int) -> None:
    """Enter the namespaces and the root of the process `pid1` (every descriptor opened first:
    once in its mount namespace, /proc is the sandbox's)."""
    names = ("user", *JOINED)
    own = {name: os.stat(f"/proc/self/ns/{name}").st_ino for name in names}
    fds = {name: os.open(f"/proc/{pid1}/ns/{name}", os.O_RDONLY) for name in names}
    root = os.open(f"/proc/{pid1}/root", os.O_RDONLY)
    try:
        for name in names:  # user first: the others are joined with its capabilities
            if os.fstat(fds[name]).st_ino != own[name]:
                _check(_libc.setns(fds[name], CLONE[name]), f"setns {name}")
        os.fchdir(root)
        os.chroot(".")
    finally:
        for fd in (*fds.values(), root):
            os.close(fd)


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


def drop_privileges() -> None:
    for cap in range(64):
        _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)  # EINVAL past the last capability: fine
    _libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    header, data = _CapHeader(LINUX_CAPABILITY_VERSION_3, 0), (_CapData * 2)()
    _check(_libc.capset(ctypes.byref(header), data), "capset")
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")


def verify_privileges() -> None:
    """From the kernel's own account: no capability of any kind, no_new_privs set."""
    with open("/proc/self/status", encoding="ascii") as handle:
        status = dict(line.split(":", 1) for line in handle.read().splitlines() if ":" in line)
    for field in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
        if int(status.get(field, "1").strip(), 16) != 0:
            raise OSError(f"{field} is not empty")
    if status.get("NoNewPrivs", "0").strip() != "1":
        raise OSError("no_new_privs is not set")


def _limits(request: dict) -> None:
    memory, size = request["memory_mb"] * 2**20, request["file_mb"] * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _place(fds: list[int]) -> None:
    """fds[i] onto descriptor i (through copies above them all, so that none is overwritten first)."""
    high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 256) for fd in fds]
    for target, fd in enumerate(high):
        os.dup2(fd, target)
    for fd in high:
        os.close(fd)


def _close_the_rest(kept: int) -> None:
    """Every descriptor from `kept` on (the zygote's socket above all)."""
    for name in os.listdir("/proc/self/fd"):
        if int(name) >= kept:
            try:
                os.close(int(name))
            except OSError:
                pass  # the listing's own, closed already
    os.closerange(kept, 4096)  # and whatever /proc did not show


def grandchild(request: dict, fds: list[int], warm: object) -> None:
    """In the sandbox: the served process started and handed to the sandbox's init (never returns).
    `fds`: stdin, stdout and stderr, the status pipe's write end, the socket back to the child."""
    try:
        _place(fds)
        _close_the_rest(SOCKET_FD + 1)
        os.setsid()
        drop_privileges()
        verify_privileges()
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        tempfile.tempdir = None  # found again from TMPDIR (this interpreter may have cached another)
        _limits(request)
        os.write(1, b"ready\n")
        pid = os.fork()
        if pid == 0:
            served(warm, request["argv"])
        try:
            handed = socket.socket(fileno=SOCKET_FD)
            socket.send_fds(handed, [b"served"], [os.pidfd_open(pid)])
        except BaseException:
            os.kill(pid, signal.SIGKILL)  # not handed over: it must not run unwatched
            raise
    except BaseException as error:  # noqa: BLE001 - nothing of the student's has run: say why, stop
        os.write(2, f"zygote: {type(error).__name__}: {error}\n".encode())
        os._exit(SETUP_FAILED)
    os._exit(0)  # the served process is the sandbox's init's now


def served(warm: object, argv: list[str]) -> None:
    """The process that serves the request, once its parent has gone (never returns)."""
    os.close(SOCKET_FD)
    try:
        warm.serve(argv, STATUS_FD)  # type: ignore[attr-defined]
    except BaseException:  # noqa: BLE001 - serve ends the process itself; this is its own failure
        traceback.print_exc()
    os._exit(1)


def _received_pidfd(channel: socket.socket) -> int | None:
    """The pidfd the grandchild hands over; None when it ended without one (its set-up failed)."""
    try:
        _, fds, _, _ = socket.recv_fds(channel, 16, 1)
    except OSError:
        return None
    return fds[0] if fds else None


def _said_status(status: int) -> int:
    """The status the served process wrote when it ended (the last one written), else KILLED."""
    os.set_blocking(status, False)
    said = b""
    try:
        while chunk := os.read(status, 4096):
            said = (said + chunk)[-64:]
    except BlockingIOError:
        pass  # a process it started holds the pipe open: what was written is all there is
    last = said.strip().rsplit(b"\n", 1)[-1] if said.strip() else b""
    return int(last) if last.isdigit() and int(last) <= 255 else KILLED


def child(request: dict, pipes: list[int], warm: object) -> None:
    """Forked per request, outside the sandbox: join it, fork the grandchild, report the served
    process's end."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    status_fd = os.dup(pipes[1])  # "exit N" goes on the stdout pipe, from here only
    code = SETUP_FAILED
    try:
        status_r, status_w = os.pipe()
        mine, theirs = socket.socketpair()
        join(request["pid1"])
        pid = os.fork()
        if pid == 0:
            os.close(status_fd)
            os.close(status_r)
            mine.close()
            grandchild(request, [*pipes, status_w, theirs.fileno()], warm)
        for fd in (*pipes, status_w):
            os.close(fd)
        theirs.close()
        pidfd = _received_pidfd(mine)
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        code = code if code >= 0 else 128 - code
        if pidfd is not None:
            ended = select.poll()
            ended.register(pidfd, select.POLLIN)
            ended.poll()  # readable once the served process has ended
            code = _said_status(status_r)
    except BaseException as error:  # noqa: BLE001 - reported as the setup's failure
        try:
            os.write(pipes[2], f"zygote: {type(error).__name__}: {error}\n".encode())
        except OSError:
            pass
    finally:
        try:
            os.write(status_fd, f"exit {code}\n".encode())
        finally:
            os._exit(0)


def main() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location("sandboxed_warm", os.path.join(here, "sandboxed_warm.py"))
    assert spec is not None and spec.loader is not None
    warm = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(warm)
    warm.preload(True)
    gc.freeze()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the children are reaped by the kernel
    channel = socket.socket(fileno=3)
    while True:
        try:
            message, pipes, _, _ = socket.recv_fds(channel, 65536, 3)
        except OSError:
            return
        if not message:
            return  # the grader is gone
        try:
            request = json.loads(message)
        except ValueError:
            request = None
        if len(pipes) != 3 or not isinstance(request, dict):
            for fd in pipes:
                os.close(fd)
            continue
        if os.fork() == 0:
            channel.close()
            child(request, pipes, warm)
        for fd in pipes:
            os.close(fd)


if __name__ == "__main__":
    main()
