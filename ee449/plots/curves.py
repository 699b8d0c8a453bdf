"""Training-curve figures for Parts 3 to 5, with the course helpers' names and signatures.

A student's script switches to these by changing one import; each function also takes a path
to a result file instead of a dict, and returns the path it saved:

    part3Plots(results, save_dir='', filename='', show_plot=True)   # list of part3 dicts
    part4Plots(results, save_dir='', filename='', show_plot=True, log_grad=None)
    part5Plots(result, save_dir='', filename='', show_plot=True)
    schedulePlot(result, save_dir='', filename='', show_plot=True)   # in ee449.plots.schedule

`part3_figure(...)` and friends build the same figure and return it without saving.

Differences from the course's helpers, all on purpose:
- any number of architectures: colours come from a colormap, not a fixed 7-colour list;
- the x-axis is in epochs when `meta.steps_per_epoch` is known, else in optimizer steps
  (one recorded point every `meta.record_every` steps, 10 when there is no meta: the SPEC's
  recording reading);
- `filename=''` saves under the figure's own name (`part3.png`...), not as a hidden `.png`;
- `fmt='svg'` / `'pdf'` (or a filename ending in .svg / .pdf) for vector output, PNG otherwise;
- figures are closed after saving, and `show_plot=True` only shows on an interactive backend
  (on Agg, as in CI or a headless server, it just saves);
- a missing key or curves of unequal length raise `ResultsError` naming the key or the curves
  and the result they came from; null points (diverged values) are drawn as gaps.
"""

from __future__ import annotations

import math
import numbers
import os
from pathlib import Path
from typing import Mapping

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ee449.plots.axes import colors, diagonal, steps_axis, style_axes
from ee449.plots.output import DPI, Results, as_list, new_figure, save_and_close, single_result
from ee449.results.schema import (
    LEARNING_RATES,
    PART3_KEYS,
    PART4_KEYS,
    PART5_KEYS,
    curves,
    load_result,
    meta_of,
    number,
    require_keys,
    shared_unit,
    x_values,
)

CHANCE_LOSS = math.log(10)  # cross-entropy of a uniform guess over 10 classes
LOG_GRAD_RATIO = 100.0  # auto log axis once the largest gradient is 100x the smallest


# --- Part 3 ----------------------------------------------------------------------------------


def part3_figure(results: Results, *, _pyplot: bool = False) -> Figure:
    """The 2x2 Part 3 comparison: loss; train (solid) / val (dashed) accuracy; val against
    train accuracy; final train accuracy against test accuracy (one marker per architecture)."""
    loaded = [load_result(r, "part3") for r in as_list(results)]
    if not loaded:
        raise ValueError("part3Plots needs at least one result, got an empty list")
    rows = []
    for result, where in loaded:
        require_keys(result, PART3_KEYS, where)
        c = curves(result, ("loss_curve", "train_acc_curve", "val_acc_curve"), where)
        # Like with like: the curves are means over the runs, so the marker's test accuracy is the
        # mean over the runs too (meta.run_test_accs) when recorded; else the file's test_acc.
        # null test accuracy (every run diverged): the curves are drawn, the marker is not
        test_acc = _mean_run_test_acc(result)
        if test_acc is None:
            test_acc = math.nan if result["test_acc"] is None else number(result, "test_acc", where)
        rows.append((result, str(result["name"]), c, test_acc))
    unit = shared_unit([r for r, *_ in rows])
    fig = new_figure((14, 10), _pyplot)
    (loss_ax, acc_ax), (vt_ax, test_ax) = fig.subplots(2, 2)
    handles = []
    for (result, name, c, test_acc), color in zip(rows, colors(len(rows))):
        x = x_values(result, len(c["loss_curve"]), unit)
        handles += loss_ax.plot(x, c["loss_curve"], color=color, linewidth=1.5, label=name)
        acc_ax.plot(x, c["train_acc_curve"], color=color, linewidth=1.5)
        acc_ax.plot(x, c["val_acc_curve"], color=color, linewidth=1.5, linestyle="--")
        vt_ax.plot(c["train_acc_curve"], c["val_acc_curve"], color=color, linewidth=1.2)
        final_train = _last_finite(c["train_acc_curve"])
        # No name beside the marker (close accuracies made the names overlap): the colour is the
        # figure legend's.
        test_ax.plot(
            [final_train], [test_acc], color=color, marker="o", markersize=10, linestyle="", label=name
        )
    style_axes(loss_ax, "Training loss", unit, "loss (cross-entropy)")
    style_axes(acc_ax, "Training and validation accuracy", unit, "accuracy (%)")
    for ax in (loss_ax, acc_ax):
        steps_axis(ax, [r for r, *_ in rows], unit)
    acc_ax.legend(
        handles=[
            Line2D([], [], color="k", label="training"),
            Line2D([], [], color="k", linestyle="--", label="validation"),
        ],
        fontsize=10,
    )
    style_axes(
        vt_ax, "Validation against training accuracy", "training accuracy (%)", "validation accuracy (%)"
    )
    diagonal(vt_ax, np.concatenate([c["train_acc_curve"] for _, _, c, _ in rows]))
    means = all(_mean_run_test_acc(r) is not None for r, *_ in rows)
    style_axes(
        test_ax,
        "Test against final training accuracy" + (" (means over runs)" if means else ""),
        "final training accuracy (%), mean curve",
        "test accuracy (%), " + ("mean over runs" if means else "the file's test_acc"),
    )
    diagonal(test_ax, np.array([v for _, _, c, t in rows for v in (_last_finite(c["train_acc_curve"]), t)]))
    vt_ax.legend(fontsize=9, loc="lower right")
    test_ax.margins(x=0.15, y=0.1)
    test_ax.legend(
        handles=[h for h in test_ax.get_lines() if h.get_label() == "y = x"], fontsize=9, loc="best"
    )
    fig.legend(handles=handles, loc="outside upper center", ncol=min(len(handles), 6), fontsize=12)
    return fig


