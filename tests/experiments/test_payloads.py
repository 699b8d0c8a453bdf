"""ee449.experiments.payloads and store: the result files' schema (snapshots), saved runs, and the up-to-date check.

The result files come from a tiny real run of every experiment, written to disk and read back;
the snapshots keep their keys, types and curve lengths (floats replaced by their type), so a
renamed or dropped key changes a snapshot.
"""

from __future__ import annotations

import dataclasses
import math
import os

import numpy as np
import pytest

from ee449 import experiments as ex
from ee449.experiments.payloads import best_run, mean_curve
from ee449.experiments.store import (
    RunStore,
    describe_data,
    history_from_json,
    history_to_json,
    run_fingerprint,
)
from ee449.io import read_json
from ee449.results import result_status, write_result
from tests.helpers.assertions import assert_close, assert_equal
from tests.helpers.splits import TINY

pytestmark = pytest.mark.usefixtures("one_cpu_thread")


@pytest.fixture(scope="module")
def result_files(data, tmp_path_factory):
    """Every result file of a tiny real run (one epoch, two Part 3 runs), as written to disk."""
    out = tmp_path_factory.mktemp("results")
    store = RunStore(out)
    results = {
        "part3_mlp_2.json": ex.part3(
            ex.Part3Config("mlp_2", epochs=1, runs=2, **TINY), data, device="cpu", store=store
        ),
        "part3_cnn_3.json": ex.part3(
            ex.Part3Config("cnn_3", epochs=1, runs=2, **TINY), data, device="cpu", store=store
        ),
        "part4_cnn_3.json": ex.part4(
            ex.Part4Config("cnn_3", epochs=1, **TINY), data, device="cpu", store=store
        ),
        "part5.json": ex.part5(ex.Part5Config("mlp_2", epochs=1, **TINY), data, device="cpu", store=store),
        "part5_schedule.json": ex.schedule(
            ex.ScheduleConfig("mlp_2", epochs=2, search_epochs=1, patience=1, **TINY),
            data,
            device="cpu",
            store=store,
            adam_config=ex.Part3Config("mlp_2", epochs=1, runs=1, **TINY),
        ),
    }
    for name, result in results.items():
        write_result(out / name, result.payload())
    return out, results


def schema(value, key: str = ""):
    """Keys, types and lengths of a JSON value for a snapshot.

    Floats and `meta.best_run` become their type; ints, bools, `name` and the config stay; other
    strings (paths, versions, times, device) become their type; a list becomes its element
    types and length, an array of arrays its shape.
    """
    if isinstance(value, dict):
        if key == "config":
            return dict(sorted(value.items()))
        return {k: schema(v, k) for k, v in sorted(value.items())}
    if isinstance(value, list):
        if value and all(isinstance(v, list) for v in value):
            return f"array{list(np.asarray(value, dtype=float).shape)}"
        if all(not isinstance(v, (dict, list)) for v in value):
            kinds = sorted({"null" if v is None else type(v).__name__ for v in value})
            return f"list[{'|'.join(kinds)}] x{len(value)}"
        return [schema(v) for v in value]
    if key == "best_run":  # which run came out best is a training outcome, not the schema
        return type(value).__name__
    if isinstance(value, (bool, int)) or value is None or key == "name":
        return value
    return type(value).__name__


@pytest.mark.parametrize(
    "name", ["part3_mlp_2.json", "part3_cnn_3.json", "part4_cnn_3.json", "part5.json", "part5_schedule.json"]
)
def test_result_file_schema(result_files, name, snapshot):
    out, _ = result_files
    assert schema(read_json(out / name)) == snapshot


