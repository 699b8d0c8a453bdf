"""Part 1 checked on the built models: the formulas' counts beside PyTorch's, and one real SGD step.

`part1_numbers` is everything `ee449 part1` prints (`ee449.cli.part1` renders it); the report's
parameter table reads `architecture_counts`.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from ee449.basics.formulas import (
    BATCH_SIZE,
    EPOCHS,
    TRAIN_SAMPLES,
    batches_per_epoch,
    cnn_param_count,
    gradient_from_sgd_step,
    mlp_param_count,
    sgd_iterations,
)
from ee449.models.networks import build, count_parameters, first_layer
from ee449.spec import ARCHITECTURES, INPUT_SHAPE, NUM_CLASSES, REGISTRY, Conv, Dense, MaxPool


def architecture_counts(name: str, input_shape: tuple[int, int, int] = INPUT_SHAPE) -> dict[str, Any]:
    """Formula counts for one registry architecture, next to PyTorch's counts of the built model.

    The formulas' inputs (kernel sizes, channels, dense sizes, the flatten size) are read off the
    declarative layer list and the shape arithmetic (conv k: H -> H - k + 1, pool: H -> H // 2),
    not from the built model, so the comparison is between two independent computations.
    """
    c, h, w = input_shape
    kernels, channels, dense, dense_bias = [], [], [], []
    for layer in REGISTRY[name]:
        if isinstance(layer, Conv):
            kernels.append(layer.kernel)
            channels.append(layer.channels)
            c, h, w = layer.channels, h - layer.kernel + 1, w - layer.kernel + 1
        elif isinstance(layer, MaxPool):
            h, w = h // 2, w // 2
        elif isinstance(layer, Dense):
            dense.append(layer.features)
            dense_bias.append(layer.bias)
    flatten = c * h * w
    conv_formula = cnn_param_count(input_shape[0], kernels, channels) if kernels else 0
    dense_formula = mlp_param_count(flatten, dense, NUM_CLASSES, bias=[*dense_bias, True])
    model = build(name, input_shape=input_shape)
    conv_torch = sum(p.numel() for m in model.modules() if isinstance(m, nn.Conv2d) for p in m.parameters())
    total_torch = count_parameters(model)
    return {
        "name": name,
        "conv_layers": len(kernels),
        "flatten": flatten,
        "conv_params_formula": conv_formula,
        "conv_params_pytorch": conv_torch,
        "params_formula": conv_formula + dense_formula,
        "params_pytorch": total_torch,
        "match": conv_formula == conv_torch and conv_formula + dense_formula == total_torch,
    }


def sgd_step_check(lr: float = 0.01, seed: int = 0) -> dict[str, Any]:
    """One real torch.optim.SGD step on mlp_1: the recovered first-layer gradient against .grad."""
    torch.manual_seed(seed)
    model = build("mlp_1")
    x, y = torch.randn(BATCH_SIZE, *INPUT_SHAPE), torch.randint(0, 10, (BATCH_SIZE,))
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    weight = first_layer(model).weight
    before = weight.detach().clone()
    torch.nn.functional.cross_entropy(model(x), y).backward()
    optimizer.step()
    recovered = gradient_from_sgd_step(before, weight.detach().clone(), lr)
    grad = weight.grad
    if grad is None:  # pragma: no cover - backward() above fills it
        raise RuntimeError("the SGD step left no gradient on the first layer")
    error = float((recovered - grad).abs().max())
    # float32 weights: w_k+1 is rounded to eps * |w|, and dividing by lr magnifies that.
    tolerance = 2 * torch.finfo(before.dtype).eps * float(before.abs().max()) / lr
    return {
        "lr": lr,
        "grad_norm": float(grad.norm()),
        "max_abs_error": error,
        "tolerance": tolerance,
        "match": error <= tolerance,
    }


def part1_numbers(
    n_samples: int = TRAIN_SAMPLES, batch_size: int = BATCH_SIZE, epochs: int = EPOCHS
) -> dict[str, Any]:
    """Everything `ee449 part1` prints, as plain data (also what --json writes)."""
    batches, iterations = (
        batches_per_epoch(n_samples, batch_size),
        sgd_iterations(n_samples, batch_size, epochs),
    )
    architectures = [architecture_counts(name) for name in ARCHITECTURES]
    sgd = sgd_step_check()
    return {
        "n_samples": n_samples,
        "batch_size": batch_size,
        "epochs": epochs,
        "batches_per_epoch": batches,
        "sgd_iterations": iterations,
        "architectures": architectures,
        "sgd_step": sgd,
        "all_match": all(a["match"] for a in architectures) and sgd["match"],
    }
