"""Assertion helpers that print the values, and hide their own frames from tracebacks."""

from __future__ import annotations

from typing import Any

import numpy as np


def _as_numpy(value: Any) -> np.ndarray:
    if hasattr(value, "detach"):  # a torch tensor
        value = value.detach().cpu().numpy()
    return np.asarray(value)


def assert_close(
    actual: Any, expected: Any, *, rtol: float = 1e-7, atol: float = 1e-9, what: str = "value"
) -> None:
    """Shapes equal and every element within atol + rtol * |expected|; NaN matches NaN.

    On failure: 'what: max abs err 3e-4 > tol 1e-9 at (0, 2, 1, 1): actual 1.5, expected 1.4997'.
    """
    __tracebackhide__ = True
    actual, expected = _as_numpy(actual), _as_numpy(expected)
    if actual.shape != expected.shape:
        raise AssertionError(f"{what}: shape {actual.shape} != expected {expected.shape}")
    a, e = actual.astype(np.float64), expected.astype(np.float64)
    both_nan = np.isnan(a) & np.isnan(e)
    same_inf = np.isinf(a) & np.isinf(e) & (np.sign(a) == np.sign(e))
    with np.errstate(invalid="ignore"):
        err = np.where(both_nan | same_inf, 0.0, np.abs(a - e))
        tol = atol + rtol * np.abs(np.where(np.isfinite(e), e, 0.0))
    err = np.where(np.isnan(err), np.inf, err)
    excess = err - tol
    if excess.size and np.max(excess) > 0:
        where = np.unravel_index(int(np.argmax(excess)), excess.shape)
        raise AssertionError(
            f"{what}: max abs err {err[where]:.3g} > tol {tol[where]:.3g} at {tuple(int(i) for i in where)}: "
            f"actual {a[where]!r}, expected {e[where]!r} ({int(np.sum(excess > 0))} of {excess.size} elements off)"
        )


def assert_equal(actual: Any, expected: Any, what: str = "value") -> None:
    """Plain equality with both values printed."""
    __tracebackhide__ = True
    if actual != expected:
        raise AssertionError(f"{what}: {actual!r} != expected {expected!r}")
