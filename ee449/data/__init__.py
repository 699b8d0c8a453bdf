"""Grayscale CIFAR-10 as tensors: `load_cifar10(source, root)` -> `DataSplits`.

- `ee449.data.cifar10`      the sources, the spec's transform, the stratified split, `DataSplits`
- `ee449.data.imagefolder`  an image-folder copy of CIFAR-10, decoded once into a cached `.npz`
- `ee449.data.synthetic`    the built-in procedurally generated stand-in (no files)
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
    "load_cifar10",
    "stratified_split",
    "transform",
]
