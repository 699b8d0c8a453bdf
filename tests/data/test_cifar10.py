"""ee449.data: the spec's transform against torchvision, the stratified split, load_cifar10."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from PIL import Image
from torchvision import transforms

from ee449.data import CLASSES, MEAN, STD, DataSplits, cache_root, load_cifar10, stratified_split, transform
from ee449.errors import DataError
from tests.helpers.assertions import assert_close, assert_equal
from tests.helpers.strategies import label_sets, rgb_images

# --- transform -------------------------------------------------------------------------------


def torchvision_pipeline(images: np.ndarray) -> torch.Tensor:
    """The homework's per-image pipeline on PIL images: the oracle for `transform`."""
    compose = transforms.Compose(
        [transforms.ToTensor(), transforms.Normalize(MEAN, STD), transforms.Grayscale()]
    )
    return torch.stack([compose(Image.fromarray(image)) for image in images])


@given(case=rgb_images())
def test_transform_equals_torchvision_per_image_pipeline(case):
    assert_close(
        transform(case.images), torchvision_pipeline(case.images), rtol=1e-6, atol=1e-6, what="transformed"
    )


def test_transform_equals_torchvision_across_chunk_boundaries():
    images = np.random.default_rng(0).integers(0, 256, size=(11, 32, 32, 3), dtype=np.uint8)
    out = transform(images, chunk=4)
    assert_equal(tuple(out.shape), (11, 1, 32, 32), "shape")
    assert_equal(out.dtype, torch.float32, "dtype")
    assert_close(out, torchvision_pipeline(images), rtol=1e-6, atol=1e-6, what="transformed")


def test_transform_range_is_the_specs():
    black, white = np.zeros((1, 32, 32, 3), np.uint8), np.full((1, 32, 32, 3), 255, np.uint8)
    # Independent arithmetic: sum_c w_c (v - mean_c) / std_c, with no clamping.
    weights = (0.2989, 0.587, 0.114)
    for image, value in ((black, 0.0), (white, 1.0)):
        expected = sum(w * (value - m) / s for w, m, s in zip(weights, MEAN, STD))
        assert_close(transform(image), np.full((1, 1, 32, 32), expected), rtol=1e-6, what=f"pixel {value}")


@pytest.mark.parametrize(
    "bad",
    [
        np.zeros((2, 32, 32, 3), np.float32),
        np.zeros((2, 32, 32), np.uint8),
        np.zeros((2, 3, 32, 32), np.uint8),
    ],
)
def test_transform_rejects_anything_but_uint8_nhwc_rgb(bad):
    with pytest.raises(ValueError, match=r"uint8 images \[N, H, W, 3\]"):
        transform(bad)


# --- split -----------------------------------------------------------------------------------


@given(case=label_sets())
def test_split_takes_the_same_count_from_every_class_and_partitions_the_set(case):
    train, val = stratified_split(case.labels, case.val_fraction, case.seed)
    counts = np.bincount(case.labels)
    per_class = int(round(case.val_fraction * counts.min()))
    assert_equal(
        np.bincount(case.labels[val], minlength=len(counts)).tolist(),
        [per_class] * len(counts),
        "val per class",
    )
    assert_equal(np.intersect1d(train, val).size, 0, "train and val overlap")
    assert_equal(np.union1d(train, val).tolist(), list(range(len(case.labels))), "train + val")


@given(case=label_sets())
def test_split_is_determined_by_its_seed(case):
    first, again = (
        stratified_split(case.labels, case.val_fraction, case.seed),
        stratified_split(case.labels, case.val_fraction, case.seed),
    )
    assert np.array_equal(first[0], again[0]) and np.array_equal(first[1], again[1])


def test_split_of_the_full_training_set_is_500_per_class_and_seeds_differ():
    labels = np.repeat(np.arange(10), 5000)
    train, val = stratified_split(labels, 0.1, seed=0)
    assert_equal(np.bincount(labels[val]).tolist(), [500] * 10, "val per class")
    assert_equal(len(train), 45000, "train size")
    _, other = stratified_split(labels, 0.1, seed=1)
    assert not np.array_equal(val, other)


@pytest.mark.parametrize("fraction", [-0.1, 1.0, 0.01])  # 0.01 of 20 images rounds to none
def test_split_rejects_a_fraction_that_leaves_a_side_empty(fraction):
    with pytest.raises(ValueError, match="val_fraction"):
        stratified_split(np.repeat(np.arange(10), 20), fraction, seed=0)


# --- load_cifar10 ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def synthetic_splits() -> DataSplits:
    return load_cifar10("synthetic", synthetic_per_class=(20, 10), split_seed=3)