@pytest.mark.parametrize(
    "name, keys",
    [
        (
            "part3_cnn_3.json",
            ["name", "loss_curve", "train_acc_curve", "val_acc_curve", "test_acc", "weights"],
        ),
        (
            "part4_cnn_3.json",
            ["name", "relu_loss_curve", "sigmoid_loss_curve", "relu_grad_curve", "sigmoid_grad_curve"],
        ),
        (
            "part5.json",
            [
                "name",
                "loss_curve_1",
                "loss_curve_01",
                "loss_curve_001",
                "val_acc_curve_1",
                "val_acc_curve_01",
                "val_acc_curve_001",
            ],
        ),
        (
            "part5_schedule.json",
            [
                "name",
                "switch_epochs",
                "val_acc_curve_stage2",
                "val_acc_curve_stage3",
                "test_acc",
                "adam_test_acc",
                "constant_lr_test_acc",
            ],
        ),
    ],
)
def test_result_files_hold_the_homeworks_keys_and_the_meta(result_files, name, keys):
    out, _ = result_files
    result = read_json(out / name)
    assert_equal(sorted(result), sorted(keys + ["meta"]), what=f"{name} keys")
    meta_keys = {
        "config",
        "seeds",
        "run_test_accs",
        "data",
        "device",
        "versions",
        "wall_time_s",
        "steps_per_epoch",
        "record_every",
        "diverged_runs",
        "runs_done",
        "created",
    }
    assert meta_keys <= set(result["meta"]), f"{name} meta lacks {sorted(meta_keys - set(result['meta']))}"
    assert_equal(
        result["meta"]["versions"].keys() >= {"python", "torch", "numpy", "ee449"}, True, what="versions"
    )
    assert_equal(result["meta"]["data"]["synthetic"], True, what="meta.data.synthetic")


def test_curve_lengths_follow_the_recording_rule(result_files):
    out, _ = result_files
    points = 18 // 3  # one epoch of 18 steps, a point every 3
    assert_equal(len(read_json(out / "part3_cnn_3.json")["val_acc_curve"]), points, what="part3 curve")
    assert_equal(len(read_json(out / "part5.json")["loss_curve_001"]), points, what="part5 curve")
    assert_equal(
        len(read_json(out / "part5_schedule.json")["val_acc_curve_stage3"]), 2 * points, what="stage 3"
    )


def test_weights_file_equals_the_best_runs_weights(result_files):
    out, results = result_files
    written = read_json(out / "part3_cnn_3.json")
    runs = results["part3_cnn_3.json"].histories
    best = best_run([r.test_acc for r in runs])
    assert_close(
        np.asarray(written["weights"], dtype=np.float32),
        runs[best].first_layer_weights,
        rtol=0,
        atol=0,
        what="weights as written",
    )
    assert_equal(written["meta"]["best_run"], best, what="meta.best_run")


def test_part5_meta_holds_each_rates_test_accuracy(result_files):
    out, results = result_files
    written = read_json(out / "part5.json")
    expected = {
        f"test_acc_{s}": h.test_acc for s, h in zip(("1", "01", "001"), results["part5.json"].histories)
    }
    assert_equal(written["meta"]["test_acc"], expected, what="meta.test_acc")


def test_schedule_compares_with_the_constant_run_and_adam(result_files):
    out, results = result_files
    written = read_json(out / "part5_schedule.json")
    assert_equal(
        written["constant_lr_test_acc"],
        results["part5.json"].histories[0].test_acc,
        what="constant 0.1 = Part 5's lr 0.1 run",
    )
    assert 1 <= written["switch_epochs"][0] < written["switch_epochs"][1] <= 2
    assert written["meta"]["adam_source"].startswith("one Adam run trained here")


# -- saved runs ---------------------------------------------------------------------------------


def test_a_saved_run_loads_back_equal_including_nan_points(result_files, tmp_path):
    _, results = result_files
    history = dataclasses.replace(results["part5.json"].histories[0])
    history.loss_curve = history.loss_curve[:2] + [math.nan] + history.loss_curve[3:]
    back = history_from_json(read_json(write_result(tmp_path / "h.json", history_to_json(history))))
    for field in dataclasses.fields(history):
        got, want = getattr(back, field.name), getattr(history, field.name)
        if isinstance(want, np.ndarray):
            assert_equal(got.dtype, want.dtype, what="weights dtype")
        assert_close(got, want, rtol=0, atol=0, what=field.name) if not isinstance(
            want, str
        ) else assert_equal(got, want, what=field.name)


