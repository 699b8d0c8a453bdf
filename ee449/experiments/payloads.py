"""An experiment's runs as the homework's result dict: the result dataclasses and their `.payload()`.

`Part3Result`, `Part4Result`, `Part5Result` and `ScheduleResult` hold an experiment's resolved
config, its runs' `History`s and the environment; `.payload()` is the result file's content
(its keys are the contract the plots, the report and the grader read; `ee449.spec`). Writing
the file is `ee449.results.write_result`'s job.
"""

from __future__ import annotations

import math
import platform
from dataclasses import dataclass, field
from typing import Any, Sequence, Union

import numpy as np
import torch

from ee449 import __version__
from ee449.experiments.configs import Part3Config, Part4Config, Part5Config, ScheduleConfig
from ee449.experiments.store import now_utc
from ee449.spec import DEFAULT_HOMEWORK, rate_suffix
from ee449.training import History

ExperimentConfig = Union[Part3Config, Part4Config, Part5Config, ScheduleConfig]


def versions() -> dict[str, str]:
    """The library versions a result was made with."""
    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "ee449": __version__,
    }


# -- curves over runs -------------------------------------------------------------------------


def mean_curve(curves: Sequence[Sequence[float]], diverged: Sequence[bool] = ()) -> list[float]:
    """The point-by-point mean of equally long curves, over the runs that did not diverge.

    A diverged run's curves stop early, so it would bias the mean (or make it undefined): it is
    left out, unless every run diverged, in which case the mean is over all runs, cut to the
    shortest curve. Non-finite points propagate as NaN (written as null).
    """
    flags = list(diverged) or [False] * len(curves)
    kept = [c for c, bad in zip(curves, flags) if not bad] or list(curves)
    if not kept:
        return []
    length = min(len(c) for c in kept)
    stacked = np.array([list(c)[:length] for c in kept], dtype=np.float64).reshape(len(kept), length)
    return [float(v) for v in stacked.mean(axis=0)]


def best_run(test_accs: Sequence[float]) -> int:
    """Index of the run with the highest test accuracy (NaN counts as lowest; first on ties)."""
    if not test_accs:
        raise ValueError("best_run needs at least one run")
    scores = [a if math.isfinite(a) else -math.inf for a in test_accs]
    return int(np.argmax(scores))


def epoch_means(curve: Sequence[float], steps_per_epoch: int, record_every: int) -> list[float]:
    """Mean of the points of `curve` recorded in each epoch (point i is at step (i+1)*record_every)."""
    if steps_per_epoch < record_every:
        raise ValueError(
            f"an epoch of {steps_per_epoch} steps holds no point recorded every "
            f"{record_every} steps; use more data or a smaller record_every"
        )
    buckets: dict[int, list[float]] = {}
    for i, value in enumerate(curve):
        buckets.setdefault(((i + 1) * record_every - 1) // steps_per_epoch, []).append(value)
    return [sum(v) / len(v) for _, v in sorted(buckets.items())]


# -- results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Environment:
    """Where a result was made: device, data, library versions, time."""

    device: str
    data: dict
    versions: dict = field(default_factory=versions)
    created: str = field(default_factory=now_utc)


def _meta(
    config: ExperimentConfig, histories: Sequence[History], env: Environment, labels: Sequence[str] = ()
) -> dict[str, Any]:
    return {
        "homework": env.data.get("homework", DEFAULT_HOMEWORK),  # the edition the file follows
        "config": config,
        "seeds": [h.seed for h in histories],
        "run_labels": list(labels),
        "run_test_accs": [h.test_acc for h in histories],
        "data": env.data,
        "device": env.device,
        "versions": env.versions,
        "wall_time_s": sum(h.wall_time_s for h in histories),
        "steps_per_epoch": histories[0].steps_per_epoch,
        "record_every": config.record_every,
        "diverged_runs": [h.seed for h in histories if h.diverged],
        "runs_done": len(histories),
        "created": env.created,
    }


@dataclass
class Part3Result:
    config: Part3Config
    histories: list[History]  # one per run, in run order
    env: Environment

    def payload(self) -> dict[str, Any]:
        h, flags = self.histories, [r.diverged for r in self.histories]
        best = best_run([r.test_acc for r in h])
        return {
            "name": self.config.arch,
            "loss_curve": mean_curve([r.loss_curve for r in h], flags),
            "train_acc_curve": mean_curve([r.train_acc_curve for r in h], flags),
            "val_acc_curve": mean_curve([r.val_acc_curve for r in h], flags),
            "test_acc": h[best].test_acc,
            "weights": h[best].first_layer_weights,
            "meta": {**_meta(self.config, h, self.env), "best_run": best},
        }


@dataclass
class Part4Result:
    config: Part4Config
    relu: History
    sigmoid: History
    env: Environment

    def payload(self) -> dict[str, Any]:
        return {
            "name": self.config.arch,
            "relu_loss_curve": self.relu.loss_curve,
            "sigmoid_loss_curve": self.sigmoid.loss_curve,
            "relu_grad_curve": self.relu.grad_curve,
            "sigmoid_grad_curve": self.sigmoid.grad_curve,
            "meta": _meta(self.config, [self.relu, self.sigmoid], self.env, ("relu", "sigmoid")),
        }


@dataclass
class Part5Result:
    config: Part5Config
    histories: list[History]  # one per rate, in config.lrs order
    env: Environment

    def payload(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.config.arch}
        for lr, h in zip(self.config.lrs, self.histories):
            out[f"loss_curve_{rate_suffix(lr)}"] = h.loss_curve
        for lr, h in zip(self.config.lrs, self.histories):
            out[f"val_acc_curve_{rate_suffix(lr)}"] = h.val_acc_curve
        labels = [f"lr {lr:g}" for lr in self.config.lrs]
        test_acc = {
            f"test_acc_{rate_suffix(lr)}": h.test_acc for lr, h in zip(self.config.lrs, self.histories)
        }
        out["meta"] = {**_meta(self.config, self.histories, self.env, labels), "test_acc": test_acc}
        return out


@dataclass
class ScheduleResult:
    config: ScheduleConfig
    switch_epochs: tuple[int, int]
    search: History  # of the constant-rate run the first switch was read from
    stage2: History  # lrs[0], then lrs[1] from switch_epochs[0]
    stage3: History  # all three rates
    adam_test_acc: float
    adam_source: str
    env: Environment

    def payload(self) -> dict[str, Any]:
        histories = [self.search, self.stage2, self.stage3]
        meta = _meta(self.config, histories, self.env, ("constant", "stage2", "stage3"))
        meta.update(
            adam_source=self.adam_source,
            epoch_means_search=self._means(self.search),
            epoch_means_stage2=self._means(self.stage2),
            epoch_means_stage3=self._means(self.stage3),
        )
        return {
            "name": self.config.arch,
            "switch_epochs": list(self.switch_epochs),
            "val_acc_curve_stage2": self.stage2.val_acc_curve,
            "val_acc_curve_stage3": self.stage3.val_acc_curve,
            "test_acc": self.stage3.test_acc,
            "adam_test_acc": self.adam_test_acc,
            "constant_lr_test_acc": self.search.test_acc,
            "meta": meta,
        }

    def _means(self, h: History) -> list[float]:
        return epoch_means(h.val_acc_curve, h.steps_per_epoch, self.config.record_every)
