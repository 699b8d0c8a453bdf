"""ee449.results.schema: reading and checking result dicts, against files written to disk."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ee449.errors import ResultsError
from ee449.io import write_json
from ee449.results import schema
from tests.helpers.assertions import assert_close, assert_equal


def test_load_result_reads_a_file_and_names_it(tmp_path):
    path = write_json(tmp_path / "part3_cnn_4.json", {"name": "cnn_4", "test_acc": 60.0})
    result, where = schema.load_result(path, "part3")
    assert_equal(result, {"name": "cnn_4", "test_acc": 60.0}, "result")
    assert "cnn_4" in where and "part3_cnn_4.json" in where, where


def test_load_result_rejects_a_file_that_is_not_an_object(tmp_path):
    path = write_json(tmp_path / "part5.json", [1, 2])
    with pytest.raises(ResultsError, match=r"part5\.json holds a list"):
        schema.load_result(path, "part5")


def test_load_result_rejects_other_types():
    with pytest.raises(TypeError, match="dict or a path"):
        schema.load_result(42, "part3")


def test_null_points_become_nan_and_written_nan_reads_back_as_nan(tmp_path):
    path = write_json(tmp_path / "r.json", {"loss_curve": [1.0, float("nan"), 0.5]})  # NaN is written as null
    result, where = schema.load_result(path, "part3")
    assert_close(schema.curve(result, "loss_curve", where), [1.0, math.nan, 0.5], what="curve")


@pytest.mark.parametrize("bad", [[], "abc", [[1.0, 2.0], [3.0, 4.0]], ["a", "b"], None])
def test_curve_rejects_what_is_not_a_flat_list_of_numbers(bad):
    with pytest.raises(ResultsError, match="'loss_curve'"):
        schema.curve({"loss_curve": bad}, "loss_curve", "part3 result 'x'")


@pytest.mark.parametrize("bad", [True, "61.0", None, [61.0]])
def test_number_rejects_non_numbers(bad):
    with pytest.raises(ResultsError, match="'test_acc' must be a number"):
        schema.number({"test_acc": bad}, "test_acc", "part3 result 'x'")


@pytest.mark.parametrize("value", [61, 61.5, np.float32(61.5), np.float64(61.5), np.int64(61)])
def test_number_accepts_python_and_numpy_reals(value):
    assert_close(schema.number({"test_acc": value}, "test_acc", "x"), float(value), what="test_acc")


def test_x_values_in_epochs_and_steps():
    result = {"meta": {"steps_per_epoch": 900, "record_every": 10}}
    assert_close(schema.x_values(result, 3, "epoch"), np.array([10, 20, 30]) / 900, what="epochs")
    assert_close(schema.x_values({}, 3, "step"), [10, 20, 30], what="steps without meta")
    assert_equal(schema.shared_unit([result, {}]), "step", "one result without meta -> steps for all")
    assert_equal(schema.shared_unit([result, result]), "epoch", "all with meta -> epochs")
