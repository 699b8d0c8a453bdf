"""The homework's result-file contract as data: keys, epochs, the recording rule, plausible bands.

Plain data and one function, importable anywhere (the checks use it in the sandbox, the tests
check it against the rule's definition).
"""

from __future__ import annotations

import math

KEYS = {
    3: ("name", "loss_curve", "train_acc_curve", "val_acc_curve", "test_acc", "weights"),
    4: ("name", "relu_loss_curve", "sigmoid_loss_curve", "relu_grad_curve", "sigmoid_grad_curve"),
    5: ("name", "loss_curve_1", "loss_curve_01", "loss_curve_001",
        "val_acc_curve_1", "val_acc_curve_01", "val_acc_curve_001"),
}
EPOCHS = {3: 15, 4: 15, 5: 20}
BATCH, EVERY = 50, 10
TRAIN_IMAGES = (40_000, 50_000)
BANDS = {"mlp": (25.0, 55.0), "cnn": (40.0, 80.0)}


def implied_images(points: int, epochs: int) -> int | None:
    """The training-set size (batch 50) whose run records `points` points in `epochs`, or None."""
    for steps in range(math.ceil(TRAIN_IMAGES[0] / BATCH), math.ceil(TRAIN_IMAGES[1] / BATCH) + 1):
        if points in {epochs * steps // EVERY, math.ceil(epochs * steps / EVERY)}:
            return steps * BATCH
    return None
