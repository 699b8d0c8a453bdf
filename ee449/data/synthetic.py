"""A built-in, procedurally generated stand-in for CIFAR-10 ("synthetic", never real data).

Ten classes of 32x32 RGB uint8 images, so that the experiments and the tests run with no
download and no data files in the repository. Each image shows one small class-specific
pattern (a shape, stroke or texture) at a random position, scale and rotation, over a
background with a random colour, a random brightness ramp, distractor strokes and pixel noise.

What makes a class is *local shape*, never colour or overall brightness: foreground and
background colours are drawn independently of the class, and the pattern's contrast has a
random sign (lighter or darker than the background). A translation-invariant detector (a
CNN) therefore has the advantage over an MLP, which must learn each pattern at every
position separately, as on CIFAR-10. Low-contrast, noisy samples keep accuracy below 100%.

The class names are CIFAR-10's (the stand-in is used under those names) but the images have
nothing to do with airplanes or trucks; everything that reports results says "synthetic".
"""

from __future__ import annotations

import numpy as np

SIZE = 32  # images are SIZE x SIZE, as CIFAR-10
NUM_CLASSES = 10
LUMA = np.array([0.2989, 0.587, 0.114])  # the spec's grayscale weights
MAX_TILT = 0.7  # radians either way: patterns stay mostly upright, as objects in photographs do

# The patterns, in unit coordinates (u, v) where the pattern fills roughly the disk r <= 1.
# Each maps float arrays u, v of one shape to a boolean mask. The order is the label order.


