"""Any edition's data: `load_homework(edition, source, root)` -> `DataSplits` at the edition's shape.

The edition (`ee449.editions`) says which data set, which transform and which split; the
sources are those of each data set (`ee449.data.cifar10` for CIFAR-10, `ee449.data.fashion`
for Fashion-MNIST), the same three kinds for both: "torchvision" (downloaded once), a folder
(an image-folder tree for CIFAR-10, the raw IDX files for Fashion-MNIST) and "synthetic" (the
built-in stand-in drawn at the edition's shape). The 2023 edition is `load_cifar10` exactly.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch

from ee449.data import cifar10, fashion
from ee449.data.cifar10 import DataSplits, cache_root, load_cifar10, stratified_split
from ee449.data.imagefolder import load_image_folder
from ee449.editions import DEFAULT_HOMEWORK, Edition, Transform, edition

Arrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # uint8 NHWC images, int64 labels


def load_homework(
    homework: Edition | int = DEFAULT_HOMEWORK,
    source: str = "torchvision",
    root: str | os.PathLike | None = None,
    *,
    split_seed: int = 0,
    synthetic_per_class: tuple[int, int] = (500, 100),
    cache: bool = True,
) -> DataSplits:
    """Load, transform and split the data set of edition `homework` (an `Edition` or its year).

    Images come out float32 [N, C, H, W] in the edition's input shape, labels int64 [N]; the
    validation split is stratified with the edition's fraction. Arguments as `load_cifar10`'s.
    """
    e = homework if isinstance(homework, Edition) else edition(homework)
    if e.year == DEFAULT_HOMEWORK:  # one path for 2023: the bit-exact grayscale pipeline
        return load_cifar10(
            source, root, split_seed=split_seed, synthetic_per_class=synthetic_per_class, cache=cache
        )
    train_x, train_y, test_x, test_y, name, synthetic = _arrays(
        e, os.fspath(source), root, synthetic_per_class, cache
    )
    train_idx, val_idx = stratified_split(train_y, e.val_fraction, split_seed)
    return DataSplits(
        train_images=edition_transform(train_x[train_idx], e.transform),
        train_labels=torch.from_numpy(np.ascontiguousarray(train_y[train_idx])),
        val_images=edition_transform(train_x[val_idx], e.transform),
        val_labels=torch.from_numpy(np.ascontiguousarray(train_y[val_idx])),
        test_images=edition_transform(test_x, e.transform),
        test_labels=torch.from_numpy(np.ascontiguousarray(test_y)),
        source=name,
        synthetic=synthetic,
        homework=e.year,
        classes=e.classes,
    )


def edition_transform(images: np.ndarray, transform: Transform, chunk: int = 8192) -> torch.Tensor:
    """uint8 [N, H, W, C] -> float32 [N, C', H, W]: ToTensor, Normalize(mean, std) if given, Grayscale if asked.

    The same float32 operations as torchvision's ToTensor (divide by 255) and Normalize
    (subtract the channel mean, divide by its std), so the result equals the per-image pipeline
    bit for bit; in chunks, so the temporaries stay small.
    """
    images = np.asarray(images)
    if images.dtype != np.uint8 or images.ndim != 4:
        raise ValueError(f"expected uint8 images [N, H, W, C], got {images.dtype} {tuple(images.shape)}")
    if transform.grayscale:
        return cifar10.transform(images, chunk)
    n, h, w, c = images.shape
    if transform.mean and len(transform.mean) != c:
        raise ValueError(
            f"Normalize has {len(transform.mean)} channel means but the images have {c} channels"
        )
    out = torch.empty((n, c, h, w), dtype=torch.float32)
    mean = torch.tensor(transform.mean, dtype=torch.float32).view(-1, 1, 1)
    std = torch.tensor(transform.std, dtype=torch.float32).view(-1, 1, 1)
    for start in range(0, n, chunk):
        # A copy of the chunk (uint8, a few MB): the images may be a read-only view of a file's bytes,
        # which torch.from_numpy warns about even though nothing here writes to it.
        x = torch.from_numpy(images[start : start + chunk].copy()).permute(0, 3, 1, 2)  # (n, C, H, W) uint8
        x = x.to(torch.float32).div(255)  # ToTensor
        if transform.mean:
            x = x.sub(mean).div(std)  # Normalize
        out[start : start + chunk] = x
    return out


def _arrays(
    e: Edition, source: str, root: str | os.PathLike | None, per_class: tuple[int, int], cache: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, str, bool]:
    """(train x, train y, test x, test y, source name, synthetic) of edition `e`'s data set."""
    if source == "synthetic":
        seed = cifar10.SYNTHETIC_SEED
        if e.dataset == "fashion-mnist":
            cifar10._synthetic_arrays(per_class)  # the same checks of per_class
            train = fashion.synthetic_gray(per_class[0], 2 * seed)
            test = fashion.synthetic_gray(per_class[1], 2 * seed + 1)
            return (*train, *test, f"synthetic (seed {seed}, 28 x 28 gray)", True)
        return (*cifar10._synthetic_arrays(per_class), f"synthetic (seed {seed})", True)
    if source == "torchvision":
        folder = cache_root(root) / "torchvision"
        if e.dataset == "fashion-mnist":
            arrays = fashion.torchvision_arrays(folder, cifar10.DOWNLOAD_TIMEOUT_S)
            return (*arrays, f"torchvision Fashion-MNIST ({folder})", False)
        return (*cifar10._torchvision_arrays(folder), f"torchvision CIFAR-10 ({folder})", False)
    path = Path(source).expanduser()
    if source.strip() and path.is_dir():
        folder = path.resolve()
        if e.dataset == "fashion-mnist":
            return (*fashion.idx_arrays(folder), f"IDX files {folder}", False)
        arrays = load_image_folder(folder, cache_root(root) if cache else None)
        return (*arrays, f"image folder {folder}", False)
    layout = (
        "the raw IDX files"
        if e.dataset == "fashion-mnist"
        else "an image folder (train/<class>/*, test/<class>/*)"
    )
    raise ValueError(
        f"unknown data source {source!r}: expected 'torchvision', 'synthetic', or the path of an existing "
        f"folder with {layout}; {source!r} is not a folder"
    )
