"""The experiments' configs: Parts 3, 4 and 5 as frozen dataclasses, validated when made.

Defaults are the homework's settings, each with its reason. `override` is `dataclasses.replace`
that names an unknown setting; `run_seeds` derives each run's seed from a base seed. The
experiments that take these configs are in `ee449.experiments.parts`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Sequence, TypeVar

from ee449 import spec
from ee449.training.config import TrainConfig
from ee449.validate import positive_int

SEED_STRIDE = 1000  # run i of base seed s is s * SEED_STRIDE + i: distinct for up to 1000 runs


def run_seeds(seed: int, runs: int) -> list[int]:
    """The seeds of `runs` runs derived from base `seed` (deterministic, distinct per run)."""
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be an int >= 0, got {seed!r}")
    return [seed * SEED_STRIDE + i for i in range(runs)]


def _positive_int(config: Any, *names: str) -> None:
    for name in names:
        positive_int(getattr(config, name), f"{type(config).__name__}.{name}")


# -- configs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Part3Config:
    """Part 3: one architecture trained `runs` times with Adam; curves averaged over runs."""

    arch: str  # the CLI runs all five (PART3_ARCHS), one result file each
    epochs: int = spec.PART3_EPOCHS
    runs: int = spec.PART3_RUNS  # each with its own init and shuffling
    lr: float = spec.PART3_LR  # Adam's default rate, as the homework asks (not 0.01)
    batch_size: int = spec.BATCH_SIZE
    record_every: int = spec.RECORD_EVERY
    seed: int = 0  # base seed; run i uses run_seeds(seed, runs)[i]

    def __post_init__(self) -> None:
        spec.check_architecture(self.arch)
        _positive_int(self, "epochs", "runs", "batch_size", "record_every")
        if self.runs > SEED_STRIDE:
            raise ValueError(f"runs must be at most {SEED_STRIDE} (seeds would repeat), got {self.runs}")
        run_seeds(self.seed, 1)

    def train_config(self, device: str = "auto") -> TrainConfig:
        return TrainConfig(
            epochs=self.epochs,
            batch_size=self.batch_size,
            optimizer="adam",
            lr=self.lr,
            record_every=self.record_every,
            device=device,
        )


@dataclass(frozen=True)
class Part4Config:
    """Part 4: one architecture with ReLU and with sigmoid, plain SGD, loss and gradient."""

    arch: str  # the CLI runs all five (PART4_ARCHS)
    epochs: int = spec.PART4_EPOCHS
    lr: float = spec.PART4_LR  # small enough that sigmoid nets stall visibly
    batch_size: int = spec.BATCH_SIZE
    record_every: int = spec.RECORD_EVERY  # loss and gradient magnitude
    seed: int = 0  # both activations start from run_seeds(seed, 1)[0]

    def __post_init__(self) -> None:
        spec.check_architecture(self.arch)
        _positive_int(self, "epochs", "batch_size", "record_every")
        run_seeds(self.seed, 1)

    def train_config(self, activation: str, device: str = "auto") -> TrainConfig:
        # No validation curve: Part 4 plots loss and gradients only, and validation is the
        # most expensive part of recording.
        return TrainConfig(
            epochs=self.epochs,
            batch_size=self.batch_size,
            optimizer="sgd",
            lr=self.lr,
            activation=activation,
            record_every=self.record_every,
            record_val=False,
            record_grad=True,
            device=device,
        )


def _check_part5_arch(config: Any) -> None:
    spec.check_architecture(config.arch)
    if config.arch == spec.PART5_EXCLUDED:
        raise ValueError(
            f"Part 5 must use an architecture other than {spec.PART5_EXCLUDED} (the homework says so); "
            f"choose one of {', '.join(a for a in spec.ARCHITECTURES if a != spec.PART5_EXCLUDED)}"
        )


def _check_rates(rates: Sequence[float]) -> None:
    for lr in rates:
        if not (isinstance(lr, (int, float)) and 0 < lr < 1):
            raise ValueError(f"Part 5 learning rates must be in (0, 1), got {lr!r}")


@dataclass(frozen=True)
class Part5Config:
    """Part 5 (a): one architecture with SGD at three constant learning rates."""

    arch: str = spec.PART5_ARCH  # any architecture but spec.PART5_EXCLUDED
    epochs: int = spec.PART5_EPOCHS
    lrs: tuple[float, ...] = spec.PART5_LRS  # file keys derive from them
    batch_size: int = spec.BATCH_SIZE
    record_every: int = spec.RECORD_EVERY
    seed: int = 0  # every rate starts from run_seeds(seed, 1)[0]

    def __post_init__(self) -> None:
        _check_part5_arch(self)
        _positive_int(self, "epochs", "batch_size", "record_every")
        _check_rates(self.lrs)
        run_seeds(self.seed, 1)

    def train_config(self, lr: float, device: str = "auto", epochs: int | None = None) -> TrainConfig:
        return TrainConfig(
            epochs=epochs or self.epochs,
            batch_size=self.batch_size,
            optimizer="sgd",
            lr=lr,
            record_every=self.record_every,
            device=device,
        )


@dataclass(frozen=True)
class ScheduleConfig:
    """Part 5 (b): 0.1, then 0.01 and 0.001 from the epochs where validation stops improving."""

    arch: str = spec.PART5_ARCH  # the architecture of Part 5 (a)
    epochs: int = spec.SCHEDULE_EPOCHS
    search_epochs: int = spec.PART5_EPOCHS  # the first switch is read from Part 5 (a)'s lr-0.1 curve
    lrs: tuple[float, float, float] = spec.PART5_LRS  # the three stages
    patience: int = 3  # epochs without gain before calling it a plateau: one noisy epoch is not one
    min_delta: float = 0.25  # points of epoch-mean validation accuracy that count as a gain
    switch_epochs: tuple[int, ...] = ()  # (e1, e2) by hand, skipping the plateau rule; () = find them
    batch_size: int = spec.BATCH_SIZE
    record_every: int = spec.RECORD_EVERY
    seed: int = 0  # every stage starts from run_seeds(seed, 1)[0], as Part 5 (a)

    def __post_init__(self) -> None:
        _check_part5_arch(self)
        _positive_int(self, "epochs", "search_epochs", "patience", "batch_size", "record_every")
        _check_rates(self.lrs)
        if len(self.lrs) != 3:
            raise ValueError(f"the schedule has three stages, got lrs={self.lrs!r}")
        if self.search_epochs > self.epochs:
            raise ValueError(f"search_epochs ({self.search_epochs}) must not exceed epochs ({self.epochs})")
        if not (isinstance(self.min_delta, (int, float)) and self.min_delta >= 0):
            raise ValueError(f"min_delta must be a number >= 0, got {self.min_delta!r}")
        if self.switch_epochs:
            check_switch_epochs(self.switch_epochs, self.epochs)
        run_seeds(self.seed, 1)

    def part5(self) -> Part5Config:
        """The Part 5 (a) config whose lr-0.1 run the first search reads (same run, same seed)."""
        return Part5Config(
            arch=self.arch,
            epochs=self.search_epochs,
            lrs=self.lrs,
            batch_size=self.batch_size,
            record_every=self.record_every,
            seed=self.seed,
        )


def check_switch_epochs(switch_epochs: Sequence[int], epochs: int) -> None:
    if (
        len(switch_epochs) != 2
        or any(isinstance(e, bool) or not isinstance(e, int) for e in switch_epochs)
        or not 0 < switch_epochs[0] < switch_epochs[1] <= epochs
    ):
        raise ValueError(f"switch epochs must be two ints 0 < E1 < E2 <= {epochs}, got {list(switch_epochs)}")


Config = TypeVar("Config", "Part3Config", "Part4Config", "Part5Config", "ScheduleConfig")


def override(config: Config, **changes: Any) -> Config:
    """`dataclasses.replace` that names an unknown key instead of a TypeError about __init__."""
    known = {f.name for f in dataclasses.fields(config)}
    unknown = sorted(set(changes) - known)
    if unknown:
        raise ValueError(
            f"{type(config).__name__} has no setting {', '.join(map(repr, unknown))}; "
            f"valid: {', '.join(sorted(known))}"
        )
    return dataclasses.replace(config, **changes)


PART3_ARCHS = spec.ARCHITECTURES  # the homework compares all five
PART4_ARCHS = spec.ARCHITECTURES  # ReLU against sigmoid for all five
