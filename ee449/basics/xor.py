"""Part 1 of the 2024 and 2025 editions: a one-hidden-layer MLP for XOR in NumPy (no torch).

The course gives a skeleton `MLP(input_size, hidden_size, output_size)`; this is it completed,
with the hidden activation a choice (the homework repeats the experiment with sigmoid, tanh
and ReLU) and the output a logistic sigmoid (the targets are 0 / 1):

    inputs X [N, D] -> hidden_output = f(X @ weights_input_hidden + bias_hidden)      [N, H]
                    -> output = sigmoid(hidden_output @ weights_hidden_output + bias_output)  [N, O]

`backward(inputs, targets, learning_rate)` takes one step of plain gradient descent on the
squared error E = 1/2 * sum over the batch of (targets - output)^2 (summed, not averaged, as
the skeleton's updates `hidden_output.T.dot(output_delta)` are), updating all four arrays.
Each derivative is computed from the activation's output where the skeleton does so
(sigmoid'(z) = s(1 - s), tanh'(z) = 1 - t^2, relu'(z) = [r > 0]).

`part1CreateDataset` draws the data as the course's helper does: four Gaussian blobs around
(+-1, +-1); the corners (1, 1) and (-1, -1) are class 0, (1, -1) and (-1, 1) class 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ee449.basics.xor_data import (  # the course's data helper and the functions the homework gives
    XOR_CORNERS,
    XOR_LABELS,
    XorConfig,
    part1CreateDataset,
    relu,
    sigmoid,
    squared_error,
)

__all__ = [
    "ACTIVATIONS",
    "MLP",
    "XOR_CORNERS",
    "XOR_LABELS",
    "XorConfig",
    "XorRun",
    "part1CreateDataset",
    "relu",
    "relu_derivative",
    "sigmoid",
    "sigmoid_derivative",
    "squared_error",
    "tanh",
    "tanh_derivative",
    "train_xor",
]

# -- the activations (1.1): each function, its derivative at x, and that derivative from f(x) -----------


def sigmoid_derivative(x: np.ndarray) -> np.ndarray:
    """d/dx sigmoid(x) = sigmoid(x) * (1 - sigmoid(x))."""
    s = sigmoid(x)
    return s * (1.0 - s)


def tanh(x: np.ndarray) -> np.ndarray:
    return np.tanh(np.asarray(x, dtype=np.float64))


def tanh_derivative(x: np.ndarray) -> np.ndarray:
    """d/dx tanh(x) = 1 - tanh(x)^2."""
    return 1.0 - np.tanh(np.asarray(x, dtype=np.float64)) ** 2


def relu_derivative(x: np.ndarray) -> np.ndarray:
    """d/dx max(x, 0): 1 for x > 0, 0 for x < 0; 0 at x = 0 (the subgradient PyTorch uses)."""
    return (np.asarray(x, dtype=np.float64) > 0).astype(np.float64)


@dataclass(frozen=True)
class Activation:
    """One hidden activation: f, f' at x, and f' from the output a = f(x) (what backward uses)."""

    name: str
    function: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray], np.ndarray]
    derivative_from_output: Callable[[np.ndarray], np.ndarray]


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation("sigmoid", sigmoid, sigmoid_derivative, lambda s: s * (1.0 - s)),
    "tanh": Activation("tanh", tanh, tanh_derivative, lambda t: 1.0 - t**2),
    "relu": Activation("relu", relu, relu_derivative, lambda r: (r > 0).astype(np.float64)),
}


def check_activation(name: str) -> Activation:
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; valid: {', '.join(ACTIVATIONS)}")
    return ACTIVATIONS[name]


# -- the network (1.2) ----------------------------------------------------------------------------------


class MLP:
    """The course's skeleton completed: one hidden layer, squared error, plain gradient steps.

    Weights are drawn from a standard normal (as the skeleton does) with `rng` (a seed or a
    numpy Generator; None draws from fresh entropy), biases start at zero.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        output_size: int,
        activation: str = "sigmoid",
        rng: int | np.random.Generator | None = None,
    ):
        for name, size in (
            ("input_size", input_size),
            ("hidden_size", hidden_size),
            ("output_size", output_size),
        ):
            if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
                raise ValueError(f"{name} must be a positive integer, got {size!r}")
        self.activation = check_activation(activation)
        draw = np.random.default_rng(rng)
        self.weights_input_hidden = draw.standard_normal((input_size, hidden_size))  # [D, H]
        self.bias_hidden = np.zeros((1, hidden_size))  # [1, H]
        self.weights_hidden_output = draw.standard_normal((hidden_size, output_size))  # [H, O]
        self.bias_output = np.zeros((1, output_size))  # [1, O]
        self.hidden_output = np.zeros((0, hidden_size))
        self.output = np.zeros((0, output_size))

    def sigmoid(self, x: np.ndarray) -> np.ndarray:
        return sigmoid(x)

    def sigmoid_derivative(self, s: np.ndarray) -> np.ndarray:
        """The skeleton's convention: the derivative from the sigmoid's OUTPUT s, s * (1 - s)."""
        return s * (1.0 - s)

    def forward(self, inputs: np.ndarray) -> np.ndarray:
        """inputs [N, D] -> output [N, O] in (0, 1); stores `hidden_output` [N, H] and `output`."""
        x = np.asarray(inputs, dtype=np.float64)
        self.hidden_output = self.activation.function(
            x @ self.weights_input_hidden + self.bias_hidden
        )  # [N, H]
        self.output = self.sigmoid(
            self.hidden_output @ self.weights_hidden_output + self.bias_output
        )  # [N, O]
        return self.output

    def backward(self, inputs: np.ndarray, targets: np.ndarray, learning_rate: float) -> None:
        """One gradient step on E = 1/2 sum (targets - output)^2, for the last `forward(inputs)`."""
        x = np.asarray(inputs, dtype=np.float64)
        t = np.asarray(targets, dtype=np.float64).reshape(self.output.shape)
        output_error = t - self.output  # -dE/d(output)  [N, O]
        output_delta = output_error * self.sigmoid_derivative(self.output)  # -dE/d(output pre-activation)
        hidden_error = (
            output_delta @ self.weights_hidden_output.T
        )  # [N, H]: through the weights, before the update
        hidden_delta = hidden_error * self.activation.derivative_from_output(self.hidden_output)
        self.weights_hidden_output += learning_rate * (self.hidden_output.T @ output_delta)
        self.bias_output += learning_rate * output_delta.sum(axis=0, keepdims=True)
        self.weights_input_hidden += learning_rate * (x.T @ hidden_delta)
        self.bias_hidden += learning_rate * hidden_delta.sum(axis=0, keepdims=True)


