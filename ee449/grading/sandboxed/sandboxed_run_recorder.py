"""Sandbox side of `running`: the record of every model a student's code makes while it runs.

Loaded by `sandboxed_run_harness` only, inside the sandbox; imports nothing of ee449. Every
instance of an `nn.Module` subclass defined in the student's files is recorded when its outermost
`__init__` returns: class, arguments (as the grader's construction JSON where they can be
rebuilt), where it was made, its module tree, parameter count and what a [50, 1, 32, 32] batch
gives; one JSON line each, flushed at once, so a crash or a kill later loses none.
"""

from __future__ import annotations

import functools
import itertools
import json
import linecache
import os
import sys
import time
from typing import TYPE_CHECKING

# A sibling, found on the harness's path (-I keeps ee449 itself away); MAX_TEXT is public here.
from sandboxed_run_values import MAX_TEXT, NotJson, short_repr, to_json  # type: ignore[import-not-found]

if TYPE_CHECKING:  # annotations only: this module runs in the sandbox and imports nothing it does not use
    from collections.abc import Callable
    from typing import Any

REAL_PASSES = 3  # forward passes a model really runs per input shape; later ones repeat the output
MAX_MODELS = 300  # records per run: a loop making models forever cannot fill the disk
MAX_TREE = 200  # modules listed per model
_SIZES = ("in_features", "out_features", "in_channels", "out_channels")
ATTRIBUTES = (
    *_SIZES,
    "kernel_size",
    "stride",
    "padding",
)  # a layer's shape; `bias` recorded as present or not


class StopRun(BaseException):
    """The program's time is up: a BaseException, so the student's `except Exception` lets it through."""


class Harness:
    """State of one run: the plan, the record file, the counters, the model being built."""

    def __init__(self, plan: dict):
        self.work = os.path.realpath(plan["work"])
        self.out = open(plan["records"], "a", encoding="utf-8")  # noqa: SIM115 - open for the whole run
        self.seconds = float(plan["seconds_per_program"])
        self.programs = plan["programs"]
        # The graded edition's image (C, H, W): what a model of the homework takes (2023: 1 x 32 x 32).
        self.input_shape = tuple(int(d) for d in plan.get("input_shape", (1, 32, 32)))
        self.program = ""
        self.recorded = 0
        self.steps = 0
        self.backwards = 0
        self.training_mark = 0  # steps + backwards when the quiet clock started
        self.building: list[int] = []  # ids of the student models whose __init__ is running
        self.datasets_replaced = False
        self.seen: set[object] = set()  # signatures of the models recorded (`record_model`)
        self.outputs: dict[object, dict] = {}  # signature -> input shape -> (real passes, output)
        self.started = 0.0  # when the current program started (monotonic)
        self.last_model = 0.0  # when it last made a model (0: none yet)
        self.started_cpu = self.last_model_cpu = 0.0  # the same in this process's CPU seconds

    def student_file(self, filename: str) -> str | None:
        """The program's name (its path in the submission) for a code object's filename, or None."""
        if filename.startswith("<ee449>/"):
            return filename[len("<ee449>/") :]
        real = os.path.realpath(filename) if filename and not filename.startswith("<") else ""
        return os.path.relpath(real, self.work) if real.startswith(self.work + os.sep) else None

    def write(self, entry: dict, counted: bool = True) -> None:
        if counted and self.recorded >= MAX_MODELS:
            return
        self.recorded += int(counted)
        if counted:
            self.quiet_from_now()
        self.out.write(json.dumps(entry) + "\n")
        self.out.flush()

    def quiet_from_now(self) -> None:
        """Start the quiet clock (`sandboxed_run_harness`): at a model, and at each statement."""
        self.last_model, self.last_model_cpu = time.monotonic(), time.process_time()
        self.training_mark = self.steps + self.backwards


# --- arguments as JSON ---------------------------------------------------------------------------


# --- what a model is ----------------------------------------------------------------------------


def _attribute(value: object) -> object:
    if isinstance(value, tuple):
        return [_attribute(v) for v in value]
    return value if isinstance(value, (int, str, bool)) else str(value)[:40]


def module_tree(model: object) -> list[dict]:
    tree = []
    for name, module in itertools.islice(model.named_modules(), MAX_TREE):  # type: ignore[attr-defined]
        entry = {"name": name[:MAX_TEXT], "type": type(module).__name__[:MAX_TEXT]}
        entry["torch"] = type(module).__module__.startswith("torch.")
        for attribute in ATTRIBUTES:
            if hasattr(module, attribute):
                entry[attribute] = _attribute(getattr(module, attribute))
        if entry["torch"] and hasattr(module, "bias") and ("in_features" in entry or "in_channels" in entry):
            entry["bias"] = module.bias is not None
        tree.append(entry)
    return tree


