"""Result files and the saved runs that make experiments resumable.

The result dataclasses (`Part3Result`, `Part4Result`, `Part5Result`, `ScheduleResult`) turn
an experiment's runs into the homework's result dict (`.payload()`). Two kinds of files live
in an output folder:

- the result files (`part3_<arch>.json`, `part4_<arch>.json`, `part5.json`,
  `part5_schedule.json`), written once an experiment is complete; their keys are the contract
  the plots, the report and the grader read (see `ee449.experiments` and the README);
- `.runs/<arch>-<activation>-<optimizer>-<fingerprint>/seed_<seed>.json`: every finished
  training run, saved the moment it finishes. The fingerprint hashes everything that
  determines the run (architecture, training config except the device, seed, data), so a saved
  run is reused only by a request for exactly that run, by any experiment: the schedule's
  constant-0.1 search run is Part 5's lr-0.1 run, its Adam comparison Part 3's first run.

All writes are atomic (`ee449.io`): an interrupted program leaves whole files only.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import math
import platform
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ee449 import __version__
from ee449.errors import ResultsError
from ee449.io import read_json, to_jsonable, write_json

RUNS_DIR = ".runs"
RUN_FORMAT = 1  # bump when the saved-run layout changes: older saved runs are then ignored


def versions() -> dict[str, str]:
    """The library versions a result was made with."""
    import torch

    return {"python": platform.python_version(), "torch": torch.__version__,
            "numpy": np.__version__, "ee449": __version__}


def now_utc() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def describe_data(data: Any) -> dict:
    """`data.describe()` when the object has it (DataSplits), else the split sizes."""
    if hasattr(data, "describe"):
        return dict(data.describe())
    return {split: int(len(getattr(data, f"{split}_labels"))) for split in ("train", "val", "test")}


# -- saved runs -------------------------------------------------------------------------------

def run_fingerprint(arch: str, config: Any, seed: int, data_description: dict) -> str:
    """A short hash of everything that determines one training run (the device excepted)."""
    train = {k: v for k, v in to_jsonable(config).items() if k != "device"}
    key = {"format": RUN_FORMAT, "arch": arch, "config": train, "seed": int(seed), "data": data_description}
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]


class RunStore:
    """Finished runs under `<root>/.runs/`, keyed by what determines them.

    `root=None` keeps nothing (a plain in-memory experiment). `reuse=False` (`--force`) loads
    only the runs this store saved itself (the schedule reuses the lr-0.1 run Part 5 just
    retrained), never older ones; new runs replace the old.
    """

    def __init__(self, root: str | Path | None, *, reuse: bool = True):
        self.root = Path(root) if root is not None else None
        self.reuse = reuse
        self._saved: set[Path] = set()

    def path(self, arch: str, config: Any, seed: int, data_description: dict) -> Path | None:
        if self.root is None:
            return None
        fingerprint = run_fingerprint(arch, config, seed, data_description)
        folder = f"{arch}-{config.activation}-{config.optimizer}-{fingerprint}"
        return self.root / RUNS_DIR / folder / f"seed_{int(seed)}.json"

    def load(self, arch: str, config: Any, seed: int, data_description: dict):
        """The saved History of this exact run, or None (absent, unreadable, or `reuse=False`)."""
        path = self.path(arch, config, seed, data_description)
        if path is None or not path.is_file() or not (self.reuse or path in self._saved):
            return None
        try:
            saved = read_json(path)
            return history_from_json(saved["history"])
        except (ResultsError, KeyError, TypeError, ValueError):
            return None  # a damaged saved run is retrained, not trusted

    def save(self, arch: str, config: Any, seed: int, data_description: dict, history: Any) -> Path | None:
        path = self.path(arch, config, seed, data_description)
        if path is None:
            return None
        write_json(path, {"arch": arch, "config": config, "seed": int(seed), "data": data_description,
                          "history": history_to_json(history), "saved": now_utc()})
        self._saved.add(path)
        return path

    def count(self) -> int:
        """How many runs are saved (all experiments)."""
        if self.root is None or not (self.root / RUNS_DIR).is_dir():
            return 0
        return sum(1 for _ in (self.root / RUNS_DIR).glob("*/seed_*.json"))


def history_to_json(history: Any) -> dict:
    payload = to_jsonable(history)
    payload["first_layer_weights_dtype"] = str(np.asarray(history.first_layer_weights).dtype)
    return payload


def history_from_json(payload: dict):
    """The inverse of `history_to_json`: null curve points become NaN again."""
    from ee449.train import History

    values = {}
    for field in dataclasses.fields(History):
        value = payload[field.name]
        if field.name == "first_layer_weights":
            value = np.asarray(value, dtype=payload.get("first_layer_weights_dtype", "float32"))
        elif field.name.endswith("_curve"):
            value = [math.nan if v is None else float(v) for v in value]
        elif field.name in ("test_acc", "wall_time_s"):
            value = math.nan if value is None else float(value)
        values[field.name] = value
    return History(**values)


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
        raise ValueError(f"an epoch of {steps_per_epoch} steps holds no point recorded every "
                         f"{record_every} steps; use more data or a smaller record_every")
    buckets: dict[int, list[float]] = {}
    for i, value in enumerate(curve):
        buckets.setdefault(((i + 1) * record_every - 1) // steps_per_epoch, []).append(value)
    return [sum(v) / len(v) for _, v in sorted(buckets.items())]


# -- result files -----------------------------------------------------------------------------

def read_result(path: str | Path) -> dict:
    """A result file as a dict, checked to be a JSON object with a `meta.config`."""
    result = read_json(path)
    if not isinstance(result, dict) or not isinstance(result.get("meta"), dict) or "config" not in result["meta"]:
        raise ResultsError(f"{path} is not an ee449 result file (no meta.config)")
    return result


def result_status(path: str | Path, config: Any, data_description: dict) -> str:
    """'missing', 'done' (same config and data: nothing to do) or a reason it differs."""
    path = Path(path)
    if not path.exists():
        return "missing"
    try:
        meta = read_result(path)["meta"]
    except ResultsError as error:
        return f"unreadable ({error})"
    wanted = to_jsonable(config)
    if meta.get("config") != wanted:
        changed = sorted(k for k in set(wanted) | set(meta.get("config") or {})
                         if (meta.get("config") or {}).get(k) != wanted.get(k))
        return f"made with a different config ({', '.join(changed)} differ)"
    if meta.get("data") != to_jsonable(data_description):
        return "made with different data"
    return "done"


def write_result(path: str | Path, payload: dict) -> Path:
    """Write one result file atomically (strict JSON: NaN becomes null)."""
    return write_json(path, payload)


# -- results ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Environment:
    """Where a result was made: device, data, library versions, time."""

    device: str
    data: dict
    versions: dict = field(default_factory=versions)
    created: str = field(default_factory=now_utc)


def _meta(config: Any, histories: Sequence[Any], env: Environment, labels: Sequence[str] = ()) -> dict:
    return {
        "config": config, "seeds": [h.seed for h in histories], "run_labels": list(labels),
        "run_test_accs": [h.test_acc for h in histories], "data": env.data, "device": env.device,
        "versions": env.versions, "wall_time_s": sum(h.wall_time_s for h in histories),
        "steps_per_epoch": histories[0].steps_per_epoch, "record_every": config.record_every,
        "diverged_runs": [h.seed for h in histories if h.diverged], "runs_done": len(histories),
        "created": env.created,
    }


@dataclass
class Part3Result:
    config: Any  # experiments.Part3Config
    histories: list  # of ee449.train.History, one per run, in run order
    env: Environment

    def payload(self) -> dict:
        h, flags = self.histories, [r.diverged for r in self.histories]
        best = best_run([r.test_acc for r in h])
        return {"name": self.config.arch, "loss_curve": mean_curve([r.loss_curve for r in h], flags),
                "train_acc_curve": mean_curve([r.train_acc_curve for r in h], flags),
                "val_acc_curve": mean_curve([r.val_acc_curve for r in h], flags),
                "test_acc": h[best].test_acc, "weights": h[best].first_layer_weights,
                "meta": {**_meta(self.config, h, self.env), "best_run": best}}


@dataclass
class Part4Result:
    config: Any  # experiments.Part4Config
    relu: Any  # History
    sigmoid: Any  # History
    env: Environment

    def payload(self) -> dict:
        return {"name": self.config.arch, "relu_loss_curve": self.relu.loss_curve,
                "sigmoid_loss_curve": self.sigmoid.loss_curve, "relu_grad_curve": self.relu.grad_curve,
                "sigmoid_grad_curve": self.sigmoid.grad_curve,
                "meta": _meta(self.config, [self.relu, self.sigmoid], self.env, ("relu", "sigmoid"))}


def rate_suffix(lr: float) -> str:
    """The homework's key suffix of a rate: 0.1 -> '1', 0.01 -> '01', 0.001 -> '001'."""
    text = f"{lr:.10f}".rstrip("0")
    if not text.startswith("0.") or text == "0.":
        raise ValueError(f"a Part 5 rate must be in (0, 1), got {lr!r}")
    return text[2:]


