"""The verdicts on Part 1 of 2024 / 2025 (the NumPy XOR `MLP`), from what the sandbox measured.

The sandbox (`checks/check_xor.py`, `xor_behaviour`) runs the student's class and records
numbers: an output shape, the squared error before and after one step with the cosines of that
step against candidate steps, each derivative's deviation from finite differences, validation
accuracies. Here, in the grader's process, those numbers are checked for type and judged with
the grader's own thresholds; the messages and the named defects are the grader's. A record
that is not what the sandbox writes fails its check (`records.Malformed`).
"""

from __future__ import annotations

import math

from ee449.grading.judging.diagnose import Diagnosis
from ee449.grading.judging.records import Malformed, Record, Verdict
from ee449.grading.sandboxed.checks.rules import XOR_SEPARATES_ABOVE

CHECKS = ("forward", "descent", "derivatives", "training")
SAME_DIRECTION = 0.999  # cosine between the student's step and a candidate step, up to a positive scale
DERIVATIVE_TOLERANCE = 1e-4  # np.allclose's atol against central differences (rtol 1e-5 is in the measure)

DEFECTS = {
    "sign": "Your update has the wrong sign: it adds the gradient of the error instead of subtracting it "
    "(with output_error = targets - output, the weights take += learning_rate * ...).",
    "preactivation_derivative": "Your derivative is applied to the pre-activation (x @ W + b) where it "
    "expects the activation's output: sigmoid_derivative(s) = s * (1 - s) takes s = sigmoid(z), so pass "
    "the stored outputs.",
    "hidden_from_output_error": "Your hidden error is computed from the output error instead of the output "
    "delta: hidden_error = output_delta @ weights_hidden_output.T, not output_error @ ...",
}
FORMULAS = {"sigmoid": "s(x) * (1 - s(x))", "tanh": "1 - tanh(x)^2", "relu": "1 for x > 0, else 0"}
RETRIES = {  # the rescaled rates `measure_training` tries, in order, and what passing there means
    1: "your backward averages the error over the batch, so the homework's rate trains {n} times slower",
    2: "your step is larger than the skeleton's (a linear output, or the factor 2), so the homework's rate "
    "overshoots",
}


def _number(value: object, name: str) -> float:
    """A finite float from the record; NaN / inf arrive as None (a diverged computation) and count as inf."""
    if value is None:
        return math.inf
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Malformed(f"{name!r} is not a number")
    return float(value)


def _raised(record: Record) -> str:
    raised = record.values.get("raised")
    if raised is not None and not isinstance(raised, str):
        raise Malformed("'raised' is not a string")
    return raised or ""


def forward_verdict(record: Record) -> Verdict:
    raised = _raised(record)
    if raised:
        return False, f"MLP(2, 4, 1).forward on 5 points raised {raised}", []
    shape = record.values.get("shape")
    if not isinstance(shape, list) or not all(isinstance(d, int) and not isinstance(d, bool) for d in shape):
        raise Malformed("'shape' is not a list of integers")
    if shape in ([5, 1], [5]):
        return True, "one output per point", []
    return False, f"forward on 5 points returned shape {shape}: expected one output per point, [5, 1]", []


def _candidate(record: Record) -> str:
    """'exact', a DEFECTS code, or '': the first candidate step the student's step points along."""
    cosines = record.values.get("cosines", [])
    if not isinstance(cosines, list):
        raise Malformed("'cosines' is not a list")
    for pair in cosines:
        if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str)):
            raise Malformed("'cosines' holds something that is not [candidate, cosine]")
        if pair[0] not in ("exact", *DEFECTS):
            raise Malformed(f"unknown candidate step {pair[0][:40]!r}")
        cosine = _number(pair[1], "cosine")
        if math.isfinite(cosine) and cosine > SAME_DIRECTION:
            return pair[0]
    return ""


