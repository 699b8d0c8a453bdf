"""Memory layout and evaluation chunk: which is fastest for the homework's CNNs on a device.

For each architecture and each layout (NCHW = torch.contiguous_format, NHWC = channels_last)
it times, median of `--repeats`:
  - a validation pass: `ee449.training.accuracy` over `--val` images, for each `--chunks` size;
  - a training window: 10 Adam steps of batch 50 (forward, backward, step), as the trainer does.
`ee449.training.device.memory_format_for` and `eval_chunk_for` encode the winners per device; rerun this
on a new kind of device before changing them.

`--layers` instead times each convolution of the architectures over 2,560 images in evaluation
chunks (`--layer-chunk`, 256 as the trainer's CPU default) four ways, one model (NCHW, NHWC) and `--replicas` models as one grouped
convolution (NCHW, NHWC), in GFLOP/s next to a 2048 x 2048 float32 matmul, the rate the CPU's
BLAS reaches: the evidence for what replica batching can and cannot gain on a device.
Run: `.venv/bin/python benchmarks/bench_layout.py [--layers] [--device cuda] [--json out.json]`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from typing import Callable

import torch
import torch.nn.functional as F

from ee449 import models
from ee449.training import accuracy, allocator
from ee449.training.device import resolve_device

LAYOUTS = {"nchw": torch.contiguous_format, "channels_last": torch.channels_last}


def median_seconds(work: Callable[[], object], device: torch.device, repeats: int) -> float:
    work()  # warm-up: allocator, oneDNN / cuDNN kernel choice
    times = []
    for _ in range(repeats):
        if device.type == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        work()
        if device.type == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def training_window(model: torch.nn.Module, images: torch.Tensor, labels: torch.Tensor) -> Callable[[], None]:
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    order = torch.Generator().manual_seed(0)

    def window() -> None:
        for _ in range(10):
            idx = torch.randint(0, len(images), (50,), generator=order).to(images.device)
            loss = F.cross_entropy(model(images[idx]), labels[idx])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        loss.item()  # one sync, as the trainer's record point

    return window


def conv_shapes(arch: str) -> list[tuple[int, int, int, int]]:
    """(in channels, out channels, kernel, input size) of each convolution of `arch`."""
    shapes, channels, size = [], models.INPUT_SHAPE[0], models.INPUT_SHAPE[1]
    for layer in models.REGISTRY[arch]:
        if isinstance(layer, models.Conv):
            shapes.append((channels, layer.channels, layer.kernel, size))
            channels, size = layer.channels, size - layer.kernel + 1
        elif isinstance(layer, models.MaxPool):
            size //= 2
    return shapes


@torch.inference_mode()
def layer_rates(
    arch: str, replicas: int, device: torch.device, repeats: int, chunk: int, images: int = 2560
) -> list[dict]:
    """GFLOP/s of each conv of `arch`: one model vs `replicas` models grouped, in both layouts.

    As the trainers evaluate: one model in chunks of `chunk` images, the grouped replicas in
    chunks of `chunk // replicas` (the same activation memory per forward).
    """
    rows = []
    for c_in, c_out, k, size in conv_shapes(arch):
        flop = 2 * images * c_out * c_in * k * k * (size - k + 1) ** 2
        single = (
            torch.randn(images, c_in, size, size, device=device),
            torch.randn(c_out, c_in, k, k, device=device),
        )
        grouped = (
            torch.randn(images // replicas, replicas * c_in, size, size, device=device),
            torch.randn(replicas * c_out, c_in, k, k, device=device),
        )
        row = {"arch": arch, "conv": f"{c_in}->{c_out} {k}x{k} on {size}x{size}"}
        for layout, memory_format in LAYOUTS.items():
            for name, (x, w), groups, step in (
                ("one model", single, 1, chunk),
                (f"{replicas} grouped", grouped, replicas, max(1, chunk // replicas)),
            ):
                x, w = x.contiguous(memory_format=memory_format), w.contiguous(memory_format=memory_format)
                seconds = median_seconds(
                    lambda x=x, w=w, groups=groups, step=step: [  # bound now: timed at once, but B023 cannot know
                        F.conv2d(x[i : i + step], w, groups=groups) for i in range(0, len(x), step)
                    ],
                    device,
                    repeats,
                )
                row[f"{name} {layout}"] = flop / seconds / 1e9
        rows.append(row)
    return rows


def matmul_rate(device: torch.device, repeats: int, n: int = 2048) -> float:
    a, b = torch.randn(n, n, device=device), torch.randn(n, n, device=device)
    return 2 * n**3 / median_seconds(lambda: a @ b, device, repeats) / 1e9


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archs", default="cnn_3,cnn_4,cnn_5")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--val", type=int, default=5000, help="validation images per pass (5000 in the spec)")
    parser.add_argument("--chunks", default="128,256,1000", help="evaluation chunk sizes to try")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    parser.add_argument(
        "--default-malloc",
        action="store_true",
        help="leave glibc's malloc as it is (the trainer calls ee449.training.allocator.keep_freed_memory)",
    )
    parser.add_argument("--layers", action="store_true", help="time each convolution instead (GFLOP/s)")
    parser.add_argument("--replicas", type=int, default=10, help="models grouped in --layers")
    parser.add_argument(
        "--layer-chunk", type=int, default=256, help="images per forward of one model in --layers"
    )
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    if device.type == "cpu" and not args.default_malloc:
        allocator.keep_freed_memory()  # as the trainer does: otherwise page faults dominate the spread
    if args.layers:
        return _layers(args, device)
    g = torch.Generator().manual_seed(0)
    images = torch.randn(args.val, 1, 32, 32, generator=g).to(device)
    labels = torch.randint(0, 10, (args.val,), generator=g).to(device)
    rows = []
    for arch in args.archs.split(","):
        for layout, memory_format in LAYOUTS.items():
            torch.manual_seed(0)
            model = models.build(arch, "relu").to(device, memory_format=memory_format)
            row = {"arch": arch, "layout": layout}
            for chunk in (int(c) for c in args.chunks.split(",")):
                row[f"val_pass_s_chunk_{chunk}"] = median_seconds(
                    lambda model=model, chunk=chunk: accuracy(model, images, labels, chunk),
                    device,
                    args.repeats,
                )
            row["train_step_ms"] = 100 * median_seconds(
                training_window(model, images, labels), device, args.repeats
            )
            rows.append(row)
            cells = "  ".join(
                f"{k.replace('val_pass_s_', 'val ')} {v:.3f} s" for k, v in row.items() if k.startswith("val")
            )
            print(f"{arch:6} {layout:14} {cells}  train step {row['train_step_ms']:.1f} ms", flush=True)
    if args.json:
        report = {
            "device": str(device),
            "threads": torch.get_num_threads(),
            "torch": torch.__version__,
            "val": args.val,
            "repeats": args.repeats,
            "rows": rows,
        }
        with open(args.json, "w") as handle:
            json.dump(report, handle, indent=2)
    return 0


def _layers(args: argparse.Namespace, device: torch.device) -> int:
    peak = matmul_rate(device, args.repeats)
    print(f"2048 x 2048 float32 matmul: {peak:.0f} GFLOP/s")
    chunk = args.layer_chunk
    rows = [
        row
        for arch in args.archs.split(",")
        for row in layer_rates(arch, args.replicas, device, args.repeats, chunk)
    ]
    for row in rows:
        cells = "  ".join(f"{k} {v:5.0f}" for k, v in row.items() if k not in ("arch", "conv"))
        print(f"{row['arch']:6} {row['conv']:22} GFLOP/s: {cells}", flush=True)
    if args.json:
        report = {
            "device": str(device),
            "threads": torch.get_num_threads(),
            "torch": torch.__version__,
            "matmul_gflops": peak,
            "chunk": chunk,
            "replicas": args.replicas,
            "rows": rows,
        }
        with open(args.json, "w") as handle:
            json.dump(report, handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
