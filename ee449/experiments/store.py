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

from ee449.errors import ResultsError
from ee449.io import read_json, to_jsonable, write_json
from ee449.training.config import TrainConfig
from ee449.training.device import SplitTensors
from ee449.training.history import History

RUNS_DIR = ".runs"
RUN_FORMAT = 1  # bump when the saved-run layout changes: older saved runs are then ignored


def now_utc() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def describe_data(data: SplitTensors) -> dict[str, Any]:
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

    def path(self, arch: str, config: TrainConfig, seed: int, data_description: dict[str, Any]) -> Path | None:
        if self.root is None:
            return None
        fingerprint = run_fingerprint(arch, config, seed, data_description)
        folder = f"{arch}-{config.activation}-{config.optimizer}-{fingerprint}"
        return self.root / RUNS_DIR / folder / f"seed_{int(seed)}.json"

    def load(self, arch: str, config: TrainConfig, seed: int, data_description: dict[str, Any]) -> History | None:
        """The saved History of this exact run, or None (absent, unreadable, or `reuse=False`)."""
        path = self.path(arch, config, seed, data_description)
        if path is None or not path.is_file() or not (self.reuse or path in self._saved):
            return None
        try:
            saved = read_json(path)
            return history_from_json(saved["history"])
        except (ResultsError, KeyError, TypeError, ValueError):
            return None  # a damaged saved run is retrained, not trusted

    def save(self, arch: str, config: TrainConfig, seed: int, data_description: dict[str, Any],
             history: History) -> Path | None:
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
