"""The homework's result-file contract as data: keys, epochs, the recording rule, plausible bands.

Plain data and one function, importable anywhere (the checks use it in the sandbox, the tests
check it against the rule's definition).
"""

from __future__ import annotations

import math

from ee449.spec import BATCH_SIZE as BATCH
from ee449.spec import EPOCHS
from ee449.spec import RECORD_EVERY as EVERY
from ee449.spec import RESULT_KEYS as KEYS

__all__ = ["BANDS", "BATCH", "CALLS_PER_CHECK", "EPOCHS", "EVERY", "KEYS", "TRAIN_IMAGES", "implied_images"]

TRAIN_IMAGES = (40_000, 50_000)
# Checks that call the student's code more than once get `--timeout` per call: the checks' markers
# and the grader's watchdog both read this table (the grader never takes a budget from the child).
CALLS_PER_CHECK = {"conv/course_samples": 10}  # ten sample files
BANDS = {"mlp": (25.0, 55.0), "cnn": (40.0, 80.0)}


def implied_images(points: int, epochs: int) -> int | None:
    """The training-set size (batch 50) whose run records `points` points in `epochs`, or None."""
    for steps in range(math.ceil(TRAIN_IMAGES[0] / BATCH), math.ceil(TRAIN_IMAGES[1] / BATCH) + 1):
        if points in {epochs * steps // EVERY, math.ceil(epochs * steps / EVERY)}:
            return steps * BATCH
    return None
