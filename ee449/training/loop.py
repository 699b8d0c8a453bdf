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
  - shuffling: a CPU `torch.Generator` seeded with `shuffle_seed(seed)`; epoch e's order is
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

import math
import time
from collections.abc import Iterable, Sequence

import torch
import torch.nn.functional as F

from ee449.models import HomeworkNet, check_architecture, check_input_shape, first_layer
from ee449.models.stacked import StackedNet
from ee449.training.config import TrainConfig
from ee449.training.device import (
    Resident,
    SplitTensors,
    batching_pays_off,
    configure_device,
    eval_chunk_for,
    memory_format_for,
    resolve_device,
    to_resident,
)
from ee449.training.evaluate import accuracy, stacked_correct
from ee449.training.history import History, Progress, ProgressEvent

_SHUFFLE_SALT = 0x5EED_1E55  # keeps the shuffling stream apart from the init stream of a seed


def shuffle_seed(seed: int) -> int:
    """The seed of a run's shuffling generator, derived from the run's seed (documented above)."""
    return (int(seed) ^ _SHUFFLE_SALT) % (2**63)


def shuffle_generator(seed: int) -> torch.Generator:
    return torch.Generator(device="cpu").manual_seed(shuffle_seed(seed))


def make_optimizer(params: Iterable[torch.Tensor], config: TrainConfig) -> torch.optim.Optimizer:
    if config.optimizer == "adam":
        return torch.optim.Adam(params, lr=config.lr)  # default betas/eps, no weight decay
    return torch.optim.SGD(params, lr=config.lr)  # no momentum


def train(
    arch: str, data: SplitTensors, config: TrainConfig, seed: int, progress: Progress | None = None
) -> History:
    """Train `arch` from scratch on `data` (an object with the six split tensors) with `seed`."""
    check_architecture(arch)
    resident = to_resident(data, resolve_device(config.device))
    return train_stack(arch, resident, config, [seed], progress)[0]


