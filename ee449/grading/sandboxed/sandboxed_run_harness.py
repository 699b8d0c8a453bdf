"""Run a student's scripts and notebooks with the data and the training stubbed out; record their models.

Runs only inside the sandbox, as `python -I sandboxed_run_harness.py PLAN.json` (`running` starts
it). It imports nothing of ee449: the side that runs beside untrusted code knows nothing of the
side that judges it. Before any student code runs it
  - replaces torchvision's datasets (CIFAR10, MNIST, FashionMNIST, ImageFolder...) by a stand-in of
    the right length, image mode and labels, made of a few random images (the transform passed is
    applied as usual); every DataLoader yields one batch per pass (no worker processes);
  - makes `backward` and the optimizers' `step` no-ops after a few calls, so training loops cost
    forward passes only; moves "cuda" to the CPU; `input()` reads an empty line;
  - records every instance of an `nn.Module` subclass the student defines, when its outermost
    `__init__` returns: class, arguments (as JSON where they can be rebuilt), where it was made,
    its module tree, parameter count and what a [50, 1, 32, 32] batch gives. One JSON line per
    model, flushed at once, so a script that crashes later (a file they did not submit, a plot)
    or runs out of time still leaves every model made before.
A script runs statement by statement, a notebook cell by cell: one that fails is noted and the
next runs; one that makes no model for a while after the last (a training loop) is stopped by an
alarm and the next runs. Each program has a CPU-time budget; then the next program runs.
"""

from __future__ import annotations

import ast
import functools
import json
import linecache
import os
import signal
import sys
import threading
import time
import types

# -I leaves the script's own folder off sys.path: its two helpers are found here, and that folder
# is taken off again (BASE_PATH) before the student's code runs.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from sandboxed_run_recorder import MAX_TEXT, Harness, StopRun, install_recorder  # type: ignore[import-not-found]  # noqa: E402
from sandboxed_run_stubs import install_datasets, install_stubs  # type: ignore[import-not-found]  # noqa: E402

QUIET_S = (
    2.0  # CPU s: a statement that made no model for this long since the last one (or its start) is training
)
QUIET_TRAINING_S = 0.5  # the same for a statement that is visibly training (stubbed steps taken)
TRAINING_STEPS = 10  # stubbed steps and backward passes since the last model that make it "training"
TICK_S = 0.1
WALL_FACTOR = 4  # wall-clock limits are this many times the CPU-time ones


# --- running the programs ------------------------------------------------------------------------


def pieces(program: dict, filename: str) -> list[types.CodeType]:
    """The code objects to run in turn: a notebook's cells; a script's top-level statements, so that
    one failing statement (a data file they did not hand in) does not keep the models after it from
    being made. A script with `from __future__` imports runs whole."""
    text = program["text"]
    if not program.get("cells"):
        try:
            tree = ast.parse(text, filename)
            if not any(isinstance(s, ast.ImportFrom) and s.module == "__future__" for s in tree.body):
                return [compile(ast.Module(body=[s], type_ignores=[]), filename, "exec") for s in tree.body]
            return [compile(text, filename, "exec")]
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return []  # the grader reports a file that does not parse; nothing of it runs
    lines = text.split("\n")
    starts = [start for start, _ in program["cells"]]
    ends = [*starts[1:], len(lines) + 1]
    code = []
    for start, end in zip(starts, ends):
        try:  # blank lines before it keep the cell's line numbers those of the whole text
            code.append(compile("\n" * (start - 1) + "\n".join(lines[start - 1 : end - 1]), filename, "exec"))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
    return code


def run_program(harness: Harness, program: dict) -> str:
    """Run one program as `__main__`; what stopped it ('' when it ended by itself)."""
    rel = program["rel"]
    filename = f"<ee449>/{rel}"
    linecache.cache[filename] = (len(program["text"]), None, program["text"].splitlines(True), filename)
    folder = os.path.join(harness.work, os.path.dirname(rel))
    os.chdir(folder)
    sys.path[:] = [folder, harness.work, *BASE_PATH]
    sys.argv[:] = [os.path.join(harness.work, rel)]  # as `python hw1.py`: argparse sees no arguments
    namespace = {
        "__name__": "__main__",
        "__file__": os.path.join(harness.work, rel),
        "__builtins__": __builtins__,
    }
    harness.program = rel
    harness.started, harness.last_model = time.monotonic(), 0.0
    harness.started_cpu = time.process_time()
    signal.signal(signal.SIGALRM, functools.partial(_tick, harness))
    signal.setitimer(signal.ITIMER_REAL, TICK_S, TICK_S)
    first_error = ""
    try:
        for code in pieces(program, filename):
            if harness.last_model:  # each statement gets its own quiet time (a long data preparation)
                harness.quiet_from_now()
            try:
                exec(code, namespace)  # noqa: S102 - the student's code, in the sandbox
            except (StopRun, KeyboardInterrupt):
                if _out_of_time(harness, time.process_time(), time.monotonic()):
                    return _stopped(harness)
                # A training loop went quiet: the next statement (Part 4 after Part 3) gets its turn.
                signal.setitimer(signal.ITIMER_REAL, TICK_S, TICK_S)
            except SystemExit:
                return first_error or "called sys.exit"
            except BaseException as error:  # noqa: BLE001 - the student's error ends this statement or cell
                first_error = first_error or f"{type(error).__name__}: {error}"[:MAX_TEXT]
        return first_error
    except StopRun:
        return _stopped(harness)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        for name, module in list(sys.modules.items()):  # the student's modules: fresh for the next program
            path = getattr(module, "__file__", None) or ""
            if os.path.realpath(path).startswith(harness.work + os.sep):
                del sys.modules[name]


BASE_PATH = [p for p in sys.path if p and os.path.realpath(p) != os.path.realpath(os.path.dirname(__file__))]


def _stopped(harness: Harness) -> str:
    return f"stopped by the grader after {harness.seconds:g} s of CPU time"


def _out_of_time(harness: Harness, cpu: float, wall: float) -> bool:
    return (
        cpu - harness.started_cpu > harness.seconds or wall - harness.started > WALL_FACTOR * harness.seconds
    )


def _tick(harness: Harness, signum: int, frame: object) -> None:
    # CPU seconds, so that a busy machine (many graders side by side) does not cut programs
    # shorter; wall seconds at a multiple, so that a program that sleeps ends too.
    cpu, wall = time.process_time(), time.monotonic()
    training = harness.steps + harness.backwards - harness.training_mark > TRAINING_STEPS
    limit = QUIET_TRAINING_S if training else QUIET_S
    quiet = harness.last_model and (
        cpu - harness.last_model_cpu > limit or wall - harness.last_model > WALL_FACTOR * limit
    )
    if quiet or _out_of_time(harness, cpu, wall):
        signal.setitimer(signal.ITIMER_REAL, 0)
        raise StopRun


def main(plan_path: str) -> None:
    with open(plan_path, encoding="utf-8") as handle:
        plan = json.load(handle)
    harness = Harness(plan)
    install_stubs(harness)
    install_recorder(harness)
    if plan.get("torchvision"):  # imported before the clock of the first program starts: seconds
        harness.datasets_replaced = True
        install_datasets()
    endings = {}
    for program in harness.programs:
        endings[program["rel"]] = run_program(harness, program)
        harness.write({"program_end": program["rel"], "why": endings[program["rel"]]}, counted=False)
    harness.out.close()
    os._exit(0)  # threads or atexit hooks the student's code left cannot keep the process alive


if __name__ == "__main__" and threading.current_thread() is threading.main_thread():
    main(sys.argv[1])
