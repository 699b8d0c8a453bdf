"""The run store across the package's moves: a run saved by an older ee449 is still found.

`saved_before_layout/` was written by `RunStore.save` at commit 628084c, before the modules
moved into subpackages: cnn_5, seed 3, one epoch of 40 random images in batches of 10, a
point every 2 steps. Its folder name holds the fingerprint of the run's config and data; a
change to `TrainConfig`'s fields or to the fingerprint would orphan every saved run, and fails
here instead.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from ee449.experiments.store import RunStore
from ee449.training import TrainConfig
from tests.helpers.assertions import assert_equal

SAVED = Path(__file__).parent / "saved_before_layout"
CONFIG = TrainConfig(epochs=1, batch_size=10, record_every=2, device="cpu")
DATA = {"source": "random (tests/experiments/test_store.py)", "train": 40, "val": 10, "test": 10}
FOLDER = "cnn_5-relu-adam-999544a5c7f557c9"  # as that commit named it


def test_a_run_saved_before_the_layout_moved_is_still_found():
    store = RunStore(SAVED)
    assert_equal(
        store.path("cnn_5", CONFIG, 3, DATA), SAVED / ".runs" / FOLDER / "seed_3.json", what="saved path"
    )
    history = store.load("cnn_5", CONFIG, 3, DATA)
    assert history is not None, "the saved run was not found or not readable"
    assert_equal(
        (history.seed, history.steps, history.steps_per_epoch, len(history.loss_curve)),
        (3, 4, 4, 2),
        what="seed, steps, steps per epoch, points",
    )
    assert_equal(history.first_layer_weights.shape, (8, 1, 3, 3), what="cnn_5's first-layer weights")


def test_the_device_is_not_part_of_a_saved_runs_identity():
    found = RunStore(SAVED).load("cnn_5", dataclasses.replace(CONFIG, device="cuda"), 3, DATA)
    assert found is not None, "a run saved on the CPU was not found for a CUDA request"