def _plus(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return ((np.abs(u) < 0.28) & (np.abs(v) < 1)) | ((np.abs(v) < 0.28) & (np.abs(u) < 1))


def _square_outline(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    m = np.maximum(np.abs(u), np.abs(v))
    return (m < 0.9) & (m > 0.55)


def _chevron(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return (np.abs(v + 0.4 - 0.9 * np.abs(u)) < 0.25) & (np.abs(u) < 0.95)


def _triangle(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return (v < 0.7) & (v > 1.7 * np.abs(u) - 1.0)


def _ring(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    r = np.hypot(u, v)
    return (r < 0.95) & (r > 0.55)


def _disk(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return np.hypot(u, v) < 0.8


def _checker(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    cells = (np.floor(u * 2.0) + np.floor(v * 2.0)) % 2 == 0
    return cells & (np.abs(u) < 1) & (np.abs(v) < 1)


def _stripes(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return (np.sin(u * np.pi * 2.2) > 0) & (np.hypot(u, v) < 1)


def _two_dots(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return np.hypot(np.abs(u) - 0.55, v) < 0.38


def _letter_h(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    legs = (np.abs(u) > 0.5) & (np.abs(u) < 0.9) & (np.abs(v) < 0.95)
    return legs | ((np.abs(v) < 0.2) & (np.abs(u) < 0.9))


PATTERNS = (
    _plus,
    _square_outline,
    _chevron,
    _triangle,
    _ring,
    _disk,
    _checker,
    _stripes,
    _two_dots,
    _letter_h,
)
assert len(PATTERNS) == NUM_CLASSES


def _colours_with_luma(rng: np.random.Generator, luma: np.ndarray) -> np.ndarray:
    """Random RGB colours [N, 3] in [0, 1] whose grayscale value is close to `luma` [N].

    A random chroma direction orthogonal to LUMA is added, so colour carries no class
    information and the grayscale transform sees mostly `luma`.
    """
    chroma = rng.normal(size=(luma.shape[0], 3))
    chroma -= np.outer(chroma @ LUMA / (LUMA @ LUMA), LUMA)
    chroma *= 0.12 / np.maximum(np.linalg.norm(chroma, axis=1, keepdims=True), 1e-9)
    return np.clip(luma[:, None] + chroma, 0.0, 1.0)


def make_synthetic(n_per_class: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Generate `n_per_class` images of each of the ten classes, deterministically from `seed`.

    Returns (images uint8 [N, 32, 32, 3], labels int64 [N]) with N = 10 * n_per_class; the
    labels are balanced, in a seeded random order. The same seed gives the same images: the
    random draws are numpy's PCG64 stream, identical everywhere, and the labels are exactly
    the same on every machine; the pixels could differ only where a CPU's vectorised float32
    sin/cos rounds differently in the last bit and moves a pattern's edge by one pixel.
    """
    if isinstance(n_per_class, bool) or not isinstance(n_per_class, (int, np.integer)) or n_per_class < 0:
        raise ValueError(f"n_per_class must be a non-negative integer, got {n_per_class!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer, got {seed!r}")
    rng = np.random.default_rng(np.random.SeedSequence(int(seed) & (2**63 - 1)))
    n = NUM_CLASSES * int(n_per_class)
    labels = rng.permutation(np.repeat(np.arange(NUM_CLASSES, dtype=np.int64), n_per_class))
    if n == 0:
        return np.zeros((0, SIZE, SIZE, 3), np.uint8), labels

    ys, xs = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)  # [32, 32] pixel centres
    # The picture is painted in layers: 0 background, 1 and 2 distractor strokes, 3 the class
    # pattern. `layer` [N, 32, 32] says which layer shows at each pixel; `palette` [N, 4, 3]
    # holds each layer's colour; brightness ramp and noise are added afterwards.
    layer = np.zeros((n, SIZE, SIZE), dtype=np.int8)
    palette = np.empty((n, 4, 3), dtype=np.float32)
    base = rng.uniform(0.25, 0.75, n)  # background brightness
    palette[:, 0] = _colours_with_luma(rng, base)

    # Distractor strokes: 0-2 thin straight lines anywhere, of random brightness (class-free).
    for stroke in (1, 2):
        present = rng.random(n) < 0.4
        px, py = rng.uniform(0, SIZE, n).astype(np.float32), rng.uniform(0, SIZE, n).astype(np.float32)
        theta = rng.uniform(0, np.pi, n).astype(np.float32)
        half = rng.uniform(3, 9, n).astype(np.float32)
        ddx, ddy = xs - px[:, None, None], ys - py[:, None, None]
        c, s = np.cos(theta)[:, None, None], np.sin(theta)[:, None, None]
        on = (np.abs(c * ddy - s * ddx) < 0.7) & (np.abs(c * ddx + s * ddy) < half[:, None, None])
        layer[on & present[:, None, None]] = stroke
        palette[:, stroke] = _colours_with_luma(rng, rng.uniform(0.0, 1.0, n))

    # The class pattern: random scale (radius in pixels), position (fully inside), rotation.
    scale = rng.uniform(7.0, 11.0, n).astype(np.float32)
    cx = rng.uniform(scale, SIZE - 1 - scale).astype(np.float32)
    cy = rng.uniform(scale, SIZE - 1 - scale).astype(np.float32)
    angle = rng.uniform(-MAX_TILT, MAX_TILT, n).astype(np.float32)
    dx = (xs - cx[:, None, None]) / scale[:, None, None]
    dy = (ys - cy[:, None, None]) / scale[:, None, None]
    c, s = np.cos(angle)[:, None, None], np.sin(angle)[:, None, None]
    u, v = c * dx + s * dy, c * dy - s * dx  # [N, 32, 32] pattern coordinates
    for k, pattern in enumerate(PATTERNS):
        members = np.flatnonzero(labels == k)
        hit = pattern(u[members], v[members])
        layer[members] = np.where(hit, 3, layer[members])
    # Contrast of random size and sign (lighter three times in four, for every class alike):
    # brightness alone never identifies the class.
    contrast = rng.uniform(0.2, 0.5, n) * np.where(rng.random(n) < 0.75, 1.0, -1.0)
    palette[:, 3] = _colours_with_luma(rng, np.clip(base + contrast, 0.0, 1.0))

    # Brightness ramp (background only) in a random direction, then gray pixel noise.
    ramp_angle = rng.uniform(0, 2 * np.pi, n).astype(np.float32)
    ramp = rng.uniform(0.0, 0.3, n).astype(np.float32) / (SIZE - 1)
    ramp_field = ramp[:, None, None] * (
        np.cos(ramp_angle)[:, None, None] * (xs - 15.5) + np.sin(ramp_angle)[:, None, None] * (ys - 15.5)
    )
    noise = rng.uniform(0.02, 0.08, n).astype(np.float32)[:, None, None]
    offset = np.where(layer == 0, ramp_field, 0) + noise * rng.standard_normal(
        (n, SIZE, SIZE), dtype=np.float32
    )
    rows = layer + 4 * np.arange(n, dtype=np.intp)[:, None, None]  # [N, 32, 32] rows of the flat palette
    image = palette.reshape(4 * n, 3)[rows]  # [N, 32, 32, 3]
    image += offset[..., None]
    image *= 255
    np.rint(image, out=image)
    return np.clip(image, 0, 255).astype(np.uint8), labels