def forward_shape(model: object, input_shape: tuple[int, ...] = (1, 32, 32)) -> object:
    """The output shape of a [50, C, H, W] batch of zeros (the graded edition's image), or the error as text."""
    import torch
    from torch import nn

    try:
        with torch.random.fork_rng(devices=[]), torch.no_grad():
            output = nn.Module.__call__(model, torch.zeros(50, *input_shape))  # not the remembered outputs
        return [int(d) for d in output.shape]
    except StopRun:
        raise
    except BaseException as error:  # noqa: BLE001 - the student's forward: its failure is data
        return f"{type(error).__name__}: {error}"[:MAX_TEXT]


def call_site(harness: Harness) -> dict:
    """Where the student's code called the constructor: file, line, the line's text, the function."""
    frame = sys._getframe(2)
    while frame is not None:
        rel = harness.student_file(frame.f_code.co_filename)
        if rel is not None:
            text = linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()
            return {
                "file": rel,
                "line": frame.f_lineno,
                "text": text[:MAX_TEXT],
                "function": frame.f_code.co_name[:MAX_TEXT],
            }
        frame = frame.f_back  # type: ignore[assignment]
    return {"file": "", "line": 0, "text": "", "function": ""}


def record_model(
    harness: Harness, model: object, args: tuple, kwargs: dict, site: dict, nested: bool
) -> None:
    cls = type(model)
    try:
        arguments: object = {
            "args": [to_json(a) for a in args],
            "kwargs": {k: to_json(v) for k, v in kwargs.items()},
        }
    except NotJson:
        arguments = None
    defined = getattr(cls, "__ee449_defined__", ("", 0))
    # The same class made the same way at the same line (a loop over runs) is one model: recorded
    # once, and its instances share their remembered outputs.
    signature = (
        json.dumps([cls.__qualname__, site["file"], site["line"], arguments]) if arguments else id(model)
    )
    model.__dict__["_ee449_outputs"] = harness.outputs.setdefault(signature, {})
    if signature in harness.seen:
        return
    harness.seen.add(signature)
    count: int = sum(int(p.numel()) for p in model.parameters())  # type: ignore[attr-defined, misc]
    harness.write(
        {
            "class": cls.__qualname__[:MAX_TEXT],
            "defined_file": defined[0],
            "defined_line": defined[1],
            "arguments": arguments,
            "arguments_repr": ", ".join(
                [*map(short_repr, args), *(f"{k}={short_repr(v)}" for k, v in kwargs.items())]
            )[:MAX_TEXT],
            "program": harness.program,
            "nested": nested,
            **site,
            "parameters": count,
            "tree": module_tree(model),
            "output": forward_shape(model, harness.input_shape),
        }
    )


# --- the hooks -----------------------------------------------------------------------------------


def install_recorder(harness: Harness) -> None:
    from torch import nn

    def wrap(init: Callable[..., None]) -> Callable[..., None]:
        if getattr(init, "__ee449_wrapped__", False):
            return init

        @functools.wraps(init)
        def __init__(self: nn.Module, *args: Any, **kwargs: Any) -> None:
            outer = id(self) not in harness.building
            if not outer:
                return init(self, *args, **kwargs)
            nested = bool(harness.building)
            site = call_site(harness)
            harness.building.append(id(self))
            try:
                init(self, *args, **kwargs)
            finally:
                harness.building.remove(id(self))
            try:
                record_model(harness, self, args, kwargs, site, nested)
            except StopRun:
                raise
            except Exception:  # noqa: BLE001 - recording never changes what the student's code does
                pass

        __init__.__ee449_wrapped__ = True  # type: ignore[attr-defined]
        return __init__

    def remembered(call: Callable[..., Any]) -> Callable[..., Any]:
        if getattr(call, "__ee449_wrapped__", False):
            return call

        @functools.wraps(call)
        def __call__(self: nn.Module, *args: Any, **kwargs: Any) -> Any:
            # After a few real passes, a batch of a shape seen before gets the output it got then
            # (a fresh leaf, so `backward` still works): a training loop costs almost nothing.
            calls = self.__dict__.setdefault("_ee449_outputs", {})
            shape = (
                tuple(args[0].shape) if len(args) == 1 and not kwargs and hasattr(args[0], "shape") else None
            )
            if shape is not None and shape in calls and calls[shape][0] >= REAL_PASSES:
                return calls[shape][1].detach().clone().requires_grad_(calls[shape][1].is_floating_point())
            output = call(self, *args, **kwargs)
            if shape is not None and hasattr(output, "detach"):
                calls[shape] = (calls.get(shape, (0, None))[0] + 1, output.detach())
            return output

        __call__.__ee449_wrapped__ = True  # type: ignore[attr-defined]
        return __call__

    def __init_subclass__(cls: Any, **kwargs: Any) -> None:
        frame = sys._getframe(1)
        rel = harness.student_file(frame.f_code.co_filename)
        if rel is not None:
            cls.__ee449_defined__ = (rel, frame.f_lineno)
            cls.__init__ = wrap(cls.__init__)
            cls.__call__ = remembered(cls.__call__)

    nn.Module.__init_subclass__ = classmethod(__init_subclass__)  # type: ignore[assignment]
