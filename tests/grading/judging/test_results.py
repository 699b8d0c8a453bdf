"""The verdicts on the result-file checks (`judging.results`), from records written as the sandbox
writes them; the oracle is the homework's rule for each (keys, curve lengths, units, bands, shapes, signs)."""

from __future__ import annotations

import numpy as np
import pytest

from ee449.grading.judging import judge
from ee449.grading.judging.records import Context, load_record
from ee449.grading.sandboxed.checks.manifest import Manifest
from ee449.spec import PART3_KEYS
from tests.helpers.records import write_record


def test_an_accuracy_curve_of_nan_is_said_as_not_finite_not_as_a_unit_mix(records):

    root, folder = records
    slot = {"slot": "part3_mlp_1", "part": 3, "arch": "mlp_1", "file": "mlp_1.json"}
    context = Context(Manifest.from_json({"result_files": [slot]}), lambda: {}, lambda check_id: None)
    data = {key: [50.0, 60.0] for key in PART3_KEYS if "acc" in key}
    diverged = sorted(data)[0]
    data[diverged] = [float("nan"), float("inf")]
    check_id = "results/part3_mlp_1/accuracy_units"
    write_record(root / "out" / "records", check_id, {"file": "mlp_1.json", "data": data})
    outcome = judge.judge(check_id, "results", load_record(folder, check_id), context)
    assert not outcome.passed
    assert [code for code, _ in outcome.diagnoses] == ["nonfinite_accuracy"], outcome.diagnoses
    assert diverged in outcome.message and "2 of 2" in outcome.message


@pytest.mark.parametrize(("year", "passes"), [(2024, True), (2023, False)])
def test_curve_lengths_are_judged_on_the_graded_editions_training_set(records, year, passes):
    """1,620 points in 15 epochs: Fashion-MNIST's 54,000 training images (2024), no CIFAR-10 run's."""

    root, folder = records
    slot = {"slot": "part3_mlp_1", "part": 3, "arch": "mlp_1", "file": "mlp_1.json"}
    context = Context(
        Manifest.from_json({"result_files": [slot], "homework": year}), lambda: {}, lambda check_id: None
    )
    data = {key: [0.5] * 1620 for key in PART3_KEYS if "curve" in key}
    check_id = "results/part3_mlp_1/curve_lengths"
    write_record(root / "out" / "records", check_id, {"file": "mlp_1.json", "data": data})
    outcome = judge.judge(check_id, "results", load_record(folder, check_id), context)
    assert outcome.passed == passes, outcome.message
    assert (
        ("54,000" in outcome.message)
        if passes
        else ("40,000" not in outcome.message and "1620" in outcome.message)
    )


def _result_outcome(records, check: str, data: dict, references: dict | None = None, part: int = 3):
    root, folder = records
    slot = (
        {"slot": "part3_mlp_1", "part": 3, "arch": "mlp_1", "file": "mlp_1.json"}
        if part == 3
        else {"slot": "part4_mlp_1", "part": 4, "arch": "mlp_1", "file": "mlp_1.pkl"}
    )
    context = Context(
        Manifest.from_json({"result_files": [slot]}), lambda: references or {}, lambda check_id: None
    )
    check_id = f"results/{slot['slot']}/{check}"
    write_record(root / "out" / "records", check_id, {"file": slot["file"], "data": data})
    return judge.judge(check_id, "results", load_record(folder, check_id), context)


@pytest.mark.parametrize(("test_acc", "passes"), [(45.0, True), (0.45, True), (3.0, False), (99.5, False)])
def test_a_test_accuracy_outside_the_plausible_band_fails_in_either_unit(records, test_acc, passes):
    """The band for an MLP on CIFAR-10 (rules.bands) holds 45% whether written 45.0 or 0.45."""
    outcome = _result_outcome(records, "test_accuracy_band", {"name": "mlp_1", "test_acc": test_acc})
    assert outcome.passed == passes, outcome.message
    assert passes or ("outside the plausible band" in outcome.message and str(test_acc) in outcome.message)


@pytest.mark.parametrize(
    ("shape", "passes"), [((32, 1024), True), ((1024, 32), False), ((32, 32, 32), False)]
)
def test_first_layer_weights_must_have_the_reference_layout(records, shape, passes):
    """A transposed (NumPy-style, in x out) first layer is not the PyTorch layout the homework plots."""
    weights = np.zeros(shape).tolist()
    references = {"mlp_1": {"first_weight_shape": [32, 1024]}}  # nn.Linear(1024, 32).weight: out x in
    outcome = _result_outcome(records, "weights_shape", {"weights": weights}, references)
    assert outcome.passed == passes, outcome.message
    assert passes or f"weights has shape {shape}" in outcome.message


@pytest.mark.parametrize(
    ("curve", "passes"),
    [([0.3, 0.2, 0.1], True), ([0.3, -0.2, 0.1], False), ([0.3, float("nan"), 0.1], False)],
    ids=["norms", "negative", "nan"],
)
def test_gradient_magnitudes_that_are_negative_or_not_finite_fail_with_the_norms_definition(
    records, curve, passes
):
    data = {"relu_grad_curve": curve, "sigmoid_grad_curve": [0.01, 0.01, 0.01]}
    outcome = _result_outcome(records, "gradients_nonnegative", data, part=4)
    assert outcome.passed == passes, outcome.message
    if not passes:
        assert [code for code, _ in outcome.diagnoses] == ["negative_gradient"]
        assert "relu_grad_curve has" in outcome.message


def test_a_file_without_the_homeworks_keys_fails_naming_what_it_lacks_and_holds(records):
    data = {key: [1.0] for key in PART3_KEYS if key != "test_acc"} | {"testacc": 0.4}
    outcome = _result_outcome(records, "keys", data)
    assert not outcome.passed
    assert "lacks the keys ['test_acc']" in outcome.message and "['testacc']" in outcome.message
    assert _result_outcome(records, "keys", {key: [1.0] for key in PART3_KEYS}).passed


@pytest.mark.parametrize(("check", "key"), [("test_accuracy_band", "test_acc"), ("weights_shape", "weights")])
def test_a_check_whose_key_is_missing_fails_pointing_at_the_keys_check(records, check, key):
    outcome = _result_outcome(records, check, {"name": "mlp_1"})
    assert (
        not outcome.passed and outcome.message == f"mlp_1.json has no {key!r} (see results/part3_mlp_1/keys)"
    )


def test_a_result_file_ee449_wrote_fails_every_check_as_not_the_students(records):
    meta = {"config": {}, "seeds": [0], "runs_done": 1, "record_every": 10}
    data = {key: [50.0] for key in PART3_KEYS} | {"meta": meta}
    outcome = _result_outcome(records, "keys", data)
    assert not outcome.passed and [code for code, _ in outcome.diagnoses] == ["ee449_result"]


def test_an_unknown_result_check_is_a_malformed_record_not_a_crash(records):
    outcome = _result_outcome(records, "made_up", {"test_acc": 0.4})
    assert not outcome.passed and "unknown result check made_up" in outcome.message
