"""An image-folder copy of CIFAR-10, decoded once and cached as one `.npz` file.

Layout: `ROOT/train/<class>/*` and `ROOT/test/<class>/*` with the ten CIFAR-10 class folders
(sorted alphabetically they are the official labels 0..9), every file a 32x32 RGB PNG or
JPEG. A ROOT holding a single `cifar10/` folder with that layout (what the course archive
unpacks to) is accepted too.

Cache: `CACHE_ROOT/imagefolder/<hash of the resolved path>.npz`, holding the decoded uint8
arrays and a fingerprint of the tree (every file's name, size and mtime). A cache whose
fingerprint differs, or which cannot be read (truncated, bad CRC, missing arrays, wrong
shapes), is rebuilt from the images, never trusted: the zip format's CRC-32 of every member
catches changed bytes. Writes are atomic. The arrays are stored, not deflated: CIFAR's
pixels are noisy enough that deflate saves only 7% of 184 MB but costs four times the read
time, and a fast warm load is what the cache is for.
"""

from __future__ import annotations

import hashlib
import io
import os
import warnings
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from ee449.errors import DataError
from ee449.io import atomic_write_bytes
from ee449.spec import CLASSES

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
CACHE_VERSION = 1  # bump when the cache's contents change meaning
PARALLEL_ABOVE = 2000  # below this many files, one thread is as fast

Arrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # train x, train y, test x, test y


def find_tree(root: Path) -> Path:
    """The folder holding train/ and test/: `root` itself, or its only `cifar10/` child."""
    if not root.is_dir():
        raise DataError(
            f"image folder {root} does not exist: expected a folder with train/<class>/* and test/<class>/*"
        )
    if not (root / "train").is_dir() and (root / "cifar10" / "train").is_dir():
        return root / "cifar10"
    for split in ("train", "test"):
        if not (root / split).is_dir():
            raise DataError(
                f"image folder {root} has no {split}/ folder: expected {root}/train/<class>/* and "
                f"{root}/test/<class>/* with the classes {', '.join(CLASSES)}"
            )
    return root


