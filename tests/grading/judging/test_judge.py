"""The grader's side of the checks: records are read safely and judged against independent references."""

from __future__ import annotations

import json
import os
from dataclasses import replace

import numpy as np
import pytest
import torch

from ee449.grading.judging import judge
from ee449.grading.judging.conv import CASES
from ee449.grading.judging.diagnose import _cross_correlate
from ee449.grading.judging.judge import verdicts
from ee449.grading.judging.records import Context, load_record, record_name
from ee449.grading.sandbox.output_folder import OutputFolder
from ee449.grading.sandbox.progress_log import Outcome
from ee449.grading.sandboxed.checks.manifest import Manifest
from ee449.spec import PART3_KEYS


def _write(folder, check_id: str, values: dict, arrays: dict | None = None) -> None:
    stem = record_name(check_id)
    for name, array in (arrays or {}).items():
        np.save(folder / f"{stem}.{name}.npy", array, allow_pickle=True)
        values[name] = {"__npy__": True}
    (folder / f"{stem}.json").write_text(json.dumps({"id": check_id, "values": values}))


@pytest.fixture
def records(tmp_path):
    (tmp_path / "out" / "records").mkdir(parents=True)
    return tmp_path, OutputFolder(tmp_path, "out", "records")


def test_the_numpy_reference_equals_torch_conv2d_on_every_drawn_case():
    for x, kernel in CASES.values():
        want = torch.nn.functional.conv2d(
            torch.from_numpy(x.astype(np.float64)), torch.from_numpy(kernel)
        ).numpy()
        np.testing.assert_allclose(_cross_correlate(x, kernel), want, rtol=1e-12, atol=1e-10)


def test_a_right_answer_passes_and_zeros_fail(records):
    root, folder = records
    x, kernel = CASES["multichannel"]
    check = "conv/matches_reference[multichannel]"
    context = Context(Manifest.from_json({}), lambda: {})
    _write(root / "out" / "records", check, {}, {"out": _cross_correlate(x, kernel)})
    assert judge.judge(check, "my_conv2d", load_record(folder, check), context).passed
    _write(root / "out" / "records", check, {}, {"out": np.zeros_like(_cross_correlate(x, kernel))})
    assert not judge.judge(check, "my_conv2d", load_record(folder, check), context).passed


def test_records_that_are_not_plain_data_are_refused(records):
    root, folder = records
    out = root / "out" / "records"
    _write(
        out, "conv/output_shape", {}, {"out": np.array([object()], dtype=object)}
    )  # a pickle inside the .npy
    assert load_record(folder, "conv/output_shape") is None
    _write(out, "conv/inputs_unmodified", {"x": 1})
    assert load_record(folder, "conv/output_shape[other]") is None  # no record of that id
    stem = record_name("arch/cnn_3/layers")
    (out / f"{stem}.json").write_text(json.dumps({"id": "arch/cnn_3/constructible", "values": {}}))
    assert load_record(folder, "arch/cnn_3/layers") is None  # a record claiming another check's id


def test_links_planted_in_the_output_folder_are_never_followed(records, tmp_path):
    root, folder = records
    secret = tmp_path / "secret.json"
    secret.write_text(json.dumps({"id": "conv/output_shape", "values": {}}))
    os.symlink(secret, root / "out" / "records" / f"{record_name('conv/output_shape')}.json")
    assert load_record(folder, "conv/output_shape") is None
    (root / "out" / "records").rename(root / "out" / "moved")
    os.symlink(root / "out" / "moved", root / "out" / "records")  # the folder itself replaced by a link
    assert folder.read(f"{record_name('conv/output_shape')}.json", 1000) is None


def test_a_malformed_record_fails_its_check_with_a_reason(records):
    root, folder = records
    _write(root / "out" / "records", "arch/mlp_1/parameter_count", {"count": "33130", "how": ""})
    outcome = judge.judge(
        "arch/mlp_1/parameter_count",
        "mlp_1",
        load_record(folder, "arch/mlp_1/parameter_count"),
        Context(Manifest.from_json({}), lambda: {"mlp_1": {"count": 33130, "layers": []}}),
    )
    assert not outcome.passed and "malformed" in outcome.message


