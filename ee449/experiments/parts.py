"""Parts 3, 4 and 5 of the homework as functions: a frozen config in, a result out.

    part3(Part3Config("cnn_4"), data)     -> Part3Result     (10 Adam runs of one architecture)
    part4(Part4Config("cnn_4"), data)     -> Part4Result     (one SGD run each with ReLU and sigmoid)
    part5(Part5Config(), data)            -> Part5Result     (SGD at 0.1, 0.01, 0.001)
    schedule(ScheduleConfig(), data)      -> ScheduleResult  (0.1 -> 0.01 -> 0.001 at plateaus)

The configs live in `ee449.experiments.configs` (`ex.Part3Config` through `ee449.experiments`).
Each result carries its resolved config and environment and turns itself into the
homework's result file with `.payload()` (`ee449.experiments.payloads`); writing files is the
command line's step (`ee449.cli.experiments`).

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
from typing import Sequence

from ee449.data import DataSplits
from ee449.experiments.configs import Part3Config, Part4Config, Part5Config, ScheduleConfig, run_seeds
from ee449.experiments.payloads import (
    Environment,
    Part3Result,
    Part4Result,
    Part5Result,
    ScheduleResult,
    epoch_means,
)
from ee449.experiments.store import RunStore, describe_data
from ee449.training import (
    History,
    Progress,
    ProgressEvent,
    TrainConfig,
    batching_pays_off,
    resolve_device,
    train_many,
)

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

    Both are in a saved run's fingerprint (ee449.experiments.store), so runs made with them are never
    reused for a request without them, nor the other way round.
    """

    allow_tf32: bool = False  # TF32 convolutions and matmuls on CUDA: faster, ~1e-3 relative error
    compile: bool = False  # torch.compile the training forward: fewer CUDA launches; slower on the CPU


def train_runs(
    arch: str,
    data: DataSplits,
    config: TrainConfig,
    seeds: Sequence[int],
    store: RunStore | None = None,
    progress: Progress | None = None,
    speed: Speed = Speed(),
) -> list[History]:
    """One History per seed, each loaded from `store` when saved, else trained and saved at once.

    Runs train together (replica batching) when `ee449.training.batching_pays_off` says it pays off; otherwise
    one at a time, so that each is saved the moment it finishes.
    """
    config = dataclasses.replace(config, allow_tf32=speed.allow_tf32, compile=speed.compile)
    store = store or RunStore(None)
    described = describe_data(data)
    done: dict[int, History | None] = {s: store.load(arch, config, s, described) for s in seeds}
    todo = [s for s in seeds if done[s] is None]
    device = resolve_device(config.device)
    together = len(todo) > 1 and batching_pays_off(arch, device, len(todo))
    groups = [todo] if together else [[s] for s in todo]
    for group in groups:
        hook = (
            None if progress is None else _shift_runs(progress, [seeds.index(s) for s in group], len(seeds))
        )
        histories = train_many(arch, data, config, group, progress=hook, batched=together)
        for s, trained in zip(group, histories):
            # Runs trained together each report the group's wall time: keep each run's share,
            # so that a result's total wall time is the sum over its runs.
            share = dataclasses.replace(trained, wall_time_s=trained.wall_time_s / len(group))
            store.save(arch, config, s, described, share)
            done[s] = share
    return [history for s in seeds if (history := done[s]) is not None]


def _shift_runs(progress: Progress, indices: Sequence[int], runs: int) -> Progress:
    """Report run r of a group as run indices[r] of the experiment's `runs`."""

    def hook(event: ProgressEvent) -> None:
        progress(dataclasses.replace(event, run=indices[min(event.run, len(indices) - 1)], runs=runs))

    return hook


def _environment(data: DataSplits, device: str) -> Environment:
    return Environment(device=str(resolve_device(device)), data=describe_data(data))


def _stage(progress: Progress | None, label: str) -> None:
    """Tell a progress display that knows stages (`ee449.cli.progress.Progress.relabel`) the next one."""
    relabel = getattr(progress, "relabel", None)
    if callable(relabel):
        relabel(label)


def part3(
    config: Part3Config,
    data: DataSplits,
    *,
    device: str = "auto",
    store: RunStore | None = None,
    progress: Progress | None = None,
    speed: Speed = Speed(),
) -> Part3Result:
    """Train `config.arch` `config.runs` times with Adam (saved runs are reused)."""
    env = _environment(data, device)
    _stage(progress, f"part3 {config.arch}")
    histories = train_runs(
        config.arch,
        data,
        config.train_config(device),
        run_seeds(config.seed, config.runs),
        store,
        progress,
        speed,
    )
    return Part3Result(config, histories, env)


