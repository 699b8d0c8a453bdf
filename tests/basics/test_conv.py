"""my_conv2d against torch.nn.functional.conv2d (float64), and its contract on bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from ee449.basics.conv import my_conv2d, output_shape
from tests.helpers.assertions import assert_close, assert_equal
from tests.helpers.strategies import conv_cases

COURSE_DIGITS = range(10)


def torch_conv(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The oracle: torch's conv2d on the same values cast to float64 (my_conv2d's contract)."""
    return torch.nn.functional.conv2d(
        torch.from_numpy(np.array(x, dtype=np.float64)),
        torch.from_numpy(np.array(w, dtype=np.float64)),  # copies: torch refuses negative strides
    ).numpy()


def tolerance(x: np.ndarray, w: np.ndarray) -> float:
    """Round-off bound of a float64 sum of products: a few ulps of the sum of |products|."""
    bound = torch_conv(np.abs(x.astype(np.float64)), np.abs(w.astype(np.float64)))
    return 1e-13 * float(np.max(bound, initial=1.0))


@given(conv_cases())
def test_conv_matches_torch_for_any_shape_and_dtype(case):
    actual = my_conv2d(case.x, case.w)
    expected = torch_conv(case.x, case.w)
    assert_equal(actual.dtype, np.dtype(np.float64), "output dtype")
    assert_close(actual, expected, rtol=0, atol=tolerance(case.x, case.w), what="my_conv2d vs torch")


@pytest.mark.parametrize("digit", COURSE_DIGITS)
def test_conv_matches_torch_on_course_samples(course_data_dir, digit):
    samples = np.load(course_data_dir / f"samples_{digit}.npy")
    kernel = np.load(course_data_dir / "kernel.npy")
    assert samples.dtype == np.uint8 and samples.shape == (5, 1, 28, 28)
    actual = my_conv2d(samples, kernel)
    assert_close(actual, torch_conv(samples, kernel), rtol=0, atol=1e-9, what=f"samples_{digit} vs torch")
    peer = course_data_dir / "peer-outputs" / f"out_{digit}.npy"
    if peer.is_file():  # a second, independent check: a student's published output
        assert_close(actual, np.load(peer), rtol=0, atol=1e-9, what=f"samples_{digit} vs peer out_{digit}")


@given(conv_cases(dtypes=("float64",)), st.floats(-3, 3), st.floats(-3, 3))
def test_conv_is_linear_in_the_kernel(case, a, b):
    other = np.random.default_rng(0).standard_normal(case.w.shape)
    combined = my_conv2d(case.x, a * case.w + b * other)
    expected = a * my_conv2d(case.x, case.w) + b * my_conv2d(case.x, other)
    assert_close(
        combined,
        expected,
        rtol=0,
        atol=10 * tolerance(case.x, np.abs(case.w) + np.abs(other)),
        what="conv(x, a*k1 + b*k2) vs a*conv(x, k1) + b*conv(x, k2)",
    )


@given(conv_cases(), st.integers(0, 4), st.integers(0, 4))
def test_shifting_the_input_shifts_the_output(case, dy, dx):
    h, w = case.x.shape[2:]
    kh, kw = case.w.shape[2:]
    dy, dx = min(dy, h - kh), min(dx, w - kw)  # keep the shifted input at least kernel-sized
    full = my_conv2d(case.x, case.w)
    shifted = my_conv2d(case.x[:, :, dy:, dx:], case.w)
    assert_close(shifted, full[:, :, dy:, dx:], rtol=0, atol=tolerance(case.x, case.w), what="shifted output")


def test_uint8_inputs_do_not_wrap_around():
    x = np.full((1, 1, 4, 4), 255, dtype=np.uint8)
    w = np.full((1, 1, 4, 4), 2, dtype=np.uint8)
    # 16 products of 255 * 2; in uint8 arithmetic each would wrap to 254.
    assert_close(my_conv2d(x, w), np.full((1, 1, 1, 1), 16 * 255 * 2.0), what="all-255 image, all-2 kernel")


def test_conv_is_a_cross_correlation_not_a_flipped_convolution():
    x = np.zeros((1, 1, 3, 3))
    x[0, 0, 0, 0] = 1.0  # a single bright pixel top left
    w = np.arange(4.0).reshape(1, 1, 2, 2)
    # Output[0, 0] sees x[0:2, 0:2] * w: only the top-left weight w[0, 0] = 0 meets the pixel.
    assert_close(my_conv2d(x, w)[0, 0], torch_conv(x, w)[0, 0], what="single pixel response")
    assert my_conv2d(x, w)[0, 0, 0, 0] == 0.0


@pytest.mark.parametrize("layout", ["transposed", "reversed", "strided"])
def test_conv_handles_non_contiguous_views(layout):
    rng = np.random.default_rng(1)
    base = rng.standard_normal((3, 2, 12, 12))
    x = {
        "transposed": base.transpose(0, 1, 3, 2),
        "reversed": base[:, :, ::-1, ::-1],
        "strided": base[:, :, ::2, ::2],
    }[layout]
    w = rng.standard_normal((2, 4, 3, 2))[:, ::2]  # a view too: channels 0 and 2 of 4
    assert_close(my_conv2d(x, w), torch_conv(x, w), rtol=0, atol=1e-12, what=f"{layout} view")


