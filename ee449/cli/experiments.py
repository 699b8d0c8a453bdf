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

import numpy as np
import torch

from ee449 import experiments as ex
from ee449.cli.experiment_options import QUICK, add_arguments, parse_archs
from ee449.cli.part2 import run_part2
from ee449.cli.progress import Progress
from ee449.data import DataSplits, load_cifar10
from ee449.errors import ResultsError, WorkError, describe_os_error
from ee449.experiments import RunStore, describe_data
from ee449.experiments.payloads import ExperimentConfig
from ee449.io import read_json
from ee449.lock import FolderLock
from ee449.plots import curves, grids
from ee449.report import build_report
from ee449.results import result_status, write_result
from ee449.results.files import BROKEN
from ee449.training.device import check_device_available, resolve_device

FIGURES = "figures"  # the report's figure folder: figures drawn here are not redrawn by the report


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
        check_device_available(self.device)  # a bad or absent --device fails now, in one line
        q = QUICK if self.quick else {}
        threads = args.threads or q.get("threads")
        if threads:
            torch.set_num_threads(threads)
        shared = {"seed": self.seed}
        if "record_every" in q:
            shared["record_every"] = q["record_every"]
        epochs = args.epochs or q.get("epochs")
        archs = parse_archs(getattr(args, "arch", None)) if self.command != "part5" else ()
        runs = getattr(args, "runs", None) or q.get("runs")
        self.part3 = [ex.override(ex.Part3Config(a), **shared, **_given(epochs=epochs, runs=runs)) for a in archs]
        self.part4 = [ex.override(ex.Part4Config(a), **shared, **_given(epochs=epochs)) for a in archs]
        p5_epochs = args.epochs or q.get("part5_epochs")
        self.part5: ex.Part5Config | None = None
        self.schedule: ex.ScheduleConfig | None = None
        self.adam: ex.Part3Config | None = None
        if self.command in ("part5", "all"):
            args.part5_arch = args.part5_arch or q.get("part5_arch") or ex.Part5Config().arch
            self.part5 = ex.override(ex.Part5Config(args.part5_arch), **shared, **_given(epochs=p5_epochs))
            sched_epochs = q.get("schedule_epochs") if not args.epochs else math.ceil(1.5 * args.epochs)
            self.schedule = ex.override(
                ex.ScheduleConfig(args.part5_arch), **shared,
                **_given(epochs=sched_epochs, search_epochs=p5_epochs, patience=q.get("patience"),
                         switch_epochs=tuple(args.switch_epochs) if args.switch_epochs else None))
            # Adam comparison when Part 3's file is missing: Part 3's settings, one run.
            self.adam = ex.override(ex.Part3Config(args.part5_arch), **shared, runs=1, **_given(epochs=epochs))
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
        data = load_cifar10(self.data_source, self.data_root, **extra).to(resolve_device(self.device))
        self.data = data
        sizes = describe_data(data)
        self.progress.note(f"data: {data.source}: {sizes['train']} training, {sizes['val']} validation, "
                           f"{sizes['test']} test images")
        if data.synthetic:
            self.progress.note("note: synthetic stand-in data, not CIFAR-10; results show the pipeline works, "
                               "not the homework's numbers")
        return data

    def planned_steps(self) -> dict[str, int]:
        """Optimizer steps per result file of the command (replicas each), for the progress bar."""
        steps = math.ceil(describe_data(self.splits)["train"] / ex.Part3Config("mlp_1").batch_size)
        plan: dict[str, int] = {}
        if self.command in ("part3", "all"):
            plan.update({f"part3_{c.arch}.json": c.runs * c.epochs * steps for c in self.part3})
        if self.command in ("part4", "all"):
            plan.update({f"part4_{c.arch}.json": 2 * c.epochs * steps for c in self.part4})
        if self.part5 is not None and self.schedule is not None:
            plan["part5.json"] = len(self.part5.lrs) * self.part5.epochs * steps
            # two scheduled runs (the search is Part 5's lr-0.1 run), and one Adam run when Part 3 is not here
            adam = self.adam.epochs * steps if self.adam is not None and not (self.out / f"part3_{self.schedule.arch}.json").is_file() \
                and self.command == "part5" else 0
            plan["part5_schedule.json"] = 2 * self.schedule.epochs * steps + adam
        return plan

    def needed(self, path: Path, config: ExperimentConfig) -> bool:
        """Whether `path` must be (re)made for `config`; raises if it holds a different result."""
        status = result_status(path, config, describe_data(self.splits))
        if status == "missing":
            return True
        if self.force:
            if status.startswith(BROKEN) or status.startswith("unreadable"):
                self.progress.note(f"note: {path} is {status}; run without --force to rebuild it from the "
                                   f"saved runs under {self.out / '.runs'} without retraining "
                                   "(--force retrains them)")
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
            raise ResultsError(f"{path} is {status}; move it away and run again to rebuild it from the saved "
                               f"runs under {self.out / '.runs'} (no retraining), or pass --force to retrain "
                               "everything")
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
    if plan.command == "all":
        steps.append(("part2", _part2))
    if plan.command in ("part3", "all"):
        steps.append(("part3", _part3))
    if plan.command in ("part4", "all"):
        steps.append(("part4", _part4))
    if plan.command in ("part5", "all"):
        steps.append(("part5", _part5))
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
            report = _report(plan) if plan.command == "all" else None
            plan.progress.finish()
        except OSError as error:
            raise WorkError(f"{describe_os_error(error)}; the {plan.store.count()} finished runs stay saved "
                            f"under {plan.out / '.runs'}: fix that and run again to resume") from error
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


