"""The five homework architectures as data: no torch here.

`REGISTRY` maps each name to a declarative list of the layers before the FC10 prediction layer,
exactly as the homework lists them; `ee449.models.build` turns any such list into a
`torch.nn.Module`. Kept free of torch so that what only needs the names and shapes (the
grader's process, the command line's help) does not pay torch's import (about 3 s).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

INPUT_SHAPE = (1, 32, 32)  # (C, H, W) of a grayscale CIFAR-10 image
NUM_CLASSES = 10


@dataclass(frozen=True)
class Conv:
    """A k x k convolution to `channels` filters, stride 1, valid padding, with bias."""

    kernel: int
    channels: int


@dataclass(frozen=True)
class Dense:
    """A fully connected layer. mlp_2's FC-64 has no bias, as the homework draws it."""

    features: int
    bias: bool = True


@dataclass(frozen=True)
class Activation:
    """The activation slot: ReLU in Parts 3 and 5, ReLU or sigmoid in Part 4."""


@dataclass(frozen=True)
class MaxPool:
    """2x2 max pooling with stride 2."""


Layer = Union[Conv, Dense, Activation, MaxPool]
ACT, POOL = Activation(), MaxPool()

# The layers before the FC10 prediction layer, exactly as the homework lists them.
REGISTRY: dict[str, tuple[Layer, ...]] = {
    "mlp_1": (Dense(32), ACT),
    # FC-64 has no bias and no activation after it: the homework's figure shows none.
    "mlp_2": (Dense(32), ACT, Dense(64, bias=False)),
    # No activation after the 7x7 conv: the homework's cnn_3 goes straight to pooling.
    "cnn_3": (Conv(3, 16), ACT, Conv(5, 8), ACT, POOL, Conv(7, 16), POOL),
    "cnn_4": (Conv(3, 16), ACT, Conv(3, 8), ACT, Conv(5, 16), ACT, POOL, Conv(5, 16), ACT, POOL),
    "cnn_5": (Conv(3, 8), ACT, Conv(3, 16), ACT, Conv(3, 8), ACT, Conv(3, 16), ACT, POOL,
              Conv(3, 16), ACT, Conv(3, 8), ACT, POOL),
}
ARCHITECTURES: tuple[str, ...] = tuple(REGISTRY)


def check_architecture(name: str) -> None:
    if name not in REGISTRY:
        raise ValueError(f"unknown architecture {name!r}; valid: {', '.join(ARCHITECTURES)}")
