"""The known defects of a student's XOR `backward`, simulated on the same weights, and the exact step.

Judge-free helpers of `ee449.grading.sandboxed.xor_behaviour` (which runs the student's class in the
sandbox): the gradient of the squared error by finite differences through the student's own
forward, which activations the forward uses, and the step each known defect would take.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ee449.basics.xor_data import relu, sigmoid, squared_error

SKELETON = ("weights_input_hidden", "bias_hidden", "weights_hidden_output", "bias_output")


def outputs(net: Any, x: np.ndarray) -> np.ndarray:
    """The student's forward on x, as a flat float64 vector (one output per point)."""
    return np.asarray(net.forward(x), dtype=np.float64).reshape(len(x))


FUNCTIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sigmoid": sigmoid,
    "tanh": np.tanh,
    "relu": relu,
    "identity": lambda z: z,
}


def numeric_gradient(net: Any, x: np.ndarray, y: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """dE/d(the four arrays), by central differences through the student's own forward."""
    grads = []
    for name in SKELETON:
        array = getattr(net, name)
        grad = np.zeros_like(array, dtype=np.float64)
        for index in np.ndindex(array.shape):
            keep = array[index]
            array[index] = keep + h
            plus = squared_error(outputs(net, x).reshape(-1, 1), y)
            array[index] = keep - h
            minus = squared_error(outputs(net, x).reshape(-1, 1), y)
            array[index] = keep
            grad[index] = (plus - minus) / (2 * h)
        grads.append(grad.ravel())
    return np.concatenate(grads)


def structure(net: Any, x: np.ndarray) -> tuple[str, str] | None:
    """(hidden, output) activation names that reproduce the student's forward from the four arrays."""
    w1, b1, w2, b2 = (getattr(net, n) for n in SKELETON)
    out = outputs(net, x)
    for hidden in FUNCTIONS:
        for output in ("sigmoid", "identity"):
            mine = FUNCTIONS[output](FUNCTIONS[hidden](x @ w1 + b1) @ w2 + b2).reshape(len(x))
            if np.allclose(mine, out, atol=1e-9):
                return hidden, output
    return None


_OUTPUT_FORM = {  # f' written from the output a = f(z): what a derivative applied to z wrongly computes
    "sigmoid": lambda a: a * (1 - a),
    "tanh": lambda a: 1 - a**2,
    "relu": lambda a: (a > 0).astype(np.float64),
    "identity": lambda a: np.ones_like(a),
}


def defect_steps(
    arrays: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray, hidden: str, output: str
) -> dict[str, np.ndarray]:
    """The steps of the known defects on these weights (direction only; every scale is checked alike)."""
    w1, b1, w2, b2 = (arrays[n] for n in SKELETON)
    z1 = x @ w1 + b1
    h = FUNCTIONS[hidden](z1)
    z2 = h @ w2 + b2
    o = FUNCTIONS[output](z2)
    e = y - o

    def step(output_delta: np.ndarray, hidden_delta: np.ndarray) -> np.ndarray:
        parts = (
            x.T @ hidden_delta,
            hidden_delta.sum(0, keepdims=True),
            h.T @ output_delta,
            output_delta.sum(0, keepdims=True),
        )
        return np.concatenate([p.ravel() for p in parts])

    d_out, d_hidden = _OUTPUT_FORM[output], _OUTPUT_FORM[hidden]
    pre_out = e * d_out(z2)
    steps = {"preactivation_derivative": step(pre_out, (pre_out @ w2.T) * d_hidden(z1))}
    delta = e * d_out(o)
    steps["hidden_from_output_error"] = step(delta, (e @ w2.T) * d_hidden(h))
    return steps


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(a @ b) / norm if norm > 0 else 0.0
