"""Part 1 of 2024 / 2025 graded by behaviour: a student's NumPy XOR `MLP` class, run, not read.

RUNS STUDENT CODE: call these only inside the sandbox (a check module of `checks/`), never in
the grader's own process. NumPy only, nothing of the grader's judging side.

Real submissions differ in form: biases folded into the weights (a column of ones on the
input), an activation on the output or none, the error scaled by 2 or by 1/N. So the checks
grade what holds across those forms:

- `forward`: `cls(2, 4, 1).forward(X)` gives one output per point ([N, 1] or [N]);
- `descent`: one `backward(X, y, lr)` with a small rate lowers the squared error on its batch;
  where the skeleton's four arrays are there, the step is compared with the exact gradient
  (finite differences of the student's own forward), up to a positive scale, and a wrong step
  is matched against the known defects, each simulated on the same weights;
- `derivative:<name>`: each activation derivative the class has matches finite differences of
  its function, taking its argument either as the pre-activation x or as the output f(x) (the
  skeleton's `sigmoid_derivative(s)` convention);
- `training`: the homework's settings (4 hidden units, lr 0.001, 10,000 full-batch epochs on
  `part1CreateDataset`) separate XOR above `SEPARATES_ABOVE` validation accuracy.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from ee449.basics.xor import XorConfig, part1CreateDataset, relu, sigmoid, squared_error
from ee449.grading.xor_defects import (
    DEFECTS,
    SKELETON,
    cosine,
    defect_steps,
    numeric_gradient,
    outputs,
    structure,
)

SEPARATES_ABOVE = 90.0  # percent: the blobs overlap little at std 0.4 (the reference reaches 98-100%)
STEP_RATE = 1e-3  # a small step: first order, so a descent direction must lower the error
SAME_DIRECTION = 0.999  # cosine between the student's step and a candidate step, up to scale


@dataclass(frozen=True)
class Finding:
    """One check's outcome on the student's class, with the known defect it shows, if any."""

    check: str  # "forward", "descent", "derivative:sigmoid", "training"
    passed: bool
    message: str  # for the student: what their class did, and what the homework expects
    defect: str = ""  # a known defect's code, "" when none was recognised


def grade_xor_class(cls: Callable[..., Any], seed: int = 0) -> list[Finding]:
    """Every behaviour check on the student's class `cls` (called as cls(2, hidden, 1))."""
    findings = [check_forward(cls, seed)]
    if findings[0].passed:
        findings.append(check_descent(cls, seed))
    findings += check_derivatives(cls, seed)
    if findings[0].passed:
        findings.append(check_training(cls, seed))
    return findings


def _new(cls: Callable[..., Any], seed: int, hidden: int = 4) -> Any:
    np.random.seed(seed)  # students draw with np.random.randn: the global generator
    return cls(2, hidden, 1)


def check_forward(cls: Callable[..., Any], seed: int = 0) -> Finding:
    x = part1CreateDataset(8, 1, seed=seed)[0][:5]
    try:
        out = np.asarray(_new(cls, seed).forward(x), dtype=np.float64)
    except Exception as error:  # noqa: BLE001 - the student's code failed: say how
        return Finding(
            "forward", False, f"MLP(2, 4, 1).forward on 5 points raised {type(error).__name__}: {error}"
        )
    if out.shape not in ((5, 1), (5,)):
        return Finding(
            "forward",
            False,
            f"forward on 5 points returned shape {list(out.shape)}: expected one output per point, [5, 1]",
        )
    return Finding("forward", True, "")


def _arrays(net: Any) -> dict[str, np.ndarray]:
    return {name: getattr(net, name) for name in SKELETON if isinstance(getattr(net, name, None), np.ndarray)}


def check_descent(cls: Callable[..., Any], seed: int = 0) -> Finding:
    x, y = part1CreateDataset(40, 1, seed=seed + 1)[:2]
    net = _new(cls, seed)
    before = squared_error(outputs(net, x).reshape(-1, 1), y)
    snapshot = copy.deepcopy(_arrays(net))
    try:
        net.forward(x)
        net.backward(x, y, STEP_RATE)
    except Exception as error:  # noqa: BLE001
        return Finding(
            "descent", False, f"backward(X, y, {STEP_RATE}) raised {type(error).__name__}: {error}"
        )
    after = squared_error(outputs(net, x).reshape(-1, 1), y)
    defect = _recognised_defect(net, snapshot, x, y) if len(snapshot) == len(SKELETON) else ""
    if after < before and defect in ("", "exact"):
        return Finding("descent", True, "")
    text = DEFECTS.get(defect, "")
    if after >= before:
        message = f"one backward step with rate {STEP_RATE} raised the squared error on its batch from {before:.4f} to {after:.4f}: it must descend"
    else:
        message = (
            f"backward lowers the error but its step is not the gradient's ({before:.4f} -> {after:.4f})"
        )
    return Finding("descent", False, f"{message}. {text}".strip(), defect if defect != "exact" else "")


def _recognised_defect(net: Any, snapshot: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray) -> str:
    """'exact', a DEFECTS code, or '' : which candidate step the student's step is, up to a positive scale."""
    step = np.concatenate([(getattr(net, n) - snapshot[n]).ravel() for n in SKELETON])
    probe = copy.deepcopy(net)
    for name, value in snapshot.items():
        setattr(probe, name, value.copy())
    exact = -numeric_gradient(probe, x, y)
    candidates = {"exact": exact, "sign": -exact}
    activations = structure(probe, x)
    if activations is not None:
        candidates.update(defect_steps(snapshot, x, y, *activations))
    for code, candidate in candidates.items():
        if cosine(step, candidate) > SAME_DIRECTION:
            return code
    return ""


