"""Tiny data for the training and experiment tests: random splits, and the tiny-run settings."""

from __future__ import annotations

import torch

from ee449.data import DataSplits


def random_splits(n_train: int = 120, n_val: int = 40, n_test: int = 30, seed: int = 0) -> DataSplits:
    g = torch.Generator().manual_seed(seed)

    def split(n: int) -> tuple[torch.Tensor, torch.Tensor]:
        return torch.randn(n, 1, 32, 32, generator=g), torch.randint(0, 10, (n,), generator=g)

    return DataSplits(*split(n_train), *split(n_val), *split(n_test), source=f"random (seed {seed})")


# The experiment tests' settings for conftest's `tiny_synthetic_data` (180 training images):
# batches of 10 make 18 steps an epoch, a point every 3 steps 6 points an epoch.
TINY = {"batch_size": 10, "record_every": 3}
