"""Shared fixtures of the experiment tests."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def data(tiny_synthetic_data):
    """The tiny real synthetic splits every experiment test trains on (see tests.helpers.splits.TINY)."""
    return tiny_synthetic_data
