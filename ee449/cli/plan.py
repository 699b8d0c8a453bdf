"""What `ee449 part3 | part4 | part5 | all` will do, resolved from the arguments once.

`make_plan(args)` is a pure function: it reads the arguments (never writes to them), applies
the `--quick` preset under explicit options, and returns a frozen `Plan` of configs. Nothing
here touches the device, the data or the output folder (`ee449.cli.experiments` does).
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ee449 import experiments as ex
from ee449.cli.experiment_options import QUICK, parse_archs
from ee449.spec import BATCH_SIZE, Edition, edition, requested_year, result_file


@dataclass(frozen=True)
class Plan:
    """The resolved request of one command: configs per part, data, output, speed."""

    command: str  # part3 | part4 | part5 | all
    edition: Edition  # --homework, $EE449_HOMEWORK, else 2023: the data set, runs and epochs
    out: Path
    device: str
    force: bool
    quick: bool
    data_source: str  # synthetic | torchvision | an image folder
    data_root: str | None
    threads: int | None  # PyTorch CPU threads; None leaves PyTorch's choice
    part3: tuple[ex.Part3Config, ...]
    part4: tuple[ex.Part4Config, ...]
    part5: ex.Part5Config | None  # set for part5 and all
    schedule: ex.ScheduleConfig | None  # set with part5
    adam: ex.Part3Config | None  # the schedule's Adam comparison when Part 3's file is missing
    speed: ex.Speed
    quiet: bool
    verbose: bool

    def steps(self) -> tuple[str, ...]:
        """The parts the command runs, in order (the report follows `all`)."""
        wanted = {
            "part1": self.command == "all" and self.edition.part1 == "xor",  # 2024, 2025: Part 1 is code
            "part2": self.command == "all",
            "part3": self.command in ("part3", "all"),
            "part4": self.command in ("part4", "all"),
            "part5": self.part5 is not None,
        }
        return tuple(part for part, runs in wanted.items() if runs)


def make_plan(args: argparse.Namespace) -> Plan:
    """The plan of `args` (a parsed `ee449 part3|part4|part5|all` command line)."""
    q: dict[str, Any] = QUICK if args.quick else {}
    e = edition(requested_year(args.homework))
    shared: dict[str, Any] = {"seed": args.seed, **_given(record_every=q.get("record_every"))}
    epochs = args.epochs or q.get("epochs")
    archs = parse_archs(getattr(args, "arch", None)) if args.command != "part5" else ()
    # The edition's runs (10 in 2023, one in 2024 and 2025); --quick never asks for more than it.
    runs = getattr(args, "runs", None) or min(q.get("runs", e.part3_runs), e.part3_runs)
    part3 = tuple(
        ex.override(ex.Part3Config(a), **shared, **_given(epochs=epochs or e.part3_epochs, runs=runs))
        for a in archs
    )
    part4 = tuple(
        ex.override(ex.Part4Config(a), **shared, **_given(epochs=epochs or e.part4_epochs)) for a in archs
    )
    part5 = schedule = adam = None
    if args.command in ("part5", "all"):
        arch = args.part5_arch or q.get("part5_arch") or ex.Part5Config().arch
        p5_epochs = args.epochs or q.get("part5_epochs") or e.part5_epochs
        part5 = ex.override(ex.Part5Config(arch), **shared, **_given(epochs=p5_epochs))
        sched_epochs = (
            (q.get("schedule_epochs") or e.schedule_epochs)
            if not args.epochs
            else math.ceil(1.5 * args.epochs)
        )
        switches = tuple(args.switch_epochs) if args.switch_epochs else None
        schedule = ex.override(
            ex.ScheduleConfig(arch),
            **shared,
            **_given(
                epochs=sched_epochs,
                search_epochs=p5_epochs,
                patience=q.get("patience"),
                switch_epochs=switches,
            ),
        )
        # Adam comparison when Part 3's file is missing: Part 3's settings, one run.
        adam = ex.override(ex.Part3Config(arch), **shared, runs=1, **_given(epochs=epochs or e.part3_epochs))
    return Plan(
        command=args.command,
        edition=e,
        out=Path(args.out),
        device=args.device,
        force=args.force,
        quick=args.quick,
        data_source=args.data or ("synthetic" if args.quick else "torchvision"),
        data_root=args.data_root,
        threads=args.threads or q.get("threads"),
        part3=part3,
        part4=part4,
        part5=part5,
        schedule=schedule,
        adam=adam,
        speed=ex.Speed(allow_tf32=args.tf32, compile=args.compile),
        quiet=args.quiet,
        verbose=args.verbose,
    )


def planned_steps(plan: Plan, train_images: int) -> dict[str, int]:
    """Optimizer steps per result file of the command (replicas each), for the progress bar."""
    steps = math.ceil(train_images / BATCH_SIZE)
    planned: dict[str, int] = {}
    if plan.command in ("part3", "all"):
        planned.update({result_file(3, c.arch): c.runs * c.epochs * steps for c in plan.part3})
    if plan.command in ("part4", "all"):
        planned.update({result_file(4, c.arch): 2 * c.epochs * steps for c in plan.part4})
    if plan.part5 is not None and plan.schedule is not None:
        planned[result_file(5)] = len(plan.part5.lrs) * plan.part5.epochs * steps
        # two scheduled runs (the search is Part 5's lr-0.1 run), and one Adam run when Part 3 is not here
        adam_runs = (
            plan.adam is not None
            and plan.command == "part5"
            and not (plan.out / result_file(3, plan.schedule.arch)).is_file()
        )
        adam = plan.adam.epochs * steps if adam_runs and plan.adam is not None else 0
        planned[result_file("schedule")] = 2 * plan.schedule.epochs * steps + adam
    return planned


def _given(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}
