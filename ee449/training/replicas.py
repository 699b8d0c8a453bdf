"""Replica batching: R independent runs of one architecture trained together, as one network.

Each replica is exactly the run `train.train(arch, data, config, seed)` would make: its own
init (`torch.manual_seed(seed)` then `models.build`), its own shuffling (`train.shuffle_generator`),
its own optimizer state. The R models are stacked into one "wide" network:
  - a Conv2d (C_in -> C_out) becomes one grouped conv with R groups: weights concatenated on the
    output axis, [R*C_out, C_in, k, k]; activations are channel-stacked, (B, R*C, H, W);
  - a Linear (F_in -> F_out) becomes a batched matmul: weights stacked [R, F_out, F_in],
    activations (R, B, F);
  - Flatten turns (B, R*C, H, W) into (R, B, C*H*W), the same C, H, W order as nn.Flatten.
Nothing mixes replicas: the loss is the sum of the R per-replica batch means, so each
replica's gradient is its own; Adam and SGD are element-wise, so one optimizer over the stacked
tensors is R independent optimizers (same lr, betas, eps; there is no global clipping).
Grouped convolutions beat `torch.func.vmap` over `functional_call` on the CPU (see
`batching_pays_off` for the measurements and benchmarks/bench_replicas.py).
"""

from __future__ import annotations

import math
import time
from typing import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from ee449 import models
from ee449.training.config import TrainConfig
from ee449.training.device import Resident, configure_device, eval_chunk_for
from ee449.training.history import History, Progress, ProgressEvent
from ee449.training.loop import accuracy, make_optimizer, shuffle_generator


def batching_pays_off(arch: str, device: torch.device, runs: int) -> bool:
    """Whether `train_many(batched=None)` batches `runs` runs of `arch` on `device`.

    Measured on the 2-core CPU (AMD EPYC, 10 replicas, batch 50, Adam, validation every
    10 steps; `benchmarks/bench_replicas.py --threads 2 --steps 20` and `ee449 bench`):
      - MLPs: batched 1.9-2.0x sequential -> batch.
      - CNNs: batched 0.68-0.72x sequential -> not batched on the CPU. One model's convolutions
        in channels_last (`device.memory_format_for`) already run at the CPU's sgemm rate and
        the replicas cannot share arithmetic (each has its own weights); grouped convolutions
        run below that rate in either layout. Three fifths of the time is validation passes,
        which batching cannot shorten (benchmarks/RESULTS.md: "why not 2x on a CPU").
      - `torch.func.vmap` measured 0.59-0.77x sequential, below the grouped convolutions.
    On CUDA, batch-50 steps of these small models are bound by kernel launches, so R replicas
    cost little more than one: batch (to be confirmed on a GPU box with bench_replicas.py).
    """
    if runs < 2:
        return False
    return device.type == "cuda" or arch.startswith("mlp")


