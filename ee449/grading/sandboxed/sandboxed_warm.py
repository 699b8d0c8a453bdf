"""One sandboxed interpreter for the student's run and the models' checks: torch imported once.

Runs only inside the sandbox, as

    python -I sandboxed_warm.py HARNESS PLAN NAMESPACE FRONT WORK PYTEST_ARGS...

(`warm` starts it; `sandboxed_zygote` serves the same way from an interpreter it forked into the
sandbox). Importing torch (and torchvision, and the compiler stack an optimizer pulls
in) is most of what both the run of the student's scripts and the models' checks cost; here it
happens once:
  1. import torch, and torchvision when the plan says the scripts use it;
  2. fork: the child runs the harness on PLAN (`sandboxed_run_harness`: the student's scripts,
     stubbed) and exits; what it started is killed (its session; with NAMESPACE "own" or
     "joined", every other process of the sandbox's PID namespace, bwrap's aside); "ran STATUS"
     goes to stdout;
  3. wait for one line on stdin: "go" runs pytest here, unpatched by the run (that was the child),
     with FRONT first and WORK last on sys.path (what `isolation.BOOT` does); anything else ends it.
stdout carries only those lines: the child's output and pytest's go to stderr. Like the harness,
it imports nothing of ee449.
"""

from __future__ import annotations

import ctypes
import gc
import json
import os
import runpy
import signal
import sys
import traceback

PR_SET_DUMPABLE = 4


def _dumpable(flag: int) -> None:
    # Not dumpable: the student's processes cannot open /proc/<this>/fd and write this process's
    # lines to the grader. The child makes itself dumpable again (its own /proc as usual).
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None).prctl(PR_SET_DUMPABLE, flag, 0, 0, 0)
        except (OSError, AttributeError):
            pass


def run_harness(harness: str, plan: str, say: int, status: int | None = None) -> None:
    """In the forked child: the student's run, then exit (never returns)."""
    code = 1
    try:
        os.setsid()
        _dumpable(1)
        os.close(say)
        if status is not None:
            os.close(status)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        sys.argv[:] = [harness, plan]
        runpy.run_path(harness, run_name="__main__")
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else 1
    except BaseException:  # noqa: BLE001 - the harness's own failure: its traceback is the evidence
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def kill_the_rest(spared: tuple[int, ...]) -> None:
    """In a PID namespace of its own (bubblewrap): every process but this one and `spared`."""
    for _ in range(3):  # a leftover may fork while we look
        found = [int(n) for n in os.listdir("/proc") if n.isdigit() and int(n) not in (*spared, os.getpid())]
        for pid in found:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        if not found:
            return


# What else lives in the sandbox's PID namespace: bwrap's init (1); when this process joined the
# sandbox from the zygote (`sandboxed_zygote`), the process bwrap started to hold it open (2).
SPARED = {"own": (1,), "joined": (1, 2)}


def preload(uses_torchvision: bool) -> None:
    import torch  # noqa: F401 - the point: imported once, for both the run and the checks

    if uses_torchvision:
        try:
            import torchvision  # noqa: F401
        except Exception:  # noqa: BLE001 - the run reports it where the student's code imports it
            pass


def serve(argv: list[str], status: int | None = None) -> None:
    """The run in a forked child, "ran N", then on "go" the models pass here (never returns).

    `status`: where a process of the zygote's (`sandboxed_zygote`, which is not its parent and so
    cannot wait for it) writes the status it ends with."""
    harness, plan, namespace, front, work, *pytest_args = argv
    _dumpable(0)

    def end(code: int) -> None:
        if status is not None:
            try:
                os.write(status, f"{code}\n".encode())
            except OSError:
                pass
        os._exit(code)

    say = os.dup(1)  # the line channel to the grader; fd 1 becomes stderr for everything else
    os.dup2(2, 1)
    pid = os.fork()
    if pid == 0:
        run_harness(harness, plan, say, status)
    _, status = os.waitpid(pid, 0)
    try:
        os.killpg(pid, signal.SIGKILL)  # what the run left behind in its session
    except OSError:
        pass
    if namespace in SPARED:
        kill_the_rest(SPARED[namespace])
    code = os.waitstatus_to_exitcode(status)
    os.write(say, f"ran {code if code >= 0 else 128 - code}\n".encode())
    if sys.stdin.readline().strip() != "go":
        end(0)
    os.close(say)
    sys.path[:0] = front.split(os.pathsep)
    sys.path.append(work)
    sys.argv[:] = ["pytest", *pytest_args]
    try:
        runpy.run_module("pytest", run_name="__main__", alter_sys=True)
    except SystemExit as done:
        sys.stdout.flush()
        sys.stderr.flush()
        end(done.code if isinstance(done.code, int) else 1)
    end(0)


def main(argv: list[str]) -> None:
    with open(argv[1], encoding="utf-8") as handle:
        preload(bool(json.load(handle).get("torchvision")))
    # What is imported so far lives as long as the process: the collector never walks it again
    # (with torchvision and the compiler stack loaded, each full collection cost pytest seconds).
    gc.freeze()
    serve(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
