"""The `ee449 part3 | part4 | part5 | all` commands.

Every command loads the data once, then, for each result file it owns:
- the file exists with the same config and data: nothing to do (unless `--force`);
- the file exists with a different config or data: refuse, naming the difference (a result
  is never silently replaced; `--force` replaces it, `--out` picks another folder);
- otherwise run the experiment, reusing the finished runs saved under `<out>/.runs/` (so an
  interrupted command resumes where it stopped) and write the file atomically.
`--force` retrains everything it is asked for and replaces the files.
"""

from __future__ import annotations

import argparse
import errno
import math
import os
import sys
import time
from pathlib import Path
from typing import Any, Callable, TypedDict

import torch

from ee449 import experiments as ex
from ee449.cli.experiment_options import QUICK, add_arguments, parse_archs
from ee449.cli.findings import findings
from ee449.cli.progress import Progress
from ee449.cli.steps import part2_step, part3_step, part4_step, part5_step, report_step
from ee449.data import DataSplits, load_homework
from ee449.errors import ResultsError, WorkError, describe_os_error
from ee449.experiments import RunStore, describe_data
from ee449.experiments.payloads import ExperimentConfig
from ee449.lock import FolderLock
from ee449.results import result_status, write_result
from ee449.results.files import BROKEN
from ee449.spec import DEFAULT_HOMEWORK, edition, requested_year, result_file
from ee449.training.device import check_device_available, resolve_device

__all__ = ["QUICK", "How", "Plan", "add_arguments", "parse_archs", "run"]  # add_arguments + run: the command


class How(TypedDict):
    """How every experiment of a command runs: the keywords of ex.part3, part4, part5 and schedule."""

    device: str
    store: RunStore
    progress: Progress
    speed: ex.Speed


class Plan:
    """The resolved request of one command: configs per part, data, output, progress."""

    def __init__(self, args: argparse.Namespace):
        self.command = args.command
        self.planned: dict[str, int] = {}
        self.quick = args.quick
        self.out = Path(args.out)
        self.device = args.device
        self.force = args.force
        self.seed = args.seed
        self.data_source = args.data or ("synthetic" if args.quick else "torchvision")
        self.data_root = args.data_root
        self.edition = edition(requested_year(args.homework))  # --homework, $EE449_HOMEWORK, 2023
        check_device_available(self.device)  # a bad or absent --device fails now, in one line
        q = QUICK if self.quick else {}
        threads = args.threads or q.get("threads")
        if threads:
            torch.set_num_threads(threads)
        shared = {"seed": self.seed}
        if "record_every" in q:
            shared["record_every"] = q["record_every"]
        e = self.edition
        epochs = args.epochs or q.get("epochs")
        archs = parse_archs(getattr(args, "arch", None)) if self.command != "part5" else ()
        # The edition's runs (10 in 2023, one in 2024 and 2025); --quick never asks for more than it.
        runs = getattr(args, "runs", None) or min(q.get("runs", e.part3_runs), e.part3_runs)
        self.part3 = [
            ex.override(ex.Part3Config(a), **shared, **_given(epochs=epochs or e.part3_epochs, runs=runs))
            for a in archs
        ]
        self.part4 = [
            ex.override(ex.Part4Config(a), **shared, **_given(epochs=epochs or e.part4_epochs)) for a in archs
        ]
        p5_epochs = args.epochs or q.get("part5_epochs") or e.part5_epochs
        self.part5: ex.Part5Config | None = None
        self.schedule: ex.ScheduleConfig | None = None
        self.adam: ex.Part3Config | None = None
        if self.command in ("part5", "all"):
            args.part5_arch = args.part5_arch or q.get("part5_arch") or ex.Part5Config().arch
            self.part5 = ex.override(ex.Part5Config(args.part5_arch), **shared, **_given(epochs=p5_epochs))
            sched_epochs = (
                (q.get("schedule_epochs") or e.schedule_epochs)
                if not args.epochs
                else math.ceil(1.5 * args.epochs)
            )
            self.schedule = ex.override(
                ex.ScheduleConfig(args.part5_arch),
                **shared,
                **_given(
                    epochs=sched_epochs,
                    search_epochs=p5_epochs,
                    patience=q.get("patience"),
                    switch_epochs=tuple(args.switch_epochs) if args.switch_epochs else None,
                ),
            )
            # Adam comparison when Part 3's file is missing: Part 3's settings, one run.
            self.adam = ex.override(
                ex.Part3Config(args.part5_arch), **shared, runs=1, **_given(epochs=epochs or e.part3_epochs)
            )
        self.speed = ex.Speed(allow_tf32=args.tf32, compile=args.compile)
        self.progress = Progress(enabled=not args.quiet, verbose=args.verbose)
        self.store = RunStore(self.out, reuse=not self.force)
        self.how = How(device=self.device, store=self.store, progress=self.progress, speed=self.speed)
        self.data: DataSplits | None = None

    @property
    def splits(self) -> DataSplits:
        """The loaded data (`load_data` comes first)."""
        if self.data is None:
            raise RuntimeError("Plan.load_data() must run before the experiments")
        return self.data

    def load_data(self) -> DataSplits:
        extra = {"synthetic_per_class": QUICK["synthetic_per_class"]} if self.quick else {}
        # Moved to the device once: every run of the command then trains from resident tensors.
        data = load_homework(self.edition, self.data_source, self.data_root, **extra)
        data = data.to(resolve_device(self.device))
        self.data = data
        sizes = describe_data(data)
        if self.edition.year != DEFAULT_HOMEWORK:  # 2023's output stays as it was before editions
            self.progress.note(f"homework {self.edition.year}: {self.edition.summary}")
        self.progress.note(
            f"data: {data.source}: {sizes['train']} training, {sizes['val']} validation, "
            f"{sizes['test']} test images"
        )
        if data.synthetic:
            self.progress.note(
                f"note: synthetic stand-in data, not {self.edition.dataset_name}; results show the pipeline works, "
                "not the homework's numbers"
            )
        return data

    def planned_steps(self) -> dict[str, int]:
        """Optimizer steps per result file of the command (replicas each), for the progress bar."""
        steps = math.ceil(describe_data(self.splits)["train"] / ex.Part3Config("mlp_1").batch_size)
        plan: dict[str, int] = {}
        if self.command in ("part3", "all"):
            plan.update({result_file(3, c.arch): c.runs * c.epochs * steps for c in self.part3})
        if self.command in ("part4", "all"):
            plan.update({result_file(4, c.arch): 2 * c.epochs * steps for c in self.part4})
        if self.part5 is not None and self.schedule is not None:
            plan[result_file(5)] = len(self.part5.lrs) * self.part5.epochs * steps
            # two scheduled runs (the search is Part 5's lr-0.1 run), and one Adam run when Part 3 is not here
            adam = (
                self.adam.epochs * steps
                if self.adam is not None
                and not (self.out / result_file(3, self.schedule.arch)).is_file()
                and self.command == "part5"
                else 0
            )
            plan[result_file("schedule")] = 2 * self.schedule.epochs * steps + adam
        return plan

    def needed(self, path: Path, config: ExperimentConfig) -> bool:
        """Whether `path` must be (re)made for `config`; raises if it holds a different result."""
        status = result_status(path, config, describe_data(self.splits))
        if status == "missing":
            return True
        if self.force:
            if status.startswith(BROKEN) or status.startswith("unreadable"):
                self.progress.note(
                    f"note: {path} is {status}; run without --force to rebuild it from the "
                    f"saved runs under {self.out / '.runs'} without retraining "
                    "(--force retrains them)"
                )
            return True
        if status == "done":
            self.progress.note(f"{path} is up to date (same config and data; --force re-runs it)")
            self.progress.checkpoint(self.planned.get(path.name, 0))
            return False
        if status.startswith(BROKEN):
            # Same config and data, a body that does not fit: rebuilt from the saved runs, which the
            # store reuses (only runs that are missing or do not fit their config are trained).
            self.progress.note(f"{path} is {status}; rebuilding it from the saved runs")
            return True
        if status.startswith("unreadable"):
            raise ResultsError(
                f"{path} is {status}; move it away and run again to rebuild it from the saved "
                f"runs under {self.out / '.runs'} (no retraining), or pass --force to retrain "
                "everything"
            )
        raise ResultsError(f"{path} was {status}; pass --force to replace it, or --out another folder")

    def write(self, path: Path, payload: dict[str, Any]) -> None:
        write_result(path, payload)
        self.progress.result(f"wrote {path}")
        self.progress.checkpoint(self.planned.get(path.name, 0))


