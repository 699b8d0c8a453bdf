"""A result file's body checked against its meta: a broken body is never 'up to date'."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Callable

import pytest

from ee449.results import result_status, write_result
from ee449.results.checks import body_problems, part_of, value_problems

CONFIG = {
    "arch": "mlp_1",
    "epochs": 2,
    "runs": 2,
    "batch_size": 50,
    "lr": 0.001,
    "record_every": 10,
    "seed": 0,
}
DATA = {"source": "synthetic (seed 0)", "train": 2700, "val": 300, "test": 500}
POINTS = 2 * 54 // 10  # epochs x steps per epoch // record_every


def part3(points: int = POINTS) -> dict[str, Any]:
    return {
        "name": "mlp_1",
        "loss_curve": [2.0 - 0.1 * i for i in range(points)],
        "train_acc_curve": [20.0 + i for i in range(points)],
        "val_acc_curve": [15.0 + i for i in range(points)],
        "test_acc": 31.5,
        "weights": [[0.0] * 4] * 2,
        "meta": {
            "config": CONFIG,
            "data": DATA,
            "steps_per_epoch": 54,
            "record_every": 10,
            "diverged_runs": [],
        },
    }


def test_an_intact_file_is_up_to_date(tmp_path):
    write_result(tmp_path / "part3_mlp_1.json", part3())
    assert result_status(tmp_path / "part3_mlp_1.json", CONFIG, DATA) == "done"


BREAKS: dict[str, Callable[[dict], None]] = {
    "a curve that is a string": lambda r: r.update(loss_curve="oops"),
    "a missing key": lambda r: r.pop("val_acc_curve"),
    "unequal curves": lambda r: r.update(val_acc_curve=r["val_acc_curve"][:-1]),
    "curves cut to 7 points": lambda r: r.update(
        {k: r[k][:7] for k in ("loss_curve", "train_acc_curve", "val_acc_curve")}
    ),
    "test_acc a string": lambda r: r.update(test_acc="99.5"),
    "a point that is a string": lambda r: r["loss_curve"].__setitem__(3, "x"),
    "test_acc 150%": lambda r: r.update(test_acc=150.0),
    "a NaN literal": lambda r: r["val_acc_curve"].__setitem__(1, math.nan),
}


@pytest.mark.parametrize("damage", BREAKS.values(), ids=BREAKS.keys())
def test_a_broken_body_with_intact_meta_is_broken_not_up_to_date(tmp_path, damage):
    result = part3()
    damage(result)
    path = tmp_path / "part3_mlp_1.json"
    path.write_text(json.dumps(result))  # NaN as a literal, as another writer would
    status = result_status(path, CONFIG, DATA)
    assert status.startswith("broken: "), status


def test_a_diverged_run_may_leave_shorter_curves():
    result = part3(points=7)
    result["meta"]["diverged_runs"] = [0, 1]
    assert body_problems(result, "part3") == []
    assert body_problems(part3(points=7), "part3") != []


@pytest.mark.parametrize(
    "key, value, says",
    [
        ("test_acc", 150.0, "outside 0-100%"),
        ("test_acc", -50.0, "outside 0-100%"),
        ("test_acc", 1e300, "outside"),
        ("test_acc", math.nan, "nan literal"),
        ("test_acc", math.inf, "inf literal"),
    ],
)
def test_impossible_values_are_named(key, value, says):
    result = part3()
    result[key] = value
    problems = value_problems(result, "part3")
    assert len(problems) == 1 and key in problems[0] and says in problems[0], problems


def test_impossible_curve_points_are_named_with_their_index():
    result = part3()
    result["val_acc_curve"][5] = 120.0
    result["loss_curve"][2] = -0.5
    assert value_problems(result, "part3") == [
        "loss_curve[2]: -0.5 is negative",
        "val_acc_curve[5]: 120% is outside 0-100%",
    ]
    assert value_problems(part3(), "part3") == []


def test_part_of_reads_the_file_name():
    assert [
        part_of(Path(n))
        for n in ("part3_cnn_4.json", "part4_mlp_1.json", "part5.json", "part5_schedule.json", "report.json")
    ] == ["part3", "part4", "part5", "part5_schedule", None]