def findings(plan: Plan) -> list[str]:
    """What the command found, in a few lines for the terminal (the report has the details)."""
    from ee449.report.load import load_folder, part3_rows, part4_rows, part5_rows, schedule_row
    from ee449.report.verdicts import verdicts

    results = load_folder(plan.out)
    lines: list[str] = []
    archs3 = {c.arch for c in plan.part3} if plan.command in ("part3", "all") else set()
    for r in part3_rows(results):
        if r["name"] in archs3:
            lines.append(f"part3 {r['name']}: test accuracy {r['test_acc']:.2f}% (best of {r['runs']:.0f} runs; "
                         f"mean {r['mean']:.2f}%)")
    archs4 = {c.arch for c in plan.part4} if plan.command in ("part4", "all") else set()
    for r in part4_rows(results):
        if r["name"] in archs4:
            lines.append(f"part4 {r['name']}: sigmoid/ReLU first-layer gradient ratio {r['ratio']:.2e}")
    if plan.part5 is not None:
        part5 = results.part5 or {}  # rows come only from a Part 5 result
        for r in part5_rows(results):
            lines.append(f"part5 {part5['name']} lr {r['lr']:g}: final validation accuracy "
                         f"{r['final_val_acc']:.2f}%, test accuracy {r['test_acc']:.2f}%")
        row = schedule_row(results)
        if row is not None:
            switches = ", ".join(f"{e:g}" for e in row["switch_epochs"])
            lines.append(f"part5 schedule: switches at epochs {switches}; test accuracy {row['test_acc']:.2f}% "
                         f"(constant lr 0.1: {row['constant_lr_test_acc']:.2f}%, Adam: {row['adam_test_acc']:.2f}%)")
    if plan.command == "all":
        lines += [f"claim: {v.claim}: {v.status}" for v in verdicts(results)]
    return lines


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
        raise ValueError(f"cannot write to --out {out}: [Errno {error.errno} {name}] "
                         f"{error.strerror}") from None
    return out


