"""The steps of `ee449 part3 | part4 | part5 | all`: each part's result files, then its figures.

Each step takes the command's `Work` (ee449.cli.work), makes the result files it owns that are
not up to date, and draws their figures; a figure that fails to draw costs one line naming the
error, never the results. Any other error stops the command.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from ee449 import experiments as ex
from ee449.cli.part2 import run_part2
from ee449.cli.work import Work
from ee449.errors import ResultsError
from ee449.experiments import describe_data
from ee449.io import read_json
from ee449.plots import curves, grids
from ee449.plots import schedule as schedule_plots
from ee449.report import build_report
from ee449.spec import result_file

FIGURES = "figures"  # the report's figure folder: figures drawn here are not redrawn by the report


def draw_or_note(work: Work, what: str, draw: Callable[[], None]) -> None:
    """Draw figures; one that fails is reported in one line and does not stop the command: the
    result files it would show are already written."""
    try:
        draw()
    except Exception as error:  # noqa: BLE001 - figures only, see above
        work.progress.note(f"could not draw {what}: {type(error).__name__}: {error}")


def part2_step(work: Work) -> None:
    result = run_part2(None, None, out_dir=work.out)
    for path in (result.output_path, result.json_path, result.figure_path):
        work.progress.result(f"wrote {path}")


def part3_step(work: Work) -> None:
    for config in work.plan.part3:
        path = work.out / result_file(3, config.arch)
        if work.needed(path, config):
            result = ex.part3(config, work.splits, **work.how)
            work.write(path, result.payload())
    files = [work.out / result_file(3, c.arch) for c in work.plan.part3]

    def figures() -> None:
        curves.part3Plots(
            [str(f) for f in files], save_dir=work.out / FIGURES, filename="part3", show_plot=False
        )
        for f in files:
            weights = np.asarray(read_json(f)["weights"], dtype=float)
            grids.visualizeWeights(
                weights, str(work.out / FIGURES), filename=f"{f.stem}_weights", name=str(read_json(f)["name"])
            )

    if files:
        draw_or_note(work, "Part 3 figures", figures)


def part4_step(work: Work) -> None:
    for config in work.plan.part4:
        path = work.out / result_file(4, config.arch)
        if work.needed(path, config):
            result = ex.part4(config, work.splits, **work.how)
            work.write(path, result.payload())
    files = [str(work.out / result_file(4, c.arch)) for c in work.plan.part4]

    def figures() -> None:
        curves.part4Plots(files, save_dir=work.out / FIGURES, filename="part4", show_plot=False)

    if files:
        draw_or_note(work, "Part 4 figure", figures)


def part5_step(work: Work) -> None:
    part5, schedule = work.plan.part5, work.plan.schedule
    if (
        part5 is None or schedule is None
    ):  # pragma: no cover - set for `part5` and `all`, the commands that get here
        return
    path = work.out / result_file(5)
    if work.needed(path, part5):
        work.write(path, ex.part5(part5, work.splits, **work.how).payload())
    sched_path = work.out / result_file("schedule")
    if work.needed(sched_path, schedule):
        adam_acc, adam_source = adam_from_part3(work, schedule.arch)
        result = ex.schedule(
            schedule,
            work.splits,
            **work.how,
            adam_test_acc=adam_acc,
            adam_source=adam_source,
            adam_config=work.plan.adam,
        )
        work.write(sched_path, result.payload())

    def figures() -> None:
        curves.part5Plots(str(path), save_dir=work.out / FIGURES, filename="part5", show_plot=False)
        schedule_plots.schedulePlot(
            str(sched_path), save_dir=work.out / FIGURES, filename="part5_schedule", show_plot=False
        )

    draw_or_note(work, "Part 5 figures", figures)


def adam_from_part3(work: Work, arch: str) -> tuple[float | None, str]:
    """Part 3's test accuracy of `arch` from the same folder, if made on the same data."""
    path = work.out / result_file(3, arch)
    try:
        result = read_json(path)
        if result["meta"]["data"] == describe_data(work.splits) and result.get("test_acc") is not None:
            return float(result["test_acc"]), f"{path.name} (best of {result['meta']['runs_done']} runs)"
    except (ResultsError, KeyError, TypeError):
        pass
    return None, ""


def report_step(work: Work) -> Path:
    work.progress.relabel("report")
    return build_report(work.out, work.plan.edition.year)
