"""ee449.validate: the one positive-int check."""

from __future__ import annotations

import re

import numpy as np
import pytest

from ee449.validate import positive_int


@pytest.mark.parametrize("good", [1, 7, np.int64(3), np.uint8(200)])
def test_integers_from_one_up_pass_as_plain_ints(good):
    value = positive_int(good, "epochs")
    assert type(value) is int and value == int(good)


@pytest.mark.parametrize("bad", [0, -3, True, 1.0, "2", None, np.int32(0)])
def test_anything_else_is_refused_naming_the_value(bad):
    with pytest.raises(ValueError, match="^epochs must be a positive int, got " + re.escape(repr(bad))):
        positive_int(bad, "epochs")
