"""The homework as data: its numbers and names, stated once here and read everywhere else. No torch.

What changes between the yearly editions (data set, input shape, transform, runs, epochs,
Part 1's kind, result keys) is read from the edition's spec file (`ee449.editions`); the
module-level names below are the default edition's (2023), so code that knows nothing of
editions keeps reading 2023. `edition(year)` gives any other year.

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

from ee449.editions import DEFAULT_HOMEWORK as DEFAULT_HOMEWORK  # re-exported: spec.edition(2025), ...
from ee449.editions import Edition as Edition
from ee449.editions import EditionError as EditionError
from ee449.editions import edition as edition
from ee449.editions import requested_year as requested_year

DEFAULT = edition(DEFAULT_HOMEWORK)  # 2023: what the module-level names below hold

# -- the data ----------------------------------------------------------------------------------
INPUT_SHAPE = DEFAULT.input_shape  # (C, H, W) of a grayscale CIFAR-10 image
NUM_CLASSES = 10
CLASSES = DEFAULT.classes  # labels 0..9
MEAN = DEFAULT.transform.mean  # the homework's Normalize() arguments, R, G, B
STD = DEFAULT.transform.std
VAL_FRACTION = DEFAULT.val_fraction  # of the 50,000 training images: 5,000 for validation, 500 per class
TRAIN_SAMPLES = round(DEFAULT.train_images * (1 - VAL_FRACTION))  # what is left to train on: Part 1's N

# -- training --------------------------------------------------------------------------------------
BATCH_SIZE = 50  # every part's batch
RECORD_EVERY = 10  # one recorded point per 10 optimizer steps (SPEC "Recording")
PART3_EPOCHS = DEFAULT.part3_epochs
PART3_RUNS = DEFAULT.part3_runs  # runs per architecture, each with its own init and shuffling
PART3_LR = 1e-3  # Adam's default rate, as the homework asks
PART4_EPOCHS = DEFAULT.part4_epochs
PART4_LR = 0.01  # plain SGD
PART5_EPOCHS = DEFAULT.part5_epochs
PART5_LRS = (0.1, 0.01, 0.001)  # plain SGD; the schedule's three stages in this order
PART5_ARCH = "cnn_4"  # the default; any architecture but PART5_EXCLUDED
PART5_EXCLUDED = "mlp_1"  # "choose an architecture other than mlp_1"
SCHEDULE_EPOCHS = DEFAULT.schedule_epochs  # the scheduled runs train to epoch 30


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


PART3_KEYS = DEFAULT.keys("part3")
PART4_KEYS = DEFAULT.keys("part4")
PART5_KEYS = DEFAULT.keys("part5")  # loss_curve_<rate_suffix(lr)>, val_acc_curve_<...> for PART5_LRS
# The schedule's file (ee449's own; the homework asks for the figure): ee449 adds "constant_lr_test_acc".
SCHEDULE_KEYS = DEFAULT.keys("schedule")
RESULT_KEYS = {3: PART3_KEYS, 4: PART4_KEYS, 5: PART5_KEYS}  # by part, as the grader checks them
EPOCHS = {3: PART3_EPOCHS, 4: PART4_EPOCHS, 5: PART5_EPOCHS}  # by part


def result_file(part: int | str, arch: str | None = None) -> str:
    """The one spelling of a result file's name: (3, 'cnn_4') -> 'part3_cnn_4.json', (5,) -> 'part5.json',
    ('schedule',) -> 'part5_schedule.json'. Parts 3 and 4 need an architecture; 5 and the schedule take none.
    """
    if part in (3, 4, "3", "4"):
        if arch is None:
            raise ValueError(f"Part {part}'s result files are one per architecture: pass arch")
        check_architecture(arch)
        return f"part{part}_{arch}.json"
    if arch is not None:
        raise ValueError(f"part {part!r} has one result file, not one per architecture (got arch {arch!r})")
    if part in (5, "5"):
        return "part5.json"
    if part == "schedule":
        return "part5_schedule.json"
    raise ValueError(f"unknown result part {part!r}; valid: 3, 4, 5, 'schedule'")
