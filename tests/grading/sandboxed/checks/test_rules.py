"""The recording rule behind the curve-length check, recomputed from its definition."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from ee449.grading.sandboxed.checks.rules import implied_images


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


def test_each_editions_training_set_sets_the_lengths_the_check_accepts():
    """2024 trains on Fashion-MNIST (60,000 images, HOMEWORK-YEARS.md): 54,000 after its 10% split,
    1,080 steps per epoch, 1,620 points in 15 epochs: a length no CIFAR-10 run records."""
    from ee449.grading.sandboxed.checks.rules import bands, train_images

    assert train_images(2023) == (40_000, 50_000) and train_images(2025) == (40_000, 50_000)
    assert train_images(2024) == (48_000, 60_000)
    points = 15 * math.ceil(54_000 / 50) // 10
    assert implied_images(points, 15, 2024) == 54_000
    assert implied_images(points, 15, 2023) is None
    assert bands(2024)["mlp"][0] <= 88.0 <= bands(2024)["mlp"][1]  # a Fashion-MNIST MLP's accuracy
    assert not bands(2023)["mlp"][0] <= 88.0 <= bands(2023)["mlp"][1]
