"""What one training run needs besides the architecture, the data and the seed."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ee449 import spec
from ee449.models import check_activation
from ee449.training.device import resolve_device
from ee449.validate import positive_int

OPTIMIZERS = ("adam", "sgd")


@dataclass(frozen=True)
class TrainConfig:
    """Everything one training run needs besides the architecture, data and seed."""

    epochs: int = spec.PART3_EPOCHS  # Part 3 and 4; Part 5 uses 20 and 30
    batch_size: int = spec.BATCH_SIZE
    optimizer: str = "adam"  # "adam" (default betas/eps, no weight decay) | "sgd" (no momentum)
    lr: float = spec.PART3_LR  # Adam's default
    lr_schedule: tuple[tuple[int, float], ...] = ()  # ((epoch, lr), ...): from that 0-based epoch on, use lr
    activation: str = "relu"  # "relu" | "sigmoid" (Part 4)
    record_every: int = spec.RECORD_EVERY  # steps per recorded point
    record_train: bool = True  # window-mean training loss + accuracy
    record_val: bool = True  # validation accuracy at every record point
    record_grad: bool = False  # first-layer gradient magnitude (Part 4)
    device: str = "auto"  # "auto" -> cuda if available else cpu
    eval_chunk: int = (
        0  # images per evaluation forward; 0 = 256 on CPU (cache-sized: 2x faster than 2000), 10000 on CUDA
    )
    allow_tf32: bool = False  # TF32 matmul/conv on CUDA: faster, ~1e-3 relative error; off by default
    compile: bool = False  # torch.compile the training forward: fewer GPU launches, ~30 s compile per model

    def __post_init__(self) -> None:
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {self.optimizer!r}; valid: {', '.join(OPTIMIZERS)}")
        check_activation(self.activation)
        for name in ("epochs", "batch_size", "record_every"):
            positive_int(getattr(self, name), name)
        if not isinstance(self.eval_chunk, int) or self.eval_chunk < 0:
            raise ValueError(
                f"eval_chunk must be an int >= 0 (0 = per-device default), got {self.eval_chunk!r}"
            )
        if not (isinstance(self.lr, (int, float)) and self.lr > 0 and math.isfinite(self.lr)):
            raise ValueError(f"lr must be a positive finite number, got {self.lr!r}")
        last = -1
        for entry in self.lr_schedule:
            if not (isinstance(entry, tuple) and len(entry) == 2):
                raise ValueError(f"lr_schedule entries must be (epoch, lr) pairs, got {entry!r}")
            epoch, lr = entry
            if not isinstance(epoch, int) or epoch <= last:
                raise ValueError(f"lr_schedule epochs must be increasing ints >= 0, got {self.lr_schedule!r}")
            if not (lr > 0 and math.isfinite(lr)):
                raise ValueError(f"lr_schedule learning rates must be positive, got {lr!r}")
            last = epoch
        resolve_device(self.device)  # a bad device string fails here, not mid-experiment

    def lr_at(self, epoch: int) -> float:
        """The learning rate used throughout 0-based `epoch`."""
        lr = self.lr
        for start, scheduled in self.lr_schedule:
            if epoch >= start:
                lr = scheduled
        return float(lr)
