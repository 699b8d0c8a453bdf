"""Part 1: the homework's basic-concept formulas as small pure functions (no torch).

- batches per epoch:        ceil(N / B)            (the last, smaller batch counts: drop_last=False)
- SGD iterations:           E * ceil(N / B)
- gradient of one SGD step: (w_k - w_{k+1}) / lr   (plain SGD: no momentum, no weight decay)
- MLP parameters:           sum over consecutive sizes n_{i-1}, n_i of n_{i-1} * n_i (+ n_i with bias)
- CNN parameters (convs):   sum over layers of kh_k * kw_k * C_{k-1} * C_k (+ C_k with bias);
                            the input's height and width do not appear.

`ee449.models.part1` checks these against PyTorch on the built models; `ee449 part1` prints it
(`ee449.cli.part1`). No torch here: a tensor argument is recognised by its type's module.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Sequence

import numpy as np

from ee449.spec import BATCH_SIZE, TRAIN_SAMPLES
from ee449.spec import PART3_EPOCHS as EPOCHS  # Part 1's E: Parts 3 and 4 train for 15 epochs
from ee449.validate import positive_int

__all__ = [
    "BATCH_SIZE",
    "EPOCHS",
    "TRAIN_SAMPLES",
    "batches_per_epoch",
    "cnn_param_count",
    "gradient_from_sgd_step",
    "mlp_param_count",
    "sgd_iterations",
]


def batches_per_epoch(n_samples: int, batch_size: int) -> int:
    """Mini-batches in one pass over `n_samples` samples: ceil(n_samples / batch_size)."""
    _positive_int(n_samples, "n_samples")
    _positive_int(batch_size, "batch_size")
    return -(-n_samples // batch_size)  # exact integer ceil, no float rounding for huge N


def sgd_iterations(n_samples: int, batch_size: int, epochs: int) -> int:
    """Optimizer steps (one per mini-batch) in `epochs` epochs: epochs * ceil(n_samples / batch_size).

    `epochs` may be 0 (no training, no steps); sizes must be positive.
    """
    _int(epochs, "epochs")
    if epochs < 0:
        raise ValueError(f"epochs must be >= 0, got {epochs}")
    return epochs * batches_per_epoch(n_samples, batch_size)


def gradient_from_sgd_step(w_before: Any, w_after: Any, lr: float) -> Any:
    """The gradient that one plain SGD step w_after = w_before - lr * grad applied: (w_before - w_after) / lr.

    `w_before` and `w_after` are weights of the same shape, both NumPy arrays or both torch
    tensors (or plain numbers); the result is the same kind (a tensor comes back detached, on
    the same device). `lr` is a positive finite real number.
    """
    _learning_rate(lr)
    before_is_tensor, after_is_tensor = _is_tensor(w_before), _is_tensor(w_after)
    if before_is_tensor != after_is_tensor:
        raise TypeError(
            "w_before and w_after must be the same kind (both numpy arrays or both torch tensors), "
            f"got {type(w_before).__name__} and {type(w_after).__name__}"
        )
    if before_is_tensor:
        if tuple(w_before.shape) != tuple(w_after.shape):
            raise ValueError(
                f"w_before has shape {tuple(w_before.shape)} but w_after has {tuple(w_after.shape)}"
            )
        return (w_before.detach() - w_after.detach()) / lr
    for value, name in ((w_before, "w_before"), (w_after, "w_after")):
        if not isinstance(value, (np.ndarray, numbers.Real)) or isinstance(value, bool):
            raise TypeError(
                f"{name} must be a numpy array, a torch tensor or a real number, got {type(value).__name__}"
            )
    before, after = np.asarray(w_before), np.asarray(w_after)
    if before.shape != after.shape:
        raise ValueError(f"w_before has shape {before.shape} but w_after has {after.shape}")
    gradient = (before - after) / lr
    return gradient if isinstance(w_before, np.ndarray) else float(gradient)


def mlp_param_count(
    d_in: int, hidden_sizes: Sequence[int], d_out: int, bias: bool | Sequence[bool] = True
) -> int:
    """Weights and biases of Linear layers d_in -> hidden_sizes[0] -> ... -> d_out.

    `bias` is one bool for every layer or one per Linear layer, output layer included
    (len(hidden_sizes) + 1 of them): mlp_2's FC-64 has none. `hidden_sizes` may be empty.
    """
    _positive_int(d_in, "d_in")
    _positive_int(d_out, "d_out")
    hidden = _int_sequence(hidden_sizes, "hidden_sizes")
    sizes = [d_in, *hidden, d_out]
    biases = _per_layer_bias(bias, len(sizes) - 1)
    return sum(n_prev * n + (n if has_bias else 0) for n_prev, n, has_bias in zip(sizes, sizes[1:], biases))


def cnn_param_count(
    c_in: int,
    kernel_sizes: Sequence[int | tuple[int, int]],
    channels: Sequence[int],
    bias: bool | Sequence[bool] = True,
) -> int:
    """Weights and biases of a stack of Conv2d layers (pooling and activations have none).

    Layer k has kernel `kernel_sizes[k]` (an int k for k x k, or (kh, kw)) and `channels[k]`
    filters, each seeing all C_{k-1} channels of the previous layer (C_0 = c_in). `bias` is
    one bool or one per layer. The image size does not enter: a filter's weights are shared
    across positions.
    """
    _positive_int(c_in, "c_in")
    kernel_sizes = kernel_sizes.tolist() if isinstance(kernel_sizes, np.ndarray) else kernel_sizes
    if isinstance(kernel_sizes, (str, bytes)) or not isinstance(kernel_sizes, Sequence):
        raise TypeError(
            f"kernel_sizes must be a sequence of ints or (kh, kw) pairs, got {type(kernel_sizes).__name__}"
        )
    kernels = [_kernel_size(k, f"kernel_sizes[{i}]") for i, k in enumerate(kernel_sizes)]
    outs = _int_sequence(channels, "channels")
    if len(kernels) != len(outs):
        raise ValueError(f"kernel_sizes has {len(kernels)} layers but channels has {len(outs)}")
    biases = _per_layer_bias(bias, len(outs))
    total, c_prev = 0, c_in
    for (kh, kw), c, has_bias in zip(kernels, outs, biases):
        total += kh * kw * c_prev * c + (c if has_bias else 0)
        c_prev = c
    return total


# --- argument checks: name the argument and what was expected -----------------------------------


def _int(value: Any, name: str) -> int:
    # bool is an int subclass and numpy ints are not Python ints: accept the latter, refuse the former.
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    return int(value)


def _positive_int(value: Any, name: str) -> int:
    """A TypeError for a non-int (`_int`), then the package's one positive-int check."""
    return positive_int(_int(value, name), name)


