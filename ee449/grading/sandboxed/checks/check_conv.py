"""Sandbox side of the conv checks: run the student's `my_conv2d` on the drawn cases and record its outputs.

No reference and no comparison here (this process runs student code, which could patch NumPy
or torch): the grader compares the recorded arrays with its own NumPy reference (`judge`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ee449.grading.sandboxed.checks.cases import CASES
from ee449.grading.sandboxed.checks.protocol import Diagnosis
from ee449.grading.sandboxed.checks.support import add_diagnosis, load_target, manifest, record, registered


def _as_array(request: pytest.FixtureRequest, value: object) -> np.ndarray:
    """The student's output as a plain array of numbers, or this check's failure."""
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    array: np.ndarray | None = None
    try:
        array = np.array(value)
        detail = f"an array of {array.dtype}"
    except Exception as error:  # noqa: BLE001 - whatever it returned, it is not an array of numbers
        detail = f"{type(error).__name__}: {error}"
    if array is None or array.dtype.kind not in "biuf":
        add_diagnosis(
            request, Diagnosis("not_an_array", "Your my_conv2d must return a NumPy array of numbers.")
        )
        pytest.fail(
            f"my_conv2d returned {type(value).__name__} ({detail}), not an array of numbers", pytrace=False
        )
    return array


def _run(request: pytest.FixtureRequest, x: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    return _as_array(request, load_target("my_conv2d", request)(x.copy(), kernel.copy()))


def _tensor_dtype(value: object) -> str:
    """The dtype of a torch tensor result ('' for anything else): an integer one truncates, the grader says so."""
    return str(getattr(value, "dtype", "")) if hasattr(value, "detach") else ""


def _run_and_record(request: pytest.FixtureRequest, x: np.ndarray, kernel: np.ndarray) -> None:
    value = load_target("my_conv2d", request)(x.copy(), kernel.copy())
    record(request, out=_as_array(request, value), tensor_dtype=_tensor_dtype(value))


@registered("conv", "output_shape")
def test_output_shape(request: pytest.FixtureRequest) -> None:
    _run_and_record(request, *CASES["multichannel"])


@registered("conv", "matches_reference")
def test_matches_reference(request: pytest.FixtureRequest, case: str) -> None:
    _run_and_record(request, *CASES[case])


@registered("conv", "inputs_unmodified")
def test_inputs_unmodified(request: pytest.FixtureRequest) -> None:
    x, kernel = CASES["uint8_input"]
    x_in, k_in = x.copy(), kernel.copy()
    load_target("my_conv2d", request)(x_in, k_in)
    record(request, input_after=np.array(x_in), kernel_after=np.array(k_in))


COURSE = manifest().course_data


@registered("conv", "course_samples")
def test_course_samples(request: pytest.FixtureRequest) -> None:
    assert COURSE is not None  # skipped above without it
    folder = Path(COURSE)
    kernel = np.load(folder / "kernel.npy", allow_pickle=False)
    outputs = {
        f"out_{i}": _run(request, np.load(path, allow_pickle=False), kernel)
        for i, path in enumerate(sorted(folder.glob("samples_*.npy")))
    }
    record(request, **outputs)
