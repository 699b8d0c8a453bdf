"""A run's shuffling stream: a CPU generator of its own, apart from the stream its model is made from.

The order of epoch e is the e-th `torch.randperm(N_train, generator=...)` of it, made on the CPU so
that it is the same on every device (the trainer's docstring, "Seeds").
"""

from __future__ import annotations

import torch

_SHUFFLE_SALT = 0x5EED_1E55  # keeps the shuffling stream apart from the init stream of a seed


def shuffle_seed(seed: int) -> int:
    """The seed of a run's shuffling generator, derived from the run's seed (the trainer's docstring, "Seeds")."""
    return (int(seed) ^ _SHUFFLE_SALT) % (2**63)


def shuffle_generator(seed: int) -> torch.Generator:
    return torch.Generator(device="cpu").manual_seed(shuffle_seed(seed))
