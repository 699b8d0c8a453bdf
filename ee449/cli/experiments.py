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
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch

from ee449.cli.experiment_options import QUICK, add_arguments, parse_archs
from ee449.cli.findings import findings
from ee449.cli.part1_xor import part1_xor_step
from ee449.cli.plan import Plan, make_plan, planned_steps
from ee449.cli.progress import Progress
from ee449.cli.steps import part2_step, part3_step, part4_step, part5_step, report_step
from ee449.cli.work import How, Work
from ee449.data import DataSplits, load_homework
from ee449.errors import WorkError, describe_os_error
from ee449.experiments import RunStore, describe_data
from ee449.lock import FolderLock
from ee449.spec import DEFAULT_HOMEWORK
from ee449.training.device import check_device_available, resolve_device

__all__ = [
    "QUICK",
    "How",
    "Plan",
    "add_arguments",
    "make_plan",
    "parse_archs",
    "run",
]  # add_arguments + run: the command

STEPS: dict[str, Callable[[Work], None]] = {
    "part1": part1_xor_step,  # 2024, 2025: Part 1 is code (the NumPy XOR network), run it too
    "part2": part2_step,
    "part3": part3_step,
    "part4": part4_step,
    "part5": part5_step,
}


def run(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    plan = make_plan(args)
    check_device_available(plan.device)  # a bad or absent --device fails now, in one line
    if plan.threads:
        torch.set_num_threads(plan.threads)
    if plan.out.exists() and not plan.out.is_dir():
        raise ValueError(f"--out {plan.out} is a file, not a folder")
    progress = Progress(enabled=not plan.quiet, verbose=plan.verbose)
    splits = load_data(plan, progress)  # first: a bad --data leaves no output folder behind
    lock = FolderLock(_writable_folder(plan.out)).acquire()  # one writer per --out (exit 2 naming the other)
    store = RunStore(plan.out, reuse=not plan.force)
    work = Work(plan, splits, progress, store, planned_steps(plan, describe_data(splits)["train"]))
    report = None
    try:
        progress.start(sum(work.planned.values()))
        try:
            for step in plan.steps():
                STEPS[step](work)
            report = report_step(work) if plan.command == "all" else None
            progress.finish()
        except OSError as error:
            raise WorkError(
                f"{describe_os_error(error)}; the {store.count()} finished runs stay saved "
                f"under {plan.out / '.runs'}: fix that and run again to resume"
            ) from error
        finally:
            progress.close()  # an interrupt's message starts on a line of its own
    finally:
        lock.release()
    for line in findings(plan):
        progress.result(line)
    if report is not None:
        progress.result(f"wrote {report}")
    progress.note(f"ee449 {plan.command}: done in {time.perf_counter() - start:.0f} s")
    return 0


def load_data(plan: Plan, progress: Progress) -> DataSplits:
    """The command's data, moved to its device once, with a note of what it is."""
    extra = {"synthetic_per_class": QUICK["synthetic_per_class"]} if plan.quick else {}
    data = load_homework(plan.edition, plan.data_source, plan.data_root, **extra)
    data = data.to(resolve_device(plan.device))
    sizes = describe_data(data)
    if plan.edition.year != DEFAULT_HOMEWORK:  # 2023's output stays as it was before editions
        progress.note(f"homework {plan.edition.year}: {plan.edition.summary}")
    progress.note(
        f"data: {data.source}: {sizes['train']} training, {sizes['val']} validation, {sizes['test']} test images"
    )
    if data.synthetic:
        progress.note(
            f"note: synthetic stand-in data, not {plan.edition.dataset_name}; results show the pipeline works, "
            "not the homework's numbers"
        )
    return data


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