def _given(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def run(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    plan = Plan(args)
    steps: list[tuple[str, Callable[[Plan], None]]] = []
    if plan.command == "all" and plan.edition.part1 == "xor":  # 2024, 2025: Part 1 is code, run it too
        from ee449.cli.part1_xor import part1_xor_step

        steps.append(("part1", part1_xor_step))
    if plan.command == "all":
        steps.append(("part2", part2_step))
    if plan.command in ("part3", "all"):
        steps.append(("part3", part3_step))
    if plan.command in ("part4", "all"):
        steps.append(("part4", part4_step))
    if plan.command in ("part5", "all"):
        steps.append(("part5", part5_step))
    if plan.out.exists() and not plan.out.is_dir():
        raise ValueError(f"--out {plan.out} is a file, not a folder")
    plan.load_data()  # first: a bad --data leaves no output folder behind
    lock = FolderLock(_writable_folder(plan.out)).acquire()  # one writer per --out (exit 2 naming the other)
    try:
        plan.planned = plan.planned_steps()
        plan.progress.start(sum(plan.planned.values()))
        try:
            for _, step in steps:
                step(plan)
            report = report_step(plan) if plan.command == "all" else None
            plan.progress.finish()
        except OSError as error:
            raise WorkError(
                f"{describe_os_error(error)}; the {plan.store.count()} finished runs stay saved "
                f"under {plan.out / '.runs'}: fix that and run again to resume"
            ) from error
        finally:
            plan.progress.close()  # an interrupt's message starts on a line of its own
    finally:
        lock.release()
    for line in findings(plan):
        plan.progress.result(line)
    if report is not None:
        plan.progress.result(f"wrote {report}")
    plan.progress.note(f"ee449 {plan.command}: done in {time.perf_counter() - start:.0f} s")
    return 0


def _writable_folder(out: Path) -> Path:
    """`out`, created if needed; a file there or a folder we cannot write to is bad input (exit 2)."""
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} is a file, not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".ee449-write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        name = errno.errorcode.get(error.errno or 0, "")
        raise ValueError(
            f"cannot write to --out {out}: [Errno {error.errno} {name}] {error.strerror}"
        ) from None
    return out


if __name__ == "__main__":  # pragma: no cover
    sys.exit("use `ee449 part3|part4|part5|all`")
