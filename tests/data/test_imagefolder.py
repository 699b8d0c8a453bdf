"""ee449.data.imagefolder: real PNG and JPEG trees written here, the decoded cache, each layout error."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from ee449.data import CLASSES, load_cifar10, transform
from ee449.data.imagefolder import cache_path, load_image_folder
from ee449.errors import DataError
from tests.helpers.assertions import assert_equal

TRAIN_PER_CLASS, TEST_PER_CLASS = 2, 1


def write_tree(root: Path, seed: int = 0) -> dict[str, list[tuple[Path, np.ndarray, int]]]:
    """A tiny CIFAR-like tree, PNG and JPEG mixed; returns what each file decodes to, in order.

    PNG is lossless, so its pixels are the array written; a JPEG's are what Pillow reads back.
    """
    rng = np.random.default_rng(seed)
    written: dict[str, list] = {"train": [], "test": []}
    for split, per_class in (("train", TRAIN_PER_CLASS), ("test", TEST_PER_CLASS)):
        for label, name in enumerate(CLASSES):
            folder = root / split / name
            folder.mkdir(parents=True)
            for i in range(per_class):
                pixels = rng.integers(0, 256, size=(32, 32, 3), dtype=np.uint8)
                path = folder / (f"{i:04d}.png" if (label + i) % 2 == 0 else f"{i:04d}.jpg")
                Image.fromarray(pixels).save(path, quality=95)
                if path.suffix == ".jpg":
                    pixels = np.asarray(Image.open(path).convert("RGB"))
                written[split].append((path, pixels, label))
    return written


@pytest.fixture
def tree(tmp_path):
    written = write_tree(tmp_path / "cifar")
    return tmp_path / "cifar", written


def test_images_and_labels_are_the_files_pixels_and_their_class_folders(tree):
    root, written = tree
    train_x, train_y, test_x, test_y = load_image_folder(root, cache_root=None)
    for split, x, y in (("train", train_x, train_y), ("test", test_x, test_y)):
        assert np.array_equal(x, np.stack([pixels for _, pixels, _ in written[split]])), f"{split} pixels"
        assert_equal(y.tolist(), [label for _, _, label in written[split]], f"{split} labels")
        assert_equal((x.dtype, y.dtype), (np.dtype(np.uint8), np.dtype(np.int64)), "dtypes")


def test_load_cifar10_from_a_folder_transforms_and_splits_it(tree, tmp_path):
    root, written = tree
    splits = load_cifar10(str(root), root=tmp_path / "cache", val_fraction=0.5, split_seed=1)
    expected_test = transform(np.stack([pixels for _, pixels, _ in written["test"]]))
    assert torch.equal(splits.test_images, expected_test)
    assert_equal(torch.bincount(splits.val_labels).tolist(), [1] * 10, "val per class")
    assert_equal(torch.bincount(splits.train_labels).tolist(), [1] * 10, "train per class")
    assert not splits.synthetic and str(root.resolve()) in splits.source


def test_the_archive_layout_with_one_cifar10_folder_inside_is_accepted(tmp_path):
    written = write_tree(tmp_path / "unpacked" / "cifar10")
    _, _, test_x, _ = load_image_folder(tmp_path / "unpacked", cache_root=None)
    assert np.array_equal(test_x, np.stack([pixels for _, pixels, _ in written["test"]]))


# --- cache -----------------------------------------------------------------------------------


def test_the_first_load_writes_one_cache_file_and_the_second_reads_it(tree, tmp_path):
    root, _ = tree
    first = load_image_folder(root, tmp_path / "cache")
    files = list((tmp_path / "cache").rglob("*.npz"))
    assert_equal(files, [cache_path(root, tmp_path / "cache")], "cache files")
    # Rewrite the cache with inverted images (fingerprint kept): a load that reads the cache
    # returns the inverted images; one that decoded the files again would not.
    with np.load(files[0]) as archive:
        content = dict(archive)
    content["train_images"] = 255 - content["train_images"]
    np.savez_compressed(files[0], **content)
    second = load_image_folder(root, tmp_path / "cache")
    assert np.array_equal(second[0], 255 - first[0])


def test_a_changed_image_invalidates_the_cache(tree, tmp_path):
    root, written = tree
    load_image_folder(root, tmp_path / "cache")
    path = written["train"][0][0]  # a PNG
    new_pixels = np.full((32, 32, 3), 7, np.uint8)
    Image.fromarray(new_pixels).save(path)
    os.utime(path, ns=(1, 1))  # a different mtime even on coarse-clock file systems
    assert np.array_equal(load_image_folder(root, tmp_path / "cache")[0][0], new_pixels)


def _flip_middle(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes(b ^ 0xFF for b in data[middle : middle + 64]) + data[middle + 64 :]


@pytest.mark.parametrize(
    "corrupt",
    [_flip_middle, lambda d: d[: len(d) // 2], lambda d: b"", lambda d: b"not a zip"],
    ids=["flipped bytes", "truncated", "empty", "garbage"],
)
def test_a_corrupt_cache_is_detected_and_rebuilt(tree, tmp_path, corrupt):
    root, _ = tree
    fresh = load_image_folder(root, tmp_path / "cache")
    target = cache_path(root, tmp_path / "cache")
    target.write_bytes(corrupt(target.read_bytes()))
    again = load_image_folder(root, tmp_path / "cache")
    for got, want in zip(again, fresh):
        assert np.array_equal(got, want)
    with np.load(target) as archive:  # rebuilt: a valid file again
        assert np.array_equal(archive["train_images"], fresh[0])


def test_no_cache_root_writes_nothing(tree, tmp_path):
    root, _ = tree
    load_cifar10(str(root), root=tmp_path / "cache", val_fraction=0.5, cache=False)
    assert not (tmp_path / "cache").exists()


def test_an_unwritable_cache_root_warns_and_still_loads(tree, tmp_path):
    root, written = tree
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    with pytest.warns(UserWarning, match="could not write the decoded-image cache"):
        _, _, test_x, _ = load_image_folder(root, blocker)
    assert np.array_equal(test_x, np.stack([pixels for _, pixels, _ in written["test"]]))


# --- errors ----------------------------------------------------------------------------------


def test_a_missing_folder_says_so(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        load_image_folder(tmp_path / "nothing", cache_root=None)


def test_a_folder_without_train_says_what_is_expected(tmp_path):
    (tmp_path / "test").mkdir()
    with pytest.raises(DataError, match=r"has no train/ folder: expected .*train/<class>/\*"):
        load_image_folder(tmp_path, cache_root=None)


def test_a_missing_class_is_named(tree):
    root, _ = tree
    shutil.rmtree(root / "test" / "cat")
    with pytest.raises(
        DataError, match=r"test has the wrong class folders \(missing: cat; unexpected: none\)"
    ):
        load_image_folder(root, cache_root=None)


def test_an_unexpected_class_is_named(tree):
    root, _ = tree
    (root / "train" / "zebra").mkdir()
    with pytest.raises(DataError, match="unexpected: zebra"):
        load_image_folder(root, cache_root=None)


def test_an_empty_class_folder_is_named(tree):
    root, written = tree
    for path, _, label in written["train"]:
        if label == 3:
            path.unlink()
    with pytest.raises(DataError, match=r"train[/\\]cat holds no .png or .jpg images"):
        load_image_folder(root, cache_root=None)


@pytest.mark.parametrize(
    "size, mode", [((31, 32), "RGB"), ((32, 64), "RGB"), ((32, 32), "L"), ((32, 32), "RGBA")]
)
def test_an_image_that_is_not_32x32_rgb_is_named(tree, size, mode):
    root, _ = tree
    bad = root / "train" / "dog" / "odd.png"
    Image.new(mode, size).save(bad)
    with pytest.raises(
        DataError, match=rf"odd.png is a {size[0]}x{size[1]} {mode} image: every image must be 32x32 RGB"
    ):
        load_image_folder(root, cache_root=None)


@pytest.mark.parametrize("content", [b"", b"\xff\xd8\xff garbage", "half"])
def test_a_corrupt_image_file_is_named(tree, content):
    root, written = tree
    victim = written["test"][4][0]
    data = victim.read_bytes()[:60] if content == "half" else content
    victim.write_bytes(data)
    with pytest.raises(
        DataError, match=rf"cannot decode .*{victim.name}.*replace or delete the corrupt file"
    ):
        load_image_folder(root, cache_root=None)


# --- the real archive (skipped where ../shared is absent) ------------------------------------


@pytest.mark.slow
def test_the_real_archive_decodes_to_its_pixels_then_loads_from_the_warm_cache(cifar_image_folder, tmp_path):
    """One test, so that the 60,000 images are decoded once even when xdist splits the module."""
    tree = cifar_image_folder
    train_x, train_y, test_x, test_y = load_image_folder(tree, tmp_path)  # cold: decodes, writes the cache
    assert_equal((train_x.shape, test_x.shape), ((50000, 32, 32, 3), (10000, 32, 32, 3)), "shapes")
    assert_equal(np.bincount(train_y).tolist(), [5000] * 10, "train per class")
    assert_equal(np.bincount(test_y).tolist(), [1000] * 10, "test per class")
    for label in (0, 3, 9):  # first and last file of a few classes, decoded here with Pillow
        for i in (0, 4999):
            path = tree / "train" / CLASSES[label] / f"{i:04d}.jpg"
            assert np.array_equal(train_x[5000 * label + i], np.asarray(Image.open(path).convert("RGB"))), (
                path
            )
        path = tree / "test" / CLASSES[label] / "0999.jpg"
        assert np.array_equal(test_x[1000 * label + 999], np.asarray(Image.open(path).convert("RGB"))), path

    splits = load_cifar10(str(tree), root=tmp_path)  # warm
    assert_equal(
        (len(splits.train_labels), len(splits.val_labels), len(splits.test_labels)),
        (45000, 5000, 10000),
        "sizes",
    )
    assert_equal(torch.bincount(splits.val_labels).tolist(), [500] * 10, "val per class")
    assert torch.equal(splits.test_images[-100:], transform(test_x[-100:]))


def _with_header_shape(npz: Path, member: str, shape: tuple[int, ...]) -> None:
    """Rewrite one array of a cache so that its .npy header claims `shape` (data and fingerprint kept)."""
    import io
    import zipfile

    with zipfile.ZipFile(npz) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    raw = io.BytesIO(members[member])
    version = np.lib.format.read_magic(raw)
    _, fortran, dtype = (
        np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    )(raw)
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": fortran, "shape": shape}
    )
    members[member] = header.getvalue() + raw.read()
    with zipfile.ZipFile(npz, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def test_a_cache_whose_header_claims_a_huge_shape_is_rebuilt_without_allocating_it(tree, tmp_path):
    # The fingerprint is intact, so only the header check can tell: np.load would try to
    # allocate 10**12 images (MemoryError on every run, the cache never rebuilt).
    root, _ = tree
    fresh = load_image_folder(root, tmp_path / "cache")
    target = cache_path(root, tmp_path / "cache")
    _with_header_shape(target, "train_images.npy", (10**12, 32, 32, 3))
    again = load_image_folder(root, tmp_path / "cache")
    for got, want in zip(again, fresh):
        assert np.array_equal(got, want)
    with np.load(target) as archive:  # rebuilt: the header fits again
        assert archive["train_images"].shape == fresh[0].shape
