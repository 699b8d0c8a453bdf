"""Replica batching benchmark: R runs of one architecture together vs one after another.

Workload (Part 3's, scaled by options): batch 50, Adam, a validation pass every 10 steps.
Three ways, same seeds, same data (random tensors, or `--data` for any ee449 data source):
  - sequential: `train_many(..., batched=False)` (R calls of the plain trainer);
  - grouped:    `train_many(..., batched=True)` (ee449.training.replicas: grouped convs + bmm);
  - vmap:       `torch.func.stack_module_state` + `functional_call` + `vmap`, the textbook
                alternative, as a minimal loop here (training and validation, no recording).
Prints seconds and images per second (training + validation images) for each and the speedups,
and writes them as JSON with `--json`, with each way's kernel CPU time and page faults. Run:
`.venv/bin/python benchmarks/bench_replicas.py`; prefix `EE449_KEEP_FREED_MEMORY=0` to measure
with glibc's malloc left as it is (see ee449.training.allocator).
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import time
from types import SimpleNamespace

import torch
import torch.nn.functional as F
from torch.func import functional_call, stack_module_state, vmap

from ee449 import models
from ee449.training import TrainConfig, shuffle_generator, train_many
from ee449.training.device import resolve_device, to_resident


def random_data(n_train: int, n_val: int, n_test: int) -> SimpleNamespace:
    g = torch.Generator().manual_seed(0)
    splits = {}
    for name, n in (("train", n_train), ("val", n_val), ("test", n_test)):
        splits[f"{name}_images"] = torch.randn(n, 1, 32, 32, generator=g)
        splits[f"{name}_labels"] = torch.randint(0, 10, (n,), generator=g)
    return SimpleNamespace(**splits)


def vmap_loop(arch: str, data, config: TrainConfig, seeds: list[int], chunk: int) -> None:
    """The same training and validation work as train_many, batched with torch.func.vmap."""
    device = data.train_images.device
    replicas = []
    for seed in seeds:
        torch.manual_seed(seed)
        replicas.append(models.build(arch, config.activation).to(device))
    params, buffers = stack_module_state(replicas)
    base = models.build(arch, config.activation).to("meta")

    def call(p, b, x):
        return functional_call(base, (p, b), (x,))

    optimizer = torch.optim.Adam(params.values(), lr=config.lr)
    generators = [shuffle_generator(s) for s in seeds]
    n, R, step = len(data.train_images), len(seeds), 0
    for _ in range(config.epochs):
        orders = torch.stack([torch.randperm(n, generator=g) for g in generators]).to(device)
        for start in range(0, n, config.batch_size):
            idx = orders[:, start : start + config.batch_size]
            logits = vmap(call)(params, buffers, data.train_images[idx])  # (R, B, 10)
            loss = F.cross_entropy(logits.flatten(0, 1), data.train_labels[idx].flatten(), reduction="none")
            optimizer.zero_grad(set_to_none=True)
            loss.view(R, -1).mean(1).sum().backward()
            optimizer.step()
            step += 1
            if step % config.record_every == 0:
                with torch.inference_mode():
                    correct = torch.zeros(R, dtype=torch.int64, device=device)
                    for s in range(0, len(data.val_images), chunk):
                        out = vmap(call, in_dims=(0, 0, None))(
                            params, buffers, data.val_images[s : s + chunk]
                        )
                        correct += (out.argmax(-1) == data.val_labels[s : s + chunk]).sum(1)
                    correct.tolist()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", default="cnn_4", choices=models.ARCHITECTURES)
    parser.add_argument("--replicas", type=int, default=10)
    parser.add_argument("--steps", type=int, default=40, help="optimizer steps per run (one epoch)")
    parser.add_argument("--val", type=int, default=5000, help="validation images (5000 in the spec)")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--ways", default="sequential,grouped,vmap")
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    config = TrainConfig(epochs=1, device=str(device))
    data = to_resident(random_data(args.steps * config.batch_size, args.val, 100), device)
    seeds = list(range(args.replicas))
    images = args.replicas * (args.steps * config.batch_size + (args.steps // config.record_every) * args.val)

    # One untimed warm-up step of each way (allocator, kernel selection).
    warm = to_resident(random_data(config.record_every * config.batch_size, 100, 10), device)
    timings = {}
    for way in args.ways.split(","):
        run = {
            "sequential": lambda d: train_many(args.arch, d, config, seeds, batched=False),
            "grouped": lambda d: train_many(args.arch, d, config, seeds, batched=True),
            "vmap": lambda d: vmap_loop(args.arch, d, config, seeds, max(1, 2000 // args.replicas)),
        }[way]
        run(warm)
        if device.type == "cuda":
            torch.cuda.synchronize()
        usage_before, start = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
        run(data)
        if device.type == "cuda":
            torch.cuda.synchronize()
        seconds = time.perf_counter() - start
        usage = resource.getrusage(resource.RUSAGE_SELF)
        # Kernel time and page faults: what a malloc that returns freed memory costs (ee449.training.allocator).
        kernel_s, faults = usage.ru_stime - usage_before.ru_stime, usage.ru_minflt - usage_before.ru_minflt
        timings[way] = {
            "seconds": seconds,
            "images_per_s": images / seconds,
            "kernel_cpu_s": kernel_s,
            "minor_page_faults": faults,
        }
        print(
            f"{way:>10}: {seconds:8.2f} s  {images / seconds:10.0f} images/s  "
            f"(kernel CPU {kernel_s:.2f} s, {faults:,} page faults)",
            flush=True,
        )
    if "sequential" in timings:
        for way in timings:
            if way != "sequential":
                ratio = timings["sequential"]["seconds"] / timings[way]["seconds"]
                timings[way]["speedup_vs_sequential"] = ratio
                print(f"{way} is {ratio:.2f}x sequential")
    if args.json:
        report = {
            "arch": args.arch,
            "replicas": args.replicas,
            "steps": args.steps,
            "val": args.val,
            "device": str(device),
            "threads": torch.get_num_threads(),
            "torch": torch.__version__,
            "python": platform.python_version(),
            "timings": timings,
        }
        with open(args.json, "w") as handle:
            json.dump(report, handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
