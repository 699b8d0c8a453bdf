"""The homework's reference training loop, as student code writes it, for `ee449 bench`.

The loop this module times is deliberately the usual one, waste included: a torchvision
dataset whose `__getitem__` turns one uint8 image into a PIL image and applies
`Compose([ToTensor(), Normalize(MEAN, STD), Grayscale()])` to it (as
`torchvision.datasets.CIFAR10` and `ImageFolder` do), `DataLoader(batch_size=50, shuffle=True)`
for training, `DataLoader(batch_size=50)` for a validation pass every 10 steps, `loss.item()`
and an accuracy `.item()` every step, `model.train()` / `model.eval()` toggles.

`BenchImages` holds that dataset and the indices of the images the bench uses, and builds
the resident `ee449.data.DataSplits` that ee449's trainer gets: the same images, transformed
once by the vectorised `ee449.data.transform`.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Union

import numpy as np
import torch
from PIL import Image
from torch import nn
from torch.utils.data import DataLoader, Dataset, Subset
from torchvision import transforms
from torchvision.datasets import CIFAR10, ImageFolder

from ee449 import models
from ee449.data import cifar10 as ee449_data
from ee449.data.synthetic import make_synthetic
from ee449.errors import DataError

TEST_BATCH = 50  # the one test batch every run classifies at the end (timed, not counted)


def spec_transform() -> transforms.Compose:
    """The homework's per-image pipeline: PIL RGB image -> float32 [1, 32, 32]."""
    return transforms.Compose(
        [transforms.ToTensor(), transforms.Normalize(ee449_data.MEAN, ee449_data.STD), transforms.Grayscale()]
    )


class ArrayImageDataset(Dataset):
    """uint8 images [N, 32, 32, 3] served like `torchvision.datasets.CIFAR10`: PIL, then transform."""

    def __init__(self, images: np.ndarray, labels: np.ndarray, transform: Any = None):
        images = np.asarray(images)
        if images.dtype != np.uint8 or images.ndim != 4 or images.shape[3] != 3:
            raise ValueError(f"expected uint8 images [N, H, W, 3], got {images.dtype} {images.shape}")
        if len(labels) != len(images):
            raise ValueError(f"{len(images)} images but {len(labels)} labels")
        self.data, self.targets, self.transform = images, [int(y) for y in labels], transform

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: int) -> tuple[Any, int]:
        image = Image.fromarray(self.data[index])  # as CIFAR10.__getitem__ does
        if self.transform is not None:
            image = self.transform(image)
        return image, self.targets[index]


ImageDataset = Union[CIFAR10, ImageFolder, ArrayImageDataset]  # what the reference loop reads


