"""Every Hypothesis strategy of the suite, in one place.

Strategies are nouns built with `@composite`, return small NamedTuples, and keep their size
caps as named constants so a failing example stays small and a CI run stays fast.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from hypothesis import strategies as st
from hypothesis.strategies import composite