def descent_verdict(record: Record) -> Verdict:
    rate = _number(record.values.get("rate"), "rate")
    raised = _raised(record)
    if raised:
        return False, f"backward(X, y, {rate:g}) raised {raised}", []
    before = _number(record.values.get("before"), "before")
    after = _number(record.values.get("after"), "after")
    if not math.isfinite(before):
        return False, "your forward gives a squared error that is not a finite number, before any step", []
    candidate = _candidate(record)
    if after < before and candidate in ("", "exact"):
        return (
            True,
            f"one step with rate {rate:g} lowered the squared error ({before:.4f} -> {after:.4f})",
            [],
        )
    if after >= before:
        message = (
            f"one backward step with rate {rate:g} raised the squared error on its batch from {before:.4f} "
            f"to {after:.4f}: it must descend"
        )
    else:
        message = (
            f"backward lowers the error but its step is not the gradient's ({before:.4f} -> {after:.4f})"
        )
    diagnoses = [Diagnosis(candidate, DEFECTS[candidate])] if candidate in DEFECTS else []
    return False, message, diagnoses


def derivatives_verdict(record: Record) -> Verdict:
    raised = _raised(record)
    if raised:
        return False, f"MLP(2, 4, 1) could not be built: {raised}", []
    found = record.values.get("found")
    if not isinstance(found, dict) or not set(found) <= set(FORMULAS):
        raise Malformed("'found' is not a dict of the three activations")
    if not found:
        return False, "no sigmoid_derivative, tanh_derivative or relu_derivative on your MLP class", []
    wrong = []
    for name, measured in found.items():
        if not isinstance(measured, dict):
            raise Malformed(f"{name!r} is not a dict")
        raised = _raised(Record(measured))
        if raised:
            wrong.append(f"{name}_derivative raised {raised}")
            continue
        as_input = _number(measured.get("as_input"), "as_input")
        as_output = _number(measured.get("as_output"), "as_output")
        if min(as_input, as_output) > DERIVATIVE_TOLERANCE:
            wrong.append(
                f"{name}_derivative differs from the slope of {name} (max error {as_input:.3g}, taking its "
                f"argument as x or as {name}(x)); the derivative of {name} is {FORMULAS[name]}"
            )
    checked = ", ".join(f"{name}_derivative" for name in found)
    if wrong:
        return False, "; ".join(wrong), []
    return True, f"{checked}: the slope of each function (finite differences)", []


def training_verdict(record: Record) -> Verdict:
    trained = record.values.get("trained")
    epochs = record.get("epochs", int)
    samples = record.get("samples", int)
    if not isinstance(trained, list) or not 1 <= len(trained) <= 3:
        raise Malformed("'trained' is not a list of one to three [rate, accuracy]")
    runs = []
    for pair in trained:
        if not (isinstance(pair, list) and len(pair) == 2):
            raise Malformed("'trained' holds something that is not [rate, accuracy]")
        rate, accuracy = _number(pair[0], "rate"), _number(pair[1], "accuracy")
        if not (math.isfinite(accuracy) and 0 <= accuracy <= 100 and math.isfinite(rate)):
            raise Malformed(f"accuracy {accuracy} at rate {rate} is not a percentage at a finite rate")
        runs.append((rate, accuracy))
    rate, accuracy = runs[0]
    if accuracy > XOR_SEPARATES_ABOVE:
        return True, f"validation accuracy {accuracy:.1f}%", []
    for index, (retry, scaled) in enumerate(runs[1:], start=1):
        if scaled > XOR_SEPARATES_ABOVE:
            why = RETRIES[index].format(n=samples)
            return (
                True,
                f"validation accuracy {accuracy:.1f}% at rate {rate:g}, {scaled:.1f}% at {retry:g}: {why}",
                [],
            )
    best = max((a for _, a in runs[1:]), default=accuracy)
    return (
        False,
        f"after the homework's training ({epochs} epochs, rate {rate:g}, 4 hidden units) the validation "
        f"accuracy is {accuracy:.1f}% (and at most {best:.1f}% at {rate * samples:g} or {rate / 10:g}): expected "
        f"above {XOR_SEPARATES_ABOVE:.0f}% (XOR is separable with 4 hidden units)",
        [],
    )


XOR_VERDICTS = {
    "forward": forward_verdict,
    "descent": descent_verdict,
    "derivatives": derivatives_verdict,
    "training": training_verdict,
}


def xor_verdict(check: str, record: Record) -> Verdict:
    if check not in XOR_VERDICTS:
        raise Malformed(f"unknown check xor/{check}")
    return XOR_VERDICTS[check](record)
