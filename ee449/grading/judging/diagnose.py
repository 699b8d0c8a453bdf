"""Name the known defects of student code in one sentence a student understands.

Each function looks at evidence (a student's conv output next to the reference, two layer
sequences, a result file's curves) and returns a list of `Diagnosis`; an empty list means
"no known defect recognised". They run in the grader's process on what the sandbox recorded
(never beside the student's code: `sandbox.lib` keeps this module out of the sandbox) and import
only NumPy and the standard library.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ee449.grading.sandboxed.checks import protocol

CONV_ATOL = 1e-6


# One diagnosis type on both sides of the sandbox: `code` is the stable identifier tests and course
# staff key on, `sentence` is for the student.
Diagnosis = protocol.Diagnosis


def _cross_correlate(x: np.ndarray, k: np.ndarray, pad: tuple[int, int] = (0, 0)) -> np.ndarray:
    """Reference valid cross-correlation, float64: x [N, C, H, W], k [O, C, kh, kw] -> [N, O, H', W']."""
    x = np.asarray(x, dtype=np.float64)
    k = np.asarray(k, dtype=np.float64)
    if any(pad):
        x = np.pad(x, ((0, 0), (0, 0), (pad[0], pad[0]), (pad[1], pad[1])))
    kh, kw = k.shape[2:]
    windows = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(2, 3))  # N, C, H', W', kh, kw
    return np.einsum("nchwij,ocij->nohw", windows, k)


def _same(a: np.ndarray, b: np.ndarray, atol: float = CONV_ATOL) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-6, atol=atol))


_CONV_DEFECTS = {
    "flipped_kernel": (
        "Your my_conv2d flips the kernel (a true convolution); the homework's conv, like "
        "torch's conv2d, is a cross-correlation: multiply by kernel[o, c, i, j] without "
        "reversing it."
    ),
    "zero_last_row": (
        "The last row of your output stays zero: your loop over output positions stops one "
        "short (use range(H - kh + 1), which already includes the last position)."
    ),
    "zero_last_column": (
        "The last column of your output stays zero: your loop over output positions stops "
        "one short (use range(W - kw + 1), which already includes the last position)."
    ),
    "only_channel_0": (
        "Your my_conv2d uses only input channel 0: the output sums the products over every "
        "input channel c (input[n, c] with kernel[o, c])."
    ),
    "channels_overwritten": (
        "Your my_conv2d overwrites the output for each input channel instead of adding "
        "to it, so only the last channel counts: sum over the input channels (+=, or "
        "np.sum over c)."
    ),
}


def _predicted(x: np.ndarray, kernel: np.ndarray, defects: tuple[str, ...]) -> np.ndarray:
    """What a conv with exactly these defects returns for (x, kernel)."""
    k = kernel[:, :, ::-1, ::-1] if "flipped_kernel" in defects else kernel
    if "only_channel_0" in defects:
        x, k = x[:, :1], k[:, :1]
    elif "channels_overwritten" in defects:
        x, k = x[:, -1:], k[:, -1:]
    out = _cross_correlate(x, k)
    if "zero_last_row" in defects:
        out[:, :, -1, :] = 0
    if "zero_last_column" in defects:
        out[:, :, :, -1] = 0
    return out


def _defect_sets(channels: int) -> list[tuple[str, ...]]:
    """Every combination of the known defects, fewest first (the simplest explanation wins)."""
    channel_options: list[tuple[str, ...]] = [()]
    if channels > 1:  # with one channel these defects change nothing
        channel_options += [("only_channel_0",), ("channels_overwritten",)]
    sets = [
        f + c + e
        for f in ((), ("flipped_kernel",))
        for c in channel_options
        for e in ((), ("zero_last_row",), ("zero_last_column",), ("zero_last_row", "zero_last_column"))
    ]
    return sorted(sets, key=len)


def _wrapped_match(got: np.ndarray, out_dtype: np.dtype, predicted: np.ndarray) -> bool:
    """Whether `got` is `predicted` after uint8 (or any integer) wrap-around or truncation."""
    if np.issubdtype(out_dtype, np.integer):
        with np.errstate(invalid="ignore", over="ignore"):
            if np.array_equal(got, predicted.astype(out_dtype).astype(np.float64)):
                return True
    return _same(np.mod(np.round(got), 256), np.mod(np.round(predicted), 256))


def diagnose_conv(
    student: object, x: np.ndarray, kernel: np.ndarray, others_pass: bool = False
) -> list[Diagnosis]:
    """Why a student's `my_conv2d(x, kernel)` output differs from the reference, if we know.

    Recognised, alone or together (each one named): flipped kernel (true convolution), last
    row/column left at zero (loop bound one short), only input channel 0 used, channels
    overwritten instead of summed, uint8 wrap-around; and by shape: 'same' padding, output one
    row/column short. `others_pass` says every other case passes: only then may a diagnosis say
    the output is wrong "only" on this kind of input.
    """
    try:
        out = np.asarray(student)
        got = out.astype(np.float64)
    except (TypeError, ValueError):
        return [Diagnosis("not_an_array", "Your my_conv2d must return a NumPy array of numbers.")]
    x = np.asarray(x)
    ref = _cross_correlate(x, kernel)
    n, o, h, w = ref.shape
    kh, kw = kernel.shape[2:]
    if got.shape != ref.shape and got.shape == (n, o, h + kh - 1, w + kw - 1) and kh % 2 == 1 and kw % 2 == 1:
        return [
            Diagnosis(
                "same_padding",
                (
                    "Your output has the input's height and width ('same' padding); the homework's conv "
                    "uses no padding, so the output is (H - kh + 1) x (W - kw + 1)."
                ),
            )
        ]
    if got.shape[:2] == (n, o) and got.shape[2:] in {(h - 1, w), (h, w - 1), (h - 1, w - 1)}:
        return [
            Diagnosis(
                "short_output",
                (
                    "Your output is one row or column short: the output size is H - kh + 1, so loop over "
                    "range(H - kh + 1), not range(H - kh)."
                ),
            )
        ]
    if got.shape != ref.shape or _same(got, ref):
        return []
    may_wrap = x.dtype == np.uint8  # an integer output on float input is truncation, named below
    for defects in _defect_sets(x.shape[1]):
        predicted = _predicted(x, kernel, defects)
        wrapped = False
        if not _same(got, predicted):
            if not (may_wrap and _wrapped_match(got, out.dtype, predicted)):
                continue
            wrapped = True
        found = [Diagnosis(code, _CONV_DEFECTS[code]) for code in defects]
        if wrapped and np.issubdtype(out.dtype, np.integer) and out.dtype.itemsize > 1:
            # int32 / int64 output: truncated, not wrapped at 256
            found.append(
                Diagnosis(
                    "integer_output",
                    (
                        f"Your my_conv2d returns {out.dtype} values: the sums are truncated to integers; compute "
                        "and return floating-point values (float64)."
                    ),
                )
            )
        elif wrapped:
            found.append(
                Diagnosis(
                    "uint8_wrap",
                    (
                        f"Your my_conv2d's results wrap around or are truncated ({out.dtype} output on {x.dtype} "
                        "input): cast the input (and kernel) to float64 before multiplying, since uint8 arithmetic "
                        "wraps around at 256."
                    ),
                )
            )
        return found
    if np.issubdtype(out.dtype, np.integer) and x.dtype != np.uint8:
        return [
            Diagnosis(
                "integer_output",
                (
                    f"Your my_conv2d returns {out.dtype} values: the sums are truncated to integers; compute "
                    "and return floating-point values (float64)."
                ),
            )
        ]
    if np.issubdtype(out.dtype, np.integer):
        return [
            Diagnosis(
                "uint8_wrap",
                (
                    f"Your my_conv2d returns {out.dtype} values, which wrap around or are truncated; cast "
                    "the input to float64 before multiplying (the course's digits are uint8 and uint8 "
                    "arithmetic wraps around at 256)."
                ),
            )
        ]
    if x.dtype == np.uint8 and others_pass:
        return [
            Diagnosis(
                "uint8_wrap",
                (
                    "Your my_conv2d is wrong only on uint8 input (every other case passes): cast the input to "
                    "float64 before multiplying, since uint8 arithmetic wraps around at 256."
                ),
            )
        ]
    return []


def diagnose_batch(arch: str, works: dict[int, bool]) -> list[Diagnosis]:
    """`works` maps batch size -> whether the model returned [N, 10] for it."""
    if works.get(50) and not all(works.get(n, True) for n in works if n != 50):
        failing = ", ".join(str(n) for n in sorted(works) if not works[n])
        return [
            Diagnosis(
                "hardcoded_batch",
                (
                    f"Your {arch} works for a batch of 50 but not for {failing}: the batch size is hard-coded "
                    "(e.g. x.view(50, -1)); use x.view(x.size(0), -1) or nn.Flatten() so any batch works."
                ),
            )
        ]
    return []


def diagnose_layers(
    arch: str,
    student: Sequence[str],
    reference: Sequence[str],
    names: Sequence[str] = (),
    ran: int | None = None,
    key: str = "",
) -> list[Diagnosis]:
    """Compare two layer sequences (describe_layers strings, in forward order): see `structure`.

    `arch` names the student's model, `key` the homework's architecture (default: `arch`)."""
    from ee449.grading.judging.structure import diagnose_structure  # it builds on Diagnosis, defined here

    return diagnose_structure(arch, student, reference, names, ran, key)


def diagnose_units(file: str, units: dict[str, str]) -> list[Diagnosis]:
    """`units` maps each accuracy key of a result file to 'percent', 'fraction' or 'none' (ignored)."""
    kinds = set(units.values()) - {"none"}
    if len(kinds) > 1:
        fractions = sorted(k for k, u in units.items() if u == "fraction")
        percents = sorted(k for k, u in units.items() if u == "percent")
        return [
            Diagnosis(
                "unit_mix",
                (
                    f"{file} mixes fractions ({', '.join(fractions)}) with percentages ({', '.join(percents)}): "
                    "record every accuracy in percent (0-100)."
                ),
            )
        ]
    return []


def accuracy_unit(values: Sequence[float] | np.ndarray) -> str:
    """'percent' when any value exceeds 1 (a percent curve passes 1% at once), else 'fraction';
    'none' when no value is finite (all NaN or inf: it says nothing of a unit)."""
    finite = [float(v) for v in np.ravel(np.asarray(values, dtype=np.float64)) if np.isfinite(v)]
    if not finite:
        return "none"
    return "percent" if max(finite) > 1.0 else "fraction"
