"""The synthetic stand-in: shapes, determinism, balance, and what makes a class."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ee449.data.synthetic import LUMA, MAX_TILT, NUM_CLASSES, PATTERNS, make_synthetic
from tests.helpers.assertions import assert_equal


@given(n_per_class=st.integers(0, 6), seed=st.integers(0, 2**40))
def test_synthetic_images_are_uint8_32x32_rgb_with_balanced_int64_labels(n_per_class, seed):
    images, labels = make_synthetic(n_per_class, seed)
    assert_equal(images.shape, (NUM_CLASSES * n_per_class, 32, 32, 3), "images shape")
    assert_equal(images.dtype, np.dtype(np.uint8), "images dtype")
    assert_equal(labels.dtype, np.dtype(np.int64), "labels dtype")
    assert_equal(
        np.bincount(labels, minlength=NUM_CLASSES).tolist(), [n_per_class] * NUM_CLASSES, "per-class counts"
    )


def test_same_seed_gives_the_same_bytes():
    first, second = make_synthetic(20, seed=7), make_synthetic(20, seed=7)
    assert np.array_equal(first[0], second[0]) and np.array_equal(first[1], second[1])


@pytest.mark.parametrize("seeds", [(0, 1), (1, 2), (0, 2**40)])
def test_different_seeds_give_different_images(seeds):
    a, _ = make_synthetic(5, seed=seeds[0])
    b, _ = make_synthetic(5, seed=seeds[1])
    # Not one image of one set reappears in the other: train and test sets share nothing.
    flat_a, flat_b = a.reshape(len(a), -1), b.reshape(len(b), -1)
    assert not (flat_a[:, None, :] == flat_b[None, :, :]).all(axis=2).any()


def test_images_use_the_whole_frame_and_are_not_blank():
    images, _ = make_synthetic(30, seed=3)
    gray = images.astype(np.float64) @ LUMA  # [N, 32, 32]
    # Every image has structure (a pattern over a background), not a flat colour.
    assert (gray.reshape(len(gray), -1).std(axis=1) > 5).all()


def test_colour_and_brightness_do_not_identify_the_class():
    """Per-class mean brightness and colour differ by far less than they vary within a class."""
    images, labels = make_synthetic(200, seed=11)
    means = images.reshape(len(images), -1, 3).mean(axis=1)  # [N, 3] mean colour of each image
    class_means = np.stack([means[labels == k].mean(axis=0) for k in range(NUM_CLASSES)])
    within = means.std(axis=0)
    spread = class_means.max(axis=0) - class_means.min(axis=0)
    assert (spread < 0.35 * within).all(), f"class mean colours spread {spread} vs within-class std {within}"


@pytest.mark.parametrize("k", range(NUM_CLASSES))
def test_every_pattern_differs_from_every_other_at_every_allowed_rotation(k):
    """Two classes whose shapes coincide after a rotation could not be told apart."""
    grid = np.linspace(-1.2, 1.2, 49)
    u, v = np.meshgrid(grid, grid)
    for angle in np.linspace(-MAX_TILT, MAX_TILT, 8):  # the generator's rotation range
        c, s = np.cos(angle), np.sin(angle)
        mine = PATTERNS[k](c * u + s * v, c * v - s * u)
        for j in range(NUM_CLASSES):
            if j != k:
                other = PATTERNS[j](u, v)
                overlap = (mine & other).sum() / (mine | other).sum()
                assert overlap < 0.8, (
                    f"class {k} rotated by {angle:.2f} overlaps class {j}: IoU {overlap:.2f}"
                )


@pytest.mark.parametrize("bad", [-1, 2.5, "10", True])
def test_a_bad_count_is_a_value_error_naming_it(bad):
    with pytest.raises(ValueError, match="n_per_class"):
        make_synthetic(bad, seed=0)


def test_a_non_integer_seed_is_a_type_error():
    with pytest.raises(TypeError, match="seed"):
        make_synthetic(1, seed=1.5)