def test_run_fingerprint_changes_with_anything_but_the_device():
    config = ex.Part3Config("cnn_4").train_config("cpu")
    data = {"source": "synthetic", "train": 180}
    base = run_fingerprint("cnn_4", config, 0, data)
    assert_equal(
        run_fingerprint("cnn_4", dataclasses.replace(config, device="cuda"), 0, data), base, what="device"
    )
    for changed in (
        ("cnn_5", config, 0, data),
        ("cnn_4", dataclasses.replace(config, lr=0.01), 0, data),
        ("cnn_4", dataclasses.replace(config, epochs=2), 0, data),
        ("cnn_4", config, 1, data),
        ("cnn_4", config, 0, {**data, "train": 181}),
    ):
        assert run_fingerprint(*changed) != base, f"fingerprint ignores a change: {changed[0]}, {changed[2:]}"


def test_store_reuse_false_loads_only_its_own_runs_and_a_damaged_run_is_retrained(result_files, tmp_path):
    _, results = result_files
    history = results["part5.json"].histories[0]
    config = ex.Part5Config("mlp_2", epochs=1, **TINY).train_config(0.1, "cpu")
    RunStore(tmp_path).save("mlp_2", config, 0, {}, history)
    assert RunStore(tmp_path).load("mlp_2", config, 0, {}) is not None
    forced = RunStore(tmp_path, reuse=False)
    assert forced.load("mlp_2", config, 0, {}) is None, "--force reused an old run"
    forced.save("mlp_2", config, 0, {}, history)
    assert forced.load("mlp_2", config, 0, {}) is not None, "--force retrained a run it had just trained"
    path = RunStore(tmp_path).path("mlp_2", config, 0, {})
    path.write_text("{ truncated")
    assert RunStore(tmp_path).load("mlp_2", config, 0, {}) is None


def test_mean_curve_leaves_out_diverged_runs_unless_all_diverged():
    curves = [[1.0, 2.0, 3.0], [3.0, 4.0, 5.0], [math.nan]]
    assert_close(
        mean_curve(curves, [False, False, True]), [2.0, 3.0, 4.0], what="mean without the diverged run"
    )
    assert_close(mean_curve(curves[:2], [True, True]), [2.0, 3.0, 4.0], what="all diverged: mean over all")
    assert_close(best_run([10.0, math.nan, 30.0, 30.0]), 2, what="best run: first of the ties, NaN lowest")


# -- the up-to-date check and atomic writes -----------------------------------------------------


def test_result_status_names_what_differs(result_files, data):
    out, results = result_files
    path = out / "part3_cnn_3.json"
    config = results["part3_cnn_3.json"].config
    described = describe_data(data)
    assert_equal(result_status(path, config, described), "done", what="same config")
    assert_equal(result_status(out / "nothing.json", config, described), "missing", what="absent file")
    changed = result_status(path, ex.override(config, runs=3, lr=0.01), described)
    assert "different config" in changed and "lr, runs" in changed, changed
    assert_equal(
        result_status(path, config, {**described, "train": 1}), "made with different data", what="data"
    )


def test_a_failed_write_leaves_the_old_result_file(result_files, tmp_path):
    out, _ = result_files
    path = tmp_path / "part5.json"
    write_result(path, read_json(out / "part5.json"))
    before = (path.read_bytes(), os.stat(path).st_mtime_ns)
    with pytest.raises(TypeError):
        write_result(path, {"name": "cnn_4", "meta": object()})  # fails while serializing
    assert_equal((path.read_bytes(), os.stat(path).st_mtime_ns), before, what="file after a failed write")
    assert_equal(sorted(p.name for p in tmp_path.iterdir()), ["part5.json"], what="folder (no temp files)")