# -- the data and the experiment ---------------------------------------------------------------------


@dataclass
class XorRun:
    """One training of the MLP with one hidden activation: its loss record and validation accuracy."""

    activation: str
    config: XorConfig
    model: MLP
    losses: list[tuple[int, float]] = field(default_factory=list)  # (epoch, E on the training set)
    val_accuracy: float = 0.0  # percent, output thresholded at 0.5

    def summary(self) -> dict:
        return {
            "activation": self.activation,
            "losses": [[epoch, loss] for epoch, loss in self.losses],
            "val_accuracy": self.val_accuracy,
        }


def accuracy(model: MLP, inputs: np.ndarray, labels: np.ndarray) -> float:
    """Percent of points whose output, thresholded at 0.5, is their label."""
    predicted = (model.forward(inputs) > 0.5).astype(np.float64)
    return 100.0 * float(np.mean(predicted == np.asarray(labels).reshape(predicted.shape)))


def train_xor(
    activation: str,
    config: XorConfig = XorConfig(),
    data: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> XorRun:
    """Full-batch training as the homework sets it: `epochs` of forward + backward on all points."""
    x_train, y_train, x_val, y_val = data or part1CreateDataset(
        config.train_samples, config.val_samples, config.std, config.data_seed
    )
    model = MLP(2, config.hidden_size, 1, activation, rng=config.init_seed)
    run = XorRun(activation, config, model)
    for epoch in range(1, config.epochs + 1):
        output = model.forward(x_train)
        if epoch % config.report_every == 0 or epoch == 1:
            run.losses.append((epoch, squared_error(output, y_train)))
        model.backward(x_train, y_train, config.learning_rate)
    run.val_accuracy = accuracy(model, x_val, y_val)
    return run
