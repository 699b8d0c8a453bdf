"""The grader's limits are checked before any child starts: a setting that would fail every student is refused."""

from __future__ import annotations

import math

import pytest

from ee449.grading.sandbox.limits import MEMORY_MB_MIN, Limits, check_memory_mb, check_seconds


@pytest.mark.parametrize("seconds", [0, -1, math.inf, math.nan, True, "20", None])
def test_a_time_limit_that_would_disable_or_fail_every_check_is_refused(seconds):
    with pytest.raises(ValueError, match="finite number of seconds above 0"):
        check_seconds("--timeout", seconds)


@pytest.mark.parametrize("seconds", [0.001, 20, 600.0])
def test_finite_positive_seconds_are_a_time_limit(seconds):
    check_seconds("--timeout", seconds)
    assert Limits(timeout_s=seconds).timeout_s == seconds


@pytest.mark.parametrize("memory_mb", [MEMORY_MB_MIN - 1, 0, True, 6144.0, "6144"])
def test_memory_below_what_torch_needs_or_not_a_whole_number_is_refused(memory_mb):
    with pytest.raises(ValueError, match="--memory-mb must be at least"):
        check_memory_mb(memory_mb)


def test_a_child_limit_below_a_gigabyte_is_refused_naming_torch():
    with pytest.raises(ValueError, match="torch"):
        Limits(memory_mb=512)
    check_memory_mb(MEMORY_MB_MIN)
