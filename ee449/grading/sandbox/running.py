"""Which models the student's own code builds: run it in the sandbox with the data and training stubbed.

The student's entry points (scripts no other file of theirs imports, and notebooks, cells in
order) run as `__main__` in one sandboxed process (`sandboxed_run_harness`, in a child of the warm
interpreter that then runs the models' checks: `warm`) on a copy of the submission, so nothing
they write reaches the graded folder. Here: the entry points, the harness's plan and limits, and
reading back what it left. The harness
leaves one JSON line per model; they are read here without trusting them (the student's code could
have written that file): every field is checked for type and size, and a line that fails is
dropped. `run_matching` decides which record is which architecture.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

from ee449.grading import sandbox
from ee449.grading.discovery import sources
from ee449.grading.run_records import Layer, RecordedModel, Run, parse_records
from ee449.grading.sandbox.output_folder import OutputFolder
from ee449.io import atomic_write_bytes

__all__ = ["Layer", "RecordedModel", "Run", "parse_records", "programs", "run_notes"]

SANDBOXED = Path(__file__).resolve().parents[1] / "sandboxed"  # the scripts started there by path
HARNESS = SANDBOXED / "sandboxed_run_harness.py"
# What the sandboxed process may read of ee449: the harness and its helpers, nothing else.
HARNESS_FILES = tuple(
    HARNESS.parent / f"sandboxed_run_{n}.py" for n in ("harness", "recorder", "values", "stubs")
)
RECORDS = "models.jsonl"
MAX_RECORD_BYTES = 8 * 2**20
SECONDS_PER_PROGRAM = 6.0  # stubbed data and training: a typical script makes its models in under 1 s
STARTUP_S = 60.0  # Python, torch and torchvision's import on a busy machine (measured: 20 s at load 18)
WALL_FACTOR = 4  # the harness's wall-clock limit per program is this many times its CPU-time one
MAX_PROGRAMS = 6


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


def write_plan(
    folder: Path, copy: Path, out: Path, plan_programs: list[dict], input_shape: tuple[int, ...]
) -> Path:
    """The harness's plan (`folder`/plan.json): run `plan_programs` in `copy`, records into `out`."""
    plan = {
        "work": str(copy),
        "records": str(out / RECORDS),
        "seconds_per_program": SECONDS_PER_PROGRAM,
        "programs": plan_programs,
        "torchvision": any("torchvision" in p["text"] for p in plan_programs),
        "input_shape": list(input_shape),
    }
    path = folder / "plan.json"
    atomic_write_bytes(path, json.dumps(plan).encode("utf-8"))
    return path


def run_limits(programs_count: int, memory_mb: int) -> sandbox.Limits:
    return sandbox.Limits(
        timeout_s=STARTUP_S + (WALL_FACTOR * SECONDS_PER_PROGRAM + 2) * programs_count, memory_mb=memory_mb
    )


def read_run(
    out: Path, plan_programs: list[dict], completed: sandbox.Completed, limits: sandbox.Limits
) -> Run:
    """The run's models, read from `out` without trusting them, and how it ended."""
    data = OutputFolder(out.parent, out.name).read(RECORDS, MAX_RECORD_BYTES)
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
        stopped = (
            f", then {why}" if why.startswith("stopped by") else f", its first error: {why}" if why else ""
        )
        notes.append(f"ran {program} with stand-in data and training cut short: {made} models made{stopped}")
    return notes
