"""What one `ee449 bench` run measures (`BenchOptions`) and the `--quick` preset, without torch.

Apart from `ee449.bench.run` so that `ee449 bench --help` answers without importing torch.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from ee449.spec import RECORD_EVERY
from ee449.validate import positive_int


@dataclass(frozen=True)
class BenchOptions:
    """What one `ee449 bench` run measures. Defaults: Part 3's workload at its real validation size.

    The full bench took 6.9 min on the shared 2-core VM at load 5 (benchmarks/RESULTS.md), most of
    it the ten sequential replicas; `--replicas 0` or `--skip-reference` shorten it.
    """

    data: str = "torchvision"  # "synthetic" | "torchvision" | path of an image folder: the commands' default
    root: str | None = None  # data cache root (ee449.data.cache_root)
    device: str = "auto"
    steps: int = 20  # two validation passes: the reference loop is slow on a CPU
    val_size: int = 5000  # Part 3's validation set: 500 images per class
    replicas: int = 10  # Part 3's runs per architecture; 0 skips the replica phases
    replica_steps: int = 10  # fewer than `steps`: the sequential phase runs R times
    skip_reference: bool = False
    # An untimed 10-step run of each phase first, on every device: a cold first phase pays for the first
    # use of every kernel and allocation (measured: reference 1,470 images/s cold, 2,542 warm on a CPU).
    warmup: bool = True
    min_seconds: float = 3.0  # each phase repeats until it has run this long: a 0.9 s phase is mostly noise
    repeats: int = 3  # and at least this many times; the median repeat is reported, with the spread
    seed: int = 0
    compile: bool = (
        False  # torch.compile ee449's training forward (TrainConfig.compile); CPU: measured slower
    )
    allow_tf32: bool = False  # TF32 convolutions and matmuls on CUDA (TrainConfig.allow_tf32)

    def __post_init__(self) -> None:
        for name in ("steps", "replica_steps"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < RECORD_EVERY or value % RECORD_EVERY:
                raise ValueError(
                    f"{name} must be a positive multiple of {RECORD_EVERY} (one validation "
                    f"pass per {RECORD_EVERY} steps), got {value!r}"
                )
        positive_int(self.val_size, "val_size")
        positive_int(self.repeats, "repeats")
        if not isinstance(self.min_seconds, (int, float)) or self.min_seconds < 0:
            raise ValueError(f"min_seconds must be a number >= 0, got {self.min_seconds!r}")
        if not isinstance(self.replicas, int) or self.replicas < 0 or self.replicas == 1:
            raise ValueError(f"replicas must be 0 (skip) or at least 2, got {self.replicas!r}")

    def command(self) -> str:
        """The exact command that measures these options again."""
        words = [
            "ee449",
            "bench",
            "--data",
            self.data,
            "--device",
            self.device,
            "--steps",
            str(self.steps),
            "--val-size",
            str(self.val_size),
            "--replicas",
            str(self.replicas),
            "--replica-steps",
            str(self.replica_steps),
            "--seed",
            str(self.seed),
            "--repeats",
            str(self.repeats),
            "--min-seconds",
            f"{self.min_seconds:g}",
        ]
        words += ["--data-root", self.root] if self.root else []
        words += ["--skip-reference"] if self.skip_reference else []
        words += ["--warmup"] if self.warmup else ["--no-warmup"]
        words += ["--compile"] if self.compile else []
        words += ["--tf32"] if self.allow_tf32 else []
        return shlex.join(words)


QUICK = BenchOptions(
    data="synthetic",
    steps=10,
    val_size=50,
    replicas=2,
    replica_steps=10,
    warmup=False,
    min_seconds=0.0,
    repeats=1,
)  # a smoke test in seconds: nothing here is a measurement
