"""ee449.grading.xor_behaviour on our own realistic students' XOR classes (fixtures/xor): each form graded alike,
each known defect named. The oracle for each fixture is its TA reading (the comment at its top)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from ee449.grading.xor_behaviour import check_derivatives, check_descent, check_forward, check_training

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "xor"
CORRECT = ["correct_skeleton", "folded_bias_tanh_mean", "linear_output_relu"]
DEFECTS = {
    "defect_preactivation_derivative": "preactivation_derivative",
    "defect_hidden_from_output_error": "hidden_from_output_error",
    "defect_sign": "sign",
}


def student_class(name: str):
    spec = importlib.util.spec_from_file_location(f"xor_{name}", FIXTURES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.MLP


@pytest.mark.parametrize("name", CORRECT)
def test_correct_classes_of_every_form_pass_forward_descent_and_derivatives(name):
    cls = student_class(name)
    findings = [check_forward(cls), check_descent(cls), *check_derivatives(cls)]
    assert all(f.passed for f in findings), [f for f in findings if not f.passed]
    assert len(findings) >= 3  # each fixture has at least one derivative to check


@pytest.mark.parametrize(("name", "defect"), list(DEFECTS.items()))
def test_each_known_defect_is_named_by_the_descent_check(name, defect):
    finding = check_descent(student_class(name))
    assert not finding.passed and finding.defect == defect, finding
    assert check_forward(student_class(name)).passed  # the forward pass itself is right


def test_a_wrong_derivative_is_caught_whichever_argument_convention(tmp_path):
    source = (
        (FIXTURES / "correct_skeleton.py").read_text().replace("return x * (1 - x)", "return x * (1 + x)")
    )
    (tmp_path / "bad.py").write_text(source)
    spec = importlib.util.spec_from_file_location("xor_bad", tmp_path / "bad.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    (finding,) = check_derivatives(module.MLP)
    assert not finding.passed and "s(x) * (1 - s(x))" in finding.message


def test_forward_with_the_wrong_output_shape_fails_naming_it():
    class Flat:
        def __init__(self, *sizes):
            pass

        def forward(self, inputs):
            return inputs  # two numbers per point

    finding = check_forward(Flat)
    assert not finding.passed and "returned shape [5, 2]" in finding.message


@pytest.mark.slow
@pytest.mark.parametrize("name", CORRECT)
def test_training_as_the_homework_sets_it_separates_xor_for_every_correct_form(name):
    finding = check_training(student_class(name))
    assert finding.passed, finding
    notes = {"folded_bias_tanh_mean": "averaged_error", "linear_output_relu": "unstable_rate"}
    assert finding.defect == notes.get(name, ""), finding


@pytest.mark.slow
def test_training_with_the_sign_error_does_not_separate_xor():
    assert not check_training(student_class("defect_sign")).passed
