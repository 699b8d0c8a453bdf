"""The grader's verdicts on the result-file checks, from the contents the sandbox recorded (see `judge`).

The sandbox loads each slot's file (unpickling runs code: only there) and records it as JSON
data; here its keys, curve lengths (one point every 10 steps at batch 50), accuracy units, Part
3's accuracy band, first-layer weight shape (against the trusted reference) and gradient signs
are judged, each value checked for type before use.
"""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class ResultFile:
    """One slot's file as the sandbox recorded it: what each result check judges."""

    slot: Slot
    file: str  # its name in the submission
    data: dict
    context: Context

    @property
    def want(self) -> tuple[str, ...]:
        return KEYS[self.slot.part]

    def field(self, key: str) -> object:
        """A key the check needs; its absence fails the check with a sentence of its own."""
        if key not in self.data:
            raise _Missing(f"{self.file} has no {key!r} (see results/{self.slot.slot}/keys)")
        return self.data[key]


class _Missing(Exception):
    """A key a result check needs is not in the file: the check fails, naming it."""


def results_verdict(check: str, slot: str, record: Record, context: Context) -> Verdict:
    if check not in RESULT_VERDICTS:
        raise Malformed(f"unknown result check {check}")
    result = ResultFile(context.slot(slot), str(record.get("file", str)), record.get("data", dict), context)
    if written_by_ee449(result.data):
        return False, f"{result.file} was written by ee449, not by your code", [EE449_RESULT]
    try:
        return RESULT_VERDICTS[check](result)
    except _Missing as missing:
        return False, str(missing), []


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


def _keys(result: ResultFile) -> Verdict:
    missing = [k for k in result.want if k not in result.data]
    if not missing:
        return True, "", []
    extra = sorted(set(result.data) - set(result.want))
    return (
        False,
        f"{result.file} lacks the keys {missing}" + (f" (it has {extra} instead)" if extra else ""),
        [],
    )


def _curve_lengths(result: ResultFile) -> Verdict:
    part, year = result.slot.part, result.context.homework
    curves = {
        k: v for k, v in result.data.items() if k in result.want and "curve" in k and isinstance(v, list)
    }
    if not curves:
        return False, f"{result.file} has no curves to check", []
    epochs = EPOCHS[part]
    low, high = train_images(year)
    typical = round(high * 0.9)  # the homework's 10% validation split
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
    said = (
        f"{length} points = {epochs} epochs x {images // BATCH} steps / {EVERY}: consistent with "
        f"{images:,} training images at batch {BATCH}"
    )
    return True, said, []


def _accuracy_units(result: ResultFile) -> Verdict:
    accuracies = {k: _numbers(result.data[k]) for k in result.data if "acc" in k and k in result.want}
    broken = {k: int(np.sum(~np.isfinite(v))) for k, v in accuracies.items() if not np.all(np.isfinite(v))}
    if broken:  # NaN or inf: a diverged or unrecorded run, not a unit (whatever the other keys hold)
        said = ", ".join(f"{k} ({n} of {np.size(accuracies[k])})" for k, n in sorted(broken.items()))
        sentence = f"{result.file} holds accuracies that are not finite numbers (NaN or inf): {said}."
        return False, sentence, [Diagnosis("nonfinite_accuracy", sentence)]
    found = diagnose_units(result.file, {k: accuracy_unit(v) for k, v in accuracies.items()})
    return (False, found[0].sentence, found) if found else (True, "", [])


def _test_accuracy_band(result: ResultFile) -> Verdict:
    arch = result.slot.arch or str(result.data.get("name", ""))
    floor, ceiling = bands(result.context.homework)["mlp" if "mlp" in arch.lower() else "cnn"]
    value = float(_numbers(result.field("test_acc"))[0])
    percent = value * 100 if accuracy_unit([value]) == "fraction" else value
    if floor <= percent <= ceiling:
        return True, "", []
    said = (
        f"test_acc {value} ({percent:.1f}%) is outside the plausible band {floor:.0f}-{ceiling:.0f}% "
        f"for {arch or 'this architecture'}"
    )
    return False, said, []


def _weights_shape(result: ResultFile) -> Verdict:
    arch = str(result.slot.arch)
    got = tuple(np.shape(np.asarray(result.field("weights"), dtype=object)))
    wanted = tuple(result.context.references()[arch]["first_weight_shape"])  # PyTorch layout
    if got == wanted:
        return True, "", []
    return False, f"weights has shape {got}; the first layer of {arch} in PyTorch layout is {wanted}", []


def _gradients_nonnegative(result: ResultFile) -> Verdict:
    for key in ("relu_grad_curve", "sigmoid_grad_curve"):
        values = _numbers(result.field(key))
        if values.size and (np.any(values < 0) or not np.all(np.isfinite(values))):
            said = (
                f"{key} has {int(np.sum(values < 0))} negative and "
                f"{int(np.sum(~np.isfinite(values)))} non-finite values"
            )
            why = (
                f"{key} in {result.file} has negative or non-finite values; a gradient magnitude is a norm, "
                "||(W_before - W_after) / lr||, which is never negative."
            )
            return False, said, [Diagnosis("negative_gradient", why)]
    return True, "", []


RESULT_VERDICTS: dict[str, Callable[[ResultFile], Verdict]] = {
    "keys": _keys,
    "curve_lengths": _curve_lengths,
    "accuracy_units": _accuracy_units,
    "test_accuracy_band": _test_accuracy_band,
    "weights_shape": _weights_shape,
    "gradients_nonnegative": _gradients_nonnegative,
}
