"""Part 1 of 2024 / 2025 graded by behaviour on our own realistic students' XOR classes (fixtures/xor):
what the sandbox measures (`xor_behaviour`), round-tripped through JSON as a record is, and the
grader's verdict on it (`judging.xor`). Each correct form passes, each known defect is named.
The oracle for each fixture is its TA reading (the comment at its top)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from ee449.grading.judging.records import Malformed, Record
from ee449.grading.judging.xor import xor_verdict
from ee449.grading.sandboxed.xor_behaviour import MEASURES, measure_derivatives

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "xor"
CORRECT = ["correct_skeleton", "folded_bias_tanh_mean", "linear_output_relu"]
DEFECTS = {
    "defect_preactivation_derivative": "preactivation_derivative",
    "defect_hidden_from_output_error": "hidden_from_output_error",
    "defect_sign": "sign",
}


def student_class(name: str, folder: Path = FIXTURES):
    spec = importlib.util.spec_from_file_location(f"xor_{name}", folder / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.MLP


def judged(check: str, cls) -> tuple[bool, str, list[str]]:
    """(passed, message, diagnosis codes): measured as the sandbox does, judged as the grader does."""
    record = Record(json.loads(json.dumps(MEASURES[check](cls), allow_nan=False)))
    passed, message, diagnoses = xor_verdict(check, record)
    return passed, message, [d.code for d in diagnoses]


@pytest.mark.parametrize("name", CORRECT)
def test_correct_classes_of_every_form_pass_forward_descent_and_derivatives(name):
    cls = student_class(name)
    for check in ("forward", "descent", "derivatives"):
        passed, message, _ = judged(check, cls)
        assert passed, (check, message)
    assert measure_derivatives(cls)["found"], "each fixture has at least one derivative to check"


@pytest.mark.parametrize(("name", "defect"), list(DEFECTS.items()))
def test_each_known_defect_is_named_by_the_descent_check(name, defect):
    passed, message, codes = judged("descent", student_class(name))
    assert not passed and codes == [defect], message
    assert judged("forward", student_class(name))[0]  # the forward pass itself is right


def test_a_wrong_derivative_is_caught_whichever_argument_convention(tmp_path):
    source = (
        (FIXTURES / "correct_skeleton.py").read_text().replace("return x * (1 - x)", "return x * (1 + x)")
    )
    (tmp_path / "bad.py").write_text(source)
    passed, message, _ = judged("derivatives", student_class("bad", tmp_path))
    assert not passed and "s(x) * (1 - s(x))" in message


def test_forward_with_the_wrong_output_shape_fails_naming_it():
    class Flat:
        def __init__(self, *sizes):
            pass

        def forward(self, inputs):
            return inputs  # two numbers per point

    passed, message, _ = judged("forward", Flat)
    assert not passed and "returned shape [5, 2]" in message


def test_a_class_that_raises_is_failed_with_the_error_in_every_check():
    class Broken:
        def __init__(self, *sizes):
            raise RuntimeError("unfinished skeleton")

    for check in ("forward", "descent", "derivatives"):
        passed, message, _ = judged(check, Broken)
        assert not passed and "RuntimeError: unfinished skeleton" in message, (check, message)


@pytest.mark.parametrize(
    ("check", "values"),
    [
        ("forward", {"shape": "5 x 1"}),
        ("descent", {"rate": 1e-3, "before": "low", "after": 1.0}),
        ("descent", {"rate": 1e-3, "before": 2.0, "after": 1.0, "cosines": [["forged", 1.0]]}),
        ("derivatives", {"found": {"softplus": {"as_input": 0.0, "as_output": 0.0}}}),
        ("training", {"epochs": 10000, "samples": 1000, "trained": [[1e-3, 150.0]]}),
        ("training", {"epochs": 10000, "samples": 1000, "trained": [[1e-3, None]]}),
        ("training", {"epochs": 10000, "samples": 1000, "trained": []}),
    ],
)
def test_a_record_that_is_not_what_the_sandbox_writes_is_refused(check, values):
    with pytest.raises(Malformed):
        xor_verdict(check, Record(values))


def test_a_diverged_step_is_a_failed_descent_not_a_pass():
    """NaN after the step arrives as None (`xor_behaviour._number`): it never counts as lower."""
    passed, message, _ = xor_verdict("descent", Record({"rate": 1e-3, "before": 2.0, "after": None}))
    assert not passed and "raised the squared error" in message


@pytest.mark.slow
@pytest.mark.parametrize("name", CORRECT)
def test_training_as_the_homework_sets_it_separates_xor_for_every_correct_form(name):
    passed, message, _ = judged("training", student_class(name))
    assert passed, message
    notes = {
        "folded_bias_tanh_mean": "averages the error",
        "linear_output_relu": "larger than the skeleton's",
    }
    assert (notes[name] in message) if name in notes else message.startswith("validation accuracy"), message


@pytest.mark.slow
def test_training_with_the_sign_error_does_not_separate_xor():
    passed, message, _ = judged("training", student_class("defect_sign"))
    assert not passed and "expected above 90%" in message
