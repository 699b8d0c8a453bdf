"""Parts 3, 4 and 5 of the homework as functions: a frozen config in, a result out.

    part3(Part3Config("cnn_4"), data)     -> Part3Result     (10 Adam runs of one architecture)
    part4(Part4Config("cnn_4"), data)     -> Part4Result     (one SGD run each with ReLU and sigmoid)
    part5(Part5Config(), data)            -> Part5Result     (SGD at 0.1, 0.01, 0.001)
    schedule(ScheduleConfig(), data)      -> ScheduleResult  (0.1 -> 0.01 -> 0.001 at plateaus)

Each result carries its resolved config and environment and turns itself into the
homework's result file with `.payload()`; writing files is the command line's step
(`ee449.experiments_cli`, re-exported at the end of this module: `add_arguments` / `run`).

Seeds: run i of an experiment with `seed=s` uses seed `s * 1000 + i` (`run_seeds`). Part 4's
two activations and Part 5's three rates share run 0's seed, so they start from the same
initialisation and see the same batch order: the comparison changes one thing only.

The Part 5 plateau rule (`plateau_epoch`), on epoch means of the validation accuracy:
the switch epoch is the epoch after the last one that improved on the best mean so far by
more than `min_delta` points, once `patience` further epochs have brought no such
improvement. If the curve never plateaus so, the switch is at its end (it was still
improving). A switch epoch e means e epochs at the old rate, then the new one.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from ee449 import models
from ee449.results import (Environment, Part3Result, Part4Result, Part5Result, RunStore, ScheduleResult,
                           describe_data, epoch_means)

SEED_STRIDE = 1000  # run i of base seed s is s * SEED_STRIDE + i: distinct for up to 1000 runs


def run_seeds(seed: int, runs: int) -> list[int]:
    """The seeds of `runs` runs derived from base `seed` (deterministic, distinct per run)."""
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be an int >= 0, got {seed!r}")
    return [seed * SEED_STRIDE + i for i in range(runs)]


def _positive_int(config: Any, *names: str) -> None:
    for name in names:
        value = getattr(config, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{type(config).__name__}.{name} must be a positive int, got {value!r}")


# -- configs ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Part3Config:
    """Part 3: one architecture trained `runs` times with Adam; curves averaged over runs."""

    arch: str  # the CLI runs all five (PART3_ARCHS), one result file each
    epochs: int = 15  # the homework's 15 epochs
    runs: int = 10  # the homework's 10 runs, each with its own init and shuffling
    lr: float = 1e-3  # Adam's default rate, as the homework asks (not 0.01)
    batch_size: int = 50  # the homework's batch
    record_every: int = 10  # one recorded point per 10 steps (SPEC Recording)
    seed: int = 0  # base seed; run i uses run_seeds(seed, runs)[i]

    def __post_init__(self) -> None:
        models.check_architecture(self.arch)
        _positive_int(self, "epochs", "runs", "batch_size", "record_every")
        if self.runs > SEED_STRIDE:
            raise ValueError(f"runs must be at most {SEED_STRIDE} (seeds would repeat), got {self.runs}")
        run_seeds(self.seed, 1)

    def train_config(self, device: str = "auto"):
        from ee449.train import TrainConfig

        return TrainConfig(epochs=self.epochs, batch_size=self.batch_size, optimizer="adam", lr=self.lr,
                           record_every=self.record_every, device=device)


@dataclass(frozen=True)
class Part4Config:
    """Part 4: one architecture with ReLU and with sigmoid, plain SGD, loss and gradient."""

    arch: str  # the CLI runs all five (PART4_ARCHS)
    epochs: int = 15  # the homework's 15 epochs
    lr: float = 0.01  # the homework's SGD rate; small enough that sigmoid nets stall visibly
    batch_size: int = 50  # the homework's batch
    record_every: int = 10  # loss and gradient magnitude every 10 steps (SPEC Recording)
    seed: int = 0  # both activations start from run_seeds(seed, 1)[0]

    def __post_init__(self) -> None:
        models.check_architecture(self.arch)
        _positive_int(self, "epochs", "batch_size", "record_every")
        run_seeds(self.seed, 1)

    def train_config(self, activation: str, device: str = "auto"):
        from ee449.train import TrainConfig

        # No validation curve: Part 4 plots loss and gradients only, and validation is the
        # most expensive part of recording.
        return TrainConfig(epochs=self.epochs, batch_size=self.batch_size, optimizer="sgd", lr=self.lr,
                           activation=activation, record_every=self.record_every, record_val=False,
                           record_grad=True, device=device)


def _check_part5_arch(config: Any) -> None:
    models.check_architecture(config.arch)
    if config.arch == "mlp_1":
        raise ValueError("Part 5 must use an architecture other than mlp_1 (the homework says so); "
                         f"choose one of {', '.join(a for a in models.ARCHITECTURES if a != 'mlp_1')}")


def _check_rates(rates: Sequence[float]) -> None:
    for lr in rates:
        if not (isinstance(lr, (int, float)) and 0 < lr < 1):
            raise ValueError(f"Part 5 learning rates must be in (0, 1), got {lr!r}")


@dataclass(frozen=True)
class Part5Config:
    """Part 5 (a): one architecture with SGD at three constant learning rates."""

    arch: str = "cnn_4"  # the spec's default; any architecture but mlp_1
    epochs: int = 20  # the homework's 20 epochs
    lrs: tuple[float, ...] = (0.1, 0.01, 0.001)  # the homework's rates; file keys derive from them
    batch_size: int = 50  # the homework's batch
    record_every: int = 10  # SPEC Recording
    seed: int = 0  # every rate starts from run_seeds(seed, 1)[0]

    def __post_init__(self) -> None:
        _check_part5_arch(self)
        _positive_int(self, "epochs", "batch_size", "record_every")
        _check_rates(self.lrs)
        run_seeds(self.seed, 1)

    def train_config(self, lr: float, device: str = "auto", epochs: int | None = None):
        from ee449.train import TrainConfig

        return TrainConfig(epochs=epochs or self.epochs, batch_size=self.batch_size, optimizer="sgd", lr=lr,
                           record_every=self.record_every, device=device)


@dataclass(frozen=True)
class ScheduleConfig:
    """Part 5 (b): 0.1, then 0.01 and 0.001 from the epochs where validation stops improving."""

    arch: str = "cnn_4"  # the architecture of Part 5 (a)
    epochs: int = 30  # the homework trains the scheduled runs to epoch 30
    search_epochs: int = 20  # the first switch is read from Part 5 (a)'s 20-epoch lr-0.1 curve
    lrs: tuple[float, float, float] = (0.1, 0.01, 0.001)  # the homework's three stages
    patience: int = 3  # epochs without gain before calling it a plateau: one noisy epoch is not one
    min_delta: float = 0.25  # points of epoch-mean validation accuracy that count as a gain
    switch_epochs: tuple[int, ...] = ()  # (e1, e2) by hand, skipping the plateau rule; () = find them
    batch_size: int = 50  # the homework's batch
    record_every: int = 10  # SPEC Recording
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
        return Part5Config(arch=self.arch, epochs=self.search_epochs, lrs=self.lrs, batch_size=self.batch_size,
                           record_every=self.record_every, seed=self.seed)


def check_switch_epochs(switch_epochs: Sequence[int], epochs: int) -> None:
    if (len(switch_epochs) != 2 or any(isinstance(e, bool) or not isinstance(e, int) for e in switch_epochs)
            or not 0 < switch_epochs[0] < switch_epochs[1] <= epochs):
        raise ValueError(f"switch epochs must be two ints 0 < E1 < E2 <= {epochs}, got {list(switch_epochs)}")


def override(config: Any, **changes: Any) -> Any:
    """`dataclasses.replace` that names an unknown key instead of a TypeError about __init__."""
    known = {f.name for f in dataclasses.fields(config)}
    unknown = sorted(set(changes) - known)
    if unknown:
        raise ValueError(f"{type(config).__name__} has no setting {', '.join(map(repr, unknown))}; "
                         f"valid: {', '.join(sorted(known))}")
    return dataclasses.replace(config, **changes)


PART3_ARCHS = models.ARCHITECTURES  # the homework compares all five
PART4_ARCHS = models.ARCHITECTURES  # ReLU against sigmoid for all five


# -- the plateau rule ---------------------------------------------------------------------------

def plateau_epoch(means: Sequence[float], patience: int = 3, min_delta: float = 0.25) -> int:
    """The switch epoch of the plateau rule (module docstring) for epoch means `means`.

    Returns e in 1..len(means): train e epochs at the current rate, then switch. Pure and
    causal: it depends only on the curve up to the plateau's last epoch.
    """
    if not means:
        raise ValueError("plateau_epoch needs at least one epoch")
    best, best_at = -math.inf, 0
    for epoch, value in enumerate(means):
        if epoch == 0 or value > best + min_delta:
            best, best_at = value, epoch
        elif epoch - best_at >= patience:
            return best_at + 1
    return len(means)


# -- running ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Speed:
    """How an experiment's runs execute, applied to each of its TrainConfigs (`--tf32`, `--compile`).

    Both are in a saved run's fingerprint (ee449.results), so runs made with them are never
    reused for a request without them, nor the other way round.
    """

    allow_tf32: bool = False  # TF32 convolutions and matmuls on CUDA: faster, ~1e-3 relative error
    compile: bool = False  # torch.compile the training forward: fewer CUDA launches; slower on the CPU


def train_runs(arch: str, data: Any, config: Any, seeds: Sequence[int], store: RunStore | None = None,
               progress: Callable | None = None, speed: Speed = Speed()) -> list:
    """One History per seed, each loaded from `store` when saved, else trained and saved at once.

    Runs train together (replica batching) when `ee449.replicas` says it pays off; otherwise
    one at a time, so that each is saved the moment it finishes.
    """
    from ee449 import train as trainer
    from ee449.device import resolve_device

    config = dataclasses.replace(config, allow_tf32=speed.allow_tf32, compile=speed.compile)
    store = store or RunStore(None)
    described = describe_data(data)
    done = {s: store.load(arch, config, s, described) for s in seeds}
    todo = [s for s in seeds if done[s] is None]
    device = resolve_device(config.device)
    try:
        from ee449 import replicas
        together = len(todo) > 1 and replicas.batching_pays_off(arch, device, len(todo))
    except ImportError:
        together = False
    groups = [todo] if together else [[s] for s in todo]
    for group in groups:
        hook = None if progress is None else _shift_runs(progress, [seeds.index(s) for s in group], len(seeds))
        histories = trainer.train_many(arch, data, config, group, progress=hook, batched=together)
        for s, history in zip(group, histories):
            # Runs trained together each report the group's wall time: keep each run's share,
            # so that a result's total wall time is the sum over its runs.
            history = dataclasses.replace(history, wall_time_s=history.wall_time_s / len(group))
            store.save(arch, config, s, described, history)
            done[s] = history
    return [done[s] for s in seeds]


def _shift_runs(progress: Callable, indices: Sequence[int], runs: int) -> Callable:
    """Report run r of a group as run indices[r] of the experiment's `runs`."""
    def hook(event: Any) -> None:
        progress(dataclasses.replace(event, run=indices[min(event.run, len(indices) - 1)], runs=runs))
    return hook


