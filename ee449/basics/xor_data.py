"""Part 1 of 2024 / 2025, what the homework gives rather than asks: the XOR data, the settings,
the two activations' functions and the squared error (no torch, no answer).

`ee449.basics.xor` builds the reference network on these; the grader's sandbox imports only this
module (`grading.sandbox.lib`), so a student's code there can reach the course's helper and never
the reference `MLP` or its derivatives.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    """The logistic function 1 / (1 + e^-x), computed without overflow for large |x|."""
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(np.asarray(x, dtype=np.float64), 0.0)


def squared_error(output: np.ndarray, targets: np.ndarray) -> float:
    """E = 1/2 * sum (targets - output)^2: what `backward` descends."""
    return 0.5 * float(
        np.sum((np.asarray(targets, dtype=np.float64).reshape(np.shape(output)) - output) ** 2)
    )


XOR_CORNERS = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])  # two per class, in class order
XOR_LABELS = np.array([0, 0, 1, 1])  # one diagonal is class 0, the other class 1


def part1CreateDataset(  # noqa: N802 - the course helper's name
    train_samples: int = 1000, val_samples: int = 100, std: float = 0.4, seed: int | None = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(X_train [N, 2], y_train [N, 1], X_val [M, 2], y_val [M, 1]): Gaussian blobs around (+-1, +-1).

    Each point picks one of the four corners (equal shares, then shuffled) and adds normal noise
    of standard deviation `std`; its label is the corner's (XOR of the signs). `seed` makes it
    reproducible (None: fresh entropy, as the course's helper).
    """
    if std < 0:
        raise ValueError(f"std must be >= 0, got {std!r}")
    rng = np.random.default_rng(seed)
    return (*_blobs(train_samples, std, rng), *_blobs(val_samples, std, rng))


def _blobs(n: int, std: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"sample counts must be positive integers, got {n!r}")
    corner = rng.permutation(np.arange(n) % 4)
    points = XOR_CORNERS[corner] + std * rng.standard_normal((n, 2))
    return points, XOR_LABELS[corner].reshape(n, 1).astype(np.float64)


@dataclass(frozen=True)
class XorConfig:
    """The homework's suggested settings for 1.2."""

    hidden_size: int = 4
    learning_rate: float = 0.001
    epochs: int = 10_000
    report_every: int = 1_000  # a loss printed every 1,000 epochs
    train_samples: int = 1_000
    val_samples: int = 100
    std: float = 0.4
    data_seed: int = 0
    init_seed: int = 0
