"""The one check of a count (epochs, runs, batch size, steps, ...): a positive int.

Every layer that takes a count from a caller checks it here, so the rule (an int, not a bool,
NumPy integers allowed, at least 1) and the message are the same everywhere.
"""

from __future__ import annotations

import numbers


def positive_int(value: object, name: str) -> int:
    """`value` as an int when it is an integer >= 1; else ValueError naming `name` and the value."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)