_DERIVATIVES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sigmoid": sigmoid,
    "tanh": np.tanh,
    "relu": relu,
}


def check_derivatives(cls: Callable[..., Any], seed: int = 0) -> list[Finding]:
    """One finding per `<name>_derivative` the class has (a method or attribute), against finite differences."""
    try:
        net = _new(cls, seed)
    except Exception:  # noqa: BLE001 - check_forward reports a class that cannot be built
        return []
    x = np.concatenate([np.linspace(-4, -0.05, 40), np.linspace(0.05, 4, 40)])  # off ReLU's kink
    findings = []
    for name, reference in _DERIVATIVES.items():
        derivative = getattr(net, f"{name}_derivative", None)
        if not callable(derivative):
            continue
        theirs = getattr(net, name, None)
        function: Callable[[np.ndarray], np.ndarray] = theirs if callable(theirs) else reference
        try:
            values = np.asarray(function(x), dtype=np.float64)
            numeric = (np.asarray(function(x + 1e-6)) - np.asarray(function(x - 1e-6))) / 2e-6
            of_input = np.asarray(derivative(x.copy()), dtype=np.float64)
            of_output = np.asarray(derivative(values.copy()), dtype=np.float64)
        except Exception as error:  # noqa: BLE001
            findings.append(
                Finding(
                    f"derivative:{name}", False, f"{name}_derivative raised {type(error).__name__}: {error}"
                )
            )
            continue
        if np.allclose(of_input, numeric, atol=1e-4) or np.allclose(of_output, numeric, atol=1e-4):
            findings.append(Finding(f"derivative:{name}", True, ""))
        else:
            worst = float(np.max(np.abs(of_input - numeric)))
            findings.append(
                Finding(
                    f"derivative:{name}",
                    False,
                    f"{name}_derivative differs from the slope of {name} (max error {worst:.3g}, taking its argument as x "
                    f"or as {name}(x)); the derivative of {name} is {_FORMULAS[name]}",
                )
            )
    return findings


_FORMULAS = {"sigmoid": "s(x) * (1 - s(x))", "tanh": "1 - tanh(x)^2", "relu": "1 for x > 0, else 0"}


def check_training(cls: Callable[..., Any], seed: int = 0, config: XorConfig = XorConfig()) -> Finding:
    """The homework's training separates XOR. A correct step at another scale (the error averaged over
    the batch: N times smaller; a linear output with the factor 2: unstable at 0.001 on 1,000 points)
    is retried at N times and a tenth of the rate: passing there is a note, not a fault."""
    x, y, xv, yv = part1CreateDataset(config.train_samples, config.val_samples, config.std, config.data_seed)
    rate = config.learning_rate
    accuracy = _trained_accuracy(cls, seed, x, y, xv, yv, rate, config.epochs)
    if accuracy > SEPARATES_ABOVE:
        return Finding("training", True, f"validation accuracy {accuracy:.1f}%")
    retries = (
        (
            rate * len(x),
            "averaged_error",
            "your backward averages the error over the batch, so the homework's rate trains 1,000 times slower",
        ),
        (
            rate / 10,
            "unstable_rate",
            "your step is larger than the skeleton's (a linear output, or the factor 2), so the homework's rate overshoots",
        ),
    )
    for retry, code, why in retries:
        scaled = _trained_accuracy(cls, seed, x, y, xv, yv, retry, config.epochs)
        if scaled > SEPARATES_ABOVE:
            return Finding(
                "training",
                True,
                f"validation accuracy {accuracy:.1f}% at rate {rate}, {scaled:.1f}% at {retry:g}: {why}",
                code,
            )
    return Finding(
        "training",
        False,
        f"after the homework's training ({config.epochs} epochs, rate {rate}, 4 hidden units) the "
        f"validation accuracy is {accuracy:.1f}% (and at most {SEPARATES_ABOVE:.0f}% at {rate * len(x):g} or {rate / 10:g}): "
        f"expected above {SEPARATES_ABOVE:.0f}% (XOR is separable with 4 hidden units)",
    )


def _trained_accuracy(
    cls: Callable[..., Any],
    seed: int,
    x: np.ndarray,
    y: np.ndarray,
    xv: np.ndarray,
    yv: np.ndarray,
    rate: float,
    epochs: int,
) -> float:
    net = _new(cls, seed)
    with np.errstate(all="ignore"):  # a diverging run overflows: that is its result, not a warning
        return _train(net, x, y, xv, yv, rate, epochs)


def _train(
    net: Any, x: np.ndarray, y: np.ndarray, xv: np.ndarray, yv: np.ndarray, rate: float, epochs: int
) -> float:
    try:
        for _ in range(epochs):
            net.forward(x)
            net.backward(x, y, rate)
        predicted = (outputs(net, xv) > 0.5).astype(np.float64)
    except Exception:  # noqa: BLE001 - a class that fails here failed forward/descent first
        return 0.0
    return 100.0 * float(np.mean(predicted == yv.reshape(-1)))
