"""The verdicts on `my_conv2d`: its outputs against the convolution computed in NumPy
(`diagnose._cross_correlate`), on drawn cases, the course's samples, and the follow-ups."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from ee449.grading.judging.diagnose import Diagnosis, _cross_correlate, diagnose_conv
from ee449.grading.judging.records import Context, Malformed, Record, Verdict
from ee449.grading.sandbox.runner import Outcome
from ee449.grading.sandboxed.checks.cases import CASES, draw_cases  # noqa: F401 - draw_cases is public here too
from ee449.grading.sandboxed.checks.protocol import conv_case_check


def conv_matches(got: np.ndarray, x: np.ndarray, kernel: np.ndarray) -> bool:
    """Whether an output equals the NumPy reference (float64, relative tolerance 1e-5)."""
    want = _cross_correlate(x, kernel)
    if got.shape != want.shape:
        return False
    with np.errstate(invalid="ignore", over="ignore"):
        err = np.abs(got.astype(np.float64) - want)
    return bool(np.all(err <= 1e-5 * max(1.0, float(np.abs(want).max()))))


def _tensor_dtype(record: Record) -> list[Diagnosis]:
    dtype = record.values.get("tensor_dtype")
    if isinstance(dtype, str) and dtype and "float" not in dtype and "complex" not in dtype:
        return [
            Diagnosis(
                "tensor_dtype",
                (
                    f"Your my_conv2d returns a torch tensor of dtype {dtype}: returning a tensor is fine, but an integer "
                    "dtype truncates the sums; compute and return floating-point values (float64)."
                ),
            )
        ]
    return []


def compare_conv(
    got: np.ndarray, x: np.ndarray, kernel: np.ndarray, what: str, others_pass: bool = False
) -> Verdict:
    """The student's output against the NumPy reference (float64, relative tolerance 1e-5)."""
    want = _cross_correlate(x, kernel)
    if got.shape == want.shape:
        with np.errstate(invalid="ignore", over="ignore"):
            err = np.abs(got.astype(np.float64) - want)
        if conv_matches(got, x, kernel):
            return True, "", []
        worst = np.where(np.isnan(err), np.inf, err)
        where = tuple(int(i) for i in np.unravel_index(int(np.argmax(worst)), err.shape))
        detail = f"at {where}: yours {got[where].item()!r}, expected {want[where].item()!r}"
    else:
        detail = f"output shape {tuple(got.shape)}, expected {tuple(want.shape)}"
    return (
        False,
        f"my_conv2d differs from the reference on {what}: {detail}",
        diagnose_conv(got, x, kernel, others_pass=others_pass),
    )


def _case_passes(case: str, context: Context) -> bool:
    record = context.record(conv_case_check(case))
    try:
        return record is not None and conv_matches(record.array("out"), *CASES[case])
    except Malformed:
        return False


def conv_computes(record: Callable[[str], Record | None]) -> bool:
    """Whether my_conv2d computed anything from its input on some drawn case.

    An output of finite numbers that is not constant: a wrong convolution (a flipped kernel,
    'same' padding) computes, and counts as written; a function that returns zeros, or a
    constant, whatever it calls, implements nothing (a forgery or a stub).
    """
    for case in CASES:
        found = record(conv_case_check(case))
        try:
            out = found.array("out").astype(np.float64) if found is not None else None
        except Malformed:
            continue
        if out is not None and out.size > 1 and np.all(np.isfinite(out)) and float(np.ptp(out)) > 0.0:
            return True
    return False


def conv_followups(outcomes: list[Outcome]) -> None:
    """A conv that failed with an error on several channels while the one-channel case passes: say so."""
    passed = {o.id: o.passed for o in outcomes}
    if not passed.get("conv/matches_reference[batch_of_one]"):
        return
    for outcome in outcomes:
        case = (
            "multichannel"
            if outcome.id == "conv/output_shape"
            else outcome.id[len("conv/matches_reference[") : -1]
        )
        if (
            outcome.passed
            or outcome.diagnoses
            or case not in CASES
            or CASES[case][0].shape[1] == 1
            or not (outcome.id == "conv/output_shape" or outcome.id.startswith("conv/matches_reference["))
        ):
            continue
        outcome.diagnoses.append(
            [
                "one_channel_only",
                (
                    f"Your my_conv2d fails with {CASES[case][0].shape[1]} input channels but works with one: it handles a "
                    "single input channel only (a reshape or a loop that assumes C = 1); sum over every input channel."
                ),
            ]
        )


INPUT_IGNORED = Diagnosis(
    "input_ignored",
    (
        "Your my_conv2d returns the same values whatever its input (zeros, a constant, or no array): "
        "an output that does not depend on the input is not a convolution, so no conv check earns "
        "points; compute each output value from the input window and the kernel."
    ),
)


def conv_verdict(check: str, record: Record, context: Context) -> Verdict:
    if check in {"output_shape", "inputs_unmodified"} and not conv_computes(context.record):
        # A stub of the right shape that never reads its input writes nothing: neither point is earned.
        return False, "my_conv2d's output does not depend on its input on any drawn case", [INPUT_IGNORED]
    if check == "output_shape":
        x, kernel = CASES["multichannel"]
        got = record.array("out")
        want = (
            x.shape[0],
            kernel.shape[0],
            x.shape[2] - kernel.shape[2] + 1,
            x.shape[3] - kernel.shape[3] + 1,
        )
        if tuple(got.shape) == want:
            return True, "", []
        return (
            False,
            (
                f"output shape {tuple(got.shape)} for input {x.shape} and kernel {kernel.shape}; "
                f"expected {want} = [batch, out_ch, H - kh + 1, W - kw + 1]"
            ),
            diagnose_conv(got, x, kernel),
        )
    if check.startswith("matches_reference["):
        case = check[len("matches_reference[") : -1]
        x, kernel = CASES[case]
        others_pass = all(_case_passes(c, context) for c in CASES if c != case)
        passed, message, diagnoses = compare_conv(
            record.array("out"),
            x,
            kernel,
            f"the {case.replace('_', ' ')} case (input {x.shape} {x.dtype}, kernel {kernel.shape})",
            others_pass,
        )
        return passed, message, diagnoses + ([] if passed else _tensor_dtype(record))
    if check == "inputs_unmodified":
        x, kernel = CASES["uint8_input"]
        for name, before, after in (
            ("input", x, record.array("input_after")),
            ("kernel", kernel, record.array("kernel_after")),
        ):
            if after.dtype != before.dtype or not np.array_equal(before, after):
                return (
                    False,
                    f"my_conv2d modified its {name} argument",
                    [
                        Diagnosis(
                            "input_modified",
                            (
                                f"Your my_conv2d changes its {name} array in place; work on a copy "
                                "(e.g. input.astype(np.float64)) so the caller's data stays as it was."
                            ),
                        )
                    ],
                )
        return True, "", []
    if check == "course_samples":
        folder = Path(context.manifest.course_data or "")
        kernel = np.load(folder / "kernel.npy", allow_pickle=False)
        samples = sorted(folder.glob("samples_*.npy"))
        if not samples:
            return False, f"no samples_*.npy in {folder}", []
        for index, path in enumerate(samples):
            verdict = compare_conv(
                record.array(f"out_{index}"),
                np.load(path, allow_pickle=False),
                kernel,
                f"the course's {path.name}",
            )
            if not verdict[0]:
                return verdict
        return True, "", []
    raise Malformed(f"unknown conv check {check}")
