"""ee449.basics.xor (Part 1 of 2024 / 2025) against independent oracles: finite differences, torch autograd."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from ee449.basics.xor import (
    ACTIVATIONS,
    MLP,
    XorConfig,
    accuracy,
    part1CreateDataset,
    squared_error,
    train_xor,
)
from tests.helpers.strategies import xor_cases

TORCH_ACTIVATIONS = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}
SEPARATES_ABOVE = 90.0  # percent validation accuracy: the blobs overlap little at std 0.4 (Bayes ~98.8%)

finite_inputs = st.floats(-8, 8, allow_nan=False).filter(lambda v: abs(v) > 1e-3)  # off ReLU's kink


@pytest.mark.parametrize("name", list(ACTIVATIONS))
@given(x=finite_inputs)
def test_each_derivative_matches_central_finite_differences(name, x):
    activation = ACTIVATIONS[name]
    h = 1e-6
    numeric = (activation.function(np.array(x + h)) - activation.function(np.array(x - h))) / (2 * h)
    assert abs(float(activation.derivative(np.array(x))) - float(numeric)) < 1e-6, (name, x)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_each_derivative_and_its_output_form_match_torch_autograd(name):
    x = np.linspace(-6, 6, 241)  # includes 0: ReLU's derivative there is 0, as torch's
    activation = ACTIVATIONS[name]
    tx = torch.tensor(x, requires_grad=True)
    TORCH_ACTIVATIONS[name](tx).sum().backward()
    np.testing.assert_allclose(
        activation.function(x), TORCH_ACTIVATIONS[name](torch.tensor(x)).numpy(), atol=1e-12
    )
    np.testing.assert_allclose(activation.derivative(x), tx.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(
        activation.derivative_from_output(activation.function(x)), tx.grad.numpy(), atol=1e-12
    )


@given(case=xor_cases())
def test_backward_is_one_gradient_step_of_the_squared_error_computed_by_torch(case):
    net = MLP(case.inputs, case.hidden, case.outputs, case.activation, rng=case.seed)
    rng = np.random.default_rng(case.seed)
    inputs = rng.normal(size=(case.points, case.inputs))
    targets = rng.integers(0, 2, size=(case.points, case.outputs)).astype(float)
    names = ("weights_input_hidden", "bias_hidden", "weights_hidden_output", "bias_output")
    torch_params = {n: torch.tensor(getattr(net, n).copy(), requires_grad=True) for n in names}
    hidden = TORCH_ACTIVATIONS[case.activation](
        torch.tensor(inputs) @ torch_params["weights_input_hidden"] + torch_params["bias_hidden"]
    )
    output = torch.sigmoid(hidden @ torch_params["weights_hidden_output"] + torch_params["bias_output"])
    (0.5 * ((torch.tensor(targets) - output) ** 2).sum()).backward()

    np.testing.assert_allclose(net.forward(inputs), output.detach().numpy(), atol=1e-12)
    net.backward(inputs, targets, case.learning_rate)
    for n in names:
        expected = (torch_params[n] - case.learning_rate * torch_params[n].grad).detach().numpy()
        np.testing.assert_allclose(getattr(net, n), expected, atol=1e-10, err_msg=n)


def test_forward_gives_one_output_per_point_and_stores_the_hidden_layer():
    net = MLP(2, 4, 1, "tanh", rng=0)
    out = net.forward(np.zeros((7, 2)))
    assert out.shape == (7, 1) and net.hidden_output.shape == (7, 4) and net.output is out
    assert net.bias_hidden.shape == (1, 4) and net.bias_output.shape == (1, 1)
    assert np.all(net.bias_hidden == 0) and np.all(net.bias_output == 0)


def test_the_data_are_four_blobs_around_the_corners_with_the_diagonals_as_classes():
    x_train, y_train, x_val, y_val = part1CreateDataset(4000, 100, 0.4, seed=3)
    assert (
        x_train.shape == (4000, 2)
        and y_train.shape == (4000, 1)
        and x_val.shape == (100, 2)
        and y_val.shape == (100, 1)
    )
    corner = np.sign(x_train)  # at std 0.4 a few points cross an axis; the blob means are the oracle
    for cx, cy, label in ((1, 1, 0), (-1, -1, 0), (1, -1, 1), (-1, 1, 1)):
        members = (y_train[:, 0] == label) & (np.abs(x_train - [cx, cy]).max(axis=1) < 1.6)
        near = x_train[members & (corner[:, 0] == cx) & (corner[:, 1] == cy)]
        assert np.allclose(near.mean(axis=0), [cx, cy], atol=0.06), (cx, cy, near.mean(axis=0))
    wrong_side = np.mean((np.prod(corner, axis=1) < 0) != (y_train[:, 0] == 1))
    assert wrong_side < 0.03  # XOR of the signs is the label, but for points that crossed an axis


def test_the_data_are_reproducible_from_their_seed():
    first, second = part1CreateDataset(seed=5), part1CreateDataset(seed=5)
    assert all(np.array_equal(a, b) for a, b in zip(first, second))


@pytest.mark.slow
@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_training_as_the_homework_sets_it_separates_xor(name):
    run = train_xor(name, XorConfig())  # 4 hidden units, lr 0.001, 10,000 epochs, seeds 0
    assert run.val_accuracy > SEPARATES_ABOVE, (name, run.val_accuracy)
    first, last = run.losses[0][1], run.losses[-1][1]
    assert last < first / 5, (name, run.losses)
    x_val, y_val = part1CreateDataset(seed=0)[2:]
    assert accuracy(run.model, x_val, y_val) == run.val_accuracy  # recomputed on the same data
    assert squared_error(run.model.forward(x_val), y_val) < 0.5 * len(y_val) * 0.1


def test_an_unknown_activation_is_a_value_error_listing_the_valid_ones():
    with pytest.raises(ValueError, match="unknown activation 'elu'; valid: sigmoid, tanh, relu"):
        MLP(2, 4, 1, "elu")
