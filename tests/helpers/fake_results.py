"""Small, schema-correct result dicts and folders for the plot and report tests.

The curves are generated (seeded noise around saturating exponentials), not trained: the tests
of `ee449.plots.curves` and `ee449.report` check drawing and reporting, and recompute every
expected number from these dicts themselves. `Claims` picks which way each homework claim
comes out, so a test can build one folder where it holds and one where it does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ee449.io import write_json

STEPS_PER_EPOCH = 40
RECORD_EVERY = 10
EPOCHS = 3
POINTS = EPOCHS * STEPS_PER_EPOCH // RECORD_EVERY  # 12 points per curve
MLPS, CNNS = ("mlp_1", "mlp_2"), ("cnn_3", "cnn_4", "cnn_5")


def _curve(rng: np.random.Generator, start: float, end: float, n: int = POINTS) -> list[float]:
    t = np.arange(n)
    return [float(v) for v in start + (end - start) * (1 - np.exp(-t / (n / 3))) + rng.normal(0, 0.2, n)]


def meta(*, runs: int = 3, test_accs: list[float] | None = None, synthetic: bool = True, **extra) -> dict:
    return {
        "config": {"epochs": EPOCHS, "batch_size": 50, "record_every": RECORD_EVERY},
        "seeds": list(range(runs)),
        "run_test_accs": test_accs or [],
        "data": {
            "source": "synthetic" if synthetic else "cifar10",
            "synthetic": synthetic,
            "train": 2000,
            "val": 200,
            "test": 200,
        },
        "device": "cpu",
        "versions": {"python": "3", "torch": "2"},
        "wall_time_s": 1.5,
        "steps_per_epoch": STEPS_PER_EPOCH,
        "record_every": RECORD_EVERY,
        "diverged_runs": [],
        "created": "2026-01-01T00:00:00+00:00",
        **extra,
    }


def part3_result(
    name: str, test_acc: float, seed: int = 0, with_meta: bool = True, n: int = POINTS, weights: bool = True
) -> dict:
    rng = np.random.default_rng(seed)
    kernel = (32, 1024) if name.startswith("mlp") else (16, 1, 3, 3)
    result = {
        "name": name,
        "loss_curve": _curve(rng, 2.3, 1.2, n),
        "train_acc_curve": _curve(rng, 10, test_acc + 5, n),
        "val_acc_curve": _curve(rng, 10, test_acc, n),
        "test_acc": float(test_acc),
        "weights": rng.normal(0, 0.1, kernel).tolist() if weights else None,
    }
    if with_meta:
        runs = [float(test_acc - d) for d in (0.0, 1.25, 2.5)]  # the best run is the reported test_acc
        result["meta"] = meta(test_accs=runs)
    return result


def part4_result(name: str, ratio: float, seed: int = 0, with_meta: bool = True, n: int = POINTS) -> dict:
    rng = np.random.default_rng(seed)
    relu = np.abs(_curve(rng, 1.0, 2.0, n)) + 0.5
    result = {
        "name": name,
        "relu_loss_curve": _curve(rng, 2.3, 1.4, n),
        "sigmoid_loss_curve": _curve(rng, 2.3, 2.2, n),
        "relu_grad_curve": relu.tolist(),
        "sigmoid_grad_curve": (relu * ratio).tolist(),
    }
    if with_meta:
        result["meta"] = meta(runs=1)
    return result


def part5_result(
    final_val: dict[str, float], seed: int = 0, with_meta: bool = True, n: int = 2 * POINTS
) -> dict:
    rng = np.random.default_rng(seed)
    result = {"name": "cnn_4"}
    for suffix, acc in final_val.items():
        result[f"loss_curve_{suffix}"] = _curve(rng, 2.3, 2.3 - acc / 40, n)
        # flat at the end, so the last-epoch mean is close to `acc`
        result[f"val_acc_curve_{suffix}"] = [float(v) for v in np.full(n, acc) + rng.normal(0, 0.1, n)]
    if with_meta:
        result["meta"] = meta(runs=1, test_acc={f"test_acc_{s}": a - 1.0 for s, a in final_val.items()})
    return result


def schedule_result(
    test_acc: float, adam: float, constant: float, seed: int = 0, with_meta: bool = True
) -> dict:
    rng = np.random.default_rng(seed)
    result = {
        "name": "cnn_4",
        "switch_epochs": [2, 4],
        "val_acc_curve_stage2": _curve(rng, 10, test_acc, 2 * POINTS),
        "val_acc_curve_stage3": _curve(rng, 10, test_acc + 1, 2 * POINTS),
        "test_acc": float(test_acc),
        "adam_test_acc": float(adam),
        "constant_lr_test_acc": float(constant),
    }
    if with_meta:
        result["meta"] = meta(runs=1)
    return result


@dataclass(frozen=True)
class Claims:
    """Which way each homework claim comes out in a generated folder."""

    cnns_beat_mlps: bool = True
    sigmoid_vanishes: bool = True
    small_lr_slow: bool = True
    schedule_helps: bool = True


def write_results_folder(
    folder: Path,
    claims: Claims = Claims(),
    parts: tuple[str, ...] = ("part3", "part4", "part5", "schedule"),
    weights: bool = False,
) -> Path:
    """A results folder as `ee449 all` writes it (JSON files only; figures are drawn by the report).

    weights=False writes `weights: null`, which the report skips: drawing five weight grids is
    the slowest part of a report, and only one test needs them.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(MLPS + CNNS):
        is_cnn = name in CNNS
        if "part3" in parts:
            better = is_cnn == claims.cnns_beat_mlps
            write_json(
                folder / f"part3_{name}.json",
                part3_result(name, (60.0 if better else 40.0) + i, seed=i, weights=weights),
            )
        if "part4" in parts:
            # deeper -> smaller ratio when the claim holds; ratio above 1 when it does not
            ratio = 10.0 ** (-(i + 1)) if claims.sigmoid_vanishes else 1.5 + i
            write_json(folder / f"part4_{name}.json", part4_result(name, ratio, seed=10 + i))
    if "part5" in parts:
        slow = 20.0 if claims.small_lr_slow else 70.0
        write_json(folder / "part5.json", part5_result({"1": 55.0, "01": 57.0, "001": slow}, seed=20))
    if "schedule" in parts:
        write_json(
            folder / "part5_schedule.json",
            schedule_result(61.0 if claims.schedule_helps else 50.0, adam=63.0, constant=55.0, seed=30),
        )
    return folder
