"""The homework as data: its numbers and names, stated once here and read everywhere else. No torch.

- the data: input shape, classes, the Normalize() arguments, the validation share;
- the training settings of each part: batch, recording window, epochs, runs, learning rates;
- the five architectures: `REGISTRY` maps each name to a declarative list of the layers before
  the FC10 prediction layer, exactly as the homework lists them (`ee449.models.build` turns any
  such list into a `torch.nn.Module`);
- the result files: their names and the keys each part's file holds.

Kept free of torch so that what only needs the names and shapes (the grader's process, the
command line's help, the plots) does not pay torch's import (about 3 s).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

# -- the data ----------------------------------------------------------------------------------
INPUT_SHAPE = (1, 32, 32)  # (C, H, W) of a grayscale CIFAR-10 image
NUM_CLASSES = 10
CLASSES = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)  # labels 0..9
MEAN = (0.4914, 0.4822, 0.4465)  # the homework's Normalize() arguments, R, G, B
STD = (0.247, 0.243, 0.261)
VAL_FRACTION = 0.1  # of the 50,000 training images: 5,000 for validation, 500 per class
TRAIN_SAMPLES = 45_000  # what is left to train on: Part 1's N

# -- training --------------------------------------------------------------------------------------
BATCH_SIZE = 50  # every part's batch
RECORD_EVERY = 10  # one recorded point per 10 optimizer steps (SPEC "Recording")
PART3_EPOCHS = 15
PART3_RUNS = 10  # runs per architecture, each with its own init and shuffling
PART3_LR = 1e-3  # Adam's default rate, as the homework asks
PART4_EPOCHS = 15
PART4_LR = 0.01  # plain SGD
PART5_EPOCHS = 20
PART5_LRS = (0.1, 0.01, 0.001)  # plain SGD; the schedule's three stages in this order
PART5_ARCH = "cnn_4"  # the default; any architecture but PART5_EXCLUDED
PART5_EXCLUDED = "mlp_1"  # "choose an architecture other than mlp_1"
SCHEDULE_EPOCHS = 30  # the scheduled runs train to epoch 30


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
    "cnn_5": (
        Conv(3, 8),
        ACT,
        Conv(3, 16),
        ACT,
        Conv(3, 8),
        ACT,
        Conv(3, 16),
        ACT,
        POOL,
        Conv(3, 16),
        ACT,
        Conv(3, 8),
        ACT,
        POOL,
    ),
}
ARCHITECTURES: tuple[str, ...] = tuple(REGISTRY)


def check_architecture(name: str) -> None:
    if name not in REGISTRY:
        raise ValueError(f"unknown architecture {name!r}; valid: {', '.join(ARCHITECTURES)}")


# -- the result files ------------------------------------------------------------------------------


def rate_suffix(lr: float) -> str:
    """The homework's key suffix of a Part 5 rate: 0.1 -> '1', 0.01 -> '01', 0.001 -> '001'."""
    text = f"{lr:.10f}".rstrip("0")
    if not text.startswith("0.") or text == "0.":
        raise ValueError(f"a Part 5 rate must be in (0, 1), got {lr!r}")
    return text[2:]


PART3_KEYS = ("name", "loss_curve", "train_acc_curve", "val_acc_curve", "test_acc", "weights")
PART4_KEYS = ("name", "relu_loss_curve", "sigmoid_loss_curve", "relu_grad_curve", "sigmoid_grad_curve")
PART5_KEYS = ("name",) + tuple(
    f"{kind}_{rate_suffix(lr)}" for kind in ("loss_curve", "val_acc_curve") for lr in PART5_LRS
)
# The schedule's file (ee449's own; the homework asks for the figure): ee449 adds "constant_lr_test_acc".
SCHEDULE_KEYS = (
    "name",
    "switch_epochs",
    "val_acc_curve_stage2",
    "val_acc_curve_stage3",
    "test_acc",
    "adam_test_acc",
)
RESULT_KEYS = {3: PART3_KEYS, 4: PART4_KEYS, 5: PART5_KEYS}  # by part, as the grader checks them
EPOCHS = {3: PART3_EPOCHS, 4: PART4_EPOCHS, 5: PART5_EPOCHS}  # by part
