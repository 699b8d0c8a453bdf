"""graded.json: a grading stored and read back whole, re-scored by a rubric, with a TA's overrides."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from ee449.grading.grades import CheckResult, GradeResult
from ee449.grading.intake.pdf.code import PdfCode
from ee449.grading.output.graded import Override, from_json, read_overrides, rescore, to_json
from ee449.grading.output.report import summary
from ee449.grading.rubric import load_rubric
from ee449.grading.sandbox.isolation import Isolation


def _result() -> GradeResult:
    return GradeResult(
        "ada",
        [
            CheckResult("conv/output_shape", True, 2.0, 2.0, "visible", "", [], 0.1),
            CheckResult(
                "arch/mlp_1/layers",
                False,
                0.0,
                4.0,
                "visible",
                "extra ReLU",
                [["extra_relu", "An extra ReLU."]],
                0.3,
            ),
            CheckResult("results/part5/keys", True, 0.0, 0.0, "visible"),
        ],
        5.5,
        ["read: hw1.py"],
        Isolation("fence", "no bwrap"),
        [PdfCode("r.pdf", "~from_pdf/r_from_pdf.py", "x = 1\n", (2, 3), 1, ("page 3: ??",), ("table",), "")],
        {"my_conv2d": "def my_conv2d(x, k):\n    return x\n"},
    )


def test_a_grading_survives_the_round_trip_through_json_whole():
    result = _result()
    data = json.loads(json.dumps(to_json(result, {"path": "/x"}, "Ada")))
    assert from_json(data) == result and data["name"] == "Ada"


def test_another_layout_is_refused_not_misread():
    with pytest.raises(ValueError, match="format"):
        from_json({"format": 99})


def test_rescoring_gives_passed_checks_the_new_rubrics_points_and_failed_ones_the_deduction_table():
    rescored = rescore(_result(), load_rubric("with-results"))
    default = load_rubric()
    points = {c.id: (c.points, c.max_points) for c in rescored.checks}
    assert points["results/part5/keys"] == (1, 1)  # passed: now scored
    # failed, but its only failure is a defect the table prices: the architecture loses that price once
    most = default.rule_for("arch/mlp_1/layers").points
    price = default.deduction_for("extra_relu")
    assert price is not None and points["arch/mlp_1/layers"] == (most - price.points, most)
    assert sum("by the rubric's deductions" in line for line in rescored.checks[1].message.splitlines()) == 1
    again = rescore(rescored, default)
    assert again.checks[2].points == 0 and again.checks[1].message == rescored.checks[1].message  # no pile-up
    unpriced = replace(_result(), checks=[replace(c, diagnoses=[]) for c in _result().checks])
    assert {c.id: c.points for c in rescore(unpriced, default).checks}["arch/mlp_1/layers"] == 0


def test_an_override_sets_one_checks_points_and_says_why_where_the_student_reads_it():
    override = Override(
        "ada", "arch/mlp_1/layers", 3.0, "the extra ReLU is after the output: agreed in office hours"
    )
    result = rescore(
        _result(), load_rubric(), [override, Override("bob", "conv/output_shape", 0, "other student")]
    )
    check = next(c for c in result.checks if c.id == "arch/mlp_1/layers")
    assert check.points == 3.0 and check.message.startswith("TA override: 3 / 4 points (the extra ReLU")
    assert "extra ReLU" in check.message.splitlines()[1]  # the grader's message stays
    assert any(n.startswith("override arch/mlp_1/layers: 3 / 4") for n in result.notes)
    assert "FAIL arch/mlp_1/layers (3 / 4)" in summary(result)  # the TA's points, not a fixed 0
    again = rescore(_result(), load_rubric(), [override])
    assert again.checks[1].message.count("TA override") == 1


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (Override("ada", "arch/nope/layers", 1, "x"), "no check 'arch/nope/layers'"),
        (Override("ada", "arch/mlp_1/layers", 5, "x"), "outside 0 to 4"),
    ],
)
def test_an_override_naming_no_check_or_beyond_the_maximum_is_refused(override, message):
    with pytest.raises(ValueError, match=message):
        rescore(_result(), load_rubric(), [override])


def test_the_override_file_needs_every_column_and_numbers(tmp_path):
    path = tmp_path / "o.csv"
    path.write_text("student,check,points,reason\nada,conv/output_shape,1.5,late fix allowed\n")
    assert read_overrides(path) == [Override("ada", "conv/output_shape", 1.5, "late fix allowed")]
    path.write_text("student,check,points,reason\nada,conv/output_shape,lots,x\n")
    with pytest.raises(ValueError, match="'lots' is not a number"):
        read_overrides(path)
    path.write_text("student,check,points\nada,conv/output_shape,1\n")
    with pytest.raises(ValueError, match="needs the columns"):
        read_overrides(path)
