"""Which models the student's own code builds: run it in the sandbox with the data and training stubbed.

The student's entry points (scripts no other file of theirs imports, and notebooks, cells in
order) run as `__main__` in one sandboxed process (`sandboxed_run_harness`, torch imported
once) on a copy of the submission, so nothing they write reaches the graded folder. The harness
leaves one JSON line per model; they are read here without trusting them (the student's code could
have written that file): every field is checked for type and size, and a line that fails is
dropped. `run_matching` decides which record is which architecture.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ee449.grading import sandbox, sources
from ee449.grading.isolation import Isolation, Mounts, python
from ee449.grading.output_folder import OutputFolder

HARNESS = Path(__file__).resolve().parent / "sandboxed_run_harness.py"
RECORDS = "models.jsonl"
MAX_RECORD_BYTES = 8 * 2**20
SECONDS_PER_PROGRAM = 6.0  # stubbed data and training: a typical script makes its models in under 1 s
STARTUP_S = 60.0  # Python, torch and torchvision's import on a busy machine (measured: 20 s at load 18)
WALL_FACTOR = 4  # the harness's wall-clock limit per program is this many times its CPU-time one
MAX_PROGRAMS = 6
_QUALNAME = re.compile(r"^[A-Za-z_][\w.<>]{0,199}$")
_TORCH_PATH = re.compile(r"^torch(\.[A-Za-z_]\w*){1,6}$")


@dataclass(frozen=True)
class Layer:
    """One module of a recorded model's tree: its type and the attributes that make its shape."""

    type: str
    torch: bool
    in_size: int | None = None  # in_features or in_channels
    out_size: int | None = None  # out_features or out_channels
    kernel: tuple[int, ...] | None = None
    padding: str = ""
    bias: bool | None = None


@dataclass(frozen=True)
class RecordedModel:
    """A model the student's code made while it ran (validated: every field has its type)."""

    class_name: str  # qualname: `CNN_3`, `Learner`, `main.<locals>.Net`
    defined_file: str  # the student's file that defines the class ('' when unknown)
    defined_line: int
    args: (
        tuple[object, ...] | None
    )  # construction JSON (as `constructions.Construction`); None: not rebuildable
    kwargs: tuple[tuple[str, object], ...]
    arguments_repr: str
    program: str  # the script or notebook that ran
    file: str  # where the constructor was called
    line: int
    text: str  # that line of code
    function: str  # the function that called it ('<module>' at the top level)
    nested: bool  # made inside another model's __init__ (a block of a bigger model)
    parameters: int
    layers: tuple[Layer, ...]
    output: tuple[int, ...] | None  # what a [50, 1, 32, 32] batch gives
    error: str  # why the batch failed ('' when it ran)
    order: int  # position in the run: earlier models were made first


@dataclass(frozen=True)
class Run:
    """What running the student's code gave: the models, and how each program ended."""

    models: tuple[RecordedModel, ...] = ()
    endings: tuple[tuple[str, str], ...] = ()  # (program, '' or why it stopped)
    ran: tuple[str, ...] = ()  # the programs run, in order
    failure: str = ""  # why nothing could be read back ('' when the run went through)
    notes: list[str] = field(default_factory=list)


# --- what to run ---------------------------------------------------------------------------------


def _imported_stems(tree: ast.Module) -> set[str]:
    stems = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            stems |= {part for alias in node.names for part in alias.name.split(".")}
        elif isinstance(node, ast.ImportFrom) and node.module:
            stems |= set(node.module.split("."))
            stems |= {alias.name for alias in node.names}
    return stems


def programs(work: Path) -> list[dict]:
    """The entry points: notebooks, and scripts that no other file of the student imports."""
    found = sources.read_sources(work).files
    imported: set[str] = set()
    for source in found:
        try:
            imported |= _imported_stems(ast.parse(source.text))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
    chosen = [s for s in found if s.kind == "ipynb" or Path(s.rel).stem not in imported]
    return [
        {"rel": s.rel, "text": s.text, "cells": [list(c) for c in s.cell_starts]}
        for s in chosen[:MAX_PROGRAMS]
    ]


# --- running ---------------------------------------------------------------------------------------