def _mean_run_test_acc(result: Mapping) -> float | None:
    """Mean of meta.run_test_accs (finite values), None when the file does not record them."""
    accs = meta_of(result).get("run_test_accs")
    if not isinstance(accs, list):
        return None
    values = [float(a) for a in accs if isinstance(a, numbers.Real) and math.isfinite(a)]
    return float(np.mean(values)) if values else None


def _last_finite(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return float(finite[-1]) if finite.size else float("nan")


def part3Plots(
    results: Results,
    save_dir: str | os.PathLike[str] = "",
    filename: str = "",
    show_plot: bool = True,
    *,
    fmt: str | None = None,
    dpi: int = DPI,
) -> Path:
    """Save the Part 3 figure (see `part3_figure`); results: part3 dicts or result-file paths."""
    return save_and_close(
        lambda p: part3_figure(results, _pyplot=p), save_dir, filename, "part3", show_plot, fmt, dpi
    )


# --- Part 4 ----------------------------------------------------------------------------------


def part4_figure(results: Results, log_grad: bool | None = None, *, _pyplot: bool = False) -> Figure:
    """Training losses and first-layer gradient magnitudes, ReLU solid, sigmoid dashed.

    log_grad: None (default) uses a log gradient axis when the largest positive gradient is
    more than LOG_GRAD_RATIO times the smallest (sigmoid gradients of deep CNNs are ~10^4
    times smaller than ReLU's and lie flat on zero on a linear axis); True / False force it.
    """
    loaded = [load_result(r, "part4") for r in as_list(results)]
    if not loaded:
        raise ValueError("part4Plots needs at least one result, got an empty list")
    rows = []
    for result, where in loaded:
        require_keys(result, PART4_KEYS, where)
        rows.append((result, str(result["name"]), curves(result, PART4_KEYS[1:], where)))
    unit = shared_unit([r for r, *_ in rows])
    grads = np.concatenate([c[k] for *_, c in rows for k in ("relu_grad_curve", "sigmoid_grad_curve")])
    if log_grad is None:
        positive = grads[np.isfinite(grads) & (grads > 0)]
        log_grad = bool(positive.size) and positive.max() > LOG_GRAD_RATIO * positive.min()
    fig = new_figure((14, 6.5), _pyplot)
    loss_ax, grad_ax = fig.subplots(1, 2)
    handles = []
    for (result, name, c), color in zip(rows, colors(len(rows))):
        x = x_values(result, len(c["relu_loss_curve"]), unit)
        handles += loss_ax.plot(x, c["relu_loss_curve"], color=color, linewidth=1.3, label=name)
        loss_ax.plot(x, c["sigmoid_loss_curve"], color=color, linewidth=1.3, linestyle="--")
        grad_ax.plot(x, c["relu_grad_curve"], color=color, linewidth=1.0)
        grad_ax.plot(x, c["sigmoid_grad_curve"], color=color, linewidth=1.0, linestyle="--")
    loss_ax.axhline(CHANCE_LOSS, color="0.5", linestyle=":", linewidth=1)
    style_axes(loss_ax, "Training loss", unit, "loss (cross-entropy)")
    style_axes(
        grad_ax, "First-layer gradient magnitude" + (" (log scale)" if log_grad else ""), unit, "||dL/dW1||"
    )
    if log_grad:
        grad_ax.set_yscale("log", nonpositive="mask")
    for ax in (loss_ax, grad_ax):
        steps_axis(ax, [r for r, *_ in rows], unit)
    styles = [
        Line2D([], [], color="k", label="ReLU"),
        Line2D([], [], color="k", linestyle="--", label="sigmoid"),
    ]
    loss_ax.legend(
        handles=styles + [Line2D([], [], color="0.5", linestyle=":", label="chance (ln 10)")], fontsize=10
    )
    grad_ax.legend(handles=styles, fontsize=10)
    fig.legend(handles=handles, loc="outside upper center", ncol=min(len(handles), 6), fontsize=12)
    return fig


def part4Plots(
    results: Results,
    save_dir: str | os.PathLike[str] = "",
    filename: str = "",
    show_plot: bool = True,
    log_grad: bool | None = None,
    *,
    fmt: str | None = None,
    dpi: int = DPI,
) -> Path:
    """Save the Part 4 figure (see `part4_figure`); results: part4 dicts or result-file paths."""
    return save_and_close(
        lambda p: part4_figure(results, log_grad, _pyplot=p), save_dir, filename, "part4", show_plot, fmt, dpi
    )


# --- Part 5 ----------------------------------------------------------------------------------


def part5_figure(result: Results, *, _pyplot: bool = False) -> Figure:
    """Training losses and validation accuracies of one architecture at lr 0.1, 0.01, 0.001."""
    result, where = single_result(result, "part5")
    require_keys(result, PART5_KEYS, where)
    c = curves(result, PART5_KEYS[1:], where)
    unit = shared_unit([result])
    test = meta_of(result).get("test_acc") or {}
    fig = new_figure((14, 6.5), _pyplot)
    loss_ax, acc_ax = fig.subplots(1, 2)
    for (suffix, lr), color in zip(LEARNING_RATES.items(), colors(3)):
        x = x_values(result, len(c[f"loss_curve_{suffix}"]), unit)
        label = f"lr = {lr:g}"
        if isinstance(test.get(f"test_acc_{suffix}"), numbers.Real):
            label += f" (test {test[f'test_acc_{suffix}']:.1f}%)"
        loss_ax.plot(x, c[f"loss_curve_{suffix}"], color=color, linewidth=1.3, label=label)
        acc_ax.plot(x, c[f"val_acc_curve_{suffix}"], color=color, linewidth=1.3)
    style_axes(loss_ax, "Training loss", unit, "loss (cross-entropy)")
    style_axes(acc_ax, "Validation accuracy", unit, "accuracy (%)")
    for ax in (loss_ax, acc_ax):
        steps_axis(ax, [result], unit)
    fig.suptitle(f"{result['name']}: SGD at three learning rates", fontsize=15)
    fig.legend(handles=loss_ax.get_lines(), loc="outside lower center", ncol=3, fontsize=12)
    return fig


def part5Plots(
    result: Results,
    save_dir: str | os.PathLike[str] = "",
    filename: str = "",
    show_plot: bool = True,
    *,
    fmt: str | None = None,
    dpi: int = DPI,
) -> Path:
    """Save the Part 5 figure (see `part5_figure`); result: the part5 dict or its file path."""
    return save_and_close(
        lambda p: part5_figure(result, _pyplot=p), save_dir, filename, "part5", show_plot, fmt, dpi
    )
