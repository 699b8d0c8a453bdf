"""ee449.training.device: data placed and checked once, device strings resolved, the per-device layout."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import torch

from ee449 import models
from ee449.data import DataSplits
from ee449.training.device import memory_format_for, resolve_device, to_resident
from tests.helpers.assertions import assert_close, assert_equal


def _numpy_splits(seed: int = 0) -> SimpleNamespace:
    """The six splits as a user might hold them: uint8 images, int32 labels (NumPy)."""
    rng = np.random.default_rng(seed)
    splits = {}
    for name, n in (("train", 12), ("val", 5), ("test", 3)):
        splits[f"{name}_images"] = rng.integers(0, 256, (n, 1, 32, 32), dtype=np.uint8)
        splits[f"{name}_labels"] = rng.integers(0, 10, n, dtype=np.int32)
    return SimpleNamespace(**splits)


def test_to_resident_keeps_the_values_as_float32_images_and_int64_labels():
    source = _numpy_splits()
    resident = to_resident(source, torch.device("cpu"))
    assert isinstance(resident, DataSplits)
    for name in DataSplits.tensor_names():
        tensor = getattr(resident, name)
        assert_equal(
            str(tensor.dtype), "torch.float32" if name.endswith("images") else "torch.int64", f"{name} dtype"
        )
        assert_equal(tensor.numpy().tolist(), getattr(source, name).tolist(), f"{name} values")


@pytest.mark.parametrize(
    "field, bad, message",
    [
        (
            "val_images",
            np.zeros((5, 3, 32, 32), np.float32),
            r"val_images must have shape \[N, 1, 32, 32\] as train_images, got \[5, 3, 32, 32\]",
        ),
        ("test_images", np.zeros((5, 32, 32), np.float32), r"test_images must have shape \[N, C, H, W\]"),
        ("test_labels", np.zeros(3, np.float32), "test_labels must be integer class labels"),
        ("train_labels", np.zeros(11, np.int64), "train split has 12 images but 11 labels"),
    ],
)
def test_to_resident_names_the_bad_split(field, bad, message):
    source = _numpy_splits()
    setattr(source, field, bad)
    with pytest.raises(ValueError, match=message):
        to_resident(source, torch.device("cpu"))


def test_to_resident_refuses_an_empty_training_split():
    source = _numpy_splits()
    source.train_images, source.train_labels = source.train_images[:0], source.train_labels[:0]
    with pytest.raises(ValueError, match="training split is empty"):
        to_resident(source, torch.device("cpu"))


@pytest.mark.parametrize("spelling", ["gpu7", "cuda:x", ""])
def test_an_unknown_device_string_is_named_in_the_error(spelling):
    with pytest.raises(ValueError, match=f"unknown device {spelling!r}"):
        resolve_device(spelling)


@pytest.mark.parametrize("arch", [a for a in models.ARCHITECTURES if a.startswith("cnn")])
def test_the_cpu_layout_changes_the_logits_only_by_float_rounding(arch):
    # memory_format_for picks a layout for speed; the same weights must give the same logits as
    # PyTorch's default NCHW, to float32 rounding of a differently ordered sum.
    torch.manual_seed(0)
    nchw = models.build(arch, "relu")
    fast = models.build(arch, "relu")
    fast.load_state_dict(nchw.state_dict())
    fast = fast.to(memory_format=memory_format_for(torch.device("cpu")))
    images = torch.randn(64, 1, 32, 32, generator=torch.Generator().manual_seed(1))
    with torch.inference_mode():
        assert_close(
            fast(images), nchw(images), rtol=1e-4, atol=1e-5, what=f"{arch} logits, CPU layout vs NCHW"
        )
