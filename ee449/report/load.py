"""What the report reads: the result files of one folder, checked, and the numbers it shows.

`load_folder(path)` never raises on a bad or missing file: it records the problem and leaves
that part out, so the report can say what is missing instead of crashing. The summary
functions (`part3_rows`, ...) compute every number the report prints, once, from the curves;
the verdicts (`ee449.report.verdicts`) read the same numbers.

"Final" values are the mean over the last epoch's recorded points when the file knows its
steps per epoch (`meta.steps_per_epoch / meta.record_every` points), else the last point:
one point is a 10-step window, too noisy to compare runs on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ee449.errors import ResultsError
from ee449.io import read_json
from ee449.results import schema as C
from ee449.results.checks import value_problems
from ee449.spec import ARCHITECTURES, REGISTRY, Conv, Dense

ARCH_ORDER = ARCHITECTURES  # the homework's order


@dataclass
class Results:
    """The result files of one folder; a part whose file is missing or broken is None / []."""

    folder: Path
    part2: dict | None = None
    part2_output: Path | None = None
    part3: list[dict] = field(default_factory=list)
    part4: list[dict] = field(default_factory=list)
    part5: dict | None = None
    schedule: dict | None = None
    files: dict[str, Path] = field(default_factory=dict)  # result name -> file, for messages and staleness
    problems: list[str] = field(default_factory=list)

    def all_results(self) -> list[tuple[str, dict]]:
        """(file name, result) for every loaded result file, in report order."""
        named = [(f"part3_{r['name']}", r) for r in self.part3] + [
            (f"part4_{r['name']}", r) for r in self.part4
        ]
        named += [
            (n, r) for n, r in (("part5", self.part5), ("part5_schedule", self.schedule)) if r is not None
        ]
        named += [("part2", self.part2)] if self.part2 is not None else []
        return [(self.files[key].name if key in self.files else key, r) for key, r in named]


def _read(path: Path, keys: tuple[str, ...], part: str, results: Results) -> dict | None:
    try:
        data, where = C.load_result(path, part)
        C.require_keys(data, keys, where)
        for key in keys:  # every curve must be a flat list of numbers (null allowed)
            if "curve" in key:
                C.curve(data, key, where)
        if part == "part5_schedule" and not isinstance(data["switch_epochs"], list):
            raise ResultsError(f"{where}: 'switch_epochs' must be a list, got {data['switch_epochs']!r:.60}")
        # Impossible values are shown, never silently: each is listed with the file it came from.
        results.problems += [f"{path.name}: impossible value {p}" for p in value_problems(data, part)]
        return data
    except (ResultsError, TypeError) as error:
        results.problems.append(f"{path.name}: {error}")
        return None


def _arch_key(result: dict) -> tuple:
    name = str(result.get("name"))
    return (ARCH_ORDER.index(name), "") if name in ARCH_ORDER else (len(ARCH_ORDER), name)


def load_folder(folder: str | Path) -> Results:
    """Every result file of `folder` that exists and has its keys; problems are listed, not raised."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"results folder not found: {folder}")
    results = Results(folder)
    for part, keys, target in (
        ("part3", C.PART3_KEYS, results.part3),
        ("part4", C.PART4_KEYS, results.part4),
    ):
        for path in sorted(folder.glob(f"{part}_*.json")):
            data = _read(path, keys, part, results)
            if data is not None:
                data["name"] = str(data["name"])
                target.append(data)
                results.files[f"{part}_{data['name']}"] = path
        target.sort(key=_arch_key)
    for name, keys in (("part5", C.PART5_KEYS), ("part5_schedule", C.SCHEDULE_KEYS)):
        path = folder / f"{name}.json"
        if path.is_file():
            data = _read(path, keys, name, results)
            setattr(results, "part5" if name == "part5" else "schedule", data)
            if data is not None:
                results.files[name] = path
    if (folder / "part2.json").is_file():
        try:
            part2 = read_json(folder / "part2.json")
            results.part2 = part2 if isinstance(part2, dict) else None
            results.files["part2"] = folder / "part2.json"
        except ResultsError as error:
            results.problems.append(f"part2.json: {error}")
    if (folder / "part2_output.npy").is_file():
        results.part2_output = folder / "part2_output.npy"
    return results


# --- numbers ---------------------------------------------------------------------------------


