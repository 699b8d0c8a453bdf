"""The deduction table: a diagnosed defect costs its price once per architecture, whichever checks it fails."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from ee449.grading.grades import CheckResult
from ee449.grading.judging.deductions import apply_deductions
from ee449.grading.rubric import load_rubric

# The default rubric's prices, read from the file itself (not through the code under test).
TABLE = json.loads(resources.files("ee449.grading").joinpath("default_rubric.json").read_text())["deductions"]
POINTS = {"constructible": 1.0, "output_shape": 3.0, "parameter_count": 2.0, "layers": 4.0}


def arch(key: str, failed: dict[str, list[list[str]]]) -> list[CheckResult]:
    """One architecture's four checks; `failed` maps a check name to its diagnoses."""
    return [
        CheckResult(
            f"arch/{key}/{name}",
            name not in failed,
            0.0 if name in failed else points,
            points,
            "visible",
            "failed" if name in failed else "",
            failed.get(name, []),
        )
        for name, points in POINTS.items()
    ]


def total(checks: list[CheckResult]) -> float:
    return sum(c.points for c in checks)


def test_a_defect_failing_two_checks_costs_its_price_once():
    bias = [["missing_bias", "Your prediction layer (fc3) has no bias."]]
    checks = apply_deductions(arch("mlp_2", {"parameter_count": bias, "layers": bias}), load_rubric())
    assert total(checks) == 10 - TABLE["missing_bias"]["points"]
    assert sum(c.max_points for c in checks) == 10
    assert [c.passed for c in checks] == [True, True, False, False]  # the statuses do not change
    for check in checks[2:]:
        assert "mlp_2 scores 9 / 10" in check.message and "-1 missing_bias" in check.message


def test_two_defects_cost_both_prices_and_the_score_is_floored_at_zero():
    two = [["extra_relu", "an extra ReLU after FC-64"], ["missing_layer", "no second MaxPool"]]
    checks = apply_deductions(arch("cnn_3", {"layers": two, "parameter_count": two[1:]}), load_rubric())
    assert total(checks) == 10 - TABLE["extra_relu"]["points"] - TABLE["missing_layer"]["points"]
    many = [[code, code] for code in TABLE]
    assert total(apply_deductions(arch("cnn_3", {"layers": many}), load_rubric())) == 0


@pytest.mark.parametrize(
    "failed",
    [
        {"layers": [["extra_relu", "x"]], "parameter_count": []},  # a failure no diagnosis explains
        {"layers": [["extra_relu", "x"]], "parameter_count": [["not_priced", "y"]]},
        {"constructible": [], "layers": [["extra_relu", "x"]]},  # no model: the checks' own points
    ],
)
def test_an_unexplained_failure_or_an_unbuilt_model_keeps_the_per_check_points(failed):
    checks = arch("cnn_4", failed)
    assert apply_deductions(checks, load_rubric()) == checks


def test_diagnoses_the_sandbox_reported_are_shown_but_never_priced():
    """A failed check whose diagnoses came from the sandbox (the student's code could have written
    them: a cheap `missing_bias` on a model that is wrong everywhere) keeps its per-check points."""
    bias = [["missing_bias", "Your prediction layer (fc3) has no bias."]]
    checks = arch("mlp_2", {"parameter_count": bias, "layers": bias})
    checks[3].said_by_sandbox = True
    assert apply_deductions(checks, load_rubric()) == checks
    checks[3].said_by_sandbox = False  # the same table prices the grader's own diagnosis
    assert total(apply_deductions(checks, load_rubric())) == 10 - TABLE["missing_bias"]["points"]


def test_a_rubric_without_deductions_and_the_sigmoid_variants_keep_the_per_check_points(tmp_path):
    path = tmp_path / "rubric.json"
    path.write_text(json.dumps({"rules": [{"match": "arch/*", "points": 1}]}))
    bias = [["missing_bias", "b"]]
    checks = arch("mlp_2", {"layers": bias})
    assert apply_deductions(checks, load_rubric(path)) == checks
    free = [
        CheckResult(c.id.replace("mlp_2", "mlp_2_sigmoid"), c.passed, 0.0, 0.0, "visible", "", c.diagnoses)
        for c in checks
    ]
    assert apply_deductions(free, load_rubric()) == free


def test_a_course_can_price_defects_in_its_own_rubric(tmp_path):
    path = tmp_path / "rubric.json"
    path.write_text(
        json.dumps(
            {
                "rules": [
                    {"match": "arch/*/constructible", "points": 1},
                    {"match": "arch/*/output_shape", "points": 3},
                    {"match": "arch/*/parameter_count", "points": 2},
                    {"match": "arch/*/layers", "points": 4},
                ],
                "deductions": {"missing_bias": {"points": 2.5, "reason": "we care about biases"}},
            }
        )
    )
    rubric = load_rubric(path)
    assert rubric.deduction_for("missing_bias").reason == "we care about biases"
    checks = apply_deductions(arch("mlp_2", {"layers": [["missing_bias", "b"]]}), rubric)
    assert total(checks) == 7.5


@pytest.mark.parametrize(
    "deductions",
    [[1], {"missing_bias": 1}, {"missing_bias": {"points": -1}}, {"missing_bias": {"points": 1, "why": "x"}}],
)
def test_a_malformed_deduction_table_is_refused_with_the_bad_entry_named(tmp_path, deductions):
    path = tmp_path / "rubric.json"
    path.write_text(json.dumps({"rules": [{"match": "*", "points": 1}], "deductions": deductions}))
    with pytest.raises(ValueError, match="deduction"):
        load_rubric(path)


def test_every_priced_code_of_the_default_rubric_has_a_reason():
    assert TABLE and all(entry["reason"] and entry["points"] > 0 for entry in TABLE.values())


def test_a_failed_check_worth_nothing_neither_costs_nor_blocks_the_deductions():
    """arch/*/computes scores nothing: a review it asks for leaves the table's price as it was."""
    unused = [["unused_layer", "fc4 is registered and never used"]]
    checks = arch("cnn_4", {"parameter_count": unused})
    review = [["review_computation", "a person should read this model"]]
    checks.append(CheckResult("arch/cnn_4/computes", False, 0.0, 0.0, "visible", "review", review))
    assert total(apply_deductions(checks, load_rubric())) == 10 - TABLE["unused_layer"]["points"]