def test_the_check_list_comes_from_the_manifest():
    manifest = Manifest.from_json(
        {
            "arch_keys": ["mlp_1"],
            "course_data": None,
            "result_files": [{"slot": "part4_cnn_3", "part": 4, "arch": "cnn_3", "file": None}],
        }
    )
    ids = [i for i, _ in judge.expected_checks(manifest)]
    assert ids[:6] == [
        "conv/output_shape",
        *(f"conv/matches_reference[{c}]" for c in CASES),
        "conv/inputs_unmodified",
    ]
    assert "arch/mlp_1/layers" in ids and "results/part4_cnn_3/gradients_nonnegative" in ids
    assert "conv/course_samples" not in ids and not any("accuracy_units" in i for i in ids)
    # The probe's check exists where the grading drew a seed for it: not in a grading kept from before.
    assert "arch/mlp_1/computes" not in ids
    assert "arch/mlp_1/computes" in [i for i, _ in judge.expected_checks(replace(manifest, probe_seed=7))]


def test_a_failure_the_sandbox_reported_keeps_its_words_but_not_a_price(records):

    root, _ = records
    forged = [["missing_bias", "a cheap defect the student's code claimed for itself"]]
    said = [Outcome("arch/mlp_1/layers", "mlp_1", False, "boom", forged)]
    outcome = next(
        o
        for o in verdicts(OutputFolder(root, "out", "records"), Manifest(arch_keys=("mlp_1",)), said)
        if o.id == "arch/mlp_1/layers"
    )
    assert not outcome.passed and outcome.diagnoses == forged and outcome.said_by_sandbox


def test_a_model_taken_from_ee449_fails_every_check_with_the_graders_own_sentence(records):

    root, _ = records
    why = "your mlp_1 imports ee449.models (hw1.py, line 3): ee449 is the grader's reference"
    forged = [Outcome(f"arch/mlp_1/{c}", "mlp_1", True) for c in ("constructible", "layers")]
    manifest = Manifest(arch_keys=("mlp_1",), refused={"mlp_1": why})
    mine = [
        o for o in verdicts(OutputFolder(root, "out", "records"), manifest, forged) if o.target == "mlp_1"
    ]
    assert {o.id for o in mine} == {i for i, target in judge.expected_checks(manifest) if target == "mlp_1"}
    for outcome in mine:
        assert not outcome.passed and outcome.diagnoses == [["reference_code", why]]
        assert not outcome.said_by_sandbox


def test_an_accuracy_curve_of_nan_is_said_as_not_finite_not_as_a_unit_mix(records):

    root, folder = records
    slot = {"slot": "part3_mlp_1", "part": 3, "arch": "mlp_1", "file": "mlp_1.json"}
    context = Context(Manifest.from_json({"result_files": [slot]}), lambda: {}, lambda check_id: None)
    data = {key: [50.0, 60.0] for key in PART3_KEYS if "acc" in key}
    diverged = sorted(data)[0]
    data[diverged] = [float("nan"), float("inf")]
    check_id = "results/part3_mlp_1/accuracy_units"
    _write(root / "out" / "records", check_id, {"file": "mlp_1.json", "data": data})
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
    _write(root / "out" / "records", check_id, {"file": "mlp_1.json", "data": data})
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
    _write(root / "out" / "records", check_id, {"file": slot["file"], "data": data})
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


def test_the_course_samples_check_names_the_first_sample_that_differs(records, tmp_path):
    """Sample files of our own (the course's are third-party): torch's conv2d is the oracle of the outputs."""
    root, folder = records
    course = tmp_path / "course"
    course.mkdir()
    rng = np.random.default_rng(449)
    kernel = rng.normal(size=(4, 1, 3, 3))
    samples = [rng.integers(0, 255, size=(2, 1, 8, 8)).astype(np.uint8) for _ in range(2)]
    np.save(course / "kernel.npy", kernel)
    for index, sample in enumerate(samples):
        np.save(course / f"samples_{index}.npy", sample)
    right = [
        torch.nn.functional.conv2d(torch.from_numpy(s.astype(np.float64)), torch.from_numpy(kernel)).numpy()
        for s in samples
    ]
    context = Context(Manifest.from_json({"course_data": str(course)}), lambda: {})
    check = "conv/course_samples"
    _write(root / "out" / "records", check, {}, {"out_0": right[0], "out_1": right[1]})
    assert judge.judge(check, "my_conv2d", load_record(folder, check), context).passed
    _write(root / "out" / "records", check, {}, {"out_0": right[0], "out_1": right[1] + 1.0})
    outcome = judge.judge(check, "my_conv2d", load_record(folder, check), context)
    assert not outcome.passed and "samples_1.npy" in outcome.message, outcome.message
    for path in course.glob("samples_*.npy"):
        path.unlink()
    outcome = judge.judge(check, "my_conv2d", load_record(folder, check), context)
    assert not outcome.passed and "no samples_*.npy" in outcome.message
