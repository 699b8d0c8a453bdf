"""Part 1's formulas against what PyTorch really builds, batches and steps."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from ee449.basics import formulas
from ee449.basics.formulas import (
    batches_per_epoch,
    cnn_param_count,
    gradient_from_sgd_step,
    mlp_param_count,
    sgd_iterations,
)
from ee449.models import ARCHITECTURES, build, count_parameters
from ee449.models.part1 import architecture_counts
from tests.helpers.assertions import assert_close, assert_equal
from tests.helpers.cli import run_ee449
from tests.helpers.homework import PARAMETERS
from tests.helpers.strategies import cnn_shapes, mlp_shapes

MAX_SAMPLES = 2000
MAX_BATCH = 300


def numel(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


@given(mlp_shapes())
def test_mlp_param_count_equals_torch_linear_stack(shape):
    sizes = [shape.d_in, *shape.hidden, shape.d_out]
    model = nn.Sequential(*(nn.Linear(a, b, bias=bias) for a, b, bias in zip(sizes, sizes[1:], shape.bias)))
    assert_equal(
        mlp_param_count(shape.d_in, shape.hidden, shape.d_out, bias=shape.bias),
        numel(model),
        "MLP parameters",
    )
    if all(shape.bias) or not any(shape.bias):  # the single-bool form says the same thing
        assert_equal(
            mlp_param_count(shape.d_in, shape.hidden, shape.d_out, bias=shape.bias[0]),
            numel(model),
            "bool bias",
        )


def test_formulas_accept_numpy_arrays_and_integers():
    # mlp_2 from the homework's table; a two-conv stack counted by torch.
    assert_equal(
        mlp_param_count(1024, np.array([32, 64]), 10, bias=np.array([True, False, True])),
        PARAMETERS["mlp_2"],
        "mlp_2",
    )
    convs = nn.Sequential(nn.Conv2d(1, 16, 3), nn.Conv2d(16, 8, 5))
    assert_equal(
        cnn_param_count(np.int64(1), np.array([3, 5]), np.array([16, 8])), numel(convs), "conv stack"
    )


@given(cnn_shapes())
def test_cnn_param_count_equals_torch_conv_stack(shape):
    channels_in = [shape.c_in, *shape.channels[:-1]]
    model = nn.Sequential(
        *(
            nn.Conv2d(c_in, c_out, kernel, bias=bias)
            for c_in, c_out, kernel, bias in zip(channels_in, shape.channels, shape.kernel_sizes, shape.bias)
        )
    )
    assert_equal(
        cnn_param_count(shape.c_in, shape.kernel_sizes, shape.channels, bias=shape.bias),
        numel(model),
        "conv parameters",
    )


@given(st.integers(1, MAX_SAMPLES), st.integers(1, MAX_BATCH))
def test_batches_per_epoch_equals_len_of_a_dataloader(n_samples, batch_size):
    loader = DataLoader(TensorDataset(torch.zeros(n_samples, 1)), batch_size=batch_size)
    assert_equal(batches_per_epoch(n_samples, batch_size), len(loader), f"N={n_samples}, B={batch_size}")


@settings(max_examples=10)  # each example trains a real (tiny) loop
@given(st.integers(1, 60), st.integers(1, 25), st.integers(0, 3))
def test_sgd_iterations_equals_the_steps_an_optimizer_takes(n_samples, batch_size, epochs):
    torch.manual_seed(0)
    model = nn.Linear(2, 1)
    # Adam counts its own steps in its state: the count comes from torch, not from our loop.
    optimizer = torch.optim.Adam(model.parameters())
    loader = DataLoader(
        TensorDataset(torch.randn(n_samples, 2), torch.randn(n_samples, 1)),
        batch_size=batch_size,
        shuffle=True,
    )
    for _ in range(epochs):
        for x, y in loader:
            optimizer.zero_grad()
            nn.functional.mse_loss(model(x), y).backward()
            optimizer.step()
    state = optimizer.state.get(model.weight, {})
    steps = int(state["step"]) if "step" in state else 0
    assert_equal(
        sgd_iterations(n_samples, batch_size, epochs), steps, f"N={n_samples}, B={batch_size}, E={epochs}"
    )


def test_sgd_iterations_of_the_homework_setting():
    # SPEC: 45,000 training images, batch 50 -> 900 steps per epoch; 15 epochs.
    assert_equal(batches_per_epoch(45_000, 50), 900, "batches per epoch")
    assert_equal(sgd_iterations(45_000, 50, 15), 15 * 900, "iterations")


@given(
    st.integers(1, 8),
    st.integers(1, 8),
    st.sampled_from([1e-3, 0.01, 0.1, 0.5, 2.0]),
    st.integers(0, 2**16),
)
def test_gradient_from_a_real_sgd_step_equals_grad(d_in, d_out, lr, seed):
    torch.manual_seed(seed)
    model = nn.Linear(d_in, d_out).double()  # float64: the recovered gradient is exact to ~1e-12
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    before = model.weight.detach().clone()
    nn.functional.mse_loss(
        model(torch.randn(5, d_in, dtype=torch.float64)), torch.randn(5, d_out, dtype=torch.float64)
    ).backward()
    optimizer.step()
    after = model.weight.detach().clone()
    tol = 4 * np.finfo(np.float64).eps * float(before.abs().max()) / lr + 1e-15
    recovered = gradient_from_sgd_step(before, after, lr)
    assert isinstance(recovered, torch.Tensor)
    assert_close(recovered, model.weight.grad, rtol=1e-9, atol=tol, what="torch tensors")
    recovered_np = gradient_from_sgd_step(before.numpy(), after.numpy(), lr)
    assert isinstance(recovered_np, np.ndarray)
    assert_close(recovered_np, model.weight.grad, rtol=1e-9, atol=tol, what="numpy arrays")


def test_gradient_from_sgd_step_leaves_no_autograd_graph():
    w = torch.ones(3, dtype=torch.float64, requires_grad=True)
    grad = gradient_from_sgd_step(w, w.detach() - 0.5, 0.5)  # exact in binary
    assert not grad.requires_grad
    assert_close(grad, torch.ones(3, dtype=torch.float64), rtol=0, atol=0, what="gradient")


# The homework's table (SPEC.md), from its layer lists: the formulas must reproduce it, and so
# must PyTorch's count of the models we build.
SPEC_TABLE = {
    "mlp_1": (lambda: mlp_param_count(1024, [32], 10), PARAMETERS["mlp_1"]),
    "mlp_2": (lambda: mlp_param_count(1024, [32, 64], 10, bias=[True, False, True]), PARAMETERS["mlp_2"]),
    "cnn_3": (
        lambda: cnn_param_count(1, [3, 5, 7], [16, 8, 16]) + mlp_param_count(144, [], 10),
        PARAMETERS["cnn_3"],
    ),
    "cnn_4": (
        lambda: cnn_param_count(1, [3, 3, 5, 5], [16, 8, 16, 16]) + mlp_param_count(256, [], 10),
        PARAMETERS["cnn_4"],
    ),
    "cnn_5": (
        lambda: cnn_param_count(1, [3] * 6, [8, 16, 8, 16, 16, 8]) + mlp_param_count(128, [], 10),
        PARAMETERS["cnn_5"],
    ),
}


@pytest.mark.parametrize("name", ARCHITECTURES)
def test_spec_table_from_the_formulas_equals_pytorch(name):
    formula, spec_value = SPEC_TABLE[name]
    assert_equal(formula(), spec_value, f"{name}: formula vs the homework's table")
    assert_equal(count_parameters(build(name)), spec_value, f"{name}: PyTorch vs the homework's table")


@pytest.mark.parametrize("name", ARCHITECTURES)
def test_architecture_counts_agree_with_the_built_model(name):
    counts = architecture_counts(name)
    model = build(name)
    conv = sum(p.numel() for m in model.modules() if isinstance(m, nn.Conv2d) for p in m.parameters())
    assert_equal(counts["params_formula"], count_parameters(model), f"{name} all parameters")
    assert_equal(counts["conv_params_formula"], conv, f"{name} conv parameters")
    assert counts["match"]


BAD_CALLS = [
    (batches_per_epoch, (0, 50), ValueError, "n_samples"),
    (batches_per_epoch, (-5, 50), ValueError, "n_samples"),
    (batches_per_epoch, (100, 0), ValueError, "batch_size"),
    (batches_per_epoch, (100, -1), ValueError, "batch_size"),
    (batches_per_epoch, (100.0, 50), TypeError, "n_samples"),
    (batches_per_epoch, (100, True), TypeError, "batch_size"),
    (sgd_iterations, (100, 10, -1), ValueError, "epochs"),
    (sgd_iterations, (100, 10, 1.5), TypeError, "epochs"),
    (sgd_iterations, (100, 0, 3), ValueError, "batch_size"),
    (gradient_from_sgd_step, (np.ones(2), np.ones(2), 0.0), ValueError, "lr"),
    (gradient_from_sgd_step, (np.ones(2), np.ones(2), -0.1), ValueError, "lr"),
    (gradient_from_sgd_step, (np.ones(2), np.ones(2), float("nan")), ValueError, "lr"),
    (gradient_from_sgd_step, (np.ones(2), np.ones(2), True), TypeError, "lr"),
    (gradient_from_sgd_step, (np.ones(2), np.ones(3), 0.1), ValueError, "w_before has shape"),
    (gradient_from_sgd_step, (torch.ones(2), np.ones(2), 0.1), TypeError, "same kind"),
    (gradient_from_sgd_step, ([1.0], [1.0], 0.1), TypeError, "w_before"),
    (mlp_param_count, (0, [32], 10), ValueError, "d_in"),
    (mlp_param_count, (1024, [32, 0], 10), ValueError, r"hidden_sizes\[1\]"),
    (mlp_param_count, (1024, [32], -10), ValueError, "d_out"),
    (mlp_param_count, (1024, [32.0], 10), TypeError, r"hidden_sizes\[0\]"),
    (mlp_param_count, (1024, 32, 10), TypeError, "hidden_sizes"),
    (mlp_param_count, (1024, [32], 10, [True]), ValueError, "bias has 1 entries but there are 2 layers"),
    (mlp_param_count, (1024, [32], 10, [True, 1]), TypeError, r"bias\[1\]"),
    (cnn_param_count, (0, [3], [16]), ValueError, "c_in"),
    (cnn_param_count, (1, [3, 5], [16]), ValueError, "kernel_sizes has 2 layers but channels has 1"),
    (cnn_param_count, (1, [0], [16]), ValueError, r"kernel_sizes\[0\]"),
    (cnn_param_count, (1, [(3, 0)], [16]), ValueError, r"kernel_sizes\[0\]\[1\]"),
    (cnn_param_count, (1, [(3, 3, 3)], [16]), ValueError, r"kernel_sizes\[0\]"),
    (cnn_param_count, (1, [3], [-16]), ValueError, r"channels\[0\]"),
    (cnn_param_count, (1, [3], [16], [True, False]), ValueError, "bias has 2 entries"),
]


@pytest.mark.parametrize(
    ("function", "args", "error", "name"),
    BAD_CALLS,
    ids=[f"{f.__name__}-{i}" for i, (f, *_rest) in enumerate(BAD_CALLS)],
)
def test_bad_arguments_raise_an_error_naming_them(function, args, error, name):
    with pytest.raises(error, match=name):
        function(*args)


def test_part1_command_writes_the_numbers_it_prints(tmp_path, capsys):
    path = tmp_path / "part1.json"
    done = run_ee449(capsys, "part1", "--json", str(path))
    assert done.returncode == 0, done.stderr
    result = json.loads(path.read_text())
    assert_equal(
        (result["batches_per_epoch"], result["sgd_iterations"]), (900, 13_500), "N=45000, B=50, E=15"
    )
    by_name = {a["name"]: a for a in result["architectures"]}
    for name, (_, spec_value) in SPEC_TABLE.items():
        assert_equal(by_name[name]["params_pytorch"], spec_value, f"{name} in part1.json")
        assert f"{spec_value:,}" in done.stdout  # the printed table shows the same count
    assert result["all_match"] and result["sgd_step"]["match"]


def test_part1_command_rejects_a_zero_batch_in_one_line(capsys):
    done = run_ee449(capsys, "part1", "--batch-size", "0")
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "--batch-size" in done.stderr  # the option the user typed


def test_formulas_module_does_not_import_torch():
    code = "import sys, ee449.basics.formulas; print('torch' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert_equal(
        done.stdout.strip(), "False", f"torch imported by ee449.basics.formulas ({formulas.__file__})"
    )
