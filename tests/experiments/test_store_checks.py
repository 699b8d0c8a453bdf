"""Saved runs checked against their config before reuse: cut curves, wrong types, impossible values.

The runs are real files written by `RunStore.save` and edited on disk the way a broken disk,
an interrupted copy or a hand edit would; each edit must make `load` retrain (return None).
"""

from __future__ import annotations

import json
from typing import Any, Callable

import numpy as np
import pytest

from ee449.experiments.store import RunStore, saved_run_problems
from ee449.training import TrainConfig
from ee449.training.history import History

DATA = {"source": "synthetic (seed 0)", "train": 2700, "val": 300, "test": 500}
CONFIG = TrainConfig(epochs=4, batch_size=50, record_every=10, device="cpu")  # 54 steps per epoch
STEPS = 4 * 54  # 216 steps -> 21 points (the case)


def history(points: int = STEPS // 10, steps: int = STEPS, diverged: bool = False) -> History:
    rng = np.random.default_rng(0)
    weights = rng.standard_normal((32, 1024)).astype(np.float32)
    return History(
        loss_curve=list(rng.uniform(0.5, 2.3, points)),
        train_acc_curve=list(rng.uniform(10, 90, points)),
        val_acc_curve=list(rng.uniform(10, 90, points)),
        grad_curve=[],
        test_acc=61.5,
        first_layer_weights=weights,
        seed=3,
        steps=steps,
        steps_per_epoch=54,
        diverged=diverged,
        wall_time_s=1.5,
        device="cpu",
    )


def _edit(store: RunStore, change: Callable[[dict[str, Any]], None]) -> None:
    path = store.path("mlp_1", CONFIG, 3, DATA)
    saved = json.loads(path.read_text())
    change(saved["history"])
    path.write_text(json.dumps(saved))


def test_a_saved_run_that_fits_its_config_is_reused(tmp_path):
    store = RunStore(tmp_path)
    store.save("mlp_1", CONFIG, 3, DATA, history())
    loaded = store.load("mlp_1", CONFIG, 3, DATA)
    assert loaded is not None and len(loaded.loss_curve) == 21 and loaded.test_acc == 61.5


EDITS = {
    "curves cut to 7 of 21 points": lambda h: h.update(
        {k: h[k][:7] for k in ("loss_curve", "train_acc_curve", "val_acc_curve")}
    ),
    "one curve cut": lambda h: h.update(val_acc_curve=h["val_acc_curve"][:20]),
    "test_acc a string": lambda h: h.update(test_acc="99.5"),
    "test_acc 150%": lambda h: h.update(test_acc=150.0),
    "an accuracy of -50%": lambda h: h["train_acc_curve"].__setitem__(4, -50.0),
    "a negative loss": lambda h: h["loss_curve"].__setitem__(0, -1.0),
    "an Infinity literal": lambda h: h["loss_curve"].__setitem__(0, float("inf")),
    "a curve point that is a string": lambda h: h["loss_curve"].__setitem__(2, "0.5"),
    "steps a float": lambda h: h.update(steps=216.0),
    "fewer steps, not diverged": lambda h: h.update(steps=70),
    "steps per epoch of other data": lambda h: h.update(steps_per_epoch=60, steps=240),
    "a grad curve that was not recorded": lambda h: h.update(grad_curve=[1.0] * 21),
    "no weights": lambda h: h.update(first_layer_weights="none"),
    "seed of another run": lambda h: h.update(seed=4),
}


@pytest.mark.parametrize("edit", EDITS.values(), ids=EDITS.keys())
def test_a_saved_run_that_does_not_fit_its_config_is_retrained(tmp_path, edit):
    store = RunStore(tmp_path)
    store.save("mlp_1", CONFIG, 3, DATA, history())
    _edit(store, edit)
    assert store.load("mlp_1", CONFIG, 3, DATA) is None


def test_a_diverged_run_may_stop_early_and_is_reused():
    # It stopped at step 70: 7 full windows, the 7th non-finite and not recorded.
    saved = json.loads(json.dumps({"history": _jsonable(history(points=6, steps=70, diverged=True))}))
    assert saved_run_problems(saved["history"], CONFIG, 3, DATA) == []
    other_data = {**DATA, "train": 2000}  # 40 steps per epoch
    assert saved_run_problems(saved["history"], CONFIG, 3, other_data) != []


def _jsonable(h: History) -> dict:
    from ee449.experiments.store import history_to_json

    return history_to_json(h)
