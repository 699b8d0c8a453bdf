"""Part 1 of 2024 / 2025 measured by behaviour: a student's NumPy XOR `MLP` class, run, not read.

RUNS STUDENT CODE: call these only inside the sandbox (`checks/check_xor.py`), never in the
grader's own process. They only measure (shapes, errors, cosines, accuracies, as plain JSON
numbers); the verdicts, thresholds and messages are the grader's (`judging.xor`), so a student's
code that patches anything here can change what is measured, never what is accepted.

Real submissions differ in form: biases folded into the weights (a column of ones on the
input), an activation on the output or none, the error scaled by 2 or by 1/N. So what is
measured holds across those forms:

- `forward`: the shape `cls(2, 4, 1).forward(X)` gives on 5 points;
- `descent`: the squared error on a batch before and after one `backward(X, y, lr)` with a small
  rate, and, where the skeleton's four arrays are there, the cosine between the student's step
  and each candidate step: the exact gradient step (finite differences of the student's own
  forward), its opposite, and each known defect simulated on the same weights;
- `derivatives`: for each activation derivative the class has, its largest deviation from
  finite differences of its function, taking its argument as the pre-activation x or as the
  output f(x) (the skeleton's `sigmoid_derivative(s)` convention);
- `training`: validation accuracy after the homework's training (4 hidden units, lr 0.001,
  10,000 full-batch epochs on `part1CreateDataset`), then at the two rates a correct step at
  another scale needs (N times the rate, a tenth of it) while it does not separate XOR.
"""

from __future__ import annotations

import copy
import math
from typing import Any, Callable

import numpy as np

from ee449.basics.xor_data import XorConfig, part1CreateDataset, relu, sigmoid, squared_error
from ee449.grading.sandboxed.checks.rules import XOR_SEPARATES_ABOVE, XOR_STEP_RATE
from ee449.grading.sandboxed.xor_defects import (
    SKELETON,
    cosine,
    defect_steps,
    numeric_gradient,
    outputs,
    structure,
)

Measured = dict[str, Any]  # JSON: what the sandbox records for one check


def _raised(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:500]


def _number(value: float) -> float | None:
    """A float for JSON; None for NaN and infinities (a diverged run), which the judge reads as such."""
    return float(value) if math.isfinite(value) else None


def _new(cls: Callable[..., Any], seed: int, hidden: int = 4) -> Any:
    np.random.seed(seed)  # students draw with np.random.randn: the global generator
    return cls(2, hidden, 1)


def measure_forward(cls: Callable[..., Any], seed: int = 0) -> Measured:
    x = part1CreateDataset(8, 1, seed=seed)[0][:5]
    try:
        out = np.asarray(_new(cls, seed).forward(x), dtype=np.float64)
    except Exception as error:  # noqa: BLE001 - the student's code failed: the judge says how
        return {"raised": _raised(error)}
    return {"shape": [int(d) for d in out.shape]}


def _arrays(net: Any) -> dict[str, np.ndarray]:
    return {name: getattr(net, name) for name in SKELETON if isinstance(getattr(net, name, None), np.ndarray)}


def measure_descent(cls: Callable[..., Any], seed: int = 0) -> Measured:
    x, y = part1CreateDataset(40, 1, seed=seed + 1)[:2]
    try:
        net = _new(cls, seed)
        before = squared_error(outputs(net, x).reshape(-1, 1), y)
        snapshot = copy.deepcopy(_arrays(net))
        net.forward(x)
        net.backward(x, y, XOR_STEP_RATE)
        after = squared_error(outputs(net, x).reshape(-1, 1), y)
        cosines = _cosines(net, snapshot, x, y) if len(snapshot) == len(SKELETON) else []
    except Exception as error:  # noqa: BLE001
        return {"raised": _raised(error), "rate": XOR_STEP_RATE}
    return {"rate": XOR_STEP_RATE, "before": _number(before), "after": _number(after), "cosines": cosines}


