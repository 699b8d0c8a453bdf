"""The trainer: ONE loop over a stack of R replicas of a homework model (R = 1 is a plain run).

Recording (SPEC "Recording"): every `record_every` optimizer steps, record for each replica
  (a) the training loss and accuracy as the mean over the SAMPLES of those steps,
  (b) the validation accuracy over the whole validation set (`inference_mode`, in chunks of
      `eval_chunk` images),
  (c) with `record_grad`, ||(W1_before - W1_after) / lr||_2 of the step closing the window,
      from real copies, with the lr used in that step (equal to ||dL/dW1||_2 for plain SGD).
Curve length = floor(total_steps / record_every); total_steps = epochs * ceil(N_train / batch)
(the last partial batch of an epoch is kept). Accuracies are percentages.

Seeds: a run with `seed` is replica 0 of a stack of one, and replica r of a stack made for
several seeds is exactly the same run:
  - model init: `torch.manual_seed(seed)`, then `models.build(arch, activation)`
    (`ee449.models.stacked.StackedNet`);
  - shuffling: a CPU `torch.Generator` seeded with `shuffle_seed(seed)` (`shuffling`); epoch e's order is
    the e-th `torch.randperm(N_train, generator=...)` of that generator, made on the CPU (so the
    order is the same on every device) and copied to the device once per epoch;
  - one optimizer over the stacked tensors: Adam and SGD are element-wise, so it is R
    independent optimizers, and the loss is the sum of the R batch means (gradients do not mix).

No waste: the data lives on the device; batches are `images[idx]`; window statistics are
accumulated as device tensors and read back once per record point (no host sync per step).

Divergence: a non-finite window loss, checked at each record point (and at the end), stops
that replica's record with `History.diverged = True`: its curves hold the finite points
recorded before it, and its test accuracy / weights are those of its model when it stopped.
The other replicas train on; training ends when every replica has stopped. Nothing is raised.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from ee449.data import DataSplits
from ee449.models import check_architecture, check_input_shape, first_layer
from ee449.models.stacked import StackedNet
from ee449.training.config import TrainConfig
from ee449.training.device import (
    batching_pays_off,
    configure_device,
    eval_chunk_for,
    memory_format_for,
    resolve_device,
    to_resident,
)
from ee449.training.evaluate import accuracy, stacked_correct
from ee449.training.history import History, Progress, ProgressEvent
from ee449.training.recording import Point, Records, Window
from ee449.training.shuffling import shuffle_generator


def make_optimizer(params: Iterable[torch.Tensor], config: TrainConfig) -> torch.optim.Optimizer:
    if config.optimizer == "adam":
        return torch.optim.Adam(params, lr=config.lr)  # default betas/eps, no weight decay
    return torch.optim.SGD(params, lr=config.lr)  # no momentum


def train(
    arch: str, data: DataSplits, config: TrainConfig, seed: int, progress: Progress | None = None
) -> History:
    """Train `arch` from scratch on `data` with `seed` (`data`: see `to_resident`)."""
    check_architecture(arch)
    resident = to_resident(data, resolve_device(config.device))
    return train_stack(arch, resident, config, [seed], progress)[0]


def train_many(
    arch: str,
    data: DataSplits,
    config: TrainConfig,
    seeds: Sequence[int],
    progress: Progress | None = None,
    batched: bool | None = None,
) -> list[History]:
    """Independent runs of `arch`, one per seed, each equal to `train(arch, data, config, seed)`.

    `batched=True` trains them together as one stack, False one after another (stacks of one);
    None decides by `batching_pays_off(arch, device, len(seeds))`, which encodes the
    measurements of benchmarks/bench_replicas.py.
    """
    check_architecture(arch)
    seeds = [int(s) for s in seeds]
    device = resolve_device(config.device)
    resident = to_resident(data, device)
    if batched is None:
        batched = batching_pays_off(arch, device, len(seeds))
    if batched and len(seeds) > 1:
        return train_stack(arch, resident, config, seeds, progress)
    return [
        train_stack(arch, resident, config, [s], progress, run_offset=i, runs=len(seeds))[0]
        for i, s in enumerate(seeds)
    ]


@dataclass(frozen=True)
class _Stack:
    """A stack of R replicas being trained: what stays fixed while it trains."""

    data: DataSplits
    config: TrainConfig
    seeds: list[int]
    net: StackedNet
    optimizer: torch.optim.Optimizer
    forward: Callable[[torch.Tensor], torch.Tensor]
    generators: list[torch.Generator]  # one shuffling stream per replica
    chunk: int  # images per evaluation forward
    steps_per_epoch: int
    progress: Progress | None
    run_offset: int  # the first replica's index among `runs`, for progress events
    runs: int

    @property
    def replicas(self) -> int:
        return len(self.seeds)

    @property
    def device(self) -> torch.device:
        return self.data.train_images.device


def train_stack(
    arch: str,
    data: DataSplits,
    config: TrainConfig,
    seeds: Sequence[int],
    progress: Progress | None = None,
    run_offset: int = 0,
    runs: int | None = None,
) -> list[History]:
    """Train one replica per seed together (the loop); each History equals a run of its own."""
    start_time = time.perf_counter()
    stack = _start(arch, data, config, [int(s) for s in seeds], progress, run_offset, runs)
    records = Records(stack.replicas)
    window = Window(stack.replicas, stack.device)
    step = 0
    for epoch in range(config.epochs):
        step = _train_epoch(stack, records, window, epoch, step)
        if not records.any_active():
            break
    if window.samples:  # a partial last window (steps not a multiple of record_every)
        records.stop_diverged(stack.net, window.mean_losses(), step)
    return _histories(stack, records, step, time.perf_counter() - start_time)


def _start(
    arch: str,
    data: DataSplits,
    config: TrainConfig,
    seeds: list[int],
    progress: Progress | None,
    run_offset: int,
    runs: int | None,
) -> _Stack:
    device = data.train_images.device
    configure_device(device, config.allow_tf32)
    shape = tuple(int(n) for n in data.train_images.shape[1:])  # the edition's (C, H, W): what the data is
    net = StackedNet(
        arch, config.activation, seeds, device, memory_format_for(device), check_input_shape(shape)
    )
    return _Stack(
        data=data,
        config=config,
        seeds=seeds,
        net=net,
        optimizer=make_optimizer(net.params, config),
        forward=torch.compile(net.forward) if config.compile else net.forward,  # evaluation stays eager
        generators=[shuffle_generator(s) for s in seeds],
        chunk=max(1, eval_chunk_for(device, config.eval_chunk) // len(seeds)),  # one run's memory per chunk
        steps_per_epoch=-(-len(data.train_images) // config.batch_size),
        progress=progress,
        run_offset=run_offset,
        runs=len(seeds) if runs is None else runs,
    )


def _train_epoch(stack: _Stack, records: Records, window: Window, epoch: int, step: int) -> int:
    """Epoch `epoch` from step `step`; returns the steps done (fewer when every replica stopped)."""
    config, n_train = stack.config, len(stack.data.train_images)
    lr = config.lr_at(epoch)
    for group in stack.optimizer.param_groups:
        group["lr"] = lr
    orders = torch.stack([torch.randperm(n_train, generator=g) for g in stack.generators])  # (R, N)
    orders = orders.to(stack.device)
    for start in range(0, n_train, config.batch_size):
        closes_window = (step + 1) % config.record_every == 0
        _step(stack, window, orders[:, start : start + config.batch_size], lr, closes_window)
        step += 1
        if closes_window:
            _close_window(stack, records, window, epoch, step)
            if not records.any_active():
                break
    return step


def _step(stack: _Stack, window: Window, idx: torch.Tensor, lr: float, closes_window: bool) -> None:
    """One optimizer step of every replica on its batch `idx` (R, B), added to the window."""
    data, R = stack.data, stack.replicas
    labels = data.train_labels[idx]  # (R, B)
    # One replica: its (B, 1, 32, 32) batch, which the stack runs as the plain model does.
    images = data.train_images[idx[0]] if R == 1 else data.train_images[idx]  # (R, B, 1, 32, 32)
    logits = stack.forward(images)  # (R, B, 10)
    B = idx.shape[1]
    per_sample = F.cross_entropy(logits.reshape(R * B, -1), labels.reshape(R * B), reduction="none")
    losses = per_sample.view(R, B).mean(1)  # (R,): each replica's batch mean
    stack.optimizer.zero_grad(set_to_none=True)
    losses.sum().backward()
    record_grad = closes_window and stack.config.record_grad
    before = stack.net.first_weight.detach().clone() if record_grad else None  # a real copy: updated in place
    stack.optimizer.step()
    if before is not None:
        change = (before - stack.net.first_weight.detach()) / lr
        window.grad_norms = torch.linalg.vector_norm(change.reshape(R, -1), dim=1)
    window.add(losses, logits, labels)


def _close_window(stack: _Stack, records: Records, window: Window, epoch: int, step: int) -> None:
    """A record point: stop diverged replicas, record the others, tell `progress`, start a new window."""
    mean_losses = window.mean_losses()
    records.stop_diverged(stack.net, mean_losses, step)
    if not records.any_active():
        return
    config, data = stack.config, stack.data
    val = (
        stacked_correct(stack.net, data.val_images, data.val_labels, stack.chunk)
        if config.record_val
        else None
    )
    correct = window.correct.tolist()
    records.append(
        Point(
            loss=mean_losses if config.record_train else None,
            train_acc=[100.0 * c / window.samples for c in correct] if config.record_train else None,
            val_acc=None if val is None else [100.0 * v / len(data.val_images) for v in val.tolist()],
            grad=window.grad_norms.tolist() if config.record_grad else None,
        )
    )
    if stack.progress is not None:
        total_steps = config.epochs * stack.steps_per_epoch
        stack.progress(
            ProgressEvent(
                stack.run_offset,
                stack.runs,
                epoch,
                config.epochs,
                step,
                total_steps,
                records.mean_active_loss(mean_losses),
                replicas=stack.replicas,
            )
        )
    window.clear()


def _histories(stack: _Stack, records: Records, step: int, wall: float) -> list[History]:
    """Each replica's History: a stopped one's from its model when it stopped."""
    data, device = stack.data, stack.device
    test_correct = stacked_correct(stack.net, data.test_images, data.test_labels, stack.chunk).tolist()
    histories = []
    for r, seed in enumerate(stack.seeds):
        if r in records.stopped:
            model, steps = records.stopped[r]
            chunk = eval_chunk_for(device, stack.config.eval_chunk)
            test_acc = accuracy(model, data.test_images, data.test_labels, chunk)
            weights = first_layer(model).weight
        else:
            steps, weights = step, stack.net.first_weights(r)
            n_test = len(data.test_images)
            test_acc = 100.0 * test_correct[r] / n_test if n_test else float("nan")
        curves = records.curves[r]
        histories.append(
            History(
                loss_curve=curves["loss"],
                train_acc_curve=curves["train_acc"],
                val_acc_curve=curves["val_acc"],
                grad_curve=curves["grad"],
                test_acc=test_acc,
                first_layer_weights=weights.detach().cpu().numpy().copy(),
                seed=seed,
                steps=steps,
                steps_per_epoch=stack.steps_per_epoch,
                diverged=r in records.stopped,
                wall_time_s=wall,
                device=str(device),
            )
        )
    return histories
