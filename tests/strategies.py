"""Every Hypothesis strategy of the suite, in one place.

Strategies are nouns built with `@composite`, return small NamedTuples, and keep their size
caps as named constants so a failing example stays small and a CI run stays fast.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from hypothesis import strategies as st
from hypothesis.strategies import composite


# --- bench: images for the per-image reference pipeline ------------------------------------

MAX_RGB_IMAGES = 3  # per example: the per-image PIL pipeline is slow


class RgbImages(NamedTuple):
    images: np.ndarray  # uint8 [N, 32, 32, 3], HWC as decoded
    labels: np.ndarray  # int64 [N], in 0..9


@composite
def rgb_images(draw) -> RgbImages:
    """A few 32x32 RGB uint8 images: any pixel values, including the 0 and 255 extremes."""
    n = draw(st.integers(1, MAX_RGB_IMAGES), label="n")
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 32, 32, 3), dtype=np.uint8)
    extreme = draw(st.sampled_from([None, 0, 255]), label="extreme")
    if extreme is not None:
        images[0] = extreme  # a flat black or white image: the ends of the normalised range
    return RgbImages(images, rng.integers(0, 10, size=n, dtype=np.int64))