def _cosines(net: Any, snapshot: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray) -> list[list[Any]]:
    """[[candidate, cosine with the student's step], ...]: 'exact', 'sign', then each known defect's step."""
    step = np.concatenate([(getattr(net, n) - snapshot[n]).ravel() for n in SKELETON])
    probe = copy.deepcopy(net)
    for name, value in snapshot.items():
        setattr(probe, name, value.copy())
    exact = -numeric_gradient(probe, x, y)
    candidates = {"exact": exact, "sign": -exact}
    activations = structure(probe, x)
    if activations is not None:
        candidates.update(defect_steps(snapshot, x, y, *activations))
    return [[code, _number(cosine(step, candidate))] for code, candidate in candidates.items()]


DERIVATIVES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sigmoid": sigmoid,
    "tanh": np.tanh,
    "relu": relu,
}


def _excess(got: np.ndarray, numeric: np.ndarray) -> float | None:
    """How far `got` is outside np.allclose's tolerance band around `numeric`, less its atol (<= 1e-4 passes)."""
    if got.shape != numeric.shape and got.size != numeric.size:
        return None
    deviation = np.abs(got.reshape(numeric.shape) - numeric) - 1e-5 * np.abs(numeric)
    return _number(float(np.max(deviation)))


def measure_derivatives(cls: Callable[..., Any], seed: int = 0) -> Measured:
    """For each `<name>_derivative` the class has (a method or attribute), its deviation from finite differences."""
    try:
        net = _new(cls, seed)
    except Exception as error:  # noqa: BLE001 - the class cannot be built: said here as in forward
        return {"raised": _raised(error), "found": {}}
    x = np.concatenate([np.linspace(-4, -0.05, 40), np.linspace(0.05, 4, 40)])  # off ReLU's kink
    found: dict[str, dict[str, Any]] = {}
    for name, reference in DERIVATIVES.items():
        derivative = getattr(net, f"{name}_derivative", None)
        if not callable(derivative):
            continue
        theirs = getattr(net, name, None)
        function: Callable[[np.ndarray], np.ndarray] = theirs if callable(theirs) else reference
        try:
            with np.errstate(all="ignore"):
                values = np.asarray(function(x), dtype=np.float64)
                numeric = (np.asarray(function(x + 1e-6)) - np.asarray(function(x - 1e-6))) / 2e-6
                of_input = np.asarray(derivative(x.copy()), dtype=np.float64)
                of_output = np.asarray(derivative(values.copy()), dtype=np.float64)
            found[name] = {"as_input": _excess(of_input, numeric), "as_output": _excess(of_output, numeric)}
        except Exception as error:  # noqa: BLE001
            found[name] = {"raised": _raised(error)}
    return {"found": found}


def measure_training(cls: Callable[..., Any], seed: int = 0, config: XorConfig = XorConfig()) -> Measured:
    """[[rate, validation accuracy %], ...]: the homework's rate, then (while none separates) N times it
    (an error averaged over the batch) and a tenth of it (a step larger than the skeleton's)."""
    x, y, xv, yv = part1CreateDataset(config.train_samples, config.val_samples, config.std, config.data_seed)
    rate = config.learning_rate
    trained = []
    for tried in (rate, rate * len(x), rate / 10):
        accuracy = _trained_accuracy(cls, seed, (x, y, xv, yv), tried, config.epochs)
        trained.append([tried, accuracy])
        if accuracy > XOR_SEPARATES_ABOVE:
            break
    return {"epochs": config.epochs, "samples": len(x), "trained": trained}


# Each check of `checks/check_xor.py` and what it measures (also `ee449.check("xor", ...)`'s).
MEASURES: dict[str, Callable[..., Measured]] = {
    "forward": measure_forward,
    "descent": measure_descent,
    "derivatives": measure_derivatives,
    "training": measure_training,
}


def _trained_accuracy(
    cls: Callable[..., Any], seed: int, data: tuple[np.ndarray, ...], rate: float, epochs: int
) -> float:
    x, y, xv, yv = data
    try:
        net = _new(cls, seed)
        with np.errstate(all="ignore"):  # a diverging run overflows: that is its result, not a warning
            for _ in range(epochs):
                net.forward(x)
                net.backward(x, y, rate)
            predicted = (outputs(net, xv) > 0.5).astype(np.float64)
    except Exception:  # noqa: BLE001 - a class that fails here failed forward or descent first
        return 0.0
    return 100.0 * float(np.mean(predicted == yv.reshape(-1)))
