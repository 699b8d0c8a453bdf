"""Diagnoses recognise each known defect from evidence built with PyTorch, the oracle."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import assume, given

from ee449.grading.judging.diagnose import (
    accuracy_unit,
    diagnose_batch,
    diagnose_conv,
    diagnose_layers,
    diagnose_units,
)
from ee449.grading.sandboxed.layers import trace_layers
from ee449.models import build, describe_layers
from tests.helpers.strategies import conv_cases


def torch_conv(x: np.ndarray, k: np.ndarray, padding: int | str = 0) -> np.ndarray:
    return torch.nn.functional.conv2d(
        torch.from_numpy(x.astype(np.float64)), torch.from_numpy(k.astype(np.float64)), padding=padding
    ).numpy()


def codes(found) -> list[str]:
    return [d.code for d in found]


@given(conv_cases(dtypes=("float64",)))
def test_a_correct_conv_output_gets_no_diagnosis(case):
    assert diagnose_conv(torch_conv(case.x, case.w), case.x, case.w) == []


@given(conv_cases(dtypes=("float64",)))
def test_a_flipped_kernel_is_recognised_whenever_flipping_changes_the_output(case):
    flipped = torch_conv(case.x, np.ascontiguousarray(case.w[:, :, ::-1, ::-1]))
    assume(not np.allclose(flipped, torch_conv(case.x, case.w), atol=1e-3))
    assert codes(diagnose_conv(flipped, case.x, case.w)) == ["flipped_kernel"]


@given(conv_cases(dtypes=("float64",)))
def test_a_zero_last_row_or_column_is_recognised(case):
    ref = torch_conv(case.x, case.w)
    assume(ref.shape[2] >= 2 and ref.shape[3] >= 2)
    assume(np.all(np.abs(ref[:, :, -1, :-1]) > 1e-3) and np.all(np.abs(ref[:, :, :-1, -1]) > 1e-3))
    row, column = ref.copy(), ref.copy()
    row[:, :, -1, :] = 0
    column[:, :, :, -1] = 0
    assert codes(diagnose_conv(row, case.x, case.w)) == ["zero_last_row"]
    assert codes(diagnose_conv(column, case.x, case.w)) == ["zero_last_column"]


def test_same_padding_and_a_short_output_are_recognised_from_the_shape():
    rng = np.random.default_rng(0)
    x, k = rng.normal(size=(2, 3, 9, 8)), rng.normal(size=(4, 3, 3, 5))
    assert codes(diagnose_conv(torch_conv(x, k, padding="same"), x, k)) == ["same_padding"]
    assert codes(diagnose_conv(torch_conv(x, k)[:, :, :-1, :], x, k)) == ["short_output"]


def test_uint8_output_that_wraps_is_recognised():
    rng = np.random.default_rng(1)
    x, k = rng.integers(0, 256, size=(2, 1, 10, 10), dtype=np.uint8), rng.normal(size=(3, 1, 4, 4))
    wrapped = np.mod(np.round(torch_conv(x, k)), 256).astype(np.uint8)  # what storing into uint8 gives
    assert codes(diagnose_conv(wrapped, x, k)) == ["uint8_wrap"]
    as_float = np.mod(np.round(torch_conv(x, k)), 256)  # wrapped values returned as float
    assert codes(diagnose_conv(as_float, x, k)) == ["uint8_wrap"]


def test_a_batch_size_that_only_works_at_50_is_called_hard_coded():
    assert codes(diagnose_batch("mlp_1", {1: False, 7: False, 50: True})) == ["hardcoded_batch"]
    assert diagnose_batch("mlp_1", {1: True, 7: True, 50: True}) == []
    assert diagnose_batch("mlp_1", {1: False, 7: False, 50: False}) == []  # broken, but not that way


def _sequential_without(
    arch: str, drop: int | None = None, insert: tuple[int, torch.nn.Module] | None = None
):
    layers = list(build(arch).layers)
    if drop is not None:
        del layers[drop]
    if insert is not None:
        layers.insert(*insert)
    return torch.nn.Sequential(*layers)


def test_missing_and_extra_activations_are_named_with_their_place():
    reference = describe_layers(build("cnn_4"))
    missing = describe_layers(_sequential_without("cnn_4", drop=3))  # the ReLU after the second conv
    found = diagnose_layers("cnn_4", missing, reference)
    assert codes(found) == ["missing_relu"] and "second convolution (16->8" in found[0].sentence
    extra = describe_layers(_sequential_without("cnn_3", insert=(6, torch.nn.ReLU())))  # after the 7x7 conv
    found = diagnose_layers("cnn_3", extra, describe_layers(build("cnn_3")))
    assert codes(found) == ["extra_relu"] and "third convolution (7x7)" in found[0].sentence


def test_a_bias_on_mlp_2s_fc64_is_recognised():
    model = build("mlp_2")
    student = torch.nn.Sequential(
        torch.nn.Flatten(),
        torch.nn.Linear(1024, 32),
        torch.nn.ReLU(),
        torch.nn.Linear(32, 64, bias=True),
        torch.nn.Linear(64, 10),
    )
    assert codes(diagnose_layers("mlp_2", describe_layers(student), describe_layers(model))) == ["fc64_bias"]


def test_padded_convolutions_in_a_model_are_recognised():
    model = build("cnn_3")
    padded = _sequential_without("cnn_3")
    padded[0] = torch.nn.Conv2d(1, 16, 3, padding=1)
    assert "same_padding" in codes(diagnose_layers("cnn_3", describe_layers(padded), describe_layers(model)))


def test_identical_layer_sequences_get_no_diagnosis():
    x = torch.zeros(2, 1, 32, 32)
    for arch in ("mlp_2", "cnn_5"):
        assert diagnose_layers(arch, trace_layers(build(arch), x), describe_layers(build(arch))) == []


@pytest.mark.parametrize(
    ("values", "unit"),
    [
        ([0.1, 0.55, 0.62], "fraction"),
        ([10.0, 55.0], "percent"),
        ([0.5, float("nan"), 1.0], "fraction"),
        ([0.9, 1.5], "percent"),
        ([float("nan"), float("inf")], "none"),  # says nothing of a unit: never half of a mix
    ],
)
def test_accuracy_unit_reads_fractions_and_percentages(values, unit):
    assert accuracy_unit(values) == unit


def test_a_fraction_percent_mix_is_recognised_and_one_unit_is_not():
    mixed = diagnose_units("part3_cnn_4.json", {"train_acc_curve": "fraction", "test_acc": "percent"})
    assert codes(mixed) == ["unit_mix"] and "train_acc_curve" in mixed[0].sentence
    assert diagnose_units("part3_cnn_4.json", {"train_acc_curve": "percent", "test_acc": "percent"}) == []
    assert diagnose_units("part3_cnn_4.json", {"train_acc_curve": "percent", "val_acc_curve": "none"}) == []


def _cases():
    rng = np.random.default_rng(7)
    return {
        "several channels, odd kernel": (rng.normal(size=(2, 3, 9, 8)), rng.normal(size=(4, 3, 3, 3))),
        "even kernel": (rng.normal(size=(2, 2, 10, 9)), rng.normal(size=(3, 2, 2, 4))),
        "uint8, even kernel": (
            rng.integers(0, 256, size=(2, 1, 12, 11), dtype=np.uint8),
            rng.normal(size=(3, 1, 4, 4)),
        ),
    }


def _centred_flipped_conv(x: np.ndarray, k: np.ndarray) -> np.ndarray:
    """A student's conv with two defects: the kernel flipped, and loops of range(H - 2 * (kh // 2))."""
    kh, kw = k.shape[2:]
    out = np.zeros(torch_conv(x, k).shape)
    full = torch_conv(x, np.ascontiguousarray(k[:, :, ::-1, ::-1]))
    rows, cols = x.shape[2] - 2 * (kh // 2), x.shape[3] - 2 * (kw // 2)
    out[:, :, :rows, :cols] = full[:, :, :rows, :cols]
    return out


def test_two_defects_together_are_each_named_and_never_called_uint8_only():
    want = {
        "several channels, odd kernel": ["flipped_kernel"],
        "even kernel": ["flipped_kernel", "zero_last_row", "zero_last_column"],
        "uint8, even kernel": ["flipped_kernel", "zero_last_row", "zero_last_column"],
    }
    for name, (x, k) in _cases().items():
        assert codes(diagnose_conv(_centred_flipped_conv(x, k), x, k)) == want[name], name


def test_channel_defects_are_named():
    x, k = _cases()["several channels, odd kernel"]
    assert codes(diagnose_conv(torch_conv(x[:, :1], k[:, :1]), x, k)) == ["only_channel_0"]
    assert codes(diagnose_conv(torch_conv(x[:, -1:], k[:, -1:]), x, k)) == ["channels_overwritten"]


def test_wrong_only_on_uint8_is_said_only_when_every_other_case_passes():
    x, k = _cases()["uint8, even kernel"]
    unexplained = torch_conv(x, k) + 7.0  # wrong in a way no known defect explains
    assert codes(diagnose_conv(unexplained, x, k, others_pass=False)) == []
    found = diagnose_conv(unexplained, x, k, others_pass=True)
    assert codes(found) == ["uint8_wrap"] and "only on uint8" in found[0].sentence


def test_an_integer_output_on_float_input_is_truncation():
    x, k = _cases()["even kernel"]
    assert codes(diagnose_conv(torch_conv(x, k).astype(np.int64), x, k)) == ["integer_output"]
