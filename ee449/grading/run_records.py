"""The records the sandboxed run leaves (`running`), read back as untrusted data.

The student's code could have written the record file itself: every line is parsed on its own,
every field checked for type and size, and a line that fails is dropped, never raised. A
construction argument is kept only in the forms the sandbox's `building.decode` rebuilds
(numbers, strings, lists, tuples, references to torch objects).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

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
    if isinstance(value, dict) and set(value) == {"__dict__"}:  # [[key, value], ...]
        pairs = value["__dict__"]
        return (
            isinstance(pairs, list)
            and len(pairs) <= 50
            and all(
                isinstance(pair, list)
                and len(pair) == 2
                and (isinstance(pair[0], str) and len(pair[0]) <= 300 or type(pair[0]) is int)
                and construction_value(pair[1], depth + 1)
                for pair in pairs
            )
        )
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
