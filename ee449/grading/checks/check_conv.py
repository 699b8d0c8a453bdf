"""Checks of the student's `my_conv2d` against torch's conv2d in float64 (the oracle)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ee449.grading.checks.support import add_diagnosis, load_target, manifest
from ee449.grading.diagnose import Diagnosis, diagnose_conv


def _draw_cases() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """A fixed set of drawn cases (seeded): each exercises one thing students get wrong."""
    rng = np.random.default_rng(449)
    return {
        "multichannel": (rng.normal(size=(2, 3, 9, 8)), rng.normal(size=(4, 3, 3, 3))),
        "nonsquare_kernel": (rng.normal(size=(2, 2, 10, 9)), rng.normal(size=(3, 2, 2, 4))),
        # Like the course's digits: uint8 pixels, float64 kernel.
        "uint8_input": (rng.integers(0, 256, size=(2, 1, 12, 11), dtype=np.uint8),
                        rng.normal(size=(3, 1, 4, 4))),
        "batch_of_one": (rng.normal(size=(1, 1, 7, 6)), rng.normal(size=(2, 1, 3, 3))),
    }


CASES = _draw_cases()


def reference(x: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    import torch

    with torch.no_grad():
        return torch.nn.functional.conv2d(
            torch.from_numpy(np.asarray(x, dtype=np.float64)),
            torch.from_numpy(np.asarray(kernel, dtype=np.float64))).numpy()


def _as_array(value: object) -> np.ndarray:
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    return np.asarray(value)


_PASSES: dict[str, bool] = {}


def _passes(case: str) -> bool:
    """Whether the student's conv gets drawn case `case` right (cached: each case runs once per process)."""
    if case not in _PASSES:
        x, kernel = CASES[case]
        try:
            got = _as_array(load_target("my_conv2d")(x.copy(), kernel.copy())).astype(np.float64)
            want = reference(x, kernel)
            _PASSES[case] = got.shape == want.shape and bool(
                np.all(np.abs(got - want) <= 1e-5 * max(1.0, float(np.abs(want).max()))))
        except Exception:  # noqa: BLE001 - a failing case does not pass
            _PASSES[case] = False
    return _PASSES[case]


def _call(request, conv, x: np.ndarray, kernel: np.ndarray) -> object:
    """The student's conv on copies; a failure on several channels that one channel avoids is named."""
    try:
        return conv(x.copy(), kernel.copy())
    except Exception:
        if x.shape[1] > 1 and _passes("batch_of_one"):
            add_diagnosis(request, Diagnosis("one_channel_only", (
                f"Your my_conv2d fails with {x.shape[1]} input channels but works with one: it handles a "
                "single input channel only (a reshape or a loop that assumes C = 1); sum over every input "
                "channel.")))
        raise


def _tensor_dtype(request, value: object) -> None:
    """A torch tensor is a fine result; an integer one truncates, which the student should hear about."""
    dtype = getattr(value, "dtype", None)
    if hasattr(value, "detach") and dtype is not None and not getattr(dtype, "is_floating_point", True):
        add_diagnosis(request, Diagnosis("tensor_dtype", (
            f"Your my_conv2d returns a torch tensor of dtype {dtype}: returning a tensor is fine, but an "
            "integer dtype truncates the sums; compute and return floating-point values (float64).")))


def _compare(request, x: np.ndarray, kernel: np.ndarray, what: str, case: str | None = None) -> None:
    conv = load_target("my_conv2d", request)
    value = _call(request, conv, x, kernel)
    got = _as_array(value)
    want = reference(x, kernel)
    if got.shape == want.shape:
        with np.errstate(invalid="ignore"):
            err = np.abs(got.astype(np.float64) - want)
        tol = 1e-5 * max(1.0, float(np.abs(want).max()))
        if np.all(err <= tol):
            return
        where = tuple(int(i) for i in np.unravel_index(int(np.nanargmax(np.where(np.isnan(err), np.inf, err))), err.shape))
        detail = f"at {where}: yours {got[where].item()!r}, expected {want[where].item()!r}"
    else:
        detail = f"output shape {tuple(got.shape)}, expected {tuple(want.shape)}"
    _tensor_dtype(request, value)
    others_pass = case is not None and all(_passes(c) for c in CASES if c != case)
    for diagnosis in diagnose_conv(got, x, kernel, others_pass=others_pass):
        add_diagnosis(request, diagnosis)
    pytest.fail(f"my_conv2d differs from the reference on {what}: {detail}", pytrace=False)


@pytest.mark.check("conv/output_shape", target="my_conv2d")
def test_output_shape(request):
    x, kernel = CASES["multichannel"]
    got = _as_array(_call(request, load_target("my_conv2d", request), x, kernel))
    want = (x.shape[0], kernel.shape[0], x.shape[2] - kernel.shape[2] + 1, x.shape[3] - kernel.shape[3] + 1)
    if tuple(got.shape) != want:
        for diagnosis in diagnose_conv(got, x, kernel):
            add_diagnosis(request, diagnosis)
        pytest.fail(f"output shape {tuple(got.shape)} for input {x.shape} and kernel {kernel.shape}; "
                    f"expected {want} = [batch, out_ch, H - kh + 1, W - kw + 1]", pytrace=False)


@pytest.mark.check("conv/matches_reference[{case}]", target="my_conv2d")
@pytest.mark.parametrize("case", list(CASES))
def test_matches_reference(request, case):
    x, kernel = CASES[case]
    what = f"the {case.replace('_', ' ')} case (input {x.shape} {x.dtype}, kernel {kernel.shape})"
    _compare(request, x, kernel, what, case)


@pytest.mark.check("conv/inputs_unmodified", target="my_conv2d")
def test_inputs_unmodified(request):
    x, kernel = CASES["uint8_input"]
    x_in, k_in = x.copy(), kernel.copy()
    load_target("my_conv2d", request)(x_in, k_in)
    for name, before, after in (("input", x, x_in), ("kernel", kernel, k_in)):
        if after.dtype != before.dtype or not np.array_equal(before, after):
            add_diagnosis(request, Diagnosis("input_modified", (
                f"Your my_conv2d changes its {name} array in place; work on a copy "
                "(e.g. input.astype(np.float64)) so the caller's data stays as it was.")))
            pytest.fail(f"my_conv2d modified its {name} argument", pytrace=False)


COURSE = manifest().get("course_data")


@pytest.mark.check("conv/course_samples", target="my_conv2d", calls=10)  # ten sample files
@pytest.mark.skipif(not COURSE, reason="no --course-data given")
def test_course_samples(request):
    folder = Path(COURSE)
    kernel = np.load(folder / "kernel.npy", allow_pickle=False)
    samples = sorted(folder.glob("samples_*.npy"))
    assert samples, f"no samples_*.npy in {folder}"
    for path in samples:
        _compare(request, np.load(path, allow_pickle=False), kernel, f"the course's {path.name}")
