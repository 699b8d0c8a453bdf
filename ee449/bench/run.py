"""What `ee449 bench` measures: ee449's training throughput against the homework's reference loop.

One process, one run, the Part 3 workload: cnn_4, batch 50, Adam (lr 1e-3), a pass over the
whole validation set every 10 steps, for a fixed number of steps (one epoch over a training
subset of exactly steps * 50 images). Measured three ways, on the same images:

- reference: the loop the homework's student code runs (`ee449.bench.reference`): a
  torchvision dataset that applies `Compose([ToTensor(), Normalize(), Grayscale()])` to one PIL
  image at a time, `DataLoader(batch_size=50, shuffle=True)` for training and
  `DataLoader(batch_size=50)` for the validation pass, `.item()` every step;
- trainer: `ee449.training.train()`, as the experiments call it (images transformed once, resident);
- replicas: R runs of cnn_4 by `train_many(batched=True)` against `batched=False`.

Throughput = (training + validation images processed) / wall seconds, with training images =
steps * 50 per run and validation images = (steps // 10) * validation size per run. Every run
also classifies one test batch of at most 50 images at the end (timed, not counted).
"""

from __future__ import annotations

import dataclasses
import functools
import sys
import time
from dataclasses import dataclass
from typing import Any, Callable

import torch

from ee449 import spec
from ee449.bench import reference
from ee449.bench.options import BenchOptions
from ee449.bench.summary import environment
from ee449.data import DataSplits
from ee449.training import History, ProgressEvent, TrainConfig, train, train_many
from ee449.training.device import resolve_device

ARCH = "cnn_4"  # Part 3's usual best and the issue's workload
BATCH, RECORD_EVERY = spec.BATCH_SIZE, spec.RECORD_EVERY
SCHEMA = "ee449.bench/1"
TRAINER_TARGET = 3.0  # trainer / reference
BATCHED_TARGETS = {"cpu": 2.0, "cuda": 5.0}  # batched / sequential, per device type


@dataclass(frozen=True)
class Throughput:
    """One timed phase. Image counts are totals over its runs."""

    phase: str
    runs: int
    steps: int  # optimizer steps per run
    val_passes: int  # per run
    train_images: int
    val_images: int
    seconds: float  # of the median repeat (images are per repeat)
    peak_gpu_bytes: int | None  # torch.cuda.max_memory_allocated during the phase; None on CPU
    repeat_seconds: tuple[float, ...] = ()  # every repeat's time, for the spread

    @property
    def images(self) -> int:
        return self.train_images + self.val_images

    @property
    def images_per_s(self) -> float:
        return self.images / self.seconds

    @property
    def spread(self) -> tuple[float, float]:
        """(slowest, fastest) images/s over the repeats."""
        times = self.repeat_seconds or (self.seconds,)
        return self.images / max(times), self.images / min(times)

    def as_dict(self) -> dict[str, Any]:
        return {
            **dataclasses.asdict(self),
            "images": self.images,
            "images_per_s": self.images_per_s,
            "images_per_s_spread": list(self.spread),
        }


MAX_REPEATS = 50  # a cap for tiny phases with a large min_seconds


