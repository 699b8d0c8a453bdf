"""Each edition's data as tensors: `load_homework(year, source, root)` (`load_cifar10` for 2023) -> `DataSplits`.

- `ee449.data.cifar10`      the sources, the spec's transform, the stratified split, `DataSplits`
- `ee449.data.imagefolder`  an image-folder copy of CIFAR-10, decoded once into a cached `.npz`
- `ee449.data.synthetic`    the built-in procedurally generated stand-in (no files)
- `ee449.data.fashion`      Fashion-MNIST (2024): torchvision, the raw IDX files, the stand-in at 28 x 28
- `ee449.data.homework`     `load_homework`: any edition's data set, transform and split
"""

from __future__ import annotations

from ee449.data.cifar10 import (
    DOWNLOAD_TIMEOUT_S,
    GRAY,
    SOURCES,
    SYNTHETIC_SEED,
    DataSplits,
    cache_root,
    load_cifar10,
    stratified_split,
    transform,
)
from ee449.data.homework import edition_transform, load_homework
from ee449.spec import CLASSES, MEAN, STD

__all__ = [
    "CLASSES",
    "DOWNLOAD_TIMEOUT_S",
    "GRAY",
    "MEAN",
    "SOURCES",
    "STD",
    "SYNTHETIC_SEED",
    "DataSplits",
    "cache_root",
    "edition_transform",
    "load_cifar10",
    "load_homework",
    "stratified_split",
    "transform",
]