def _environment(data: Any, device: str) -> Environment:
    from ee449.device import resolve_device

    return Environment(device=str(resolve_device(device)), data=describe_data(data))


def _stage(progress: Any, label: str) -> None:
    if progress is not None and hasattr(progress, "relabel"):
        progress.relabel(label)


def part3(config: Part3Config, data: Any, *, device: str = "auto", store: RunStore | None = None,
          progress: Callable | None = None, speed: Speed = Speed()) -> Part3Result:
    """Train `config.arch` `config.runs` times with Adam (saved runs are reused)."""
    env = _environment(data, device)
    _stage(progress, f"part3 {config.arch}")
    histories = train_runs(config.arch, data, config.train_config(device), run_seeds(config.seed, config.runs),
                           store, progress, speed)
    return Part3Result(config, histories, env)


def part4(config: Part4Config, data: Any, *, device: str = "auto", store: RunStore | None = None,
          progress: Callable | None = None, speed: Speed = Speed()) -> Part4Result:
    """Train `config.arch` once with ReLU and once with sigmoid, from the same seed."""
    env = _environment(data, device)
    seed = run_seeds(config.seed, 1)
    runs = {}
    for activation in ("relu", "sigmoid"):
        _stage(progress, f"part4 {config.arch} {activation}")
        runs[activation] = train_runs(config.arch, data, config.train_config(activation, device), seed,
                                      store, progress, speed)[0]
    return Part4Result(config, runs["relu"], runs["sigmoid"], env)


