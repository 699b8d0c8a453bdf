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
from typing import Any, Callable

import numpy as np
import torch

from ee449 import experiments as ex
from ee449 import models
from ee449.cli.part2 import run_part2
from ee449.cli.progress import Progress
from ee449.data import load_cifar10
from ee449.errors import ResultsError, WorkError, describe_os_error
from ee449.experiments import RunStore, describe_data
from ee449.io import read_json
from ee449.lock import FolderLock
from ee449.results.files import BROKEN
from ee449.plots import curves, grids
from ee449.report import build_report
from ee449.results import result_status, write_result
from ee449.training.device import check_device_available, resolve_device

QUICK = {  # the README's main job: every part on synthetic data in about 3 minutes on 2 quiet CPU cores
    # 2,700 training images (54 steps of 50 per epoch), 300 validation, 500 test: enough that the
    # CNNs clearly beat the MLPs after 4 epochs (measured: about 50-70% against 25-35%).
    "synthetic_per_class": (300, 50),
    "record_every": 10,  # the homework's rule: about 5 points per epoch here
    "epochs": 4, "runs": 2,  # Parts 3 and 4: "several runs" kept to two
    "part5_epochs": 6, "schedule_epochs": 9, "patience": 1,  # SGD needs more steps than Adam to move
    "threads": 1,  # one CPU thread: small models gain little from more, and a busy machine loses a lot
}
FIGURES = "figures"  # the report's figure folder: figures drawn here are not redrawn by the report


def add_arguments(parser: argparse.ArgumentParser) -> None:
    command = parser.prog.split()[-1]
    data = parser.add_argument_group("data and output")
    data.add_argument("--data", default=None, metavar="SOURCE",
                      help="'torchvision' (default; downloads once), 'synthetic' (built in), or an image folder")
    data.add_argument("--data-root", default=None, metavar="DIR", help="download/cache folder (default ~/.cache/ee449)")
    data.add_argument("--out", default="ee449-out", type=Path, metavar="DIR",
                      help="output folder for result files and figures (default ee449-out)")
    runs = parser.add_argument_group("training")
    runs.add_argument("--device", default="auto", help="'auto' (CUDA when present), 'cpu', 'cuda', 'cuda:N'")
    runs.add_argument("--epochs", type=_positive, default=None, help="epochs (default: the homework's)")
    if command in ("part3", "all"):
        runs.add_argument("--runs", type=_positive, default=None, help="Part 3 runs per architecture (default 10)")
    if command in ("part3", "part4", "all"):
        runs.add_argument("--arch", action="append", default=None, metavar="NAME",
                          help=f"architectures, repeatable or comma-separated (default all: {','.join(models.ARCHITECTURES)})")
    if command in ("part5", "all"):
        runs.add_argument("--part5-arch" if command == "all" else "--arch", dest="part5_arch", default="cnn_4",
                          metavar="NAME", help="Part 5's architecture (default cnn_4; not mlp_1)")
        runs.add_argument("--switch-epochs", nargs=2, type=_positive, default=None, metavar=("E1", "E2"),
                          help="schedule switch epochs by hand (default: the plateau rule)")
    runs.add_argument("--tf32", action="store_true",
                      help="TF32 convolutions and matmuls on CUDA: faster, about 1e-3 relative error (default off)")
    runs.add_argument("--compile", action="store_true",
                      help="torch.compile the training forward: fewer CUDA launches, ~30 s per model; slower on a CPU")
    runs.add_argument("--threads", type=_threads, default=None,
                      help="CPU threads for PyTorch (default: PyTorch's choice; 1 with --quick)")
    runs.add_argument("--seed", type=_seed, default=0, help="base seed; run i uses seed*1000+i (default 0)")
    runs.add_argument("--force", action="store_true", help="retrain and replace existing results")
    runs.add_argument("--quick", action="store_true",
                      help="smoke preset: small synthetic data, few epochs, few runs (explicit options win)")


