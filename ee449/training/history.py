"""What training reports: one run's record (`History`) and the events sent at record points."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np


@dataclass
class History:
    """One run's record. Curves are lists of floats, one point per `record_every` steps."""

    loss_curve: list[float]  # window means of the per-sample training loss
    train_acc_curve: list[float]  # percent, window means
    val_acc_curve: list[float]  # percent, whole validation set
    grad_curve: list[float]  # ||(W1_before - W1_after) / lr||_2 of each window's closing step
    test_acc: float  # percent, whole test set after training
    first_layer_weights: np.ndarray  # (32, 1024) for MLPs, (C, 1, k, k) for CNNs
    seed: int
    steps: int  # optimizer steps taken (fewer than planned if diverged)
    steps_per_epoch: int
    diverged: bool
    wall_time_s: float  # replicas trained together each report the whole group's time
    device: str


@dataclass(frozen=True)
class ProgressEvent:
    """Sent to the `progress` callable at every record point (never per step).

    `run` is the 0-based index of the run among `runs`; with replica batching, runs
    `run .. run + replicas - 1` train together and `loss` is their mean window loss.
    `epoch` is 0-based; `step` counts the steps done so far out of `steps`.
    """

    run: int
    runs: int
    epoch: int
    epochs: int
    step: int
    steps: int
    loss: float
    replicas: int = 1


Progress = Callable[[ProgressEvent], Any]