def _int_sequence(values: Any, name: str) -> list[int]:
    values = values.tolist() if isinstance(values, np.ndarray) and values.ndim == 1 else values
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise TypeError(f"{name} must be a sequence of positive ints, got {type(values).__name__}")
    return [_positive_int(v, f"{name}[{i}]") for i, v in enumerate(values)]


def _kernel_size(value: Any, name: str) -> tuple[int, int]:
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a (kh, kw) pair, got {value!r}")
        return _positive_int(value[0], f"{name}[0]"), _positive_int(value[1], f"{name}[1]")
    size = _positive_int(value, name)
    return size, size


def _per_layer_bias(bias: Any, layers: int) -> list[bool]:
    if isinstance(bias, (bool, np.bool_)):
        return [bool(bias)] * layers
    bias = bias.tolist() if isinstance(bias, np.ndarray) and bias.ndim == 1 else bias
    if isinstance(bias, (str, bytes)) or not isinstance(bias, Sequence):
        raise TypeError(f"bias must be a bool or a sequence of bools, got {type(bias).__name__}")
    if len(bias) != layers:
        raise ValueError(f"bias has {len(bias)} entries but there are {layers} layers")
    for i, b in enumerate(bias):
        if not isinstance(b, (bool, np.bool_)):
            raise TypeError(f"bias[{i}] must be a bool, got {type(b).__name__} {b!r}")
    return [bool(b) for b in bias]


def _learning_rate(lr: Any) -> None:
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real):
        raise TypeError(f"lr must be a real number, got {type(lr).__name__} {lr!r}")
    if not (math.isfinite(lr) and float(lr) > 0):
        raise ValueError(f"lr must be a positive finite number, got {lr}")


def _is_tensor(value: Any) -> bool:
    return type(value).__module__.startswith("torch") and hasattr(value, "detach")
