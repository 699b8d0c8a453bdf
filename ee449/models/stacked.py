"""R independent models of one architecture as one network: what the trainer trains (R = 1 is one run).

Replica r is exactly the model `torch.manual_seed(seeds[r])` then `build(arch, activation)`
makes. The R models are stacked into one "wide" network:
  - a Conv2d (C_in -> C_out) becomes one grouped conv with R groups: weights concatenated on the
    output axis, [R*C_out, C_in, k, k]; activations are channel-stacked, (B, R*C, H, W);
  - a Linear (F_in -> F_out) becomes a batched matmul: weights stacked [R, F_out, F_in],
    activations (R, B, F);
  - Flatten turns (B, R*C, H, W) into (R, B, C*H*W), the same C, H, W order as nn.Flatten.
Nothing mixes replicas (`ee449.training.loop` sums the R per-replica batch means, so each
replica's gradient is its own; Adam and SGD are element-wise, so one optimizer over the stacked
tensors is R independent optimizers). With R = 1 every op is the plain model's: one conv, one
matmul per layer. Grouped convolutions beat `torch.func.vmap` over `functional_call` on the CPU
(`ee449.training.device.batching_pays_off` has the measurements; benchmarks/bench_replicas.py).
"""

from __future__ import annotations

from typing import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from ee449.models.networks import HomeworkNet, build
from ee449.spec import INPUT_SHAPE


class StackedNet:
    """R replicas of `arch` as stacked parameter tensors (leaves, requires_grad) and a forward."""

    def __init__(
        self,
        arch: str,
        activation: str,
        seeds: Sequence[int],
        device: torch.device,
        memory_format: torch.memory_format = torch.contiguous_format,
        input_shape: tuple[int, int, int] = INPUT_SHAPE,
    ):
        replicas = []
        for seed in seeds:
            torch.manual_seed(seed)  # each replica's init: what build() makes after this seed
            replicas.append(build(arch, activation, input_shape))
        self.arch, self.activation, self.replicas = arch, activation, len(replicas)
        self.input_shape = replicas[0].input_shape
        self.ops: list[tuple[str, int]] = []  # (kind, index into self.params of the weight)
        self.params: list[torch.Tensor] = []
        for position, module in enumerate(replicas[0].layers):
            same = [r.layers[position] for r in replicas]
            if isinstance(module, nn.Conv2d):
                self.ops.append(("conv", len(self.params)))
                self.params += [torch.cat(_detached(same, "weight")), torch.cat(_detached(same, "bias"))]
            elif isinstance(module, nn.Linear):
                self.ops.append(("linear" if module.bias is not None else "linear_nobias", len(self.params)))
                self.params.append(torch.stack(_detached(same, "weight")))
                if module.bias is not None:
                    self.params.append(torch.stack(_detached(same, "bias")))
            elif isinstance(module, nn.MaxPool2d):
                self.ops.append(("pool", -1))
            elif isinstance(module, nn.Flatten):
                self.ops.append(("flatten", -1))
            elif isinstance(module, (nn.ReLU, nn.Sigmoid)):
                self.ops.append(("relu" if isinstance(module, nn.ReLU) else "sigmoid", -1))
            else:  # pragma: no cover - build() makes only these layers
                raise TypeError(f"cannot stack layer {module!r}")
        # Conv weights in `memory_format` (channels_last: the CPU's fastest, ee449.training.device).
        self.params = [
            (p.to(device, memory_format=memory_format) if p.dim() == 4 else p.to(device)).requires_grad_()
            for p in self.params
        ]

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
            x = x.transpose(0, 1).flatten(1, 2)  # (R, B, C, H, W) -> (B, R*C, H, W): replica r on group r
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
            elif R == 1:  # one replica: the plain model's addmm, faster than a batched matmul of one
                bias = self.params[i + 1][0] if kind == "linear" else None
                x = F.linear(x[0], self.params[i][0], bias).unsqueeze(0)  # (1, B, F_out)
            elif kind == "linear":
                x = torch.baddbmm(
                    self.params[i + 1].unsqueeze(1), x, self.params[i].transpose(1, 2)
                )  # (R, B, F_out)
            else:  # linear_nobias
                x = torch.bmm(x, self.params[i].transpose(1, 2))
        return x

    def replica(self, r: int) -> HomeworkNet:
        """Replica `r` as an ordinary model (a copy of its current parameters)."""
        model = build(self.arch, self.activation, self.input_shape)
        layers = [m for m in model.layers if isinstance(m, (nn.Conv2d, nn.Linear))]
        weighted = [(kind, i) for kind, i in self.ops if i >= 0]
        with torch.no_grad():
            for layer, (kind, i) in zip(layers, weighted):
                if isinstance(layer, nn.Conv2d):
                    c = layer.out_channels
                    layer.weight.copy_(self.params[i][r * c : (r + 1) * c])
                    if layer.bias is not None:
                        layer.bias.copy_(self.params[i + 1][r * c : (r + 1) * c])
                else:
                    layer.weight.copy_(self.params[i][r])
                    if kind == "linear" and layer.bias is not None:
                        layer.bias.copy_(self.params[i + 1][r])
        return model.to(self.params[0].device)

    def first_weights(self, r: int) -> torch.Tensor:
        """Replica `r`'s first-layer weight in PyTorch layout ((32, 1024) or (C, 1, k, k))."""
        w = self.first_weight
        if self.ops[0][0] == "conv":
            c = w.shape[0] // self.replicas
            return w[r * c : (r + 1) * c]
        return w[r]


def _detached(layers: list[nn.Module], name: str) -> list[torch.Tensor]:
    """The parameter `name` ("weight" or "bias") of each replica's layer, detached from its model."""
    tensors = [getattr(layer, name) for layer in layers]
    return [t.detach() for t in tensors if isinstance(t, torch.Tensor)]
