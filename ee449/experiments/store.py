"""The saved runs that make experiments resumable.

`.runs/<arch>-<activation>-<optimizer>-<fingerprint>/seed_<seed>.json`: every finished training
run, saved the moment it finishes. The fingerprint hashes everything that determines the run
(architecture, training config except the device, seed, data), so a saved run is reused only
by a request for exactly that run, by any experiment: the schedule's constant-0.1 search run is
Part 5's lr-0.1 run, its Adam comparison Part 3's first run. The fingerprint's input is part
of the store's format: a change to it would orphan every saved run (RUN_FORMAT says so).

All writes are atomic (`ee449.io`): an interrupted program leaves whole files only.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from ee449.data import DataSplits
from ee449.errors import ResultsError
from ee449.io import read_json, to_jsonable, write_json
from ee449.training.config import TrainConfig
from ee449.training.history import History

RUNS_DIR = ".runs"
RUN_FORMAT = 1  # bump when the saved-run layout changes: older saved runs are then ignored


def now_utc() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def describe_data(data: DataSplits) -> dict[str, Any]:
    """`data.describe()` when the object has it (DataSplits), else the split sizes."""
    describe = getattr(data, "describe", None)
    if callable(describe):
        return dict(describe())
    return {split: int(len(getattr(data, f"{split}_labels"))) for split in ("train", "val", "test")}


# -- saved runs -------------------------------------------------------------------------------


def run_fingerprint(arch: str, config: TrainConfig, seed: int, data_description: dict[str, Any]) -> str:
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

    def path(
        self, arch: str, config: TrainConfig, seed: int, data_description: dict[str, Any]
    ) -> Path | None:
        if self.root is None:
            return None
        fingerprint = run_fingerprint(arch, config, seed, data_description)
        folder = f"{arch}-{config.activation}-{config.optimizer}-{fingerprint}"
        return self.root / RUNS_DIR / folder / f"seed_{int(seed)}.json"

    def load(
        self, arch: str, config: TrainConfig, seed: int, data_description: dict[str, Any]
    ) -> History | None:
        """The saved History of this exact run, or None (absent, unreadable, or `reuse=False`)."""
        path = self.path(arch, config, seed, data_description)
        if path is None or not path.is_file() or not (self.reuse or path in self._saved):
            return None
        try:
            saved = read_json(path)
            if not isinstance(saved, dict) or saved_run_problems(
                saved.get("history"), config, seed, data_description
            ):
                return None  # a saved run that does not fit its own config is retrained, not trusted
            return history_from_json(saved["history"])
        except (ResultsError, KeyError, TypeError, ValueError):
            return None  # a damaged saved run is retrained, not trusted

    def save(
        self, arch: str, config: TrainConfig, seed: int, data_description: dict[str, Any], history: History
    ) -> Path | None:
        path = self.path(arch, config, seed, data_description)
        if path is None:
            return None
        write_json(
            path,
            {
                "arch": arch,
                "config": config,
                "seed": int(seed),
                "data": data_description,
                "history": history_to_json(history),
                "saved": now_utc(),
            },
        )
        self._saved.add(path)
        return path

    def count(self) -> int:
        """How many runs are saved (all experiments)."""
        if self.root is None or not (self.root / RUNS_DIR).is_dir():
            return 0
        return sum(1 for _ in (self.root / RUNS_DIR).glob("*/seed_*.json"))


_CURVES = {
    "loss_curve": "record_train",
    "train_acc_curve": "record_train",
    "val_acc_curve": "record_val",
    "grad_curve": "record_grad",
}  # curve -> the TrainConfig flag that records it


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def saved_run_problems(history: Any, config: Any, seed: int, data_description: dict) -> list[str]:
    """Why a saved run's JSON `history` cannot be the run `config` and `seed` describe (empty: it fits).

    Types (curves of numbers or null, an int step count), the step count and curve lengths that
    the config implies (`epochs * ceil(train / batch_size)` steps, one point per `record_every`;
    a diverged run stops early and records up to its last finished window), and ranges
    (accuracies 0-100%, losses and gradient norms >= 0).
    """
    if not isinstance(history, dict):
        return ["no history"]
    problems: list[str] = []
    ints = ("seed", "steps", "steps_per_epoch")
    if any(not isinstance(history.get(k), int) or isinstance(history.get(k), bool) for k in ints):
        return [f"{', '.join(ints)} must be ints"]
    if not isinstance(history.get("diverged"), bool):
        return ["'diverged' must be true or false"]
    if history["seed"] != int(seed):
        problems.append(f"seed {history['seed']} is not {seed}")
    train = data_description.get("train") if isinstance(data_description, dict) else None
    spe = history["steps_per_epoch"]
    if isinstance(train, int) and spe != -(-train // config.batch_size):
        problems.append(
            f"{spe} steps per epoch; {train} images in batches of {config.batch_size} make "
            f"{-(-train // config.batch_size)}"
        )
    planned = config.epochs * spe
    steps = history["steps"]
    if steps > planned or (steps < planned and not history["diverged"]) or steps < 0:
        problems.append(f"{steps} steps; {config.epochs} epochs of {spe} make {planned}")
    full = steps // config.record_every
    # A run that diverged stops at the window that went non-finite, before recording it.
    allowed = {full, full - 1} if history["diverged"] else {full}
    for key, flag in _CURVES.items():
        values = history.get(key)
        if not isinstance(values, list) or not all(v is None or _is_number(v) for v in values):
            problems.append(f"{key} is not a list of numbers")
            continue
        if len(values) not in (allowed if getattr(config, flag) else {0}):
            problems.append(
                f"{key} has {len(values)} points; {steps} steps recorded every "
                f"{config.record_every} make {full}"
            )
        low, high = (0.0, 100.0) if "acc" in key else (0.0, math.inf)
        if any(v is not None and not (math.isfinite(v) and low <= v <= high) for v in values):
            problems.append(f"{key} has values outside [{low:g}, {high:g}]")
    test_acc = history.get("test_acc")
    if not (test_acc is None or (_is_number(test_acc) and 0.0 <= test_acc <= 100.0)):
        problems.append(f"test_acc {test_acc!r:.30} is not a percentage")
    if not (_is_number(history.get("wall_time_s")) or history.get("wall_time_s") is None):
        problems.append("wall_time_s is not a number")
    if not isinstance(history.get("first_layer_weights"), list):
        problems.append("first_layer_weights is not an array")
    return problems


def history_to_json(history: History) -> dict[str, Any]:
    payload = to_jsonable(history)
    payload["first_layer_weights_dtype"] = str(np.asarray(history.first_layer_weights).dtype)
    return payload


def history_from_json(payload: dict[str, Any]) -> History:
    """The inverse of `history_to_json`: null curve points become NaN again."""
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
