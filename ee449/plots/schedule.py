"""The Part 5 schedule's figure (`schedulePlot`, the course helpers' signature; see `ee449.plots.curves`).

Validation accuracy of the two scheduled runs with the switch epochs marked, and the schedule's
test accuracy beside Adam's (and constant lr 0.1's when recorded).
"""

from __future__ import annotations

import numbers
import os
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from ee449.errors import ResultsError
from ee449.plots.axes import steps_axis, style_axes
from ee449.plots.output import DPI, Results, new_figure, save_and_close, single_result
from ee449.results.schema import SCHEDULE_KEYS, curves, meta_of, number, require_keys, x_values
from ee449.spec import SCHEDULE_EPOCHS  # used only for a result without meta


def schedule_figure(result: Results, *, _pyplot: bool = False) -> Figure:
    """Validation accuracy of the two scheduled runs with the switch epochs marked, and the
    schedule's test accuracy beside Adam's (and constant lr 0.1's when recorded)."""
    result, where = single_result(result, "part5_schedule")
    require_keys(result, SCHEDULE_KEYS, where)
    c = curves(result, ("val_acc_curve_stage2", "val_acc_curve_stage3"), where)
    switches = result["switch_epochs"]
    if not isinstance(switches, (list, tuple, np.ndarray)) or not all(
        isinstance(e, numbers.Real) for e in switches
    ):
        raise ResultsError(f"{where}: 'switch_epochs' must be a list of epoch numbers, got {switches!r:.60}")
    n = len(c["val_acc_curve_stage2"])
    if meta_of(result).get("steps_per_epoch"):
        x = x_values(result, n, "epoch")
    else:  # no meta: the curve spans the homework's 30 epochs
        x = np.arange(1, n + 1) * SCHEDULE_EPOCHS / n
    fig = new_figure((14, 6.5), _pyplot)
    curve_ax, bar_ax = fig.subplots(1, 2, width_ratios=[3, 1])
    first = f"{switches[0]:g}" if switches else "?"
    last_epoch = float(x[-1]) if n else 0.0
    # A switch at or past the run's last epoch means its stage never trained: its curve is the
    # previous stage's, and the figure says so instead of drawing it as a result.
    ran = [epoch < last_epoch for epoch in switches]
    # The two runs are identical up to the second switch (same seed): the thin line on top of
    # the thick one keeps both visible there.
    curve_ax.plot(
        x,
        c["val_acc_curve_stage2"],
        color="tab:blue",
        linewidth=1.2,
        zorder=3,
        label=f"0.1, then 0.01 from epoch {first}" + ("" if all(ran[:1]) else " (did not run)"),
    )
    stage3 = "0.1, 0.01, then 0.001 from epoch " + (f"{switches[1]:g}" if len(switches) > 1 else "?")
    if len(ran) > 1 and not ran[1]:
        stage3 += " (stage 3 did not run)"
    curve_ax.plot(
        x, c["val_acc_curve_stage3"], color="tab:red", linewidth=2.6, alpha=0.8, zorder=2, label=stage3
    )
    for i, (epoch, happened) in enumerate(zip(switches, ran), start=1):
        switch_at = min(float(epoch), last_epoch)
        text = f"switch {i}: epoch {epoch:g}"
        if not happened:
            text += f", the run's end: stage {i + 1} did not run"
        curve_ax.axvline(switch_at, color="0.3" if happened else "tab:orange", linestyle=":", linewidth=1.2)
        curve_ax.annotate(
            text,
            (switch_at, 0.98 - 0.06 * (i - 1)),
            xycoords=("data", "axes fraction"),
            xytext=(4, 0) if happened else (-4, 0),
            textcoords="offset points",
            fontsize=10,
            va="top",
            ha="left" if happened else "right",
            color="black" if happened else "tab:orange",
        )
    style_axes(curve_ax, "Validation accuracy with the scheduled learning rate", "epoch", "accuracy (%)")
    steps_axis(curve_ax, [result], "epoch" if meta_of(result).get("steps_per_epoch") else "step")
    curve_ax.legend(fontsize=10, loc="lower right")
    # Adam's and constant lr's accuracies may be null (not recorded): their bars are left out.
    candidates = {
        "schedule": ("test_acc", "tab:red"),
        "Adam (Part 3)": ("adam_test_acc", "tab:green"),
        "constant lr 0.1": ("constant_lr_test_acc", "tab:blue"),
    }
    bars = {
        label: (number(result, key, where), colour)
        for label, (key, colour) in candidates.items()
        if key == "test_acc" or isinstance(result.get(key), numbers.Real)
    }
    drawn = bar_ax.bar(list(bars), [v for v, _ in bars.values()], color=[c for _, c in bars.values()])
    bar_ax.bar_label(drawn, fmt="%.2f", fontsize=11)
    bar_ax.set_ylim(0, max(100.0, max(v for v, _ in bars.values()) * 1.1))
    style_axes(bar_ax, "Test accuracy", "", "accuracy (%)")
    bar_ax.grid(False, axis="x")
    bar_ax.tick_params(axis="x", labelrotation=20)
    fig.suptitle(f"{result['name']}: learning-rate schedule against Adam", fontsize=15)
    return fig


def schedulePlot(
    result: Results,
    save_dir: str | os.PathLike[str] = "",
    filename: str = "",
    show_plot: bool = True,
    *,
    fmt: str | None = None,
    dpi: int = DPI,
) -> Path:
    """Save the schedule figure (see `schedule_figure`); result: the dict or its file path."""
    return save_and_close(
        lambda p: schedule_figure(result, _pyplot=p),
        save_dir,
        filename,
        "part5_schedule",
        show_plot,
        fmt,
        dpi,
    )
