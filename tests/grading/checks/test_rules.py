"""The recording rule behind the curve-length check, recomputed from its definition."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from ee449.grading.checks.rules import implied_images


@given(images=st.integers(40_000, 50_000), epochs=st.sampled_from([15, 20, 30]))
def test_any_plausible_run_has_a_length_the_check_accepts(images, epochs):
    points = epochs * math.ceil(images / 50) // 10  # one point every 10 steps at batch 50
    implied = implied_images(points, epochs)
    assert implied is not None
    assert epochs * math.ceil(implied / 50) // 10 == points  # the implied size records the same points


def test_the_homeworks_lengths_imply_the_homeworks_training_sets():
    assert implied_images(1350, 15) == 45_000
    assert implied_images(1500, 15) == 50_000
    assert implied_images(1800, 20) == 45_000


def test_lengths_no_plausible_run_gives_are_rejected():
    for points, epochs in ((1350, 20), (135, 15), (13500, 15), (1800, 15), (0, 15)):
        assert implied_images(points, epochs) is None, (points, epochs)
