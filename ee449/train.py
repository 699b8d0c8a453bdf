"""The trainer: one homework model from resident data tensors, recorded as the spec reads.

Recording (SPEC "Recording"): every `record_every` optimizer steps, record
  (a) the training loss and accuracy as the mean over the SAMPLES of those steps,
  (b) the validation accuracy over the whole validation set (eval mode, `inference_mode`,
      in chunks of `eval_chunk` images),
  (c) with `record_grad`, ||(W1_before - W1_after) / lr||_2 of the step closing the window,
      from real copies, with the lr used in that step (equal to ||dL/dW1||_2 for plain SGD).
Curve length = floor(total_steps / record_every); total_steps = epochs * ceil(N_train / batch)
(the last partial batch of an epoch is kept). Accuracies are percentages.

Seeds (replica batching in `ee449.replicas` reproduces exactly this):
  - model init: `torch.manual_seed(seed)`, then `models.build(arch, activation)`;
  - shuffling: a CPU `torch.Generator` seeded with `shuffle_seed(seed)`; epoch e's order is
    the e-th `torch.randperm(N_train, generator=...)` of that generator, made on the CPU (so the
    order is the same on every device) and copied to the device once per epoch.

No waste: the data lives on the device; batches are `images[idx]`; window statistics are
accumulated as device tensors and read back once per record point (no host sync per step).

Divergence: a non-finite window loss, checked at each record point (and at the end), stops
training with `History.diverged = True`; the curves hold the finite points recorded before it,
and test accuracy / weights are those of the model when it stopped. Nothing is raised.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from ee449 import models
from ee449.device import Resident, configure_device, eval_chunk_for, memory_format_for, resolve_device, to_resident

OPTIMIZERS = ("adam", "sgd")
_SHUFFLE_SALT = 0x5EED_1E55  # keeps the shuffling stream apart from the init stream of a seed


@dataclass(frozen=True)
class TrainConfig:
    """Everything one training run needs besides the architecture, data and seed."""

    epochs: int = 15  # Part 3 and 4; Part 5 uses 20 and 30
    batch_size: int = 50  # the homework's batch
    optimizer: str = "adam"  # "adam" (default betas/eps, no weight decay) | "sgd" (no momentum)
    lr: float = 1e-3  # Adam's default
    lr_schedule: tuple[tuple[int, float], ...] = ()  # ((epoch, lr), ...): from that 0-based epoch on, use lr
    activation: str = "relu"  # "relu" | "sigmoid" (Part 4)
    record_every: int = 10  # steps per recorded point (SPEC Recording)
    record_train: bool = True  # window-mean training loss + accuracy
    record_val: bool = True  # validation accuracy at every record point
    record_grad: bool = False  # first-layer gradient magnitude (Part 4)
    device: str = "auto"  # "auto" -> cuda if available else cpu
    eval_chunk: int = 0  # images per evaluation forward; 0 = 256 on CPU (cache-sized: 2x faster than 2000), 10000 on CUDA
    allow_tf32: bool = False  # TF32 matmul/conv on CUDA: faster, ~1e-3 relative error; off by default
    compile: bool = False  # torch.compile the training forward: fewer GPU launches, ~30 s compile per model

    def __post_init__(self) -> None:
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {self.optimizer!r}; valid: {', '.join(OPTIMIZERS)}")
        models.check_activation(self.activation)
        for name in ("epochs", "batch_size", "record_every"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if not isinstance(self.eval_chunk, int) or self.eval_chunk < 0:
            raise ValueError(f"eval_chunk must be an int >= 0 (0 = per-device default), got {self.eval_chunk!r}")
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


def shuffle_seed(seed: int) -> int:
    """The seed of a run's shuffling generator, derived from the run's seed (documented above)."""
    return (int(seed) ^ _SHUFFLE_SALT) % (2**63)


def shuffle_generator(seed: int) -> torch.Generator:
    return torch.Generator(device="cpu").manual_seed(shuffle_seed(seed))


def make_optimizer(params: Any, config: TrainConfig) -> torch.optim.Optimizer:
    if config.optimizer == "adam":
        return torch.optim.Adam(params, lr=config.lr)  # default betas/eps, no weight decay
    return torch.optim.SGD(params, lr=config.lr)  # no momentum


@torch.inference_mode()
def accuracy(model: torch.nn.Module, images: torch.Tensor, labels: torch.Tensor, chunk: int) -> float:
    """Percent of `images` [N, 1, 32, 32] that `model` classifies as `labels` [N], eval mode."""
    if len(images) == 0:
        return float("nan")
    was_training = model.training
    model.eval()
    correct = torch.zeros((), dtype=torch.int64, device=images.device)
    for start in range(0, len(images), chunk):
        logits = model(images[start:start + chunk])  # (chunk, 10)
        correct += (logits.argmax(1) == labels[start:start + chunk]).sum()
    model.train(was_training)
    return 100.0 * correct.item() / len(images)


def train(arch: str, data: Any, config: TrainConfig, seed: int, progress: Progress | None = None) -> History:
    """Train `arch` from scratch on `data` (an object with the six split tensors) with `seed`."""
    models.check_architecture(arch)
    device = resolve_device(config.device)
    return _train(arch, to_resident(data, device), config, seed, progress, run=0, runs=1)


def train_many(arch: str, data: Any, config: TrainConfig, seeds: Sequence[int], progress: Progress | None = None,
               batched: bool | None = None) -> list[History]:
    """Independent runs of `arch`, one per seed, each equal to `train(arch, data, config, seed)`.

    `batched=True` trains them together as replicas (`ee449.replicas`), False one after another;
    None decides by `replicas.batching_pays_off(arch, device, len(seeds))`, which encodes the
    measurements of benchmarks/bench_replicas.py.
    """
    models.check_architecture(arch)
    seeds = [int(s) for s in seeds]
    device = resolve_device(config.device)
    resident = to_resident(data, device)
    from ee449 import replicas  # the replica trainer builds on this module

    if batched is None:
        batched = replicas.batching_pays_off(arch, device, len(seeds))
    if batched and len(seeds) > 1:
        return replicas.train_replicas(arch, resident, config, seeds, progress)
    return [_train(arch, resident, config, s, progress, run=i, runs=len(seeds)) for i, s in enumerate(seeds)]


def _train(arch: str, data: Resident, config: TrainConfig, seed: int, progress: Progress | None,
           run: int, runs: int) -> History:
    start_time = time.perf_counter()
    device = data.train_images.device
    configure_device(config, device)
    torch.manual_seed(seed)
    model = models.build(arch, config.activation).to(device, memory_format=memory_format_for(device))
    model.train()
    optimizer = make_optimizer(model.parameters(), config)
    forward = torch.compile(model) if config.compile else model  # evaluation stays eager: other shapes
    w1 = models.first_layer(model).weight
    generator = shuffle_generator(seed)
    chunk = eval_chunk_for(config, device)

    n_train, batch = len(data.train_images), config.batch_size
    steps_per_epoch = -(-n_train // batch)
    total_steps = config.epochs * steps_per_epoch
    curves: dict[str, list[float]] = {"loss": [], "train_acc": [], "val_acc": [], "grad": []}
    window_loss = torch.zeros((), device=device)  # sum of per-sample losses in the window
    window_correct = torch.zeros((), dtype=torch.int64, device=device)
    window_samples = 0
    grad_norm = torch.zeros((), device=device)
    step, diverged = 0, False

    for epoch in range(config.epochs):
        lr = config.lr_at(epoch)
        for group in optimizer.param_groups:
            group["lr"] = lr
        order = torch.randperm(n_train, generator=generator).to(device, non_blocking=True)
        for start in range(0, n_train, batch):
            idx = order[start:start + batch]
            images, labels = data.train_images[idx], data.train_labels[idx]  # (B, 1, 32, 32), (B,)
            logits = forward(images)  # (B, 10)
            loss = F.cross_entropy(logits, labels)  # mean over the batch
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            closes_window = (step + 1) % config.record_every == 0
            if closes_window and config.record_grad:
                before = w1.detach().clone()  # a real copy: the step below updates w1 in place
            optimizer.step()
            if closes_window and config.record_grad:
                grad_norm = torch.linalg.vector_norm((before - w1.detach()) / lr)
            with torch.no_grad():
                window_loss += loss.detach() * len(idx)
                window_correct += (logits.argmax(1) == labels).sum()
            window_samples += len(idx)
            step += 1
            if closes_window:
                mean_loss = window_loss.item() / window_samples  # the one host sync per window
                if not math.isfinite(mean_loss):
                    diverged = True
                    break
                if config.record_train:
                    curves["loss"].append(mean_loss)
                    curves["train_acc"].append(100.0 * window_correct.item() / window_samples)
                if config.record_val:
                    curves["val_acc"].append(accuracy(model, data.val_images, data.val_labels, chunk))
                if config.record_grad:
                    curves["grad"].append(grad_norm.item())
                if progress is not None:
                    progress(ProgressEvent(run, runs, epoch, config.epochs, step, total_steps, mean_loss))
                window_loss.zero_()
                window_correct.zero_()
                window_samples = 0
        if diverged:
            break
    if not diverged and window_samples and not math.isfinite(window_loss.item()):
        diverged = True  # a partial last window (steps not a multiple of record_every)

    return History(
        loss_curve=curves["loss"], train_acc_curve=curves["train_acc"], val_acc_curve=curves["val_acc"],
        grad_curve=curves["grad"],
        test_acc=accuracy(model, data.test_images, data.test_labels, chunk),
        first_layer_weights=w1.detach().cpu().numpy().copy(),
        seed=seed, steps=step, steps_per_epoch=steps_per_epoch, diverged=diverged,
        wall_time_s=time.perf_counter() - start_time, device=str(device),
    )
