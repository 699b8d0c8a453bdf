"""The homework's result-file contract as data: keys, epochs, the recording rule, plausible bands.

Plain data and one function, importable anywhere (the checks use it in the sandbox, the tests
check it against the rule's definition).
"""

from __future__ import annotations

import math

from ee449.spec import BATCH_SIZE as BATCH
from ee449.spec import DEFAULT_HOMEWORK, EPOCHS, edition
from ee449.spec import RECORD_EVERY as EVERY
from ee449.spec import RESULT_KEYS as KEYS

__all__ = [
    "NEEDS_LIBRARY",
    "CONVOLVING",
    "BANDS",
    "BATCH",
    "EPOCHS",
    "EVERY",
    "KEYS",
    "TRAIN_IMAGES",
    "XOR_SEPARATES_ABOVE",
    "XOR_TARGET",
    "XOR_STEP_RATE",
    "bands",
    "implied_images",
    "not_found",
    "train_images",
]

# A run trains on the training set less its validation share: from 80% of it (a generous split)
# to all of it (no validation split at all).
LOWEST_SHARE = 0.8


def train_images(year: int = DEFAULT_HOMEWORK) -> tuple[int, int]:
    """The training-set sizes a run of `year`'s edition plausibly used: 2023 (40,000, 50,000)."""
    total = edition(year).train_images
    return round(total * LOWEST_SHARE), total


TRAIN_IMAGES = train_images()
BANDS = {"mlp": (25.0, 55.0), "cnn": (40.0, 80.0)}  # test accuracy (%) on CIFAR-10, grayscale or RGB
# Fashion-MNIST is easier: an MLP reaches about 85%, a small CNN about 90%.
_BANDS_BY_DATASET = {"cifar10": BANDS, "fashion-mnist": {"mlp": (60.0, 95.0), "cnn": (65.0, 97.0)}}


def bands(year: int = DEFAULT_HOMEWORK) -> dict[str, tuple[float, float]]:
    """The plausible test-accuracy bands (%) of `year`'s data set, by kind of model."""
    return _BANDS_BY_DATASET[edition(year).dataset]


def implied_images(points: int, epochs: int, year: int = DEFAULT_HOMEWORK) -> int | None:
    """The training-set size (batch 50) whose run records `points` points in `epochs`, or None."""
    low, high = train_images(year)
    for steps in range(math.ceil(low / BATCH), math.ceil(high / BATCH) + 1):
        if points in {epochs * steps // EVERY, math.ceil(epochs * steps / EVERY)}:
            return steps * BATCH
    return None


# Libraries with a convolution of their own: not importable while my_conv2d is checked (Part 2 is
# NumPy; torch itself is a NumPy stand-in there, `checks/torch_standin`; `isolation.convolving_packages`).
CONVOLVING = (
    "torch",
    "torchvision",
    "torchaudio",
    "functorch",
    "scipy",
    "cv2",
    "skimage",
    "tensorflow",
    "jax",
)

# The diagnosis of a conv check that failed for want of one of them (the sandbox's plugin, the notebook check).
NEEDS_LIBRARY = (
    "Part 2 asks for a NumPy convolution: while my_conv2d is checked, torch is a stand-in that offers "
    "only what NumPy offers, and torchvision, scipy and the other libraries that convolve cannot be "
    "imported. Your my_conv2d needed one of them; compute the convolution with NumPy."
)

# Part 1 of 2024 / 2025 (the NumPy XOR network): the sandbox measures with these, the judge decides.
XOR_TARGET = "xor_mlp"  # the key of the student's XOR class: the extraction's, the checks', the judge's
XOR_STEP_RATE = 1e-3  # one small backward step: first order, so a descent direction must lower the error
XOR_SEPARATES_ABOVE = (
    90.0  # validation accuracy (%): the blobs overlap little at std 0.4 (reference: 98-100%)
)


def not_found(part: int, arch: str | None) -> str:
    """Why a result slot's checks fail when no file fills it: the sandbox's words and the judge's."""
    what = f"Part {part}'s results" + (f" for {arch}" if arch else "")
    return f"not found: no file in the submission holds {what} (a dict with the keys {list(KEYS[part])})"
