"""The recording rule of the trainer (SPEC "Recording"), per replica of a stack.

`Window` accumulates the steps since the last record point on the device (no host sync per
step); at each record point the loop measures a `Point` for every replica and `Records` appends
it to the curves of the replicas still training, and stops the record of a replica whose window
loss is not finite (its model then is kept, for its test accuracy and weights).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch

from ee449.models import HomeworkNet
from ee449.models.stacked import StackedNet


class Window:
    """The steps since the last record point, per replica, as device tensors."""

    def __init__(self, replicas: int, device: torch.device) -> None:
        self.loss = torch.zeros(replicas, device=device)  # sum of per-sample losses
        self.correct = torch.zeros(replicas, dtype=torch.int64, device=device)
        self.samples = 0  # per replica: every replica takes a batch of the same size
        self.grad_norms = torch.zeros(replicas, device=device)  # of the closing step (record_grad)

    def add(self, losses: torch.Tensor, logits: torch.Tensor, labels: torch.Tensor) -> None:
        """One step: `losses` (R,) batch means, `logits` (R, B, 10), `labels` (R, B)."""
        B = labels.shape[1]
        with torch.no_grad():
            self.loss += losses.detach() * B
            self.correct += (logits.argmax(-1) == labels).sum(1)
        self.samples += B

    def mean_losses(self) -> list[float]:
        """Each replica's mean per-sample loss over the window: the one host sync per window."""
        return [x / self.samples for x in self.loss.tolist()]

    def clear(self) -> None:
        self.loss.zero_()
        self.correct.zero_()
        self.samples = 0


@dataclass(frozen=True)
class Point:
    """One record point of every replica, indexed by replica; None where not recorded."""

    loss: list[float] | None
    train_acc: list[float] | None  # percent
    val_acc: list[float] | None  # percent
    grad: list[float] | None


@dataclass
class Records:
    """The curves of R replicas, which of them still train, and the models of those that stopped."""

    replicas: int
    curves: list[dict[str, list[float]]] = field(init=False)
    active: list[bool] = field(init=False)
    stopped: dict[int, tuple[HomeworkNet, int]] = field(default_factory=dict)  # replica -> (model, steps)

    def __post_init__(self) -> None:
        self.curves = [{"loss": [], "train_acc": [], "val_acc": [], "grad": []} for _ in range(self.replicas)]
        self.active = [True] * self.replicas

    def any_active(self) -> bool:
        return any(self.active)

    def stop_diverged(self, net: StackedNet, mean_losses: list[float], step: int) -> None:
        """Freeze the record of every active replica whose window loss is not finite."""
        for r, loss in enumerate(mean_losses):
            if self.active[r] and not math.isfinite(loss):
                self.active[r] = False
                self.stopped[r] = (net.replica(r), step)

    def append(self, point: Point) -> None:
        """Append `point` to the curves of every replica still training."""
        for r, curves in enumerate(self.curves):
            if not self.active[r]:
                continue
            for name, values in vars(point).items():
                if values is not None:
                    curves[name].append(values[r])

    def mean_active_loss(self, mean_losses: list[float]) -> float:
        finite = [x for x, a in zip(mean_losses, self.active) if a]
        return sum(finite) / len(finite)
