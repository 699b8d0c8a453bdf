"""A result file's body checked against its own `meta`: structure and lengths, then value ranges.

`body_problems(result, part)` lists what makes a file unusable: a missing key, a curve that is not
a list of numbers, curves recorded together with unequal lengths, a curve whose length does not
follow from meta (`epochs * steps_per_epoch // record_every` points; fewer only for a diverged
run). The commands rebuild such a file from the saved runs (`ee449.cli.experiments`).

`value_problems(result, part)` lists values no training run produces: an accuracy outside
0-100%, a negative loss or gradient norm, a NaN or Infinity literal (ee449 writes null for a
non-finite value, so a literal means another writer or an edit). The report lists them.
"""

from __future__ import annotations

import math
import numbers
from pathlib import Path
from typing import Mapping, Sequence

from ee449.results.schema import LEARNING_RATES, PART3_KEYS, PART4_KEYS, PART5_KEYS, SCHEDULE_KEYS

ACC_RANGE = (0.0, 100.0)  # percent

# Per part: its keys, and the groups of curves recorded point for point together.
_KEYS = {"part3": PART3_KEYS, "part4": PART4_KEYS, "part5": PART5_KEYS, "part5_schedule": SCHEDULE_KEYS}
_GROUPS: dict[str, tuple[tuple[str, ...], ...]] = {
    "part3": (("loss_curve", "train_acc_curve", "val_acc_curve"),),
    "part4": (("relu_loss_curve", "relu_grad_curve"), ("sigmoid_loss_curve", "sigmoid_grad_curve")),
    "part5": tuple((f"loss_curve_{s}", f"val_acc_curve_{s}") for s in LEARNING_RATES),
    "part5_schedule": (("val_acc_curve_stage2",), ("val_acc_curve_stage3",)),
}
_NUMBERS = {
    "part3": ("test_acc",),
    "part4": (),
    "part5": (),
    "part5_schedule": ("test_acc", "adam_test_acc", "constant_lr_test_acc"),
}


def part_of(path: str | Path) -> str | None:
    """The part a result file's name says it holds ('part3', 'part4', 'part5', 'part5_schedule')."""
    stem = Path(path).stem
    if stem in ("part5", "part5_schedule"):
        return stem
    for part in ("part3", "part4"):
        if stem.startswith(part + "_"):
            return part
    return None


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _expected_points(meta: Mapping) -> int | None:
    """Points per curve that meta's config, steps per epoch and record_every imply (None: unknown)."""
    raw_config = meta.get("config")
    config = raw_config if isinstance(raw_config, dict) else {}
    given = (config.get("epochs"), meta.get("steps_per_epoch"), meta.get("record_every"))
    counts = [v for v in given if isinstance(v, int) and not isinstance(v, bool) and v > 0]
    if len(counts) != len(given):
        return None
    epochs, steps_per_epoch, every = counts
    return epochs * steps_per_epoch // every


def body_problems(result: Mapping, part: str) -> list[str]:
    """What is structurally wrong with a result dict of `part` (empty: nothing)."""
    missing = [k for k in _KEYS[part] if k not in result]
    if missing:
        return [f"no key {', '.join(repr(k) for k in missing)}"]
    problems: list[str] = []
    raw_meta = result.get("meta")
    meta = raw_meta if isinstance(raw_meta, dict) else {}
    expected = _expected_points(meta)
    diverged = bool(meta.get("diverged_runs"))
    for group in _GROUPS[part]:
        lengths = {}
        for key in group:
            values = result[key]
            if not isinstance(values, list) or not all(v is None or _is_number(v) for v in values):
                problems.append(f"{key!r} is not a list of numbers (got {str(values)[:40]!r})")
            else:
                lengths[key] = len(values)
        if len(set(lengths.values())) > 1:
            listed = ", ".join(f"{k} {n}" for k, n in lengths.items())
            problems.append(f"curves of unequal length ({listed})")
        for key, n in lengths.items():
            if expected is not None and (n > expected or (n < expected and not diverged)):
                problems.append(
                    f"{key!r} has {n} points; meta (epochs x steps per epoch / record_every) says {expected}"
                )
    for key in _NUMBERS[part]:
        if key in result and result[key] is not None and not _is_number(result[key]):
            problems.append(f"{key!r} is not a number (got {result[key]!r:.40})")
    if part == "part5_schedule":
        switches = result["switch_epochs"]
        two_ints = (
            isinstance(switches, list) and len(switches) == 2 and all(isinstance(e, int) for e in switches)
        )
        if not two_ints:
            problems.append(f"'switch_epochs' must be two epochs, got {switches!r:.40}")
    return problems


def _bad_value(key: str, value: float) -> str | None:
    """Why one recorded value is impossible for `key`, or None."""
    if not math.isfinite(value):
        return f"{value!r} literal (ee449 writes null for a non-finite value)"
    if "acc" in key and not ACC_RANGE[0] <= value <= ACC_RANGE[1]:
        return f"{value:g}% is outside 0-100%"
    if ("loss" in key or "grad" in key) and value < 0:
        return f"{value:g} is negative"
    return None


def value_problems(result: Mapping, part: str) -> list[str]:
    """Values in a result dict of `part` that no training run produces (empty: none)."""
    problems: list[str] = []
    keys: Sequence[str] = [k for group in _GROUPS[part] for k in group] + list(_NUMBERS[part])
    for key in keys:
        value = result.get(key)
        points = value if isinstance(value, list) else [value]
        for i, point in enumerate(points):
            if not _is_number(point):
                continue
            reason = _bad_value(key, float(point))
            if reason is not None:
                where = f"{key}[{i}]" if isinstance(value, list) else key
                problems.append(f"{where}: {reason}")
                break  # one per key is enough to send the reader to the file
    return problems
