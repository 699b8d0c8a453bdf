"""The verdicts on my_conv2d's checks that compare with no reference output (`judging.conv`): an
argument changed in place, and an output that never depended on the input. Records are written as
the sandbox writes them; the reference outputs come from torch's conv2d (an independent oracle)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ee449.grading.judging import judge
from ee449.grading.judging.conv import CASES
from ee449.grading.judging.records import Context, load_record
from ee449.grading.sandboxed.checks.manifest import Manifest
from ee449.grading.sandboxed.checks.protocol import conv_case_check
from tests.helpers.records import write_record


def _torch_conv(x: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    out = torch.nn.functional.conv2d(
        torch.from_numpy(x.astype(np.float64)), torch.from_numpy(kernel.astype(np.float64))
    )
    return out.numpy()


def _judged(records, check_id: str, values: dict, arrays: dict, computes: bool = True):
    root, folder = records
    out = root / "out" / "records"
    for case, (x, kernel) in CASES.items():  # what the conv checks recorded: right, or a constant
        result = _torch_conv(x, kernel) if computes else np.zeros_like(_torch_conv(x, kernel))
        write_record(out, conv_case_check(case), {}, {"out": result})
    write_record(out, check_id, values, arrays)
    context = Context(Manifest(), lambda: {}, lambda i: load_record(folder, i))
    return judge.judge(check_id, "my_conv2d", load_record(folder, check_id), context)


def test_arguments_left_as_they_were_pass(records):
    x, kernel = CASES["uint8_input"]
    outcome = _judged(
        records, "conv/inputs_unmodified", {}, {"input_after": x.copy(), "kernel_after": kernel.copy()}
    )
    assert outcome.passed, outcome.message


@pytest.mark.parametrize("argument", ["input", "kernel"])
@pytest.mark.parametrize("change", ["value", "dtype"])
def test_an_argument_changed_in_place_fails_naming_it(records, argument, change):
    x, kernel = CASES["uint8_input"]
    after = {"input_after": x.copy(), "kernel_after": kernel.copy()}
    changed = after[f"{argument}_after"]
    if change == "value":
        changed.flat[0] = changed.flat[0] + 1
    else:
        other = np.float32 if changed.dtype == np.float64 else np.float64
        after[f"{argument}_after"] = changed.astype(other)  # the same numbers, as another type
    outcome = _judged(records, "conv/inputs_unmodified", {}, after)
    assert not outcome.passed and outcome.message == f"my_conv2d modified its {argument} argument"
    assert [code for code, _ in outcome.diagnoses] == ["input_modified"]


@pytest.mark.parametrize("check", ["conv/inputs_unmodified", "conv/output_shape"])
def test_an_output_that_never_depends_on_the_input_earns_neither_point(records, check):
    x, kernel = CASES["uint8_input"]
    arrays = (
        {"input_after": x.copy(), "kernel_after": kernel.copy()}
        if check == "conv/inputs_unmodified"
        else {"out": np.zeros_like(_torch_conv(*CASES["multichannel"]))}
    )
    outcome = _judged(records, check, {}, arrays, computes=False)
    assert not outcome.passed and [code for code, _ in outcome.diagnoses] == ["input_ignored"]