def timed(
    phase: str,
    device: torch.device,
    work: Callable[[], tuple[int, int, int, int]],
    repeats: int = 1,
    min_seconds: float = 0.0,
) -> Throughput:
    """Run `work` (-> runs, steps per run, val passes per run, val size) at least `repeats` times and
    until `min_seconds` have passed; time each repeat; report the median one and the spread."""
    cuda = device.type == "cuda"
    if cuda:
        torch.cuda.synchronize(device)
        torch.cuda.reset_peak_memory_stats(device)
    _say(f"{phase}: running")
    times: list[float] = []
    while len(times) < repeats or (sum(times) < min_seconds and len(times) < MAX_REPEATS):
        start = time.perf_counter()
        runs, steps, passes, val_size = work()
        if cuda:
            torch.cuda.synchronize(device)
        times.append(time.perf_counter() - start)
    seconds = sorted(times)[len(times) // 2]
    result = Throughput(
        phase,
        runs,
        steps,
        passes,
        runs * steps * BATCH,
        runs * passes * val_size,
        seconds,
        torch.cuda.max_memory_allocated(device) if cuda else None,
        tuple(times),
    )
    low, high = result.spread
    _say(
        f"{phase}: {result.images} images in {seconds:.1f} s (median of {len(times)}) = "
        f"{result.images_per_s:,.0f} images/s (spread {low:,.0f}-{high:,.0f})"
    )
    return result


class TrainerRuns:
    """ee449's trainer for `steps` steps (one epoch over the first steps * 50 training images):
    `train()` when `batched` is None, else `train_many(batched=...)` over `runs` seeds.
    Calling it trains; the histories stay in `.histories`."""

    def __init__(
        self,
        splits: DataSplits,
        seed: int,
        device: torch.device,
        steps: int,
        runs: int = 1,
        batched: bool | None = None,
        compile: bool = False,
        allow_tf32: bool = False,
    ):
        self.config = TrainConfig(
            epochs=1,
            batch_size=BATCH,
            optimizer="adam",
            lr=1e-3,
            record_every=RECORD_EVERY,
            device=str(device),
            compile=compile,
            allow_tf32=allow_tf32,
        )
        self.data = reference.first_train_images(splits, steps * BATCH)
        self.seeds, self.steps, self.batched = [seed + i for i in range(runs)], steps, batched
        self.histories: list[History] = []

    def __call__(self) -> tuple[int, int, int, int]:
        if self.batched is None:
            self.histories = [train(ARCH, self.data, self.config, seed=self.seeds[0], progress=_progress)]
        else:
            self.histories = train_many(
                ARCH, self.data, self.config, self.seeds, progress=_progress, batched=self.batched
            )
        for history in self.histories:
            _check_run(history, self.steps)
        return len(self.histories), self.steps, self.steps // RECORD_EVERY, len(self.data.val_labels)


def _check_run(history: History, steps: int) -> None:
    """The counts come from what really ran: a short or diverged run must not inflate images/s."""
    passes = steps // RECORD_EVERY
    if history.steps != steps or len(history.val_acc_curve) != passes or history.diverged:
        raise RuntimeError(
            f"benchmark run did {history.steps} steps and {len(history.val_acc_curve)} validation "
            f"passes (diverged={history.diverged}); expected {steps} and {passes}"
        )


def run_bench(options: BenchOptions) -> dict[str, Any]:
    """Measure every phase `options` asks for; returns the JSON-ready result."""
    device = resolve_device(options.device)
    env = environment(device)  # before the phases: the date and load average of the start
    _say(f"preparing {options.data} data on {device}")
    start = time.perf_counter()
    images = reference.bench_images(
        options.data,
        options.root,
        max(options.steps, options.replica_steps) * BATCH,
        options.val_size,
        options.seed,
    )
    splits = images.splits()
    prepare_s = time.perf_counter() - start
    phases: dict[str, Throughput] = {}
    warmup = options.warmup
    timed_phase = functools.partial(timed, repeats=options.repeats, min_seconds=options.min_seconds)
    tuning = {"compile": options.compile, "allow_tf32": options.allow_tf32}
    if warmup:
        _say("warming up (untimed)")
        if not options.skip_reference:
            reference.reference_loop(images, RECORD_EVERY, device, options.seed)
        TrainerRuns(splits, options.seed, device, RECORD_EVERY, **tuning)()
    if not options.skip_reference:
        phases["reference"] = timed_phase(
            "reference",
            device,
            lambda: (
                1,
                *reference.reference_loop(
                    images,
                    options.steps,
                    device,
                    options.seed,
                    progress=lambda step, steps: _say(f"  step {step}/{steps}"),
                ),
            ),
        )
    phases["trainer"] = timed_phase(
        "trainer", device, TrainerRuns(splits, options.seed, device, options.steps, **tuning)
    )
    agreement = None
    if options.replicas:
        runs = {
            batched: TrainerRuns(
                splits, options.seed, device, options.replica_steps, options.replicas, batched, **tuning
            )
            for batched in (False, True)
        }
        phases["replicas_sequential"] = timed_phase("replicas_sequential", device, runs[False])
        phases["replicas_batched"] = timed_phase("replicas_batched", device, runs[True])
        agreement = curve_differences(runs[False].histories, runs[True].histories)
    rate = {name: phase.images_per_s for name, phase in phases.items()}
    ratios: dict[str, float | None] = {
        "trainer_over_reference": rate["trainer"] / rate["reference"] if "reference" in rate else None,
        "batched_over_sequential": (
            rate["replicas_batched"] / rate["replicas_sequential"] if options.replicas else None
        ),
    }
    targets: dict[str, float | None] = {
        "trainer_over_reference": TRAINER_TARGET,
        "batched_over_sequential": BATCHED_TARGETS.get(device.type),
    }
    return {
        "schema": SCHEMA,
        "command": options.command(),
        "options": dataclasses.asdict(options),
        "workload": {
            "arch": ARCH,
            "batch_size": BATCH,
            "optimizer": "adam",
            "lr": 1e-3,
            "validation_every": RECORD_EVERY,
            "warmed_up": warmup,
        },
        "data": {
            "source": images.source,
            "synthetic": images.synthetic,
            "train_images": len(images.train_index),
            "val_images": len(images.val_index),
            "test_images": len(images.test_index),
            "prepare_s": prepare_s,
        },
        "environment": env,
        "phases": {name: phase.as_dict() for name, phase in phases.items()},
        "replicas_max_curve_difference": agreement,
        "ratios": ratios,
        "targets": targets,
        "targets_met": {k: _met(ratios[k], targets[k]) for k in ratios},
    }


def _met(ratio: float | None, target: float | None) -> bool | None:
    return None if ratio is None or target is None else ratio >= target


def curve_differences(sequential: list[History], batched: list[History]) -> dict[str, float]:
    """Max |difference| between the two ways' curves, run by run: batching must not change results."""
    return {
        name: max(
            abs(a - b)
            for s, r in zip(sequential, batched, strict=True)
            for a, b in zip(getattr(s, name), getattr(r, name), strict=True)
        )
        for name in ("loss_curve", "train_acc_curve", "val_acc_curve")
    }


def _say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _progress(event: ProgressEvent) -> None:
    """The trainer's record points, on stderr, so that a long phase shows it is moving."""
    runs = (
        f"runs {event.run + 1}-{event.run + event.replicas}" if event.replicas > 1 else f"run {event.run + 1}"
    )
    _say(f"  {runs} of {event.runs}: step {event.step}/{event.steps}")
