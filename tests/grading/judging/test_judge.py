"""The grader's side of the checks: records are read safely and judged against independent references."""

from __future__ import annotations

import json
import os
from dataclasses import replace

import numpy as np
import torch

from ee449.grading.judging import judge
from ee449.grading.judging.conv import CASES
from ee449.grading.judging.diagnose import _cross_correlate
from ee449.grading.judging.judge import verdicts
from ee449.grading.judging.records import Context, load_record, record_name
from ee449.grading.sandbox.output_folder import OutputFolder
from ee449.grading.sandbox.progress_log import Outcome
from ee449.grading.sandboxed.checks.manifest import Manifest
from tests.helpers.records import write_record


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
    write_record(root / "out" / "records", check, {}, {"out": _cross_correlate(x, kernel)})
    assert judge.judge(check, "my_conv2d", load_record(folder, check), context).passed
    write_record(root / "out" / "records", check, {}, {"out": np.zeros_like(_cross_correlate(x, kernel))})
    assert not judge.judge(check, "my_conv2d", load_record(folder, check), context).passed


def test_records_that_are_not_plain_data_are_refused(records):
    root, folder = records
    out = root / "out" / "records"
    write_record(
        out, "conv/output_shape", {}, {"out": np.array([object()], dtype=object)}
    )  # a pickle inside the .npy
    assert load_record(folder, "conv/output_shape") is None
    write_record(out, "conv/inputs_unmodified", {"x": 1})
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
    write_record(root / "out" / "records", "arch/mlp_1/parameter_count", {"count": "33130", "how": ""})
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
    write_record(root / "out" / "records", check, {}, {"out_0": right[0], "out_1": right[1]})
    assert judge.judge(check, "my_conv2d", load_record(folder, check), context).passed
    write_record(root / "out" / "records", check, {}, {"out_0": right[0], "out_1": right[1] + 1.0})
    outcome = judge.judge(check, "my_conv2d", load_record(folder, check), context)
    assert not outcome.passed and "samples_1.npy" in outcome.message, outcome.message
    for path in course.glob("samples_*.npy"):
        path.unlink()
    outcome = judge.judge(check, "my_conv2d", load_record(folder, check), context)
    assert not outcome.passed and "no samples_*.npy" in outcome.message