def train_many(
    arch: str,
    data: SplitTensors,
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


def train_stack(
    arch: str,
    data: Resident,
    config: TrainConfig,
    seeds: Sequence[int],
    progress: Progress | None = None,
    run_offset: int = 0,
    runs: int | None = None,
) -> list[History]:
    """Train one replica per seed together (the loop); each History equals a run of its own."""
    start_time = time.perf_counter()
    device = data.train_images.device
    configure_device(device, config.allow_tf32)
    seeds = [int(s) for s in seeds]
    R = len(seeds)
    runs = R if runs is None else runs
    shape = tuple(int(n) for n in data.train_images.shape[1:])  # the edition's (C, H, W): what the data is
    net = StackedNet(
        arch, config.activation, seeds, device, memory_format_for(device), check_input_shape(shape)
    )
    optimizer = make_optimizer(net.params, config)
    forward = torch.compile(net.forward) if config.compile else net.forward  # evaluation stays eager
    generators = [shuffle_generator(s) for s in seeds]
    chunk = max(1, eval_chunk_for(device, config.eval_chunk) // R)  # the same memory per chunk as one run

    n_train, batch = len(data.train_images), config.batch_size
    steps_per_epoch = -(-n_train // batch)
    total_steps = config.epochs * steps_per_epoch
    curves: list[dict[str, list[float]]] = [
        {"loss": [], "train_acc": [], "val_acc": [], "grad": []} for _ in seeds
    ]
    window_loss = torch.zeros(R, device=device)  # per replica: sum of per-sample losses in the window
    window_correct = torch.zeros(R, dtype=torch.int64, device=device)
    window_samples = 0
    grad_norms = torch.zeros(R, device=device)
    active = [True] * R
    stopped: dict[int, tuple[HomeworkNet, int]] = {}  # diverged replica -> (its model then, its steps)
    step = 0

    for epoch in range(config.epochs):
        lr = config.lr_at(epoch)
        for group in optimizer.param_groups:
            group["lr"] = lr
        orders = torch.stack([torch.randperm(n_train, generator=g) for g in generators]).to(device)  # (R, N)
        for start in range(0, n_train, batch):
            idx = orders[:, start : start + batch]  # (R, B)
            labels = data.train_labels[idx]  # (R, B)
            # One replica: its (B, 1, 32, 32) batch, which the stack runs as the plain model does.
            images = data.train_images[idx[0]] if R == 1 else data.train_images[idx]  # (R, B, 1, 32, 32)
            logits = forward(images)  # (R, B, 10)
            B = idx.shape[1]
            per_sample = F.cross_entropy(logits.reshape(R * B, -1), labels.reshape(R * B), reduction="none")
            losses = per_sample.view(R, B).mean(1)  # (R,): each replica's batch mean
            optimizer.zero_grad(set_to_none=True)
            losses.sum().backward()
            closes_window = (step + 1) % config.record_every == 0
            if closes_window and config.record_grad:
                before = net.first_weight.detach().clone()  # a real copy: the step updates it in place
            optimizer.step()
            if closes_window and config.record_grad:
                grad_norms = torch.linalg.vector_norm(
                    ((before - net.first_weight.detach()) / lr).reshape(R, -1), dim=1
                )
            with torch.no_grad():
                window_loss += losses.detach() * B
                window_correct += (logits.argmax(-1) == labels).sum(1)
            window_samples += B
            step += 1
            if closes_window:
                mean_losses = [
                    x / window_samples for x in window_loss.tolist()
                ]  # the one host sync per window
                _stop_diverged(net, mean_losses, active, stopped, step)
                if not any(active):
                    break
                val = (
                    stacked_correct(net, data.val_images, data.val_labels, chunk).tolist()
                    if config.record_val
                    else None
                )
                _record(
                    config,
                    curves,
                    active,
                    mean_losses,
                    window_correct.tolist(),
                    window_samples,
                    grad_norms.tolist() if config.record_grad else None,
                    val,
                    len(data.val_images),
                )
                if progress is not None:
                    finite = [x for x, a in zip(mean_losses, active) if a]
                    progress(
                        ProgressEvent(
                            run_offset,
                            runs,
                            epoch,
                            config.epochs,
                            step,
                            total_steps,
                            sum(finite) / len(finite),
                            replicas=R,
                        )
                    )
                window_loss.zero_()
                window_correct.zero_()
                window_samples = 0
        if not any(active):
            break
    if window_samples:  # a partial last window (steps not a multiple of record_every)
        _stop_diverged(net, [x / window_samples for x in window_loss.tolist()], active, stopped, step)

    test_correct = stacked_correct(net, data.test_images, data.test_labels, chunk).tolist()
    wall = time.perf_counter() - start_time
    histories = []
    for r, seed in enumerate(seeds):
        if r in stopped:
            model, steps = stopped[r]
            test_acc = accuracy(
                model, data.test_images, data.test_labels, eval_chunk_for(device, config.eval_chunk)
            )
            weights = first_layer(model).weight
        else:
            steps, weights = step, net.first_weights(r)
            test_acc = (
                100.0 * test_correct[r] / len(data.test_images) if len(data.test_images) else float("nan")
            )
        c = curves[r]
        histories.append(
            History(
                loss_curve=c["loss"],
                train_acc_curve=c["train_acc"],
                val_acc_curve=c["val_acc"],
                grad_curve=c["grad"],
                test_acc=test_acc,
                first_layer_weights=weights.detach().cpu().numpy().copy(),
                seed=seed,
                steps=steps,
                steps_per_epoch=steps_per_epoch,
                diverged=r in stopped,
                wall_time_s=wall,
                device=str(device),
            )
        )
    return histories


def _stop_diverged(
    net: StackedNet,
    mean_losses: list[float],
    active: list[bool],
    stopped: dict[int, tuple[HomeworkNet, int]],
    step: int,
) -> None:
    """Freeze the record of every active replica whose window loss is not finite."""
    for r, loss in enumerate(mean_losses):
        if active[r] and not math.isfinite(loss):
            active[r] = False
            stopped[r] = (net.replica(r), step)


def _record(
    config: TrainConfig,
    curves: list[dict[str, list[float]]],
    active: list[bool],
    losses: list[float],
    correct: list[int],
    samples: int,
    grads: list[float] | None,
    val: list[int] | None,
    n_val: int,
) -> None:
    """Append one record point to the curves of every replica still training."""
    for r, c in enumerate(curves):
        if not active[r]:
            continue
        if config.record_train:
            c["loss"].append(losses[r])
            c["train_acc"].append(100.0 * correct[r] / samples)
        if val is not None:
            c["val_acc"].append(100.0 * val[r] / n_val)
        if grads is not None:
            c["grad"].append(grads[r])