def test_nan_and_inf_propagate_as_in_torch():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 1, 6, 6))
    x[0, 0, 1, 1], x[1, 0, 4, 4], x[1, 0, 0, 5] = np.nan, np.inf, -np.inf
    w = rng.standard_normal((3, 1, 3, 3))
    w[2, 0, 0, 0] = 0.0  # 0 * inf: NaN in both
    actual = my_conv2d(x, w)
    assert np.isnan(actual).any() and np.isinf(actual).any()
    assert_close(actual, torch_conv(x, w), rtol=1e-12, atol=1e-12, what="NaN/inf propagation")


@given(conv_cases())
def test_conv_never_modifies_its_arguments(case):
    x_before, w_before = case.x.copy(), case.w.copy()
    my_conv2d(case.x, case.w)
    np.testing.assert_array_equal(case.x, x_before)
    np.testing.assert_array_equal(case.w, w_before)


def test_output_is_c_contiguous_float64_of_the_documented_shape():
    x, w = np.ones((4, 3, 10, 9), dtype=np.int16), np.ones((5, 3, 4, 2), dtype=np.float32)
    out = my_conv2d(x, w)
    assert_equal(out.shape, (4, 5, 10 - 4 + 1, 9 - 2 + 1), "output shape")
    assert_equal(out.shape, output_shape(x.shape, w.shape), "output_shape()")
    assert out.dtype == np.float64 and out.flags.c_contiguous


def test_conv_accepts_nested_lists_and_torch_tensors():
    x = np.arange(2 * 1 * 5 * 5.0).reshape(2, 1, 5, 5)
    w = np.ones((1, 1, 2, 2))
    expected = torch_conv(x, w)
    assert_close(my_conv2d(x.tolist(), w.tolist()), expected, what="nested lists")
    assert_close(my_conv2d(torch.from_numpy(x), torch.from_numpy(w)), expected, what="CPU tensors")


GOOD_X = np.zeros((2, 3, 8, 8))
GOOD_W = np.zeros((4, 3, 3, 3))


@pytest.mark.parametrize(
    ("x", "w", "error", "message"),
    [
        (np.zeros((3, 8, 8)), GOOD_W, ValueError, r"input must be 4-D .* got 3-D"),
        (GOOD_X, np.zeros((3, 3, 3)), ValueError, r"kernel must be 4-D .* got 3-D"),
        (np.zeros((1, 1, 1, 2, 2)), GOOD_W, ValueError, r"input must be 4-D"),
        (np.zeros((2, 1, 8, 8)), GOOD_W, ValueError, r"kernel has 3 input channels but input has 1"),
        (np.zeros((2, 3, 2, 8)), GOOD_W, ValueError, r"kernel 3x3 is larger than the input 2x8"),
        (np.zeros((2, 3, 8, 2)), GOOD_W, ValueError, r"kernel 3x3 is larger than the input 8x2"),
        (np.zeros((0, 3, 8, 8)), GOOD_W, ValueError, r"input is empty"),
        (GOOD_X, np.zeros((0, 3, 3, 3)), ValueError, r"kernel is empty"),
        (GOOD_X.astype(complex), GOOD_W, TypeError, r"input has complex dtype"),
        (GOOD_X, GOOD_W.astype(np.complex64), TypeError, r"kernel has complex dtype"),
        (GOOD_X.astype(bool), GOOD_W, TypeError, r"input has dtype bool"),
        (GOOD_X.astype(str), GOOD_W, TypeError, r"input must hold real numbers"),
        (GOOD_X.astype(object), GOOD_W, TypeError, r"input must hold real numbers"),
        (GOOD_X, GOOD_W.astype("datetime64[s]"), TypeError, r"kernel must hold real numbers"),
        (None, GOOD_W, TypeError, r"input must be a numeric array, got NoneType"),
        ("image", GOOD_W, TypeError, r"input must be a numeric array, got str"),
        (GOOD_X, {"w": 1}, TypeError, r"kernel must hold real numbers"),
        ([[[[1, 2]], [[3]]]], GOOD_W, TypeError, r"input cannot be converted to a numeric array"),
    ],
    ids=[
        "input-3d",
        "kernel-3d",
        "input-5d",
        "channel-mismatch",
        "kernel-taller",
        "kernel-wider",
        "input-empty",
        "kernel-empty",
        "input-complex",
        "kernel-complex",
        "input-bool",
        "input-str",
        "input-object",
        "kernel-datetime",
        "input-none",
        "input-string",
        "kernel-dict",
        "input-ragged",
    ],
)
def test_bad_arguments_raise_a_clear_error(x, w, error, message):
    with pytest.raises(error, match=message):
        my_conv2d(x, w)