def scan_tree(tree: Path) -> tuple[dict[str, list[tuple[str, int]]], str]:
    """({'train': [(file, label), ...], 'test': [...]}, fingerprint), checking the class folders.

    Files are in class order, then name order; hidden and non-image files are skipped. The
    fingerprint hashes every file's split, label, name, size and mtime: cheap (one stat per
    file, from the same directory scan) and it changes when any image is added, removed or
    rewritten.
    """
    listing = {}
    digest = hashlib.sha256(f"v{CACHE_VERSION}".encode())
    for split in ("train", "test"):
        folder = tree / split
        present = sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
        missing = [c for c in CLASSES if c not in present]
        extra = [c for c in present if c not in CLASSES]
        if missing or extra:
            raise DataError(
                f"{folder} has the wrong class folders (missing: {', '.join(missing) or 'none'}; "
                f"unexpected: {', '.join(extra) or 'none'}): expected exactly {', '.join(CLASSES)}"
            )
        files = []
        for label, name in enumerate(CLASSES):
            with os.scandir(folder / name) as entries:
                images = sorted(
                    (
                        e
                        for e in entries
                        if e.name.lower().endswith(IMAGE_SUFFIXES) and not e.name.startswith(".")
                    ),
                    key=lambda e: e.name,
                )
            if not images:
                raise DataError(f"{folder / name} holds no .png or .jpg images")
            for entry in images:
                stat = entry.stat()
                digest.update(f"{split}/{label}/{entry.name}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
                files.append((entry.path, label))
        listing[split] = files
    return listing, digest.hexdigest()


def decode_files(paths: list[str]) -> np.ndarray:
    """Decode images into uint8 [N, 32, 32, 3], raising DataError naming any bad file."""
    from PIL import Image

    out = np.empty((len(paths), 32, 32, 3), dtype=np.uint8)
    for i, path in enumerate(paths):
        try:
            with Image.open(path, formats=("PNG", "JPEG")) as image:
                image.load()
                if image.mode != "RGB" or image.size != (32, 32):
                    raise DataError(
                        f"{path} is a {image.size[0]}x{image.size[1]} {image.mode} image: every image "
                        "must be 32x32 RGB, as CIFAR-10's are"
                    )
                out[i] = np.asarray(image)
        except DataError:
            raise
        except (OSError, SyntaxError, ValueError) as error:
            raise DataError(f"cannot decode {path} ({error}): replace or delete the corrupt file") from None
    return out


def _decode_all(paths: list[str]) -> np.ndarray:
    if len(paths) < PARALLEL_ABOVE or (os.cpu_count() or 1) < 2:
        return decode_files(paths)
    chunks = [paths[i : i + 1000] for i in range(0, len(paths), 1000)]
    # Threads, not processes: Pillow's decoder releases the GIL, and worker processes would
    # re-import the caller's main module (spawn) or fork torch's thread pools.
    with ThreadPoolExecutor(min(os.cpu_count() or 1, 8)) as pool:
        return np.concatenate(list(pool.map(decode_files, chunks)))


def cache_path(tree: Path, cache_root: Path) -> Path:
    key = hashlib.sha256(os.fsencode(tree.resolve())).hexdigest()[:20]
    return cache_root / "imagefolder" / f"{key}.npz"


def _headers_fit(path: Path, counts: tuple[int, int]) -> bool:
    """Whether each array's .npy header in the cache claims the shape and dtype the tree implies.

    Read before any array is loaded: a header that claims a huge shape would otherwise make
    `np.load` try to allocate it (MemoryError on every run, and the cache never rebuilt).
    """
    n_train, n_test = counts
    expected = {
        "train_images": ((n_train, 32, 32, 3), np.uint8),
        "train_labels": ((n_train,), np.int64),
        "test_images": ((n_test, 32, 32, 3), np.uint8),
        "test_labels": ((n_test,), np.int64),
    }
    with zipfile.ZipFile(path) as archive:
        for name, (shape, dtype) in expected.items():
            with archive.open(f"{name}.npy") as member:
                version = np.lib.format.read_magic(member)
                header = (
                    np.lib.format.read_array_header_1_0
                    if version == (1, 0)
                    else np.lib.format.read_array_header_2_0
                )(member)
            if tuple(header[0]) != shape or np.dtype(header[2]) != np.dtype(dtype):
                return False
    return True


def read_cache(path: Path, expected_fingerprint: str, counts: tuple[int, int] | None = None) -> Arrays | None:
    """The cached arrays, or None when the file is absent, corrupt or of another tree state.

    `counts` (training and test images in the tree) lets the array headers be checked first.
    """
    if not path.is_file():
        return None
    try:
        if counts is not None and not _headers_fit(path, counts):
            return None
        with np.load(path, allow_pickle=False) as archive:
            if str(archive["fingerprint"]) != expected_fingerprint:
                return None
            arrays = tuple(archive[k] for k in ("train_images", "train_labels", "test_images", "test_labels"))
    except (OSError, ValueError, KeyError, EOFError, MemoryError, zipfile.BadZipFile, zlib.error):
        return None  # unreadable: rebuilt from the images by the caller
    train_x, train_y, test_x, test_y = arrays
    for x, y in ((train_x, train_y), (test_x, test_y)):
        if (
            x.dtype != np.uint8
            or x.shape[1:] != (32, 32, 3)
            or y.shape != (x.shape[0],)
            or y.dtype != np.int64
        ):
            return None
    return train_x, train_y, test_x, test_y


def write_cache(path: Path, arrays: Arrays, tree_fingerprint: str) -> None:
    buffer = io.BytesIO()
    train_x, train_y, test_x, test_y = arrays
    np.savez(
        buffer,
        train_images=train_x,
        train_labels=train_y,
        test_images=test_x,
        test_labels=test_y,
        fingerprint=np.array(tree_fingerprint),
    )
    atomic_write_bytes(path, buffer.getvalue())


def load_image_folder(root: str | os.PathLike, cache_root: str | os.PathLike | None) -> Arrays:
    """(train images, train labels, test images, test labels) of an image-folder tree.

    Images uint8 [N, 32, 32, 3], labels int64 [N]. With `cache_root`, the decoded arrays are
    read from / written to the cache; with None, the images are decoded every time.
    """
    tree = find_tree(Path(root))
    listing, stamp = scan_tree(tree)
    target = cache_path(tree, Path(cache_root)) if cache_root is not None else None
    if target is not None:
        cached = read_cache(target, stamp, (len(listing["train"]), len(listing["test"])))
        if cached is not None:
            return cached
    train, test = listing["train"], listing["test"]
    result: Arrays = (
        _decode_all([p for p, _ in train]),
        np.array([label for _, label in train], dtype=np.int64),
        _decode_all([p for p, _ in test]),
        np.array([label for _, label in test], dtype=np.int64),
    )
    if target is not None:
        try:
            write_cache(target, result, stamp)
        except OSError as error:  # a read-only or full disk costs speed next time, not this run
            warnings.warn(
                f"could not write the decoded-image cache {target} ({error}); "
                "the images will be decoded again next time",
                stacklevel=2,
            )
    return result
