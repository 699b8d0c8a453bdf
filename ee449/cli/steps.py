"""The steps of `ee449 part3 | part4 | part5 | all`: each part's result files, then its figures.

Each step takes the command's `Plan` (ee449.cli.experiments), makes the result files it owns
that are not up to date, and draws their figures; a figure that fails to draw costs one line,
never the results.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from ee449 import experiments as ex
from ee449.cli.part2 import run_part2
from ee449.errors import ResultsError
from ee449.experiments import describe_data
from ee449.io import read_json
from ee449.plots import curves, grids
from ee449.report import build_report
from ee449.spec import result_file

if TYPE_CHECKING:  # annotations only: experiments imports this module
    from ee449.cli.experiments import Plan

FIGURES = "figures"  # the report's figure folder: figures drawn here are not redrawn by the report


def optional(plan: Plan, what: str, action: Callable[[], Any], *, figure: bool = False) -> Any:
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


def part2_step(plan: Plan) -> None:
    def go():
        return run_part2(None, None, out_dir=plan.out)

    result = optional(plan, "part 2", go)
    if result is not None:
        for path in (result.output_path, result.json_path, result.figure_path):
            plan.progress.result(f"wrote {path}")


def part3_step(plan: Plan) -> None:
    for config in plan.part3:
        path = plan.out / result_file(3, config.arch)
        if plan.needed(path, config):
            result = ex.part3(config, plan.splits, **plan.how)
            plan.write(path, result.payload())
    files = [plan.out / result_file(3, c.arch) for c in plan.part3]

    def figures():
        curves.part3Plots(
            [str(f) for f in files], save_dir=plan.out / FIGURES, filename="part3", show_plot=False
        )
        for f in files:
            weights = np.asarray(read_json(f)["weights"], dtype=float)
            grids.visualizeWeights(
                weights, str(plan.out / FIGURES), filename=f"{f.stem}_weights", name=str(read_json(f)["name"])
            )

    if files:
        optional(plan, "Part 3 figures", figures, figure=True)


def part4_step(plan: Plan) -> None:
    for config in plan.part4:
        path = plan.out / result_file(4, config.arch)
        if plan.needed(path, config):
            result = ex.part4(config, plan.splits, **plan.how)
            plan.write(path, result.payload())
    files = [str(plan.out / result_file(4, c.arch)) for c in plan.part4]

    def figures():
        curves.part4Plots(files, save_dir=plan.out / FIGURES, filename="part4", show_plot=False)

    if files:
        optional(plan, "Part 4 figure", figures, figure=True)


def part5_step(plan: Plan) -> None:
    part5, schedule = plan.part5, plan.schedule
    if (
        part5 is None or schedule is None
    ):  # pragma: no cover - set for `part5` and `all`, the commands that get here
        return
    path = plan.out / result_file(5)
    if plan.needed(path, part5):
        plan.write(path, ex.part5(part5, plan.splits, **plan.how).payload())
    sched_path = plan.out / result_file("schedule")
    if plan.needed(sched_path, schedule):
        adam_acc, adam_source = adam_from_part3(plan, schedule.arch)
        result = ex.schedule(
            schedule,
            plan.splits,
            **plan.how,
            adam_test_acc=adam_acc,
            adam_source=adam_source,
            adam_config=plan.adam,
        )
        plan.write(sched_path, result.payload())

    def figures():
        curves.part5Plots(str(path), save_dir=plan.out / FIGURES, filename="part5", show_plot=False)
        curves.schedulePlot(
            str(sched_path), save_dir=plan.out / FIGURES, filename="part5_schedule", show_plot=False
        )

    optional(plan, "Part 5 figures", figures, figure=True)


def adam_from_part3(plan: Plan, arch: str) -> tuple[float | None, str]:
    """Part 3's test accuracy of `arch` from the same folder, if made on the same data."""
    path = plan.out / result_file(3, arch)
    try:
        result = read_json(path)
        if result["meta"]["data"] == describe_data(plan.splits) and result.get("test_acc") is not None:
            return float(result["test_acc"]), f"{path.name} (best of {result['meta']['runs_done']} runs)"
    except (ResultsError, KeyError, TypeError):
        pass
    return None, ""


def report_step(plan: Plan) -> Path | None:
    def go():
        return build_report(plan.out, plan.edition.year)

    plan.progress.relabel("report")
    return optional(plan, "the report", go)
