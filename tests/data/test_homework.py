"""ee449.data.homework and ee449.data.fashion: each edition's data against torchvision's own pipeline and reader."""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest
import torch
from hypothesis import given
from PIL import Image
from torchvision import transforms
from torchvision.datasets import FashionMNIST

from ee449.data import edition_transform, load_cifar10, load_homework
from ee449.data.fashion import IDX_FILES, idx_arrays, read_idx
from ee449.editions import edition
from ee449.errors import DataError
from tests.helpers.strategies import rgb_images

SMALL = (6, 2)  # synthetic images per class: train, test


def assert_bitwise(actual: torch.Tensor, expected: torch.Tensor) -> None:
    __tracebackhide__ = True
    assert actual.shape == expected.shape, (tuple(actual.shape), tuple(expected.shape))
    worst = (actual - expected).abs().max().item() if actual.numel() else 0.0
    assert torch.equal(actual, expected), f"max abs difference {worst:.3g}"


@given(case=rgb_images())
def test_the_2025_transform_equals_torchvision_to_tensor_then_normalize(case):
    t = edition(2025).transform
    compose = transforms.Compose([transforms.ToTensor(), transforms.Normalize(t.mean, t.std)])
    expected = torch.stack([compose(Image.fromarray(image)) for image in case.images])
    assert_bitwise(edition_transform(case.images, t), expected)


def test_the_2024_transform_equals_torchvision_to_tensor_on_gray_images():
    images = np.random.default_rng(1).integers(0, 256, (5, 28, 28, 1), dtype=np.uint8)
    expected = torch.stack(
        [transforms.ToTensor()(Image.fromarray(image[..., 0], mode="L")) for image in images]
    )
    assert_bitwise(edition_transform(images, edition(2024).transform), expected)


@pytest.mark.parametrize(("year", "shape"), [(2023, (1, 32, 32)), (2024, (1, 28, 28)), (2025, (3, 32, 32))])
def test_synthetic_data_of_each_edition_has_its_input_shape_and_says_its_edition(year, shape):
    data = load_homework(year, "synthetic", synthetic_per_class=SMALL)
    for images in (data.train_images, data.val_images, data.test_images):
        assert images.dtype == torch.float32 and tuple(images.shape[1:]) == shape
    assert torch.equal(
        torch.bincount(data.val_labels), torch.full((10,), 1)
    )  # stratified: 10% of 6 per class
    described = data.describe()
    assert described.get("homework") == (None if year == 2023 else year)
    assert described["classes"] == list(edition(year).classes)


def test_2023_through_load_homework_is_load_cifar10_exactly():
    a, b = (
        load_homework(2023, "synthetic", synthetic_per_class=SMALL),
        load_cifar10("synthetic", synthetic_per_class=SMALL),
    )
    assert a.describe() == b.describe() and torch.equal(a.train_images, b.train_images)


def test_the_2025_synthetic_images_are_the_2023_ones_before_the_grayscale_step():
    rgb = load_homework(2025, "synthetic", synthetic_per_class=SMALL).train_images
    gray = load_cifar10("synthetic", synthetic_per_class=SMALL).train_images
    luma = torch.tensor([0.2989, 0.587, 0.114]).view(1, 3, 1, 1)
    assert torch.allclose((rgb * luma).sum(1, keepdim=True), gray, atol=1e-5)


def _idx(array: np.ndarray) -> bytes:
    """An IDX file written from the format's definition: 0, 0, 0x08, ndim, big-endian sizes, the bytes."""
    return (
        bytes([0, 0, 8, array.ndim]) + b"".join(struct.pack(">I", n) for n in array.shape) + array.tobytes()
    )


@pytest.fixture
def idx_folder(tmp_path):
    rng = np.random.default_rng(2)
    arrays = {
        "train_images": rng.integers(0, 256, (100, 28, 28), dtype=np.uint8),
        "train_labels": np.arange(100, dtype=np.uint8) % 10,
        "test_images": rng.integers(0, 256, (10, 28, 28), dtype=np.uint8),
        "test_labels": np.arange(10, dtype=np.uint8),
    }
    raw = tmp_path / "FashionMNIST" / "raw"  # torchvision's layout: its reader is the oracle
    raw.mkdir(parents=True)
    for key, name in IDX_FILES.items():
        (raw / name).write_bytes(_idx(arrays[key]))
    return tmp_path, arrays


def test_idx_files_read_as_torchvision_reads_them(idx_folder):
    root, arrays = idx_folder
    train_x, train_y, test_x, test_y = idx_arrays(root)
    oracle_train, oracle_test = FashionMNIST(root, train=True), FashionMNIST(root, train=False)
    assert np.array_equal(train_x[..., 0], oracle_train.data.numpy()) and np.array_equal(
        train_y, oracle_train.targets.numpy()
    )
    assert np.array_equal(test_x[..., 0], oracle_test.data.numpy()) and np.array_equal(
        test_y, oracle_test.targets.numpy()
    )


def test_gzipped_idx_files_read_the_same(idx_folder, tmp_path):
    root, arrays = idx_folder
    plain = root / "FashionMNIST" / "raw"
    zipped = tmp_path / "zipped"
    zipped.mkdir()
    for name in IDX_FILES.values():
        (zipped / f"{name}.gz").write_bytes(gzip.compress((plain / name).read_bytes()))
    assert np.array_equal(read_idx(zipped / "train-images-idx3-ubyte.gz"), arrays["train_images"])
    data = load_homework(2024, str(zipped))
    assert tuple(data.train_images.shape[1:]) == (1, 28, 28) and data.source.startswith("IDX files")
    assert (len(data.train_labels), len(data.val_labels)) == (90, 10)


def test_a_truncated_idx_file_is_a_data_error_naming_it(tmp_path):
    bad = tmp_path / "t10k-labels-idx1-ubyte"
    bad.write_bytes(_idx(np.arange(10, dtype=np.uint8))[:-3])
    with pytest.raises(DataError, match=r"t10k-labels-idx1-ubyte claims shape \(10,\) but holds 7 bytes"):
        read_idx(bad)


def test_a_folder_without_idx_files_names_the_files_it_needs(tmp_path):
    with pytest.raises(DataError, match="holds no Fashion-MNIST IDX files: expected train-images-idx3-ubyte"):
        load_homework(2024, str(tmp_path))
