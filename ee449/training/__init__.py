"""Training: one homework model, or R independent runs of it, from resident data tensors.

- `ee449.training.config`     `TrainConfig`: everything a run needs besides architecture, data, seed
- `ee449.training.history`    `History` (one run's record) and `ProgressEvent`
- `ee449.training.device`     the device, the data resident on it, the per-device choices
- `ee449.training.allocator`  glibc's malloc told to keep freed memory (the CPU's page faults)
- `ee449.training.loop`       `train` / `train_many` and the recording rule
- `ee449.training.replicas`   R runs trained together as one stacked network
"""

from __future__ import annotations

from ee449.training.config import OPTIMIZERS, TrainConfig
from ee449.training.history import History, Progress, ProgressEvent
from ee449.training.loop import accuracy, shuffle_generator, shuffle_seed, train, train_many

__all__ = ["OPTIMIZERS", "History", "Progress", "ProgressEvent", "TrainConfig", "accuracy", "shuffle_generator",
           "shuffle_seed", "train", "train_many"]