class StackedNet:
    """R replicas of `arch` as stacked parameter tensors (leaves, requires_grad) and a forward."""

    def __init__(self, arch: str, activation: str, seeds: Sequence[int], device: torch.device):
        replicas = []
        for seed in seeds:
            torch.manual_seed(seed)  # the same init as train() with this seed
            replicas.append(models.build(arch, activation))
        self.arch, self.activation, self.replicas = arch, activation, len(replicas)
        self.ops: list[tuple[str, int]] = []  # (kind, index into self.params of the weight)
        self.params: list[torch.Tensor] = []
        for position, module in enumerate(replicas[0].layers):
            same = [r.layers[position] for r in replicas]
            if isinstance(module, nn.Conv2d):
                self.ops.append(("conv", len(self.params)))
                self.params += [torch.cat([m.weight.detach() for m in same]), torch.cat([m.bias.detach() for m in same])]
            elif isinstance(module, nn.Linear):
                self.ops.append(("linear" if module.bias is not None else "linear_nobias", len(self.params)))
                self.params.append(torch.stack([m.weight.detach() for m in same]))
                if module.bias is not None:
                    self.params.append(torch.stack([m.bias.detach() for m in same]))
            elif isinstance(module, nn.MaxPool2d):
                self.ops.append(("pool", -1))
            elif isinstance(module, nn.Flatten):
                self.ops.append(("flatten", -1))
            elif isinstance(module, (nn.ReLU, nn.Sigmoid)):
                self.ops.append(("relu" if isinstance(module, nn.ReLU) else "sigmoid", -1))
            else:  # pragma: no cover - models.build makes only these layers
                raise TypeError(f"cannot stack layer {module!r}")
        self.params = [p.to(device).requires_grad_() for p in self.params]

    @property
    def first_weight(self) -> torch.Tensor:
        """The stacked first-layer weight: [R*C, 1, k, k] (conv) or [R, 32, 1024] (MLP)."""
        return self.params[0]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (R, B, 1, 32, 32) per-replica images, or (B, 1, 32, 32) shared by all -> (R, B, 10)."""
        R = self.replicas
        shared = x.dim() == 4
        first = True
        if self.ops[0][0] == "conv" and not shared:
            x = x.squeeze(2).transpose(0, 1)  # (R, B, 1, 32, 32) -> (B, R, 32, 32): replica r on channel r
        for kind, i in self.ops:
            if kind == "conv":
                # Shared images enter the first conv once: a plain conv to all R*C filters equals the
                # grouped conv of R copies, at a quarter of the time on the CPU.
                groups = 1 if (first and shared) else R
                x = F.conv2d(x, self.params[i], self.params[i + 1], groups=groups)  # (B, R*C, H', W')
                first = False
            elif kind == "relu":
                x = F.relu(x)
            elif kind == "sigmoid":
                x = torch.sigmoid(x)
            elif kind == "pool":
                x = F.max_pool2d(x, 2, 2)
            elif kind == "flatten":
                if x.dim() == 4 and self.ops[0][0] == "conv":  # (B, R*C, H, W) -> (R, B, C*H*W)
                    B = x.shape[0]
                    x = x.reshape(B, R, -1).transpose(0, 1)
                elif shared:  # (B, 1, 32, 32) -> (R, B, 1024), one copy of the images for all
                    x = x.reshape(1, x.shape[0], -1).expand(R, -1, -1)
                else:  # (R, B, 1, 32, 32) -> (R, B, 1024)
                    x = x.reshape(R, x.shape[1], -1)
            elif kind == "linear":
                x = torch.baddbmm(self.params[i + 1].unsqueeze(1), x, self.params[i].transpose(1, 2))  # (R, B, F_out)
            else:  # linear_nobias
                x = torch.bmm(x, self.params[i].transpose(1, 2))
        return x

    def replica(self, r: int) -> models.HomeworkNet:
        """Replica `r` as an ordinary model (a copy of its current parameters)."""
        model = models.build(self.arch, self.activation)
        layers = [m for m in model.layers if isinstance(m, (nn.Conv2d, nn.Linear))]
        weighted = [(kind, i) for kind, i in self.ops if i >= 0]
        with torch.no_grad():
            for layer, (kind, i) in zip(layers, weighted):
                if kind == "conv":
                    c = layer.out_channels
                    layer.weight.copy_(self.params[i][r * c:(r + 1) * c])
                    layer.bias.copy_(self.params[i + 1][r * c:(r + 1) * c])
                else:
                    layer.weight.copy_(self.params[i][r])
                    if kind == "linear":
                        layer.bias.copy_(self.params[i + 1][r])
        return model.to(self.params[0].device)

    def first_weights(self, r: int) -> torch.Tensor:
        """Replica `r`'s first-layer weight in PyTorch layout ((32, 1024) or (C, 1, k, k))."""
        w = self.first_weight
        if self.ops[0][0] == "conv":
            c = w.shape[0] // self.replicas
            return w[r * c:(r + 1) * c]
        return w[r]


@torch.inference_mode()
def stacked_correct(net: StackedNet, images: torch.Tensor, labels: torch.Tensor, chunk: int) -> torch.Tensor:
    """Correct counts per replica, int64 (R,), over `images` (N, 1, 32, 32) in chunks."""
    correct = torch.zeros(net.replicas, dtype=torch.int64, device=images.device)
    for start in range(0, len(images), chunk):
        logits = net.forward(images[start:start + chunk])  # (R, chunk, 10)
        correct += (logits.argmax(-1) == labels[start:start + chunk]).sum(1)
    return correct