def points_per_epoch(result: dict) -> int:
    meta = C.meta_of(result)
    spe, every = meta.get("steps_per_epoch"), meta.get("record_every") or C.DEFAULT_RECORD_EVERY
    return max(1, int(spe // every)) if isinstance(spe, (int, float)) and spe > 0 else 1


def final_value(result: dict, key: str) -> float:
    """Mean of the finite points of the last epoch of `result[key]` (the last point without meta)."""
    values = C.curve(result, key, str(result.get("name")))[-points_per_epoch(result) :]
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if finite.size else math.nan


def as_float(value: Any) -> float:
    """A recorded number as float; null (a diverged or missing value) or a non-number -> NaN."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return math.nan
    return float(value)


def finite_mean(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if finite.size else math.nan


def run_spread(result: dict) -> dict[str, float]:
    """Statistics of meta.run_test_accs (the per-run test accuracies); NaN when not recorded."""
    accs = C.meta_of(result).get("run_test_accs")
    values = (
        np.array([a for a in accs if isinstance(a, (int, float))], dtype=float)
        if isinstance(accs, list)
        else np.array([])
    )
    values = values[np.isfinite(values)]
    if not values.size:
        return {"runs": math.nan, "mean": math.nan, "std": math.nan, "min": math.nan, "max": math.nan}
    std = float(values.std(ddof=1)) if values.size > 1 else 0.0  # sample std over runs
    return {
        "runs": float(values.size),
        "mean": float(values.mean()),
        "std": std,
        "min": float(values.min()),
        "max": float(values.max()),
    }


def depth(name: str) -> int | None:
    """Weighted layers (conv + dense + FC10) of a homework architecture; None for other names."""
    if name not in REGISTRY:
        return None
    return sum(isinstance(layer, (Conv, Dense)) for layer in REGISTRY[name]) + 1


def part3_rows(results: Results) -> list[dict[str, Any]]:
    rows = []
    for r in results.part3:
        rows.append(
            {
                "name": r["name"],
                "test_acc": as_float(r["test_acc"]),
                **run_spread(r),
                "final_loss": final_value(r, "loss_curve"),
                "final_train_acc": final_value(r, "train_acc_curve"),
                "final_val_acc": final_value(r, "val_acc_curve"),
            }
        )
    return rows


def part4_rows(results: Results) -> list[dict[str, Any]]:
    rows = []
    for r in results.part4:
        relu = finite_mean(C.curve(r, "relu_grad_curve", r["name"]))
        sigmoid = finite_mean(C.curve(r, "sigmoid_grad_curve", r["name"]))
        rows.append(
            {
                "name": r["name"],
                "depth": depth(r["name"]),
                "relu_final_loss": final_value(r, "relu_loss_curve"),
                "sigmoid_final_loss": final_value(r, "sigmoid_loss_curve"),
                "relu_grad": relu,
                "sigmoid_grad": sigmoid,
                "ratio": sigmoid / relu if relu > 0 else math.nan,
            }
        )
    return rows


def part5_rows(results: Results) -> list[dict[str, Any]]:
    if results.part5 is None:
        return []
    r = results.part5
    test = C.meta_of(r).get("test_acc") or {}
    rows = []
    for suffix, lr in C.LEARNING_RATES.items():
        val = C.curve(r, f"val_acc_curve_{suffix}", r["name"])
        acc = test.get(f"test_acc_{suffix}") if isinstance(test, dict) else None
        rows.append(
            {
                "lr": lr,
                "final_loss": final_value(r, f"loss_curve_{suffix}"),
                "best_val_acc": float(np.nanmax(val)) if np.isfinite(val).any() else math.nan,
                "final_val_acc": final_value(r, f"val_acc_curve_{suffix}"),
                "test_acc": float(acc) if isinstance(acc, (int, float)) else math.nan,
            }
        )
    return rows


def constant_lr_test_acc(results: Results) -> float:
    """Constant lr 0.1's test accuracy: the schedule file's, else Part 5's meta.test_acc."""
    s = results.schedule
    if s is not None and isinstance(s.get("constant_lr_test_acc"), (int, float)):
        return float(s["constant_lr_test_acc"])
    rows = part5_rows(results)
    return rows[0]["test_acc"] if rows else math.nan


def schedule_row(results: Results) -> dict[str, Any] | None:
    s = results.schedule
    if s is None:
        return None
    # Epochs the scheduled run covered, from its curve and meta (unknown without meta: a student's file).
    points = len(C.curve(s, "val_acc_curve_stage3", str(s.get("name"))))
    epochs = points / points_per_epoch(s) if C.meta_of(s).get("steps_per_epoch") else math.nan
    switches = [e for e in s["switch_epochs"] if isinstance(e, (int, float)) and not isinstance(e, bool)]
    return {
        "switch_epochs": list(s["switch_epochs"]),
        "test_acc": as_float(s["test_acc"]),
        "epochs": epochs,
        # stage 3 trains from the second switch on: it ran unless that is at or past the last epoch
        "stage3_ran": len(switches) < 2 or not switches[1] >= epochs,
        "adam_test_acc": as_float(s["adam_test_acc"]),
        "constant_lr_test_acc": constant_lr_test_acc(results),
        "final_val_acc_stage3": final_value(s, "val_acc_curve_stage3"),
    }


def fmt(value: Any, spec: str = ".2f") -> str:
    """A table cell: numbers formatted, NaN / None as an em dash (not measured)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "\u2014"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format(value, spec)
    return str(value)
