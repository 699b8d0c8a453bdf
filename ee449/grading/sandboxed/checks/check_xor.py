"""Sandbox side of Part 1 of 2024 / 2025: run the student's NumPy XOR class and record what it does.

Only measurements (`grading.xor_behaviour`): an output shape, errors and cosines, derivative
deviations, accuracies. The grader judges them with its own thresholds (`judging.xor`). Collected
only when the graded edition's Part 1 is the XOR network (the manifest's "part1").
"""

from __future__ import annotations

import pytest

from ee449.grading.sandboxed.checks.rules import XOR_TARGET
from ee449.grading.sandboxed.checks.support import load_target, record, registered
from ee449.grading.sandboxed.xor_behaviour import (
    measure_derivatives,
    measure_descent,
    measure_forward,
    measure_training,
)


@registered("xor", "forward")
def test_forward(request: pytest.FixtureRequest) -> None:
    record(request, **measure_forward(load_target(XOR_TARGET, request)))


@registered("xor", "descent")
def test_descent(request: pytest.FixtureRequest) -> None:
    record(request, **measure_descent(load_target(XOR_TARGET, request)))


@registered("xor", "derivatives")
def test_derivatives(request: pytest.FixtureRequest) -> None:
    record(request, **measure_derivatives(load_target(XOR_TARGET, request)))


@registered("xor", "training")
def test_training(request: pytest.FixtureRequest) -> None:
    record(request, **measure_training(load_target(XOR_TARGET, request)))
