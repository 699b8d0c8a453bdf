"""ee449.report.load: the numbers the report prints, recomputed here in plain Python."""

from __future__ import annotations

import math

from hypothesis import given

from ee449.report.load import final_value, load_folder, run_spread
from ee449.results import schema
from tests.helpers.assertions import assert_close, assert_equal
from tests.helpers.fake_results import CNNS, MLPS, write_results_folder
from tests.helpers.strategies import RecordedCurve, recorded_curves


def _result(case: RecordedCurve) -> dict:
    return {
        "name": "x",
        "val_acc_curve": case.values,
        "meta": {"steps_per_epoch": case.steps_per_epoch, "record_every": case.record_every},
    }


@given(recorded_curves())
def test_final_value_is_the_mean_of_the_last_epochs_finite_points(case):
    per_epoch = case.steps_per_epoch // case.record_every
    tail = [v for v in case.values[-per_epoch:] if v is not None]
    expected = sum(tail) / len(tail) if tail else math.nan
    assert_close(final_value(_result(case), "val_acc_curve"), expected, rtol=1e-12, what="final value")


@given(recorded_curves())
def test_null_points_become_nan_in_place_and_x_ends_at_the_last_recorded_step(case):
    result = _result(case)
    values = schema.curve(result, "val_acc_curve", "x")
    assert_equal(
        [i for i, v in enumerate(values) if math.isnan(v)],
        [i for i, v in enumerate(case.values) if v is None],
        "NaN positions",
    )
    x = schema.x_values(result, len(case.values), "epoch")
    assert_close(
        x[-1], len(case.values) * case.record_every / case.steps_per_epoch, rtol=1e-12, what="last x"
    )


def test_run_spread_is_nan_without_per_run_accuracies():
    assert all(math.isnan(v) for v in run_spread({"name": "x"}).values())


def test_load_folder_orders_architectures_as_the_homework(tmp_path):
    write_results_folder(tmp_path, parts=("part3", "part4"))
    results = load_folder(tmp_path)
    assert_equal([r["name"] for r in results.part3], list(MLPS + CNNS), "Part 3 order")
    assert_equal([r["name"] for r in results.part4], list(MLPS + CNNS), "Part 4 order")
    assert_equal(results.problems, [], "no problems")
