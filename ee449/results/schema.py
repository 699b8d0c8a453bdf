"""Reading and checking the result dicts the figures and the report draw from.

A result is a dict or a path to its JSON file. Checks raise `ResultsError` naming the key, the
curves or the file, so a student's malformed dict gets a message that says what to fix. Curves
may hold null (a non-finite value when written): it becomes NaN, drawn as a gap.
"""

from __future__ import annotations

import numbers
import os
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from ee449 import spec
from ee449.errors import ResultsError
from ee449.io import read_json
from ee449.spec import PART4_KEYS, PART5_KEYS, PART5_LRS, SCHEDULE_KEYS, rate_suffix
from ee449.spec import RECORD_EVERY as DEFAULT_RECORD_EVERY  # used only for a result without meta

# The figures and the report need every key but the weights (a student's dict may lack them).
PART3_KEYS = tuple(key for key in spec.PART3_KEYS if key != "weights")
LEARNING_RATES = {rate_suffix(lr): lr for lr in PART5_LRS}  # key suffix -> learning rate

__all__ = [
    "DEFAULT_RECORD_EVERY",
    "LEARNING_RATES",
    "PART3_KEYS",
    "PART4_KEYS",
    "PART5_KEYS",
    "SCHEDULE_KEYS",
    "curve",
    "curves",
    "load_result",
    "meta_of",
    "number",
    "require_keys",
    "shared_unit",
    "x_values",
]


def load_result(item: Mapping[str, Any] | str | os.PathLike, part: str) -> tuple[dict, str]:
    """A result dict and a label for messages, from a dict or a path to a JSON result file."""
    if isinstance(item, Mapping):
        return dict(item), f"{part} result {item.get('name', '(unnamed)')!r}"
    if isinstance(item, (str, os.PathLike)):
        data = read_json(item)
        if not isinstance(data, dict):
            raise ResultsError(
                f"{part} result file {item} holds a {type(data).__name__}, expected a JSON object"
            )
        return data, f"{part} result {data.get('name', '(unnamed)')!r} ({Path(item).name})"
    raise TypeError(f"a {part} result must be a dict or a path to a JSON file, got {type(item).__name__}")


def require_keys(result: Mapping[str, Any], keys: Sequence[str], where: str) -> None:
    missing = [key for key in keys if key not in result]
    if missing:
        raise ResultsError(
            f"{where} has no key {missing[0]!r} (missing: {', '.join(missing)}; "
            f"expected keys: {', '.join(keys)})"
        )


def curve(result: Mapping[str, Any], key: str, where: str) -> np.ndarray:
    """`result[key]` as a float array of shape (n,); null (non-finite when written) -> NaN."""
    values = result[key]
    if not isinstance(values, (list, tuple, np.ndarray)) or len(values) == 0:
        raise ResultsError(f"{where}: {key!r} must be a non-empty list of numbers, got {values!r:.60}")
    try:
        array = np.array([np.nan if v is None else v for v in values], dtype=float)
    except (TypeError, ValueError):
        raise ResultsError(f"{where}: {key!r} must be a list of numbers (null allowed)") from None
    if array.ndim != 1:
        raise ResultsError(f"{where}: {key!r} must be a flat list, got shape {array.shape}")
    return array


def curves(result: Mapping[str, Any], keys: Sequence[str], where: str) -> dict[str, np.ndarray]:
    """Several curves of one result that must be recorded point for point together."""
    arrays = {key: curve(result, key, where) for key in keys}
    lengths = {key: len(a) for key, a in arrays.items()}
    if len(set(lengths.values())) > 1:
        listed = ", ".join(f"{key} has {n}" for key, n in lengths.items())
        raise ResultsError(f"{where}: curves of unequal length ({listed} points); they must match")
    return arrays


def number(result: Mapping[str, Any], key: str, where: str) -> float:
    """`result[key]` as a float: any real number, numpy scalars included (students' dicts hold them)."""
    value = result[key]
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ResultsError(f"{where}: {key!r} must be a number, got {value!r:.60}")
    return float(value)


def meta_of(result: Mapping[str, Any]) -> dict:
    meta = result.get("meta")
    return meta if isinstance(meta, dict) else {}


def x_values(result: Mapping[str, Any], n: int, unit: str) -> np.ndarray:
    """Positions of n recorded points: (i + 1) * record_every steps, or that in epochs."""
    meta = meta_of(result)
    steps = np.arange(1, n + 1) * float(meta.get("record_every") or DEFAULT_RECORD_EVERY)
    return steps / float(meta["steps_per_epoch"]) if unit == "epoch" else steps


def shared_unit(results: Sequence[Mapping[str, Any]]) -> str:
    """'epoch' when every result knows its steps per epoch, else 'step' (one axis, one unit)."""
    return "epoch" if all(meta_of(r).get("steps_per_epoch") for r in results) else "step"