def run_student_code(work: Path, memory_mb: int, mode: Isolation | None = None) -> Run:
    """Run the submission's entry points (copied: `work` is never written) and read back their models."""
    plan_programs = programs(work)
    if not plan_programs:
        return Run(failure="no script or notebook to run")
    root = sandbox.make_sandbox()
    try:
        copy = sandbox.copy_submission(work, root)
        plan = {
            "work": str(copy),
            "records": str(root / "out" / RECORDS),
            "seconds_per_program": SECONDS_PER_PROGRAM,
            "programs": plan_programs,
            "torchvision": any("torchvision" in p["text"] for p in plan_programs),
        }
        (root / "tmp" / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
        limits = sandbox.Limits(
            timeout_s=STARTUP_S + (WALL_FACTOR * SECONDS_PER_PROGRAM + 2) * len(plan_programs),
            memory_mb=memory_mb,
        )
        mounts = Mounts(writable=(copy, root / "tmp", root / "out"), readable=(HARNESS,))
        completed = sandbox.run(
            [python(), "-I", str(HARNESS), str(root / "tmp" / "plan.json")],
            cwd=copy,
            env=sandbox.minimal_env(root),
            limits=limits,
            mounts=mounts,
            mode=mode,
        )
        data = OutputFolder(root, "out").read(RECORDS, MAX_RECORD_BYTES)
        run = parse_records(data or b"")
        ran = tuple(p["rel"] for p in plan_programs)
        failure = ""
        if not run.models and not run.endings:
            if completed.timed_out:
                failure = f"it did not finish within {limits.timeout_s:g} s"
            else:
                last = (completed.stderr.strip().splitlines() or ["no output"])[-1][:300]
                failure = f"exit status {completed.returncode}: {last}"
        return Run(run.models, run.endings, ran, failure)
    finally:
        shutil.rmtree(root, ignore_errors=True)


# --- reading the records back ---------------------------------------------------------------------


def parse_records(data: bytes) -> Run:
    """Every valid record of the harness's JSON lines; anything malformed is dropped, never raised."""
    models: list[RecordedModel] = []
    endings: list[tuple[str, str]] = []
    for line in data.decode("utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except (ValueError, RecursionError):
            continue
        if not isinstance(entry, dict):
            continue
        if "program_end" in entry:
            if isinstance(entry.get("program_end"), str) and isinstance(entry.get("why"), str):
                endings.append((entry["program_end"][:300], entry["why"][:300]))
            continue
        model = _model(entry, len(models))
        if model is not None:
            models.append(model)
    return Run(tuple(models), tuple(endings))


def _text(value: object, limit: int = 300) -> str | None:
    return value[:limit] if isinstance(value, str) else None


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**12 else None


def construction_value(value: object, depth: int = 0) -> bool:
    """Whether `value` is a construction argument the sandbox's `building.decode` rebuilds safely."""
    if depth > 5:
        return False
    if value is None or isinstance(value, (bool, int, str)):
        return not isinstance(value, str) or len(value) <= 300
    if isinstance(value, float):
        return value == value and abs(value) != float("inf")
    if isinstance(value, list):
        return len(value) <= 50 and all(construction_value(v, depth + 1) for v in value)
    if isinstance(value, dict) and set(value) == {"__tuple__"}:
        return construction_value(value["__tuple__"], depth) and isinstance(value["__tuple__"], list)
    if isinstance(value, dict) and set(value) == {"__torch__", "__call__"}:
        return isinstance(value["__call__"], bool) and bool(_TORCH_PATH.match(str(value["__torch__"])))
    return False


def _arguments(value: object) -> tuple[tuple[object, ...], tuple[tuple[str, object], ...]] | None:
    if not isinstance(value, dict) or not isinstance(value.get("args"), list):
        return None
    kwargs = value.get("kwargs")
    if not isinstance(kwargs, dict) or len(kwargs) > 50:
        return None
    if not all(construction_value(v) for v in value["args"]) or len(value["args"]) > 50:
        return None
    if not all(k.isidentifier() and construction_value(v) for k, v in kwargs.items()):
        return None
    return tuple(value["args"]), tuple(kwargs.items())


def _layer(entry: object) -> Layer | None:
    if not isinstance(entry, dict) or _text(entry.get("type"), 80) is None:
        return None
    size_in = _int(entry.get("in_features", entry.get("in_channels")))
    size_out = _int(entry.get("out_features", entry.get("out_channels")))
    kernel = entry.get("kernel_size")
    kernel_tuple = (kernel,) * 2 if _int(kernel) is not None else kernel
    if (
        isinstance(kernel_tuple, list)
        and len(kernel_tuple) <= 3
        and all(_int(k) is not None for k in kernel_tuple)
    ):
        kernel_tuple = tuple(kernel_tuple)
    if not isinstance(kernel_tuple, tuple):
        kernel_tuple = None
    bias = entry.get("bias")
    return Layer(
        str(entry["type"])[:80],
        entry.get("torch") is True,
        size_in,
        size_out,
        kernel_tuple,
        str(entry.get("padding", ""))[:40],
        bias if isinstance(bias, bool) else None,
    )


def _model(entry: dict, order: int) -> RecordedModel | None:
    class_name = _text(entry.get("class"))
    found = [
        _text(entry.get(k)) for k in ("defined_file", "arguments_repr", "program", "file", "text", "function")
    ]
    counted = [_int(entry.get(k)) for k in ("defined_line", "line", "parameters")]
    texts = [t for t in found if t is not None]
    numbers = [n for n in counted if n is not None]
    tree = entry.get("tree")
    if class_name is None or not _QUALNAME.match(class_name) or len(texts) < 6 or len(numbers) < 3:
        return None
    if not isinstance(tree, list) or len(tree) > 200 or not isinstance(entry.get("nested"), bool):
        return None
    layers = [layer for layer in map(_layer, tree) if layer is not None]
    raw, error = entry.get("output"), ""
    output: tuple[int, ...] | None = None
    if isinstance(raw, str):
        error = raw[:300]
    elif isinstance(raw, list) and len(raw) <= 8 and all(_int(d) is not None for d in raw):
        output = tuple(raw)
    else:
        return None
    defined_file, arguments_repr, program, file, text, function = texts
    if len(layers) < len(tree) or any(
        ".." in Path(f).parts or f.startswith("/") for f in (defined_file, file, program)
    ):
        return None
    arguments = _arguments(entry.get("arguments"))
    return RecordedModel(
        class_name,
        defined_file,
        numbers[0],
        arguments[0] if arguments else None,
        arguments[1] if arguments else (),
        arguments_repr,
        program,
        file,
        numbers[1],
        text,
        function,
        entry["nested"],
        numbers[2],
        tuple(layers),
        output,
        error,
        order,
    )


def run_notes(run: Run | None) -> list[str]:
    """One line per program run: how it ended and how many models it made."""
    if run is None:
        return []
    if run.failure:
        return [
            f"running your code to find its models failed ({run.failure}): models found by reading the code"
        ]
    endings = dict(run.endings)
    notes = []
    for program in run.ran:
        made = sum(1 for m in run.models if m.program == program and not m.nested)
        why = endings.get(program, "the process ended before it did")
        stopped = f", it stopped at: {why}" if why else ""
        notes.append(f"ran {program} with stand-in data and training cut short: {made} models made{stopped}")
    return notes