def _positive(text: str) -> int:
    value = _natural(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _natural(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text!r}")
    return value


# Run i of a command uses seed S*1000+i (ee449.experiments.configs.run_seeds); torch's manual_seed takes
# up to 2**64 - 1, so S stops where S*1000+999 would pass 2**63 - 1 (a signed 64-bit seed everywhere).
MAX_SEED = (2**63 - 1 - 999) // 1000


def _seed(text: str) -> int:
    value = _natural(text)
    if value > MAX_SEED:
        raise argparse.ArgumentTypeError(f"seed out of range: {text!r}; valid: 0 to {MAX_SEED}")
    return value


def _threads(text: str) -> int:
    """1 to the machine's CPU count: more threads than cores only slow PyTorch down."""
    value = _positive(text)
    cores = os.cpu_count() or 1
    if value > cores:
        raise argparse.ArgumentTypeError(f"{value} threads, but this machine has {cores} CPU cores; "
                                         f"valid: 1 to {cores}")
    return value


def parse_archs(values: list[str] | None) -> tuple[str, ...]:
    """`--arch a --arch b,c` -> ('a', 'b', 'c'), validated; None -> all five."""
    if not values:
        return models.ARCHITECTURES
    names = [n.strip() for v in values for n in v.split(",") if n.strip()]
    if not names:
        raise ValueError(f"--arch {','.join(values)!r} names no architecture; "
                         f"valid: {', '.join(models.ARCHITECTURES)}")
    for name in names:
        models.check_architecture(name)
    return tuple(dict.fromkeys(names))


class Plan:
    """The resolved request of one command: configs per part, data, output, progress."""

    def __init__(self, args: argparse.Namespace):
        self.command = args.command
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
        self.part5 = self.schedule = None
        if self.command in ("part5", "all"):
            self.part5 = ex.override(ex.Part5Config(args.part5_arch), **shared, **_given(epochs=p5_epochs))
            sched_epochs = q.get("schedule_epochs") if not args.epochs else math.ceil(1.5 * args.epochs)
            self.schedule = ex.override(
                ex.ScheduleConfig(args.part5_arch), **shared,
                **_given(epochs=sched_epochs, search_epochs=p5_epochs, patience=q.get("patience"),
                         switch_epochs=tuple(args.switch_epochs) if args.switch_epochs else None))
            # Adam comparison when Part 3's file is missing: Part 3's settings, one run.
            self.adam = ex.override(ex.Part3Config(args.part5_arch), **shared, runs=1, **_given(epochs=epochs))
        self.speed = ex.Speed(allow_tf32=args.tf32, compile=args.compile)
        self.progress = Progress()
        self.store = RunStore(self.out, reuse=not self.force)
        # How every experiment of the command runs: the keywords of ex.part3/part4/part5/schedule.
        self.how = {"device": self.device, "store": self.store, "progress": self.progress, "speed": self.speed}
        self.data = None

    def load_data(self) -> Any:
        extra = {"synthetic_per_class": QUICK["synthetic_per_class"]} if self.quick else {}
        # Moved to the device once: every run of the command then trains from resident tensors.
        self.data = load_cifar10(self.data_source, self.data_root, **extra).to(resolve_device(self.device))
        sizes = describe_data(self.data)
        self.progress.note(f"data: {self.data.source}: {sizes['train']} training, {sizes['val']} validation, "
                           f"{sizes['test']} test images")
        if self.data.synthetic:
            self.progress.note("note: synthetic stand-in data, not CIFAR-10; results show the pipeline works, "
                               "not the homework's numbers")
        return self.data

    def needed(self, path: Path, config: Any) -> bool:
        """Whether `path` must be (re)made for `config`; raises if it holds a different result."""
        status = result_status(path, config, describe_data(self.data))
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

    def write(self, path: Path, payload: dict) -> None:
        write_result(path, payload)
        self.progress.note(f"wrote {path}")


def _given(**values: Any) -> dict:
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
        try:
            for _, step in steps:
                step(plan)
            report = _report(plan) if plan.command == "all" else None
        except OSError as error:
            raise WorkError(f"{describe_os_error(error)}; the {plan.store.count()} finished runs stay saved "
                            f"under {plan.out / '.runs'}: fix that and run again to resume") from error
        finally:
            plan.progress.close()  # an interrupt's message starts on a line of its own
    finally:
        lock.release()
    if plan.command == "all":
        plan.progress.note(f"ee449 all: done in {time.perf_counter() - start:.0f} s")
        if report is not None:
            print(report)
    else:
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
    _optional(plan, "part 2", go)


def _part3(plan: Plan) -> None:
    for config in plan.part3:
        path = plan.out / f"part3_{config.arch}.json"
        if plan.needed(path, config):
            result = ex.part3(config, plan.data, **plan.how)
            plan.write(path, result.payload())
    files = [plan.out / f"part3_{c.arch}.json" for c in plan.part3]

    def figures():
        curves.part3Plots([str(f) for f in files], save_dir=plan.out / FIGURES, filename="part3", show_plot=False)
        for f in files:
            weights = np.asarray(read_json(f)["weights"], dtype=float)
            grids.visualizeWeights(weights, str(plan.out / FIGURES), filename=f"{f.stem}_weights")
    if files:
        _optional(plan, "Part 3 figures", figures, figure=True)


def _part4(plan: Plan) -> None:
    for config in plan.part4:
        path = plan.out / f"part4_{config.arch}.json"
        if plan.needed(path, config):
            result = ex.part4(config, plan.data, **plan.how)
            plan.write(path, result.payload())
    files = [str(plan.out / f"part4_{c.arch}.json") for c in plan.part4]

    def figures():
        curves.part4Plots(files, save_dir=plan.out / FIGURES, filename="part4", show_plot=False)
    if files:
        _optional(plan, "Part 4 figure", figures, figure=True)


def _part5(plan: Plan) -> None:
    path = plan.out / "part5.json"
    if plan.needed(path, plan.part5):
        result = ex.part5(plan.part5, plan.data, **plan.how)
        plan.write(path, result.payload())
    sched_path = plan.out / "part5_schedule.json"
    if plan.needed(sched_path, plan.schedule):
        adam_acc, adam_source = _adam_from_part3(plan, plan.schedule.arch)
        result = ex.schedule(plan.schedule, plan.data, **plan.how,
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
        if result["meta"]["data"] == describe_data(plan.data) and result.get("test_acc") is not None:
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
