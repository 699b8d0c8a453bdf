"""The grader's verdicts on the result-file checks, from the contents the sandbox recorded (see `judge`).

The sandbox loads each slot's file (unpickling runs code: only there) and records it as JSON
data; here its keys, curve lengths (one point every 10 steps at batch 50), accuracy units, Part
3's accuracy band, first-layer weight shape (against the trusted reference) and gradient signs
are judged, each value checked for type before use.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ee449.grading.judging.diagnose import Diagnosis, accuracy_unit, diagnose_units
from ee449.grading.judging.records import Context, Malformed, Record, Verdict
from ee449.grading.sandboxed.checks.manifest import Slot
from ee449.grading.sandboxed.checks.rules import (
    BATCH,
    EPOCHS,
    EVERY,
    KEYS,
    bands,
    implied_images,
    train_images,
)

# --- result files -----------------------------------------------------------------------------


def _numbers(value: object) -> np.ndarray:
    """A curve or value as float64, None entries (a step not recorded) left out; anything else is malformed."""
    flat = np.ravel(np.asarray(value, dtype=object))
    if not all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)) for v in flat):
        raise Malformed("a value that should hold numbers holds something else")
    return np.asarray([v for v in flat if v is not None], dtype=np.float64)


def results_verdict(check: str, slot: str, record: Record, context: Context) -> Verdict:
    info = context.slot(slot)
    file, part = str(record.get("file", str)), info.part
    data = record.get("data", dict)
    want = KEYS[part]

    def field(key: str) -> object:
        if key not in data:
            raise _Fail(f"{file} has no {key!r} (see results/{slot}/keys)")
        return data[key]

    if written_by_ee449(data):
        return False, f"{file} was written by ee449, not by your code", [EE449_RESULT]
    try:
        return _result_check(check, slot, file, part, data, want, info, field, context)
    except _Fail as failure:
        return False, str(failure), []


EE449_MARKS = ("config", "seeds", "runs_done", "record_every")  # keys of the meta ee449's experiments write
EE449_RESULT = Diagnosis(
    "ee449_result",
    (
        "This result file carries ee449's own meta (its config, seeds and versions): it was made by "
        "the grader's reference experiments, not by your training code, so it earns no points; "
        "submit the results your own code recorded."
    ),
)


def written_by_ee449(data: dict) -> bool:
    """Whether a result file is one ee449's experiments wrote (`experiments.payloads._meta`)."""
    meta = data.get("meta")
    if not isinstance(meta, dict):
        return False
    versions = meta.get("versions")
    return (isinstance(versions, dict) and "ee449" in versions) or all(k in meta for k in EE449_MARKS)


class _Fail(Exception):
    pass


def _result_check(
    check: str,
    slot: str,
    file: str,
    part: int,
    data: dict,
    want: tuple[str, ...],
    info: Slot,
    field: Callable[[str], object],
    context: Context,
) -> Verdict:
    if check == "keys":
        missing = [k for k in want if k not in data]
        if missing:
            extra = sorted(set(data) - set(want))
            return (
                False,
                f"{file} lacks the keys {missing}" + (f" (it has {extra} instead)" if extra else ""),
                [],
            )
        return True, "", []
    if check == "curve_lengths":
        curves = {k: v for k, v in data.items() if k in want and "curve" in k and isinstance(v, list)}
        epochs = EPOCHS[part]
        year = context.homework
        low, high = train_images(year)
        typical = round(high * 0.9)  # the homework's 10% validation split
        if not curves:
            return False, f"{file} has no curves to check", []
        lengths = {k: len(v) for k, v in curves.items()}
        problems = [
            f"{key} has {length} points: one point every {EVERY} steps for {epochs} epochs at batch {BATCH} "
            f"gives {epochs * (low // BATCH) // EVERY} to {epochs * (high // BATCH) // EVERY} "
            f"(e.g. {epochs * (typical // BATCH) // EVERY} for {typical:,} training images)"
            for key, length in lengths.items()
            if implied_images(length, epochs, year) is None
        ]
        if len(set(lengths.values())) > 1 and part != 5:
            problems.append(f"curves of different lengths: {lengths}")
        if problems:
            return False, "; ".join(problems), []
        length = next(iter(lengths.values()))
        images = implied_images(length, epochs, year) or 0
        return (
            True,
            (
                f"{length} points = {epochs} epochs x {images // BATCH} steps / {EVERY}: consistent with "
                f"{images:,} training images at batch {BATCH}"
            ),
            [],
        )
    if check == "accuracy_units":
        accuracies = {k: _numbers(data[k]) for k in data if "acc" in k and k in want}
        broken = {
            k: int(np.sum(~np.isfinite(v))) for k, v in accuracies.items() if not np.all(np.isfinite(v))
        }
        if broken:  # NaN or inf: a diverged or unrecorded run, not a unit (whatever the other keys hold)
            said = ", ".join(f"{k} ({n} of {np.size(accuracies[k])})" for k, n in sorted(broken.items()))
            sentence = f"{file} holds accuracies that are not finite numbers (NaN or inf): {said}."
            return False, sentence, [Diagnosis("nonfinite_accuracy", sentence)]
        found = diagnose_units(file, {k: accuracy_unit(v) for k, v in accuracies.items()})
        return (False, found[0].sentence, found) if found else (True, "", [])
    if check == "test_accuracy_band":
        arch = info.arch or str(data.get("name", ""))
        floor, ceiling = bands(context.homework)["mlp" if "mlp" in arch.lower() else "cnn"]
        value = float(_numbers(field("test_acc"))[0])
        percent = value * 100 if accuracy_unit([value]) == "fraction" else value
        if not floor <= percent <= ceiling:
            return (
                False,
                (
                    f"test_acc {value} ({percent:.1f}%) is outside the plausible band {floor:.0f}-{ceiling:.0f}% "
                    f"for {arch or 'this architecture'}"
                ),
                [],
            )
        return True, "", []
    if check == "weights_shape":
        got = tuple(np.shape(np.asarray(field("weights"), dtype=object)))
        wanted = tuple(context.references()[str(info.arch)]["first_weight_shape"])  # PyTorch layout
        if got != wanted:
            return (
                False,
                (f"weights has shape {got}; the first layer of {info.arch} in PyTorch layout is {wanted}"),
                [],
            )
        return True, "", []
    if check == "gradients_nonnegative":
        for key in ("relu_grad_curve", "sigmoid_grad_curve"):
            values = _numbers(field(key))
            if values.size and (np.any(values < 0) or not np.all(np.isfinite(values))):
                return (
                    False,
                    (
                        f"{key} has {int(np.sum(values < 0))} negative and "
                        f"{int(np.sum(~np.isfinite(values)))} non-finite values"
                    ),
                    [
                        Diagnosis(
                            "negative_gradient",
                            (
                                f"{key} in {file} has negative or non-finite values; a gradient magnitude is a norm, "
                                "||(W_before - W_after) / lr||, which is never negative."
                            ),
                        )
                    ],
                )
        return True, "", []
    raise Malformed(f"unknown result check {check}")
