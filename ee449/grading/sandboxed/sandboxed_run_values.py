"""Sandbox side of `running`: a value the student's code passed, as the grader's construction JSON.

Loaded by `sandboxed_run_recorder` only, inside the sandbox; imports nothing of ee449 (and torch only
when a value is looked at). A constructor's arguments travel as data the grader can rebuild the
model from: numbers, strings, lists, tuples and dicts of them (tuples and dicts marked), and torch's
own functions and layers by name; anything else is `NotJson`, and the model is recorded without
its arguments.
"""

from __future__ import annotations

import math

MAX_ARGS = 50  # items of a list or tuple argument kept as JSON
MAX_TEXT = 300


class NotJson(Exception):
    """An argument that cannot travel as JSON (a lambda, the student's own object)."""


def _torch_path(value: object) -> str | None:
    import torch
    from torch import nn
    from torch.nn import functional

    name = getattr(value, "__name__", None)
    for prefix, namespace in (("torch.nn", nn), ("torch.nn.functional", functional), ("torch", torch)):
        if name and getattr(namespace, name, None) is value:
            return f"{prefix}.{name}"
    return None


def to_json(value: object, depth: int = 0) -> object:
    """`value` as the grader's construction JSON (tuples and torch references marked), or NotJson."""
    from torch import nn

    if depth > 4:
        raise NotJson("nested too deep")
    if value is None or isinstance(value, (bool, str)):
        if isinstance(value, str) and len(value) > MAX_TEXT:
            raise NotJson("a long string")
        return value
    if type(value).__name__ in {"int64", "int32", "float64", "float32"}:  # NumPy scalars
        value = value.item()  # type: ignore[attr-defined]
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NotJson("not a finite number")
        return value
    if isinstance(value, (list, tuple)):
        if len(value) > MAX_ARGS:
            raise NotJson("a long list")
        items = [to_json(v, depth + 1) for v in value]
        return items if isinstance(value, list) else {"__tuple__": items}
    if type(value) is dict:  # a config dict (`mlp_1(CONFIG)`): string or integer keys, as pairs
        if len(value) > MAX_ARGS:
            raise NotJson("a long dict")
        if not all(isinstance(k, str) and len(k) <= MAX_TEXT or type(k) is int for k in value):
            raise NotJson("a dict with keys other than strings and integers")
        return {"__dict__": [[k, to_json(v, depth + 1)] for k, v in value.items()]}
    path = _torch_path(value)
    if path is not None:
        return {"__torch__": path, "__call__": False}
    if isinstance(value, nn.Module) and type(value).__module__.startswith("torch.nn"):
        path = _torch_path(type(value))
        if path is not None and repr(value) == repr(type(value)()):
            return {"__torch__": path, "__call__": True}
    raise NotJson(type(value).__name__)


def short_repr(value: object) -> str:
    try:
        return repr(value)[:MAX_TEXT]
    except Exception:  # noqa: BLE001 - a student's __repr__ may raise
        return f"<{type(value).__name__}>"
