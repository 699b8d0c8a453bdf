"""The trainer: one homework model from resident data tensors, recorded as the spec reads.

Recording (SPEC "Recording"): every `record_every` optimizer steps, record
  (a) the training loss and accuracy as the mean over the SAMPLES of those steps,
  (b) the validation accuracy over the whole validation set (eval mode, `inference_mode`,
      in chunks of `eval_chunk` images),
  (c) with `record_grad`, ||(W1_before - W1_after) / lr||_2 of the step closing the window,
      from real copies, with the lr used in that step (equal to ||dL/dW1||_2 for plain SGD).
Curve length = floor(total_steps / record_every); total_steps = epochs * ceil(N_train / batch)
(the last partial batch of an epoch is kept). Accuracies are percentages.

Seeds (replica batching in `ee449.training.replicas` reproduces exactly this):
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
from ee449.training.config import TrainConfig
from ee449.training.device import (Resident, configure_device, eval_chunk_for, memory_format_for, resolve_device,
                                   to_resident)
from ee449.training.history import History, Progress, ProgressEvent

_SHUFFLE_SALT = 0x5EED_1E55  # keeps the shuffling stream apart from the init stream of a seed


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

    `batched=True` trains them together as replicas (`ee449.training.replicas`), False one after another;
    None decides by `replicas.batching_pays_off(arch, device, len(seeds))`, which encodes the
    measurements of benchmarks/bench_replicas.py.
    """
    models.check_architecture(arch)
    seeds = [int(s) for s in seeds]
    device = resolve_device(config.device)
    resident = to_resident(data, device)
    from ee449.training import replicas  # cycle: the replica trainer builds on this module (one loop: phase 2)

    if batched is None:
        batched = replicas.batching_pays_off(arch, device, len(seeds))
    if batched and len(seeds) > 1:
        return replicas.train_replicas(arch, resident, config, seeds, progress)
    return [_train(arch, resident, config, s, progress, run=i, runs=len(seeds)) for i, s in enumerate(seeds)]


def _train(arch: str, data: Resident, config: TrainConfig, seed: int, progress: Progress | None,
           run: int, runs: int) -> History:
    start_time = time.perf_counter()
    device = data.train_images.device
    configure_device(device, config.allow_tf32)
    torch.manual_seed(seed)
    model = models.build(arch, config.activation).to(device, memory_format=memory_format_for(device))
    model.train()
    optimizer = make_optimizer(model.parameters(), config)
    forward = torch.compile(model) if config.compile else model  # evaluation stays eager: other shapes
    w1 = models.first_layer(model).weight
    generator = shuffle_generator(seed)
    chunk = eval_chunk_for(device, config.eval_chunk)

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
