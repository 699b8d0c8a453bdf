"""Fashion-MNIST (the 2024 edition's data set) as raw uint8 arrays: torchvision, raw IDX files, synthetic.

Every source gives (train images uint8 [N, 28, 28, 1], train labels int64 [N], test images,
test labels), the layout `ee449.data.homework` transforms:

- torchvision: `torchvision.datasets.FashionMNIST(root, download=True)` (about 30 MB, once);
- a folder holding the four raw IDX files as the data set is published
  (`train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`,
  `t10k-labels-idx1-ubyte`, each optionally `.gz`), directly or in torchvision's
  `FashionMNIST/raw/` below it: an offline machine copies them;
- synthetic: the built-in stand-in drawn at 28 x 28 gray (`ee449.data.synthetic`'s patterns,
  the centre 28 x 28 of its 32 x 32 images in luma): no download, for demos and tests.
"""

from __future__ import annotations

import gzip
import socket
from pathlib import Path

import numpy as np

from ee449.data.synthetic import LUMA, SIZE, make_synthetic
from ee449.errors import DataError

SHAPE = (28, 28)  # Fashion-MNIST's images, H x W, one channel
IDX_FILES = {  # what each array is called in the published data set
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
INK_GAIN = 2.5  # the synthetic stand-in's contrast: ink at about 100-250 of 255 on a ground near 0
IDX_UBYTE = 0x08  # the IDX format's type code of unsigned bytes, the only one Fashion-MNIST uses

Arrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def read_idx(path: Path) -> np.ndarray:
    """The uint8 array of one IDX file (gzipped or not): magic 0, 0, type 0x08, ndim, then big-endian sizes."""
    raw = (gzip.open if path.suffix == ".gz" else open)(path, "rb").read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != IDX_UBYTE or raw[3] < 1:
        raise DataError(f"{path} is not an IDX file of unsigned bytes (its first bytes are {raw[:4].hex()})")
    ndim = raw[3]
    header = 4 + 4 * ndim
    dims = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    if len(raw) != header + int(np.prod(dims)):
        raise DataError(f"{path} claims shape {dims} but holds {len(raw) - header} bytes of data")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


def find_idx_folder(root: Path) -> Path | None:
    """The folder holding the four IDX files: `root`, or torchvision's layout below it; None if neither."""
    for folder in (root, root / "FashionMNIST" / "raw", root / "raw"):
        if all(_idx_path(folder, name) is not None for name in IDX_FILES.values()):
            return folder
    return None


def _idx_path(folder: Path, name: str) -> Path | None:
    for candidate in (folder / name, folder / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    return None


def idx_arrays(folder: Path) -> Arrays:
    """The four arrays of an IDX folder, checked: 28 x 28 images, one label 0..9 per image."""
    found = find_idx_folder(folder)
    if found is None:
        raise DataError(
            f"{folder} holds no Fashion-MNIST IDX files: expected {', '.join(IDX_FILES.values())} "
            "(each optionally .gz), there or in FashionMNIST/raw/ below it"
        )
    arrays = {key: read_idx(_idx_path(found, name)) for key, name in IDX_FILES.items()}  # type: ignore[arg-type]
    for split in ("train", "test"):
        images, labels = arrays[f"{split}_images"], arrays[f"{split}_labels"]
        if images.ndim != 3 or images.shape[1:] != SHAPE:
            raise DataError(f"{found}: {split} images have shape {images.shape}, expected [N, 28, 28]")
        if labels.shape != images.shape[:1] or labels.max(initial=0) > 9:
            raise DataError(f"{found}: {split} labels {labels.shape} do not give one class 0..9 per image")
    return (
        arrays["train_images"][..., None],
        arrays["train_labels"].astype(np.int64),
        arrays["test_images"][..., None],
        arrays["test_labels"].astype(np.int64),
    )


def torchvision_arrays(folder: Path, timeout_s: float) -> Arrays:
    """Fashion-MNIST through torchvision, downloading into `folder` if needed."""
    from torchvision.datasets import FashionMNIST

    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(timeout_s)  # torchvision's urlopen has no timeout of its own
    try:
        train = FashionMNIST(folder, train=True, download=True)
        test = FashionMNIST(folder, train=False, download=True)
    except (OSError, RuntimeError) as error:
        raise DataError(
            f"could not download Fashion-MNIST into {folder} ({type(error).__name__}: {error}). "
            "Offline? Copy the four IDX files (train-images-idx3-ubyte.gz, ...) into a folder and pass "
            "`--data FOLDER`, or `--data synthetic` for the built-in synthetic stand-in"
        ) from None
    finally:
        socket.setdefaulttimeout(previous)
    return (
        train.data.numpy()[..., None],
        train.targets.numpy().astype(np.int64),
        test.data.numpy()[..., None],
        test.targets.numpy().astype(np.int64),
    )


def synthetic_gray(n_per_class: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The stand-in at Fashion-MNIST's shape and look: uint8 [N, 28, 28, 1], bright shapes on black.

    The centre 28 x 28 of the 32 x 32 patterns in luma, then each pixel's distance from the
    image's median (its background) times INK_GAIN: the pattern (lighter or darker than its
    background) becomes bright ink on a dark ground, as Fashion-MNIST's garments are. Without
    it, ToTensor alone (no Normalize in 2024) leaves the patterns at a contrast the models
    barely learned in the demo's 4 epochs (measured: mlp_2 13%, cnn_3 22%, cnn_5 at chance;
    with it 26%, 54% and 24%).
    """
    images, labels = make_synthetic(n_per_class, seed)
    margin = (SIZE - SHAPE[0]) // 2  # 2 pixels a side: at most the rim of a pattern placed at the border
    centre = images[:, margin : margin + SHAPE[0], margin : margin + SHAPE[1]].astype(np.float32)
    gray = centre @ LUMA.astype(np.float32)  # [N, 28, 28]
    if len(gray):
        background = np.median(gray.reshape(len(gray), -1), axis=1)[:, None, None]
        gray = np.abs(gray - background) * INK_GAIN
    return np.clip(np.rint(gray), 0, 255).astype(np.uint8)[..., None], labels