def test_synthetic_splits_have_the_documented_shapes_and_say_synthetic(synthetic_splits):
    d = synthetic_splits
    for images, labels, n in (
        (d.train_images, d.train_labels, 180),
        (d.val_images, d.val_labels, 20),
        (d.test_images, d.test_labels, 100),
    ):
        assert_equal(tuple(images.shape), (n, 1, 32, 32), "images shape")
        assert_equal(
            (images.dtype, labels.dtype, tuple(labels.shape)), (torch.float32, torch.int64, (n,)), "dtypes"
        )
    assert_equal(torch.bincount(d.val_labels).tolist(), [2] * 10, "val per class")
    assert d.synthetic and "synthetic" in d.source
    assert_equal(
        d.describe(),
        {
            "source": d.source,
            "synthetic": True,
            "train": 180,
            "val": 20,
            "test": 100,
            "classes": list(CLASSES),
        },
        "describe()",
    )


def test_synthetic_splits_are_the_transformed_generator_output(synthetic_splits):
    from ee449.data.synthetic import make_synthetic

    test_x, test_y = make_synthetic(10, seed=1)
    assert_close(
        synthetic_splits.test_images, torchvision_pipeline(test_x), rtol=1e-6, atol=1e-6, what="test images"
    )
    assert np.array_equal(synthetic_splits.test_labels.numpy(), test_y)
    train_x, train_y = make_synthetic(20, seed=0)
    train, val = stratified_split(train_y, 0.1, seed=3)
    assert_close(synthetic_splits.val_images, transform(train_x[val]), what="val images")
    assert np.array_equal(synthetic_splits.train_labels.numpy(), train_y[train])


def test_describe_round_trips_through_the_strict_json_writer(synthetic_splits, tmp_path):
    from ee449.io import read_json, write_json

    write_json(tmp_path / "meta.json", synthetic_splits.describe())
    assert_equal(read_json(tmp_path / "meta.json"), synthetic_splits.describe(), "read back")


def test_the_same_split_seed_gives_the_same_splits_and_another_seed_another_validation_set(synthetic_splits):
    again = load_cifar10("synthetic", synthetic_per_class=(20, 10), split_seed=3)
    other = load_cifar10("synthetic", synthetic_per_class=(20, 10), split_seed=4)
    for name in ("train_images", "train_labels", "val_images", "val_labels", "test_images", "test_labels"):
        assert torch.equal(getattr(again, name), getattr(synthetic_splits, name)), name
    assert not torch.equal(other.val_images, synthetic_splits.val_images)
    assert torch.equal(other.test_images, synthetic_splits.test_images)  # the data set itself is fixed


def test_to_moves_all_six_tensors(synthetic_splits):
    moved = synthetic_splits.to("meta")  # a real second device that exists on every machine
    tensors = [
        getattr(moved, name)
        for name in ("train_images", "train_labels", "val_images", "val_labels", "test_images", "test_labels")
    ]
    assert_equal([t.device.type for t in tensors], ["meta"] * 6, "devices")
    assert_equal((moved.source, moved.synthetic), (synthetic_splits.source, True), "metadata")


@pytest.mark.parametrize("source", ["cifar", "", "no/such/folder"])
def test_an_unknown_source_is_a_value_error_listing_the_valid_ones(source):
    with pytest.raises(
        ValueError, match="'torchvision', 'synthetic', or the path of an existing image folder"
    ):
        load_cifar10(source)


@pytest.mark.parametrize("bad", [(0, 10), (10,), (1.5, 2)])
def test_bad_synthetic_sizes_are_a_value_error(bad):
    with pytest.raises(ValueError, match="synthetic_per_class"):
        load_cifar10("synthetic", synthetic_per_class=bad)


def test_cache_root_is_root_then_env_then_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("EE449_DATA", raising=False)
    assert_equal(cache_root(), tmp_path / "xdg" / "ee449", "XDG default")
    monkeypatch.setenv("EE449_DATA", str(tmp_path / "env"))
    assert_equal(cache_root(), tmp_path / "env", "EE449_DATA")
    assert_equal(cache_root(tmp_path / "arg"), tmp_path / "arg", "root=")


def test_torchvision_download_offline_fails_fast_pointing_to_the_image_folder(tmp_path):
    """An empty root and no network: one clear DataError (a socket timeout in the code path
    bounds the wait when the network hangs rather than refuses)."""
    try:
        load_cifar10("torchvision", root=tmp_path)
    except DataError as error:
        message = str(error)
    else:
        pytest.skip("the download worked: this machine is online")
    assert "could not download CIFAR-10" in message and "image-folder" in message and "tar xzf" in message


@pytest.mark.network
def test_torchvision_download_gives_the_official_sizes(tmp_path):
    d = load_cifar10("torchvision", root=tmp_path)
    assert_equal((len(d.train_labels), len(d.val_labels), len(d.test_labels)), (45000, 5000, 10000), "sizes")
    assert_equal(torch.bincount(d.val_labels).tolist(), [500] * 10, "val per class")
    assert not d.synthetic