def part4(
    config: Part4Config,
    data: DataSplits,
    *,
    device: str = "auto",
    store: RunStore | None = None,
    progress: Progress | None = None,
    speed: Speed = Speed(),
) -> Part4Result:
    """Train `config.arch` once with ReLU and once with sigmoid, from the same seed."""
    env = _environment(data, device)
    seed = run_seeds(config.seed, 1)
    runs = {}
    for activation in ("relu", "sigmoid"):
        _stage(progress, f"part4 {config.arch} {activation}")
        runs[activation] = train_runs(
            config.arch, data, config.train_config(activation, device), seed, store, progress, speed
        )[0]
    return Part4Result(config, runs["relu"], runs["sigmoid"], env)


def part5(
    config: Part5Config,
    data: DataSplits,
    *,
    device: str = "auto",
    store: RunStore | None = None,
    progress: Progress | None = None,
    speed: Speed = Speed(),
) -> Part5Result:
    """Train `config.arch` with SGD at each rate of `config.lrs`, from the same seed."""
    env = _environment(data, device)
    seed = run_seeds(config.seed, 1)
    histories = []
    for lr in config.lrs:
        _stage(progress, f"part5 {config.arch} lr {lr:g}")
        histories.append(
            train_runs(config.arch, data, config.train_config(lr, device), seed, store, progress, speed)[0]
        )
    return Part5Result(config, histories, env)


def schedule(
    config: ScheduleConfig,
    data: DataSplits,
    *,
    device: str = "auto",
    store: RunStore | None = None,
    progress: Progress | None = None,
    speed: Speed = Speed(),
    adam_test_acc: float | None = None,
    adam_source: str = "",
    adam_config: Part3Config | None = None,
) -> ScheduleResult:
    """Part 5 (b): find the switch epochs by the plateau rule (unless given), train the schedule.

    The search run is Part 5 (a)'s lr-0.1 run (loaded from `store` when Part 5 saved it). The
    Adam comparison is `adam_test_acc` when given (the caller read Part 3's file), else one
    Adam run of `adam_config` (default: Part 3's settings) trained here.
    """
    env = _environment(data, device)
    seed = run_seeds(config.seed, 1)
    first = config.part5()
    _stage(progress, f"schedule {config.arch} search (lr {config.lrs[0]:g})")
    search = train_runs(
        config.arch, data, first.train_config(config.lrs[0], device), seed, store, progress, speed
    )[0]

    def scheduled(switches: Sequence[int], label: str) -> History:
        _stage(progress, f"schedule {config.arch} {label}")
        stages = tuple((e, lr) for e, lr in zip(switches, config.lrs[1:]) if e < config.epochs)
        train_config = TrainConfig(
            epochs=config.epochs,
            batch_size=config.batch_size,
            optimizer="sgd",
            lr=config.lrs[0],
            lr_schedule=stages,
            record_every=config.record_every,
            record_train=False,
            device=device,
        )
        return train_runs(config.arch, data, train_config, seed, store, progress, speed)[0]

    def rule(history: History, start: int) -> int:
        means = epoch_means(history.val_acc_curve, history.steps_per_epoch, config.record_every)[start:]
        return start + plateau_epoch(means, config.patience, config.min_delta) if means else config.epochs

    e1 = config.switch_epochs[0] if config.switch_epochs else min(rule(search, 0), config.epochs - 1)
    stage2 = scheduled([e1], f"stage 2 (switch at {e1})")
    e2 = config.switch_epochs[1] if config.switch_epochs else rule(stage2, e1)
    stage3 = scheduled([e1, e2], f"stage 3 (switches at {e1}, {e2})")

    if adam_test_acc is None:
        adam = adam_config or Part3Config(
            config.arch,
            runs=1,
            seed=config.seed,
            batch_size=config.batch_size,
            record_every=config.record_every,
        )
        _stage(progress, f"schedule {config.arch} Adam comparison")
        adam_run = train_runs(
            config.arch, data, adam.train_config(device), run_seeds(adam.seed, 1), store, progress, speed
        )[0]
        adam_test_acc, adam_source = adam_run.test_acc, f"one Adam run trained here ({adam.epochs} epochs)"
    return ScheduleResult(config, (e1, e2), search, stage2, stage3, float(adam_test_acc), adam_source, env)