def raw_images(dataset: ImageDataset, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The untransformed uint8 images [n, 32, 32, 3] and int64 labels [n] behind `dataset[indices]`."""
    indices = np.asarray(indices, dtype=np.int64)
    if isinstance(dataset, ImageFolder):  # decode the same files with the dataset's own loader
        images = np.stack([np.asarray(dataset.loader(dataset.samples[i][0]).convert("RGB")) for i in indices])
    else:  # CIFAR10 and ArrayImageDataset keep decoded arrays
        images = np.asarray(dataset.data)[indices]
    labels = np.asarray(dataset.targets, dtype=np.int64)[indices]
    return images.astype(np.uint8, copy=False), labels


@dataclass(frozen=True)
class BenchImages:
    """A per-image torchvision dataset and the (disjoint) image indices each split uses."""

    dataset: ImageDataset
    train_index: np.ndarray
    val_index: np.ndarray
    test_index: np.ndarray  # the first TEST_BATCH validation images
    source: str
    synthetic: bool

    def splits(self) -> ee449_data.DataSplits:
        """The same images for ee449's trainer: transformed once, float32 [N, 1, 32, 32]."""
        tensors: dict[str, Any] = {}
        for split in ("train", "val", "test"):
            images, labels = raw_images(self.dataset, getattr(self, f"{split}_index"))
            tensors[f"{split}_images"] = ee449_data.transform(images)
            tensors[f"{split}_labels"] = torch.from_numpy(labels)
        return ee449_data.DataSplits(**tensors, source=self.source, synthetic=self.synthetic)


def bench_images(source: str, root: str | None, n_train: int, n_val: int, seed: int) -> BenchImages:
    """`n_val` validation and `n_train` training images from `source`, chosen by a seeded permutation.

    `source`: "synthetic" (the built-in stand-in, made here), "torchvision" (CIFAR-10's training
    set in the ee449 cache, downloaded once), or the path of an image folder (`train/<class>/*`).
    """
    transform = spec_transform()
    if source == "synthetic":
        per_class = math.ceil((n_train + n_val) / 10)
        images, labels = make_synthetic(per_class, seed=ee449_data.SYNTHETIC_SEED)
        dataset: ImageDataset = ArrayImageDataset(images, labels, transform)
        name, synthetic = f"synthetic (seed {ee449_data.SYNTHETIC_SEED})", True
    elif source == "torchvision":
        folder = ee449_data.cache_root(root) / "torchvision"
        try:
            dataset = CIFAR10(folder, train=True, download=False, transform=transform)
        except RuntimeError:  # not there yet: download it the way ee449.data does (timeouts, clear error)
            ee449_data._torchvision_arrays(folder)
            dataset = CIFAR10(folder, train=True, download=False, transform=transform)
        name, synthetic = f"torchvision CIFAR-10 ({folder})", False
    elif Path(source).expanduser().is_dir():
        folder = Path(source).expanduser().resolve()
        if not (folder / "train").is_dir():
            raise DataError(f"image folder {folder} has no train/ folder (expected train/<class>/*)")
        dataset = ImageFolder(folder / "train", transform=transform)
        name, synthetic = f"image folder {folder}", False
    else:
        raise ValueError(
            f"unknown data source {source!r}: expected 'synthetic', 'torchvision' or the path of "
            "an image folder"
        )
    if len(dataset) < n_train + n_val:
        raise DataError(f"{name} has {len(dataset)} training images; the bench needs {n_train} + {n_val}")
    order = np.random.default_rng(seed).permutation(len(dataset))
    val_index = order[:n_val]
    return BenchImages(
        dataset, order[n_val : n_val + n_train], val_index, val_index[:TEST_BATCH], name, synthetic
    )


def first_train_images(splits: ee449_data.DataSplits, n: int) -> ee449_data.DataSplits:
    """`splits` with only its first `n` training images (one epoch of them = n / 50 steps)."""
    if len(splits.train_labels) < n:
        raise ValueError(f"need {n} training images, the splits hold {len(splits.train_labels)}")
    return dataclasses.replace(
        splits, train_images=splits.train_images[:n], train_labels=splits.train_labels[:n]
    )


def reference_loop(
    images: BenchImages,
    steps: int,
    device: torch.device,
    seed: int,
    record_every: int = 10,
    batch_size: int = 50,
    progress: Callable[[int, int], Any] | None = None,
) -> tuple[int, int, int]:
    """Train cnn_4 for `steps` steps the student way; returns (steps, validation passes, images per pass).

    The counts are what the loop really did, so the caller's images/s cannot be inflated.
    `progress(step, steps)` is called after each validation pass.
    """
    torch.manual_seed(seed)
    train_set = Subset(images.dataset, images.train_index[: steps * batch_size].tolist())
    train_loader = DataLoader(train_set, batch_size=batch_size, shuffle=True)
    val_loader = DataLoader(Subset(images.dataset, images.val_index.tolist()), batch_size=batch_size)
    test_loader = DataLoader(Subset(images.dataset, images.test_index.tolist()), batch_size=batch_size)
    model = models.build("cnn_4").to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    loss_curve, train_acc_curve, val_acc_curve = [], [], []
    running_loss, running_correct, running_total, step, val_images = 0.0, 0, 0, 0, 0
    for inputs, labels in train_loader:
        model.train()
        inputs, labels = inputs.to(device), labels.to(device)
        optimizer.zero_grad()
        outputs = model(inputs)
        loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()
        running_loss += loss.item()  # one host sync per step, as the homework's code does
        _, predicted = torch.max(outputs.data, 1)
        running_correct += (predicted == labels).sum().item()
        running_total += labels.size(0)
        step += 1
        if step % record_every == 0:
            val_acc, seen = _evaluate(model, val_loader, device)
            val_images = seen
            loss_curve.append(running_loss / record_every)
            train_acc_curve.append(100.0 * running_correct / running_total)
            val_acc_curve.append(val_acc)
            if progress is not None:
                progress(step, steps)
            running_loss, running_correct, running_total = 0.0, 0, 0
    _evaluate(model, test_loader, device)  # the final test accuracy, as every run reports one
    return step, len(val_acc_curve), val_images


def _evaluate(model: nn.Module, loader: DataLoader, device: torch.device) -> tuple[float, int]:
    model.eval()
    correct, total = 0, 0
    with torch.no_grad():
        for inputs, labels in loader:
            inputs, labels = inputs.to(device), labels.to(device)
            outputs = model(inputs)
            _, predicted = torch.max(outputs.data, 1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
    return 100.0 * correct / total, total
