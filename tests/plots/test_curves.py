"""ee449.plots.curves: the Part 3-5 figures, checked on the Figure objects and the saved files.

Oracles: the input dicts themselves (every drawn line's data is compared with the curve it
came from and the x positions are recomputed from record_every / steps_per_epoch), PIL for
the PNG files, the PDF / SVG signatures for vector output.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import matplotlib

matplotlib.use("Agg")  # headless, as in CI: show_plot=True must then only save

import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

from ee449.errors import ResultsError
from ee449.io import write_json
from ee449.plots import curves, schedule
from ee449.spec import RECORD_EVERY as RECORD_EVERY_SPEC  # a point every 10 steps when a result has no meta
from tests.helpers.assertions import assert_close, assert_equal
from tests.helpers.fake_results import (
    POINTS,
    RECORD_EVERY,
    STEPS_PER_EPOCH,
    part3_result,
    part4_result,
    part5_result,
    schedule_result,
)


def _part3(n: int, with_meta: bool = True) -> list[dict]:
    return [part3_result(f"arch_{i}", 40.0 + 2 * i, seed=i, with_meta=with_meta) for i in range(n)]


def _part4(n: int, ratio: float = 1e-4) -> list[dict]:
    return [part4_result(f"arch_{i}", ratio, seed=i) for i in range(n)]


def _epochs(n: int) -> np.ndarray:
    return np.arange(1, n + 1) * RECORD_EVERY / STEPS_PER_EPOCH


def _data_lines(ax) -> list:
    """The lines that carry data (reference lines are dotted grey)."""
    return [line for line in ax.get_lines() if line.get_linestyle() != ":"]


# --- Part 3 ----------------------------------------------------------------------------------


@pytest.mark.parametrize("n_arch", [1, 9])
def test_part3_figure_draws_each_curve_of_each_architecture(n_arch):
    results = _part3(n_arch)
    fig = curves.part3_figure(results)
    loss_ax, acc_ax, vt_ax, test_ax = fig.axes
    assert_equal(len(fig.axes), 4, "axes")
    assert_equal(len(loss_ax.get_lines()), n_arch, "loss lines")
    assert_equal(len(acc_ax.get_lines()), 2 * n_arch, "train + val lines")
    assert_equal(len(_data_lines(vt_ax)), n_arch, "val-vs-train lines")
    assert_equal(len(_data_lines(test_ax)), n_arch, "test markers")
    for i, result in enumerate(results):
        assert_close(loss_ax.get_lines()[i].get_xdata(), _epochs(POINTS), what="x in epochs")
        assert_close(loss_ax.get_lines()[i].get_ydata(), result["loss_curve"], what="loss")
        assert_close(acc_ax.get_lines()[2 * i].get_ydata(), result["train_acc_curve"], what="train acc")
        assert_close(acc_ax.get_lines()[2 * i + 1].get_ydata(), result["val_acc_curve"], what="val acc")
        assert_equal(acc_ax.get_lines()[2 * i + 1].get_linestyle(), "--", "validation is dashed")
        marker = _data_lines(test_ax)[i]
        assert_close(marker.get_xdata(), [result["train_acc_curve"][-1]], what="final train acc")
        # like with like: mean curve against the mean test accuracy over the runs
        assert_close(marker.get_ydata(), [np.mean(result["meta"]["run_test_accs"])], what="mean test acc")
    assert "means over runs" in test_ax.get_title(loc="left"), test_ax.get_title(loc="left")
    legend_names = [t.get_text() for t in fig.legends[0].get_texts()]
    assert_equal(legend_names, [r["name"] for r in results], "one legend naming the architectures")
    colours = {matplotlib.colors.to_hex(line.get_color()) for line in loss_ax.get_lines()}
    assert_equal(len(colours), n_arch, "distinct colours")


def test_part3_figure_uses_steps_without_meta():
    results = _part3(2, with_meta=False)
    loss_ax = curves.part3_figure(results).axes[0]
    assert_close(
        loss_ax.get_lines()[0].get_xdata(), np.arange(1, POINTS + 1) * RECORD_EVERY_SPEC, what="x in steps"
    )
    assert_equal(loss_ax.get_xlabel(), "step", "x label")
    assert_equal(loss_ax.child_axes, [], "no secondary step axis without steps per epoch")


def test_epoch_axes_carry_a_step_axis_on_top():
    fig = curves.part3_figure(_part3(2))
    fig.draw_without_rendering()  # secondary axes take their limits at draw time
    loss_ax = fig.axes[0]
    assert_equal(loss_ax.get_xlabel(), "epoch", "x label")
    (top,) = loss_ax.child_axes
    assert_equal(top.get_xlabel(), "optimizer step", "secondary axis label")
    # the secondary axis maps epochs to steps: its limits are the epoch limits x steps per epoch
    assert_close(
        top.get_xlim(), np.array(loss_ax.get_xlim()) * STEPS_PER_EPOCH, rtol=1e-9, what="step limits"
    )


def test_part3_figure_draws_null_points_as_gaps():
    result = part3_result("cnn_4", 60.0)
    result["loss_curve"][3] = None
    ydata = curves.part3_figure([result]).axes[0].get_lines()[0].get_ydata()
    assert np.isnan(ydata[3]) and np.isfinite(np.delete(ydata, 3)).all()


def test_part3_takes_a_students_numpy_values():
    result = part3_result("cnn_4", 60.0, with_meta=False)
    student = {k: (np.asarray(v, dtype=np.float32) if k.endswith("_curve") else v) for k, v in result.items()}
    student["test_acc"] = np.float32(60.0)
    fig = curves.part3_figure([student])
    assert_close(fig.axes[0].get_lines()[0].get_ydata(), student["loss_curve"], what="loss")
    assert_close(_data_lines(fig.axes[3])[0].get_ydata(), [60.0], what="test acc")


def test_many_architectures_get_distinct_colours():
    colours = curves.colors(25)
    assert_equal(len({tuple(c) for c in colours}), 25, "distinct colours for 25 architectures")


@pytest.mark.parametrize("dpi", [40, 100])
def test_part3Plots_saves_a_png_of_the_figure_size(tmp_path, dpi):
    results = _part3(3)
    open_before = plt.get_fignums()  # other tests in this worker may hold pyplot figures
    path = curves.part3Plots(results, save_dir=tmp_path, filename="cmp", show_plot=True, dpi=dpi)
    assert_equal(path, tmp_path / "cmp.png", "saved path")
    width, height = curves.part3_figure(results).get_size_inches() * dpi
    with Image.open(path) as image:
        assert_equal(image.format, "PNG", "format")
        assert_equal(image.size, (round(width), round(height)), "pixel size")
    assert_equal(plt.get_fignums(), open_before, "no figure left open")


def test_part3Plots_reads_result_files(tmp_path):
    results = _part3(2)
    paths = [write_json(tmp_path / f"part3_{r['name']}.json", r) for r in results]
    saved = curves.part3Plots(paths, save_dir=tmp_path, show_plot=False)
    assert_equal(saved.name, "part3.png", "default file name")
    assert saved.stat().st_size > 0


@pytest.mark.parametrize(
    "fmt, check",
    [
        ("pdf", lambda p: p.read_bytes().startswith(b"%PDF-")),
        ("svg", lambda p: ET.parse(p).getroot().tag.endswith("svg")),
    ],
)
def test_plots_write_vector_formats_on_request(tmp_path, fmt, check):
    by_fmt = curves.part4Plots(_part4(2), save_dir=tmp_path, show_plot=False, fmt=fmt)
    by_name = curves.part5Plots(
        part5_result({"1": 50, "01": 55, "001": 20}), save_dir=tmp_path, filename=f"lr.{fmt}", show_plot=False
    )
    for path in (by_fmt, by_name):
        assert_equal(path.suffix, f".{fmt}", "suffix")
        assert check(path), f"{path} is not a real {fmt} file"


def test_plots_reject_unknown_or_conflicting_formats(tmp_path):
    with pytest.raises(ValueError, match="'jpg'"):
        curves.part3Plots(_part3(1), save_dir=tmp_path, fmt="jpg", show_plot=False)
    with pytest.raises(ValueError, match="ends in .pdf"):
        curves.part3Plots(_part3(1), save_dir=tmp_path, filename="x.pdf", fmt="png", show_plot=False)


@pytest.mark.parametrize("key", curves.PART3_KEYS)
def test_part3_missing_key_is_named(key):
    results = _part3(2)
    del results[1][key]
    with pytest.raises(ResultsError, match=f"no key '{key}'") as error:
        curves.part3_figure(results)
    if key != "name":
        assert "arch_1" in str(error.value), "the message names the architecture"


def test_missing_key_names_the_file(tmp_path):
    result = part3_result("cnn_3", 55.0)
    del result["test_acc"]
    path = write_json(tmp_path / "part3_cnn_3.json", result)
    with pytest.raises(ResultsError, match=r"'cnn_3' \(part3_cnn_3\.json\) has no key 'test_acc'"):
        curves.part3Plots([path], save_dir=tmp_path, show_plot=False)


def test_part3_unequal_curves_are_named():
    results = _part3(1)
    results[0]["val_acc_curve"] = results[0]["val_acc_curve"][:-2]
    with pytest.raises(ResultsError, match=rf"unequal length.*val_acc_curve has {POINTS - 2}"):
        curves.part3_figure(results)


def test_part3_rejects_an_empty_list():
    with pytest.raises(ValueError, match="at least one"):
        curves.part3_figure([])


# --- Part 4 ----------------------------------------------------------------------------------


@pytest.mark.parametrize("n_arch", [1, 9])
def test_part4_figure_draws_relu_solid_and_sigmoid_dashed(n_arch):
    results = _part4(n_arch)
    fig = curves.part4_figure(results)
    loss_ax, grad_ax = fig.axes
    assert_equal(len(_data_lines(loss_ax)), 2 * n_arch, "loss lines")
    assert_equal(len(loss_ax.get_lines()), 2 * n_arch + 1, "loss lines + chance level")
    assert_equal(len(grad_ax.get_lines()), 2 * n_arch, "gradient lines")
    for i, result in enumerate(results):
        relu, sigmoid = grad_ax.get_lines()[2 * i : 2 * i + 2]
        assert_equal((relu.get_linestyle(), sigmoid.get_linestyle()), ("-", "--"), "line styles")
        assert_equal(relu.get_color(), sigmoid.get_color(), "one colour per architecture")
        assert_close(sigmoid.get_ydata(), result["sigmoid_grad_curve"], what="sigmoid gradient")
        assert_close(_data_lines(loss_ax)[2 * i].get_ydata(), result["relu_loss_curve"], what="relu loss")
    chance = [line for line in loss_ax.get_lines() if line.get_linestyle() == ":"][0]
    assert_close(chance.get_ydata(), [np.log(10)] * 2, what="chance level")


@pytest.mark.parametrize(
    "ratio, log_grad, expected",
    [
        (1e-4, None, "log"),  # 10^4 apart: automatic log axis
        (0.5, None, "linear"),  # same order of magnitude: linear
        (1e-4, False, "linear"),
        (0.5, True, "log"),
    ],
)
def test_part4_gradient_axis_is_log_when_asked_or_when_the_ratio_is_huge(ratio, log_grad, expected):
    grad_ax = curves.part4_figure(_part4(2, ratio), log_grad=log_grad).axes[1]
    assert_equal(grad_ax.get_yscale(), expected, "gradient axis scale")


def test_part4_unequal_curves_are_named():
    results = _part4(2)
    results[1]["sigmoid_grad_curve"].append(1.0)
    with pytest.raises(ResultsError, match=r"'arch_1'.*unequal length.*sigmoid_grad_curve has"):
        curves.part4_figure(results)


# --- Part 5 and the schedule -----------------------------------------------------------------


def test_part5_figure_draws_three_learning_rates():
    result = part5_result({"1": 50.0, "01": 55.0, "001": 20.0})
    fig = curves.part5_figure(result)
    loss_ax, acc_ax = fig.axes
    for ax, kind in ((loss_ax, "loss_curve"), (acc_ax, "val_acc_curve")):
        assert_equal(len(ax.get_lines()), 3, f"{kind} lines")
        for line, suffix in zip(ax.get_lines(), ("1", "01", "001")):
            assert_close(line.get_ydata(), result[f"{kind}_{suffix}"], what=f"{kind}_{suffix}")
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert [label.split(" (")[0] for label in labels] == ["lr = 0.1", "lr = 0.01", "lr = 0.001"]


def test_part5_takes_the_first_of_a_list_like_the_course_helper():
    result = part5_result({"1": 50.0, "01": 55.0, "001": 20.0})
    line = curves.part5_figure([result]).axes[0].get_lines()[0]
    assert_close(line.get_ydata(), result["loss_curve_1"], what="loss at 0.1")


def test_part5_missing_key_is_named():
    result = part5_result({"1": 50.0, "01": 55.0, "001": 20.0})
    del result["val_acc_curve_001"]
    with pytest.raises(ResultsError, match="no key 'val_acc_curve_001'"):
        curves.part5_figure(result)


def test_schedule_figure_marks_the_switch_epochs_and_compares_test_accuracies(tmp_path):
    result = schedule_result(61.0, adam=63.0, constant=55.0)
    fig = schedule.schedule_figure(result)
    curve_ax, bar_ax = fig.axes
    assert_equal(len(_data_lines(curve_ax)), 2, "two scheduled runs")
    switches = [line.get_xdata()[0] for line in curve_ax.get_lines() if line.get_linestyle() == ":"]
    assert_equal(switches, result["switch_epochs"], "switch epochs marked")
    heights = [bar.get_height() for bar in bar_ax.patches]
    assert_equal(heights, [61.0, 63.0, 55.0], "schedule, Adam, constant lr test accuracy")
    path = schedule.schedulePlot(result, save_dir=tmp_path, show_plot=False)
    assert_equal(path.name, "part5_schedule.png", "default name")


@pytest.mark.parametrize("second_switch, ran", [(5, True), (6, False)])
def test_schedule_figure_marks_a_stage_that_did_not_run(second_switch, ran):
    result = schedule_result(61.0, adam=63.0, constant=55.0)  # 6 epochs of curve
    result["switch_epochs"] = [2, second_switch]
    curve_ax = schedule.schedule_figure(result).axes[0]
    labels = [line.get_label() for line in _data_lines(curve_ax)]
    notes = [t.get_text() for t in curve_ax.texts]
    said = any("stage 3 did not run" in label for label in labels) and any("did not run" in t for t in notes)
    assert_equal(said, not ran, f"labels {labels}, notes {notes}")


def test_schedule_without_adam_leaves_its_bar_out():
    result = schedule_result(61.0, adam=63.0, constant=55.0)
    result["adam_test_acc"] = None  # Part 3 not run on the same data
    bar_ax = schedule.schedule_figure(result).axes[1]
    assert_equal([bar.get_height() for bar in bar_ax.patches], [61.0, 55.0], "schedule and constant lr only")


def test_schedule_without_meta_spans_thirty_epochs():
    result = schedule_result(61.0, adam=63.0, constant=55.0, with_meta=False)
    x = schedule.schedule_figure(result).axes[0].get_lines()[0].get_xdata()
    assert_close(x[-1], schedule.SCHEDULE_EPOCHS, what="last point at epoch 30")


def test_schedule_unequal_curves_are_named():
    result = schedule_result(61.0, adam=63.0, constant=55.0)
    result["val_acc_curve_stage3"] = result["val_acc_curve_stage3"][:5]
    with pytest.raises(ResultsError, match="val_acc_curve_stage3 has 5"):
        schedule.schedule_figure(result)