def part5(config: Part5Config, data: Any, *, device: str = "auto", store: RunStore | None = None,
          progress: Callable | None = None, speed: Speed = Speed()) -> Part5Result:
    """Train `config.arch` with SGD at each rate of `config.lrs`, from the same seed."""
    env = _environment(data, device)
    seed = run_seeds(config.seed, 1)
    histories = []
    for lr in config.lrs:
        _stage(progress, f"part5 {config.arch} lr {lr:g}")
        histories.append(train_runs(config.arch, data, config.train_config(lr, device), seed, store, progress, speed)[0])
    return Part5Result(config, histories, env)


def schedule(config: ScheduleConfig, data: Any, *, device: str = "auto", store: RunStore | None = None,
             progress: Callable | None = None, speed: Speed = Speed(), adam_test_acc: float | None = None,
             adam_source: str = "", adam_config: Part3Config | None = None) -> ScheduleResult:
    """Part 5 (b): find the switch epochs by the plateau rule (unless given), train the schedule.

    The search run is Part 5 (a)'s lr-0.1 run (loaded from `store` when Part 5 saved it). The
    Adam comparison is `adam_test_acc` when given (the caller read Part 3's file), else one
    Adam run of `adam_config` (default: Part 3's settings) trained here.
    """
    from ee449.train import TrainConfig

    env = _environment(data, device)
    seed = run_seeds(config.seed, 1)
    first = config.part5()
    _stage(progress, f"schedule {config.arch} search (lr {config.lrs[0]:g})")
    search = train_runs(config.arch, data, first.train_config(config.lrs[0], device), seed, store, progress, speed)[0]

    def scheduled(switches: Sequence[int], label: str):
        _stage(progress, f"schedule {config.arch} {label}")
        stages = tuple((e, lr) for e, lr in zip(switches, config.lrs[1:]) if e < config.epochs)
        train_config = TrainConfig(epochs=config.epochs, batch_size=config.batch_size, optimizer="sgd",
                                   lr=config.lrs[0], lr_schedule=stages, record_every=config.record_every,
                                   record_train=False, device=device)
        return train_runs(config.arch, data, train_config, seed, store, progress, speed)[0]

    def rule(history: Any, start: int) -> int:
        means = epoch_means(history.val_acc_curve, history.steps_per_epoch, config.record_every)[start:]
        return start + plateau_epoch(means, config.patience, config.min_delta) if means else config.epochs

    e1 = config.switch_epochs[0] if config.switch_epochs else min(rule(search, 0), config.epochs - 1)
    stage2 = scheduled([e1], f"stage 2 (switch at {e1})")
    e2 = config.switch_epochs[1] if config.switch_epochs else rule(stage2, e1)
    stage3 = scheduled([e1, e2], f"stage 3 (switches at {e1}, {e2})")

    if adam_test_acc is None:
        adam = adam_config or Part3Config(config.arch, runs=1, seed=config.seed, batch_size=config.batch_size,
                                          record_every=config.record_every)
        _stage(progress, f"schedule {config.arch} Adam comparison")
        adam_run = train_runs(config.arch, data, adam.train_config(device), run_seeds(adam.seed, 1), store,
                              progress, speed)[0]
        adam_test_acc, adam_source = adam_run.test_acc, f"one Adam run trained here ({adam.epochs} epochs)"
    return ScheduleResult(config, (e1, e2), search, stage2, stage3, float(adam_test_acc), adam_source, env)


# -- the `ee449 part3 | part4 | part5 | all` commands live in ee449.experiments_cli ---------------

def add_arguments(parser: Any) -> None:
    from ee449.experiments_cli import add_arguments as add

    add(parser)


def run(args: Any) -> int:
    from ee449.experiments_cli import run as run_command

    return run_command(args)
