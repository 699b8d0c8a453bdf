"""Training: R independent runs of a homework model (R = 1: one run) as one stack, from resident tensors.

- `ee449.training.config`     `TrainConfig`: everything a run needs besides architecture, data, seed
- `ee449.training.history`    `History` (one run's record) and `ProgressEvent`
- `ee449.training.device`     the device, the data resident on it, the per-device choices
- `ee449.training.allocator`  glibc's malloc told to keep freed memory (the CPU's page faults)
- `ee449.training.loop`       `train` / `train_many`: one loop over a stack of R replicas, the recording rule
- `ee449.training.evaluate`   accuracy on a whole split, of one model or of a stack
"""

from __future__ import annotations

from ee449.training.config import OPTIMIZERS, TrainConfig
from ee449.training.device import batching_pays_off, resolve_device
from ee449.training.evaluate import accuracy
from ee449.training.history import History, Progress, ProgressEvent
from ee449.training.loop import train, train_many, train_stack
from ee449.training.shuffling import shuffle_generator, shuffle_seed

__all__ = [
    "OPTIMIZERS",
    "History",
    "Progress",
    "ProgressEvent",
    "TrainConfig",
    "accuracy",
    "batching_pays_off",
    "resolve_device",
    "shuffle_generator",
    "shuffle_seed",
    "train",
    "train_many",
    "train_stack",
]
