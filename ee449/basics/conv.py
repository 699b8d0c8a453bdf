"""Part 2: a 2-D convolution layer's forward pass in NumPy.

`my_conv2d` is what `torch.nn.functional.conv2d(input, kernel)` computes with its defaults:
a valid cross-correlation (the kernel is not flipped), stride 1, no padding, no bias.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# The im2col buffer holds at most this many bytes (or one image's worth, if that is more): it
# bounds memory on large batches, while typical batches (64 CIFAR-sized images: 30 MB) fit in
# one chunk, so BLAS gets one large product.
_CHUNK_BYTES = 64 * 2**20


def my_conv2d(input: Any, kernel: Any) -> np.ndarray:
    """Valid 2-D cross-correlation of a batch of images with a bank of kernels.

    Shapes:
        input:  [N, C_in, H, W]
        kernel: [C_out, C_in, kh, kw]     (kh <= H, kw <= W)
        output: [N, C_out, H - kh + 1, W - kw + 1], float64, C-contiguous

        output[n, o, i, j] = sum over c, p, q of input[n, c, i + p, j + q] * kernel[o, c, p, q]

    Dtypes: any real integer or floating dtype (uint8 images included). Both arrays are cast to
    float64 before multiplying, so integer inputs never wrap around; int64 values beyond 2**53
    round as float64 does. `bool` is rejected (TypeError), as torch's conv2d rejects it: a
    boolean image is almost always a mistake, and `x.astype(np.uint8)` says what is meant.
    Complex, string and object arrays are rejected (TypeError). NaN and inf are allowed and
    propagate as in any sum of products (0 * inf gives NaN, as in torch).

    Anything `np.asarray` turns into a numeric array is accepted (nested lists, CPU tensors).
    The arguments are never modified.

    Raises:
        TypeError: an argument is not a real numeric array (or cannot be made into one).
        ValueError: an argument is not 4-D or is empty, the channel counts differ, or the
            kernel is larger than the input.
    """
    x = _as_real_array(input, "input")
    w = _as_real_array(kernel, "kernel")
    _check_shapes(x.shape, w.shape)
    N, C, H, W = x.shape
    O, _, kh, kw = w.shape
    Ho, Wo = H - kh + 1, W - kw + 1
    K, P = C * kh * kw, Ho * Wo

    w2 = w.astype(np.float64).reshape(O, K)  # (O, C*kh*kw), in (c, p, q) order
    out = np.empty((N, O, Ho, Wo), dtype=np.float64)
    # Strategy: im2col + one matmul per chunk of the batch (benchmarks/bench_conv.py
    # --strategies times the alternatives). The kh*kw Python iterations each copy one shifted
    # view of the whole chunk, so no Python code runs per pixel, and BLAS then gets a single
    # (O, K) x (K, n*Ho*Wo) product. Measured against: a tensordot over a sliding_window_view
    # (1.2-2x slower: it copies the 6-D view in a cache-unfriendly order), the loop of small
    # per-offset [C] x [C, O] products (5-10x slower: the contraction is only C long, so
    # memory bound), and a batched matmul per image (as fast on an idle machine, but its N
    # small multithreaded BLAS calls ran 3-5x slower when other processes shared the cores,
    # as on CI). Copying one sliding_window_view instead of the kh*kw slices measured the
    # same. The chunk only bounds memory; the case is one chunk.
    chunk = max(1, min(N, _CHUNK_BYTES // (K * P * 8)))
    x_by_channel = x.transpose(1, 0, 2, 3)  # (C, N, H, W) view, no copy
    for start in range(0, N, chunk):
        xs = x_by_channel[:, start : start + chunk]  # (C, n, H, W), any dtype: the copy casts it
        n = xs.shape[1]
        c = np.empty((C, kh, kw, n, Ho, Wo), dtype=np.float64)  # im2col, contiguous
        for p in range(kh):
            for q in range(kw):
                c[:, p, q] = xs[:, :, p : p + Ho, q : q + Wo]  # (C, n, Ho, Wo) shifted view
        product = w2 @ c.reshape(K, n * P)  # (O, K) @ (K, n*Ho*Wo) -> (O, n*Ho*Wo)
        out[start : start + n] = product.reshape(O, n, Ho, Wo).transpose(1, 0, 2, 3)
    return out


def output_shape(input_shape: tuple[int, ...], kernel_shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    """The shape `my_conv2d` returns for these argument shapes (validated the same way)."""
    _check_shapes(tuple(input_shape), tuple(kernel_shape))
    N, _, H, W = input_shape
    O, _, kh, kw = kernel_shape
    return (N, O, H - kh + 1, W - kw + 1)


def _as_real_array(value: Any, name: str) -> np.ndarray:
    """`value` as an ndarray of a real integer or floating dtype, without copying when possible."""
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be a numeric array, got {type(value).__name__}")
    try:
        array = np.asarray(value)
    except (TypeError, ValueError, RuntimeError) as error:  # ragged lists, tensors needing grad
        raise TypeError(f"{name} cannot be converted to a numeric array: {error}") from None
    dtype = array.dtype
    if dtype == np.bool_:
        raise TypeError(f"{name} has dtype bool; cast it to an integer or float dtype first")
    if np.issubdtype(dtype, np.complexfloating):
        raise TypeError(f"{name} has complex dtype {dtype}; my_conv2d needs real numbers")
    if not (np.issubdtype(dtype, np.integer) or np.issubdtype(dtype, np.floating)):
        raise TypeError(
            f"{name} must hold real numbers (integer or float dtype), got dtype {dtype}"
            f" from {type(value).__name__}"
        )
    return array


def _check_shapes(x_shape: tuple[int, ...], w_shape: tuple[int, ...]) -> None:
    if len(x_shape) != 4:
        raise ValueError(f"input must be 4-D [N, C_in, H, W], got {len(x_shape)}-D shape {x_shape}")
    if len(w_shape) != 4:
        raise ValueError(f"kernel must be 4-D [C_out, C_in, kh, kw], got {len(w_shape)}-D shape {w_shape}")
    if 0 in x_shape:
        raise ValueError(f"input is empty: shape {x_shape}")
    if 0 in w_shape:
        raise ValueError(f"kernel is empty: shape {w_shape}")
    if w_shape[1] != x_shape[1]:
        raise ValueError(f"kernel has {w_shape[1]} input channels but input has {x_shape[1]}")
    (H, W), (kh, kw) = x_shape[2:], w_shape[2:]
    if kh > H or kw > W:
        raise ValueError(
            f"kernel {kh}x{kw} is larger than the input {H}x{W} (valid padding needs kh <= H, kw <= W)"
        )
