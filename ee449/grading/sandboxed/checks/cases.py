"""The conv cases both sides share: the sandbox runs the student's my_conv2d on them, the grader's
judge (`judging.conv`) compares the outputs with its own reference. Plain NumPy, no reference here."""

from __future__ import annotations

import numpy as np


def draw_cases() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """A fixed set of drawn conv cases (seeded): each exercises one thing students get wrong."""
    rng = np.random.default_rng(449)
    return {
        "multichannel": (rng.normal(size=(2, 3, 9, 8)), rng.normal(size=(4, 3, 3, 3))),
        "nonsquare_kernel": (rng.normal(size=(2, 2, 10, 9)), rng.normal(size=(3, 2, 2, 4))),
        # Like the course's digits: uint8 pixels, float64 kernel.
        "uint8_input": (
            rng.integers(0, 256, size=(2, 1, 12, 11), dtype=np.uint8),
            rng.normal(size=(3, 1, 4, 4)),
        ),
        "batch_of_one": (rng.normal(size=(1, 1, 7, 6)), rng.normal(size=(2, 1, 3, 3))),
    }


CASES = draw_cases()