def train_replicas(arch: str, data: Resident, config: TrainConfig, seeds: Sequence[int],
                   progress: Progress | None = None, run_offset: int = 0, runs: int | None = None) -> list[History]:
    """Train one replica per seed together; each History equals `train.train(..., seed)`'s."""
    start_time = time.perf_counter()
    device = data.train_images.device
    configure_device(device, config.allow_tf32)
    seeds = [int(s) for s in seeds]
    R = len(seeds)
    runs = R if runs is None else runs
    net = StackedNet(arch, config.activation, seeds, device)
    optimizer = make_optimizer(net.params, config)
    forward = torch.compile(net.forward) if config.compile else net.forward  # evaluation stays eager
    generators = [shuffle_generator(s) for s in seeds]
    chunk = max(1, eval_chunk_for(device, config.eval_chunk) // R)  # the same memory per chunk as one run

    n_train, batch = len(data.train_images), config.batch_size
    steps_per_epoch = -(-n_train // batch)
    total_steps = config.epochs * steps_per_epoch
    curves = [{"loss": [], "train_acc": [], "val_acc": [], "grad": []} for _ in seeds]
    window_loss = torch.zeros(R, device=device)
    window_correct = torch.zeros(R, dtype=torch.int64, device=device)
    window_samples = 0
    grad_norms = torch.zeros(R, device=device)
    active = [True] * R
    stopped: dict[int, tuple[models.HomeworkNet, int]] = {}  # diverged replica -> (its model then, its steps)
    step = 0

    for epoch in range(config.epochs):
        lr = config.lr_at(epoch)
        for group in optimizer.param_groups:
            group["lr"] = lr
        orders = torch.stack([torch.randperm(n_train, generator=g) for g in generators]).to(device)  # (R, N)
        for start in range(0, n_train, batch):
            idx = orders[:, start:start + batch]  # (R, B)
            images, labels = data.train_images[idx], data.train_labels[idx]  # (R, B, 1, 32, 32), (R, B)
            logits = forward(images)  # (R, B, 10)
            B = idx.shape[1]
            per_sample = F.cross_entropy(logits.reshape(R * B, -1), labels.reshape(R * B), reduction="none")
            losses = per_sample.view(R, B).mean(1)  # (R,): each replica's batch mean, as in train()
            optimizer.zero_grad(set_to_none=True)
            losses.sum().backward()
            closes_window = (step + 1) % config.record_every == 0
            if closes_window and config.record_grad:
                before = net.first_weight.detach().clone()
            optimizer.step()
            if closes_window and config.record_grad:
                grad_norms = torch.linalg.vector_norm(((before - net.first_weight.detach()) / lr).reshape(R, -1), dim=1)
            with torch.no_grad():
                window_loss += losses.detach() * B
                window_correct += (logits.argmax(-1) == labels).sum(1)
            window_samples += B
            step += 1
            if closes_window:
                mean_losses = (window_loss / window_samples).tolist()  # the one host sync per window
                _stop_diverged(net, mean_losses, active, stopped, step)
                if not any(active):
                    break
                _record(config, curves, active, mean_losses, window_correct.tolist(), window_samples,
                        grad_norms.tolist() if config.record_grad else None,
                        lambda: stacked_correct(net, data.val_images, data.val_labels, chunk).tolist(),
                        len(data.val_images))
                if progress is not None:
                    finite = [x for x, a in zip(mean_losses, active) if a]
                    progress(ProgressEvent(run_offset, runs, epoch, config.epochs, step, total_steps,
                                           sum(finite) / len(finite), replicas=R))
                window_loss.zero_()
                window_correct.zero_()
                window_samples = 0
        if not any(active):
            break
    if window_samples:  # a partial last window: flag divergence as train() does
        _stop_diverged(net, (window_loss / window_samples).tolist(), active, stopped, step)

    test_correct = stacked_correct(net, data.test_images, data.test_labels, chunk).tolist()
    wall = time.perf_counter() - start_time
    histories = []
    for r, seed in enumerate(seeds):
        if r in stopped:
            model, steps = stopped[r]
            test_acc = accuracy(model, data.test_images, data.test_labels, eval_chunk_for(device, config.eval_chunk))
            weights = models.first_layer(model).weight
        else:
            steps, weights = step, net.first_weights(r)
            test_acc = 100.0 * test_correct[r] / len(data.test_images) if len(data.test_images) else float("nan")
        c = curves[r]
        histories.append(History(
            loss_curve=c["loss"], train_acc_curve=c["train_acc"], val_acc_curve=c["val_acc"], grad_curve=c["grad"],
            test_acc=test_acc, first_layer_weights=weights.detach().cpu().numpy().copy(), seed=seed, steps=steps,
            steps_per_epoch=steps_per_epoch, diverged=r in stopped, wall_time_s=wall, device=str(device),
        ))
    return histories


def _stop_diverged(net: StackedNet, mean_losses: list[float], active: list[bool],
                   stopped: dict[int, tuple[models.HomeworkNet, int]], step: int) -> None:
    """Freeze the record of every active replica whose window loss is not finite, as train() stops."""
    for r, loss in enumerate(mean_losses):
        if active[r] and not math.isfinite(loss):
            active[r] = False
            stopped[r] = (net.replica(r), step)


def _record(config: TrainConfig, curves: list[dict[str, list[float]]], active: list[bool], losses: list[float],
            correct: list[int], samples: int, grads: list[float] | None, val_correct, n_val: int) -> None:
    val = val_correct() if config.record_val else None
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