def _optional(plan: Plan, what: str, action: Callable[[], Any], *, figure: bool = False) -> Any:
    """Run a step owned by another module; if that module is not there yet, say so and go on.

    A figure that fails to draw is reported in one line and does not stop the command: the
    result files it would show are already written.
    """
    try:
        return action()
    except (ImportError, AttributeError) as error:
        plan.progress.note(f"skipping {what}: not available ({error})")
    except Exception as error:  # noqa: BLE001 - figures only, see above
        if not figure:
            raise
        plan.progress.note(f"could not draw {what}: {type(error).__name__}: {error}")
    return None


def _part2(plan: Plan) -> None:
    def go():
        return run_part2(None, None, out_dir=plan.out)
    result = _optional(plan, "part 2", go)
    if result is not None:
        for path in (result.output_path, result.json_path, result.figure_path):
            plan.progress.result(f"wrote {path}")


def _part3(plan: Plan) -> None:
    for config in plan.part3:
        path = plan.out / f"part3_{config.arch}.json"
        if plan.needed(path, config):
            result = ex.part3(config, plan.splits, **plan.how)
            plan.write(path, result.payload())
    files = [plan.out / f"part3_{c.arch}.json" for c in plan.part3]

    def figures():
        curves.part3Plots([str(f) for f in files], save_dir=plan.out / FIGURES, filename="part3", show_plot=False)
        for f in files:
            weights = np.asarray(read_json(f)["weights"], dtype=float)
            grids.visualizeWeights(weights, str(plan.out / FIGURES), filename=f"{f.stem}_weights",
                                   name=str(read_json(f)["name"]))
    if files:
        _optional(plan, "Part 3 figures", figures, figure=True)


def _part4(plan: Plan) -> None:
    for config in plan.part4:
        path = plan.out / f"part4_{config.arch}.json"
        if plan.needed(path, config):
            result = ex.part4(config, plan.splits, **plan.how)
            plan.write(path, result.payload())
    files = [str(plan.out / f"part4_{c.arch}.json") for c in plan.part4]

    def figures():
        curves.part4Plots(files, save_dir=plan.out / FIGURES, filename="part4", show_plot=False)
    if files:
        _optional(plan, "Part 4 figure", figures, figure=True)


def _part5(plan: Plan) -> None:
    part5, schedule = plan.part5, plan.schedule
    if part5 is None or schedule is None:  # pragma: no cover - set for `part5` and `all`, the commands that get here
        return
    path = plan.out / "part5.json"
    if plan.needed(path, part5):
        plan.write(path, ex.part5(part5, plan.splits, **plan.how).payload())
    sched_path = plan.out / "part5_schedule.json"
    if plan.needed(sched_path, schedule):
        adam_acc, adam_source = _adam_from_part3(plan, schedule.arch)
        result = ex.schedule(schedule, plan.splits, **plan.how,
                             adam_test_acc=adam_acc, adam_source=adam_source, adam_config=plan.adam)
        plan.write(sched_path, result.payload())

    def figures():
        curves.part5Plots(str(path), save_dir=plan.out / FIGURES, filename="part5", show_plot=False)
        curves.schedulePlot(str(sched_path), save_dir=plan.out / FIGURES, filename="part5_schedule", show_plot=False)
    _optional(plan, "Part 5 figures", figures, figure=True)


def _adam_from_part3(plan: Plan, arch: str) -> tuple[float | None, str]:
    """Part 3's test accuracy of `arch` from the same folder, if made on the same data."""
    path = plan.out / f"part3_{arch}.json"
    try:
        result = read_json(path)
        if result["meta"]["data"] == describe_data(plan.splits) and result.get("test_acc") is not None:
            return float(result["test_acc"]), f"{path.name} (best of {result['meta']['runs_done']} runs)"
    except (ResultsError, KeyError, TypeError):
        pass
    return None, ""


def _report(plan: Plan) -> Path | None:
    def go():
        return build_report(plan.out)
    plan.progress.relabel("report")
    return _optional(plan, "the report", go)


if __name__ == "__main__":  # pragma: no cover
    sys.exit("use `ee449 part3|part4|part5|all`")