@dataclass
class Part5Result:
    config: Any  # experiments.Part5Config
    histories: list  # one History per rate, in config.lrs order
    env: Environment

    def payload(self) -> dict:
        out: dict = {"name": self.config.arch}
        for lr, h in zip(self.config.lrs, self.histories):
            out[f"loss_curve_{rate_suffix(lr)}"] = h.loss_curve
        for lr, h in zip(self.config.lrs, self.histories):
            out[f"val_acc_curve_{rate_suffix(lr)}"] = h.val_acc_curve
        labels = [f"lr {lr:g}" for lr in self.config.lrs]
        test_acc = {f"test_acc_{rate_suffix(lr)}": h.test_acc for lr, h in zip(self.config.lrs, self.histories)}
        out["meta"] = {**_meta(self.config, self.histories, self.env, labels), "test_acc": test_acc}
        return out


@dataclass
class ScheduleResult:
    config: Any  # experiments.ScheduleConfig
    switch_epochs: tuple[int, int]
    search: Any  # History of the constant-rate run the first switch was read from
    stage2: Any  # History: lrs[0], then lrs[1] from switch_epochs[0]
    stage3: Any  # History: all three rates
    adam_test_acc: float
    adam_source: str
    env: Environment

    def payload(self) -> dict:
        histories = [self.search, self.stage2, self.stage3]
        meta = _meta(self.config, histories, self.env, ("constant", "stage2", "stage3"))
        meta.update(adam_source=self.adam_source, epoch_means_search=self._means(self.search),
                    epoch_means_stage2=self._means(self.stage2), epoch_means_stage3=self._means(self.stage3))
        return {"name": self.config.arch, "switch_epochs": list(self.switch_epochs),
                "val_acc_curve_stage2": self.stage2.val_acc_curve,
                "val_acc_curve_stage3": self.stage3.val_acc_curve, "test_acc": self.stage3.test_acc,
                "adam_test_acc": self.adam_test_acc, "constant_lr_test_acc": self.search.test_acc, "meta": meta}

    def _means(self, h: Any) -> list[float]:
        return epoch_means(h.val_acc_curve, h.steps_per_epoch, self.config.record_every)
