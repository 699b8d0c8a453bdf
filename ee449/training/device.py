"""Where training runs: the device, the data resident on it, and the settings measured per device.

`resolve_device` turns "auto" into cuda or cpu; `to_resident` checks the six split tensors of a
`DataSplits` (or of any object that has them, NumPy arrays included) and moves them to the device once (the trainer then batches by index, never copying per step);
`configure_device`, `memory_format_for`, `eval_chunk_for` and `batching_pays_off` hold the
per-device choices, each with the measurement behind it (benchmarks/RESULTS.md).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import torch

from ee449.data import DataSplits
from ee449.spec import INPUT_SHAPE
from ee449.training.allocator import keep_freed_memory


def resolve_device(device: str | torch.device) -> torch.device:
    """ "auto" -> cuda when available, else cpu; anything else must name a torch device."""
    if str(device) == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        return torch.device(device)
    except (RuntimeError, TypeError) as error:
        raise ValueError(f"unknown device {device!r}; expected 'auto', 'cpu', 'cuda' or 'cuda:N'") from error


def eval_chunk_for(device: torch.device, eval_chunk: int = 0) -> int:
    """Images per evaluation forward: `eval_chunk` when set, else the size measured best on the device."""
    if eval_chunk:
        return eval_chunk
    return 10_000 if device.type == "cuda" else 256


def to_resident(data: DataSplits | Any, device: torch.device) -> DataSplits:
    """`data`'s six split tensors checked, as float32 images and int64 labels on `device`.

    `data` is a `DataSplits`, or any object with the six attributes (arrays or tensors); its
    `source`, `synthetic`, `homework` and `classes` are kept when it is a `DataSplits`. Images may
    have any (C, H, W) (each edition has its own), the same in every split.
    """
    tensors: dict[str, torch.Tensor] = {}
    shapes: set[tuple[int, ...]] = set()  # the one (C, H, W) of the images, once train_images is read
    for name in DataSplits.tensor_names():
        if not hasattr(data, name):
            raise TypeError(
                f"data has no attribute {name!r}; expected an object with {', '.join(DataSplits.tensor_names())}"
            )
        value = torch.as_tensor(getattr(data, name))
        if name.endswith("images"):
            if value.dim() != 4:
                raise ValueError(
                    f"{name} must have shape [N, C, H, W] (e.g. [N, {', '.join(map(str, INPUT_SHAPE))}]), "
                    f"got {list(value.shape)}"
                )
            shape = tuple(value.shape[1:])
            if shapes and shape not in shapes:
                raise ValueError(
                    f"{name} must have shape [N, {', '.join(map(str, next(iter(shapes))))}] as train_images, "
                    f"got {list(value.shape)}: every split holds images of one (C, H, W)"
                )
            shapes.add(shape)
            tensors[name] = value.to(device=device, dtype=torch.float32)
        else:
            if value.dim() != 1 or value.is_floating_point():
                raise ValueError(
                    f"{name} must be integer class labels of shape [N], got {value.dtype} {list(value.shape)}"
                )
            tensors[name] = value.to(device=device, dtype=torch.int64)
    for split in ("train", "val", "test"):
        n_images, n_labels = len(tensors[f"{split}_images"]), len(tensors[f"{split}_labels"])
        if n_images != n_labels:
            raise ValueError(f"{split} split has {n_images} images but {n_labels} labels")
    if len(tensors["train_images"]) == 0:
        raise ValueError("the training split is empty")
    t = tensors
    resident = DataSplits(
        t["train_images"],
        t["train_labels"],
        t["val_images"],
        t["val_labels"],
        t["test_images"],
        t["test_labels"],
    )
    if isinstance(data, DataSplits):
        return dataclasses.replace(
            resident,
            source=data.source,
            synthetic=data.synthetic,
            homework=data.homework,
            classes=data.classes,
        )
    return resident


def configure_device(device: torch.device, allow_tf32: bool) -> None:
    """CPU: keep freed memory (`ee449.training.allocator`). GPU: TF32 only when asked (1e-3 level changes)."""
    if device.type == "cpu":
        keep_freed_memory()
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = allow_tf32
        torch.backends.cudnn.allow_tf32 = allow_tf32
        torch.backends.cudnn.benchmark = True  # fixed shapes: pick the fastest conv kernels once


def memory_format_for(device: torch.device) -> torch.memory_format:
    """The layout the convolutions run in: the one measured fastest on the device.

    CPU: channels_last. oneDNN runs these 1-16 channel convolutions and the 2x2 max pooling
    far faster on NHWC: a validation pass of 5,000 images took 0.32-0.45 s against 0.66-0.81 s
    in NCHW (cnn_3, cnn_4, cnn_5) and a training step 15-16 ms against 18-23 ms
    (`python benchmarks/bench_layout.py`, 2-core AMD EPYC). The results differ only by float
    rounding (a different summation order). CUDA: NCHW (PyTorch's default) until
    bench_layout.py has been run on a GPU.
    """
    return torch.channels_last if device.type == "cpu" else torch.contiguous_format


def batching_pays_off(arch: str, device: torch.device, runs: int) -> bool:
    """Whether `train_many(batched=None)` batches `runs` runs of `arch` on `device`.

    Measured on the 2-core CPU (AMD EPYC, 10 replicas, batch 50, Adam, validation every
    10 steps; `benchmarks/bench_replicas.py --threads 2 --steps 20` and `ee449 bench`):
      - MLPs: batched 1.9-2.0x sequential -> batch.
      - CNNs: batched 0.68-0.72x sequential -> not batched on the CPU. One model's convolutions
        in channels_last (`memory_format_for`) already run at the CPU's sgemm rate and
        the replicas cannot share arithmetic (each has its own weights); grouped convolutions
        run below that rate in either layout. Three fifths of the time is validation passes,
        which batching cannot shorten (benchmarks/RESULTS.md: "why not 2x on a CPU").
      - `torch.func.vmap` measured 0.59-0.77x sequential, below the grouped convolutions.
    On CUDA, batch-50 steps of these small models are bound by kernel launches, so R replicas
    cost little more than one: batch (to be confirmed on a GPU box with bench_replicas.py).
    """
    if runs < 2:
        return False
    return device.type == "cuda" or arch.startswith("mlp")


def check_device_available(device: str | torch.device) -> torch.device:
    """`resolve_device`, and for CUDA a device that exists here: "no CUDA device 7 (found 0)" otherwise."""
    resolved = resolve_device(device)
    if resolved.type == "cuda":
        found = torch.cuda.device_count() if torch.cuda.is_available() else 0
        index = resolved.index or 0
        if index >= found:
            raise ValueError(f"no CUDA device {index} (found {found}); use --device cpu or auto")
    return resolved
