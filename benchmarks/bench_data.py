"""How fast does the data arrive? Warm-cache image-folder load and synthetic generation.

    .venv/bin/python benchmarks/bench_data.py [CIFAR_DIR] [--repeats 3]

CIFAR_DIR is an unpacked image-folder CIFAR-10 (`train/<class>/*`, `test/<class>/*`), else
`$EE449_CIFAR_DIR`, else `../shared/data/cifar10-jpg.tar.gz` is unpacked once into
`/tmp/ee449-bench-data` (never into the repository). Targets (issue 3): the full set through
`load_cifar10` with a warm cache in under 3 s; a few thousand synthetic images in about 1 s.
Prints the best of `--repeats` runs of each step, and the cold (decoding) load once.
"""

from __future__ import annotations

import argparse
import os
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
UNPACK_TO = Path(tempfile.gettempdir()) / "ee449-bench-data"


def find_cifar_dir(arg: str | None) -> Path | None:
    if arg or os.environ.get("EE449_CIFAR_DIR"):
        return Path(arg or os.environ["EE449_CIFAR_DIR"])
    archive = REPO.parent / "shared" / "data" / "cifar10-jpg.tar.gz"
    if not archive.is_file():
        return None
    if not (UNPACK_TO / "cifar10" / "train").is_dir():
        print(f"unpacking {archive} into {UNPACK_TO} ...", flush=True)
        with tarfile.open(archive) as tar:
            tar.extractall(UNPACK_TO, filter="data")
    return UNPACK_TO / "cifar10"


def best_of(repeats: int, step) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = step()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cifar_dir", nargs="?", help="unpacked image-folder CIFAR-10")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--synthetic-per-class", type=int, default=500, help="images per class to generate")
    args = parser.parse_args()

    from ee449.data import load_cifar10, transform
    from ee449.data.imagefolder import load_image_folder, scan_tree
    from ee449.data.synthetic import make_synthetic

    n = 10 * args.synthetic_per_class
    seconds, _ = best_of(args.repeats, lambda: make_synthetic(args.synthetic_per_class, seed=0))
    print(f"synthetic: {n} images generated in {seconds:.2f} s (target about 1 s)")
    seconds, _ = best_of(args.repeats, lambda: load_cifar10("synthetic"))
    print(
        f"synthetic: load_cifar10('synthetic') (5,000 + 1,000 images, transformed, split) in {seconds:.2f} s"
    )

    tree = find_cifar_dir(args.cifar_dir)
    if tree is None:
        print("image folder: skipped (no CIFAR_DIR, no $EE449_CIFAR_DIR, no ../shared archive)")
        return
    with tempfile.TemporaryDirectory(prefix="ee449-bench-cache-") as cache:
        start = time.perf_counter()
        train_x, _, test_x, _ = load_image_folder(tree, cache)
        print(
            f"image folder {tree}: cold load (decode {len(train_x) + len(test_x)} images, write cache) "
            f"in {time.perf_counter() - start:.2f} s"
        )
        seconds, _ = best_of(args.repeats, lambda: load_cifar10(str(tree), root=cache))
        print(f"image folder: load_cifar10 with a warm cache in {seconds:.2f} s (target < 3 s), of which")
        seconds, _ = best_of(args.repeats, lambda: scan_tree(tree))
        print(f"  {seconds:.2f} s scanning the tree (listing + fingerprint)")
        seconds, _ = best_of(args.repeats, lambda: load_image_folder(tree, cache))
        print(f"  {seconds:.2f} s scanning + reading the cache")
        seconds, _ = best_of(args.repeats, lambda: (transform(train_x), transform(test_x)))
        print(f"  {seconds:.2f} s transforming 60,000 images")


if __name__ == "__main__":
    main()
