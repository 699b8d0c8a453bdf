"""ee449.training on tiny random data: every recorded number is recomputed by a plain loop here."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given

from ee449 import models
from ee449.data import DataSplits
from ee449.training import ProgressEvent, TrainConfig, train
from ee449.training.device import resolve_device
from tests.helpers.assertions import assert_close, assert_equal
from tests.helpers.splits import random_splits
from tests.helpers.strategies import training_schedules


def replay(arch: str, data: DataSplits, config: TrainConfig, seed: int) -> dict:
    """The documented recipe, written out step by step: per-step per-sample losses and corrects,
    ||dW1||/lr of every step, and the final model. SGD uses a hand-written update."""
    torch.manual_seed(seed)
    model = models.build(arch, config.activation)
    params = list(model.parameters())
    adam = torch.optim.Adam(params, lr=config.lr) if config.optimizer == "adam" else None
    order_gen = torch.Generator().manual_seed((seed ^ 0x5EED1E55) % 2**63)  # as train.py documents
    w1 = models.first_layer(model).weight
    out = {"losses": [], "correct": [], "sizes": [], "grad_norms": [], "weight_step": [], "val_acc": []}
    n = len(data.train_images)
    for epoch in range(config.epochs):
        lr = config.lr
        for start_epoch, scheduled in config.lr_schedule:
            lr = scheduled if epoch >= start_epoch else lr
        order = torch.randperm(n, generator=order_gen)
        for start in range(0, n, config.batch_size):
            idx = order[start : start + config.batch_size]
            logits = model(data.train_images[idx])
            per_sample = F.cross_entropy(logits, data.train_labels[idx], reduction="none")
            for p in params:
                p.grad = None
            per_sample.mean().backward()
            before = w1.detach().clone()
            if adam is None:
                with torch.no_grad():
                    for p in params:
                        p -= lr * p.grad
            else:
                for group in adam.param_groups:
                    group["lr"] = lr
                adam.step()
            out["losses"].append(per_sample.detach().sum().item())
            out["correct"].append((logits.argmax(1) == data.train_labels[idx]).sum().item())
            out["sizes"].append(len(idx))
            out["grad_norms"].append(w1.grad.norm().item())
            out["weight_step"].append(((before - w1.detach()) / lr).norm().item())
            out["val_acc"].append(percent_correct(model, data.val_images, data.val_labels))
    out["model"] = model
    return out


def windows(values: list[float], sizes: list[int], every: int) -> list[float]:
    points = len(values) // every
    return [
        sum(values[i * every : (i + 1) * every]) / sum(sizes[i * every : (i + 1) * every])
        for i in range(points)
    ]


def percent_correct(model: torch.nn.Module, images: torch.Tensor, labels: torch.Tensor) -> float:
    with torch.no_grad():
        return 100.0 * (model(images).argmax(1) == labels).float().mean().item()


@given(schedule=training_schedules())
def test_curve_lengths_are_floor_of_steps_over_record_every(schedule):
    n_train, batch, epochs, every = schedule
    config = TrainConfig(
        epochs=epochs, batch_size=batch, record_every=every, record_grad=True, optimizer="sgd"
    )
    history = train("mlp_1", random_splits(n_train=n_train, n_val=3, n_test=3), config, seed=0)
    steps = epochs * math.ceil(n_train / batch)
    assert_equal(history.steps_per_epoch, math.ceil(n_train / batch), "steps per epoch")
    assert_equal(history.steps, steps, "steps")
    for name in ("loss_curve", "train_acc_curve", "val_acc_curve", "grad_curve"):
        assert_equal(len(getattr(history, name)), steps // every, name)


@pytest.mark.parametrize(
    "arch, optimizer, lr", [("mlp_2", "adam", 1e-3), ("cnn_3", "sgd", 0.05), ("cnn_4", "adam", 1e-3)]
)
def test_recorded_curves_equal_a_step_by_step_recomputation(arch, optimizer, lr):
    data = random_splits(n_train=120, n_val=40, n_test=30)
    config = TrainConfig(epochs=3, optimizer=optimizer, lr=lr, record_every=3, record_grad=True)
    history = train(arch, data, config, seed=7)
    oracle = replay(arch, data, config, seed=7)
    every = config.record_every
    assert_close(
        history.loss_curve, windows(oracle["losses"], oracle["sizes"], every), rtol=1e-5, what="loss curve"
    )
    assert_close(
        history.train_acc_curve,
        [100 * x for x in windows(oracle["correct"], oracle["sizes"], every)],
        rtol=1e-6,
        what="train accuracy curve",
    )
    closing = oracle["weight_step"][every - 1 :: every]
    assert_close(history.grad_curve, closing, rtol=1e-4, atol=1e-6, what="grad curve")
    assert_close(
        history.first_layer_weights,
        models.first_layer(oracle["model"]).weight.detach(),
        rtol=1e-4,
        atol=1e-6,
        what="final first-layer weights",
    )
    assert_close(
        history.val_acc_curve, oracle["val_acc"][every - 1 :: every], rtol=1e-6, what="val accuracy curve"
    )
    assert_close(
        history.test_acc,
        percent_correct(oracle["model"], data.test_images, data.test_labels),
        rtol=1e-6,
        what="test accuracy",
    )


def test_recorded_gradient_equals_w1_grad_norm_for_plain_sgd():
    data = random_splits(n_train=100)
    config = TrainConfig(epochs=2, optimizer="sgd", lr=0.02, record_every=2, record_grad=True)
    history = train("mlp_1", data, config, seed=3)
    oracle = replay("mlp_1", data, config, seed=3)
    assert_close(
        history.grad_curve, oracle["grad_norms"][1::2], rtol=1e-4, what="||dL/dW1||_2 of closing steps"
    )


def test_validation_curve_is_accuracy_of_the_model_at_each_record_point():
    data = random_splits(n_train=60, n_val=50)
    config = TrainConfig(epochs=2, record_every=2, eval_chunk=7)  # chunks that do not divide 50
    history = train("cnn_3", data, config, seed=1)
    oracle = replay("cnn_3", data, config, seed=1)
    assert_close(history.val_acc_curve, oracle["val_acc"][1::2], rtol=1e-6, what="validation accuracy curve")


@pytest.mark.parametrize("arch", models.ARCHITECTURES)
def test_initial_loss_is_near_ln_10(arch):
    history = train(
        arch, random_splits(n_train=50), TrainConfig(epochs=1, record_every=1, record_val=False), seed=0
    )
    assert abs(history.loss_curve[0] - math.log(10)) < 0.25, history.loss_curve[0]


@pytest.mark.parametrize("arch", ["mlp_1", "cnn_3"])
def test_model_overfits_twenty_examples(arch):
    data = random_splits(n_train=20, n_val=5, n_test=5)
    config = TrainConfig(epochs=60, batch_size=20, lr=1e-2, record_every=10, record_val=False)
    history = train(arch, data, config, seed=0)
    assert history.loss_curve[-1] < 0.05, history.loss_curve[-5:]
    assert_equal(history.train_acc_curve[-1], 100.0, "final train accuracy")


def test_same_seed_gives_identical_curves_and_another_seed_does_not():
    data = random_splits()
    config = TrainConfig(epochs=2, record_every=2, record_grad=True)
    first, again, other = (train("cnn_3", data, config, seed=s) for s in (5, 5, 6))
    for name in ("loss_curve", "train_acc_curve", "val_acc_curve", "grad_curve"):
        assert_equal(getattr(again, name), getattr(first, name), name)
    np.testing.assert_array_equal(again.first_layer_weights, first.first_layer_weights)
    assert other.loss_curve != first.loss_curve
    assert not np.array_equal(other.first_layer_weights, first.first_layer_weights)


def test_lr_schedule_switches_the_step_size_at_the_given_epoch():
    data = random_splits(n_train=100)  # 2 steps per epoch
    config = TrainConfig(
        epochs=3,
        optimizer="sgd",
        lr=0.01,
        lr_schedule=((1, 0.2), (2, 0.001)),
        record_every=1,
        record_grad=True,
    )
    history = train("mlp_1", data, config, seed=2)
    oracle = replay("mlp_1", data, config, seed=2)
    assert_close(history.grad_curve, oracle["grad_norms"], rtol=1e-4, what="grad curve under the schedule")
    assert_close(
        history.first_layer_weights,
        models.first_layer(oracle["model"]).weight.detach(),
        rtol=1e-4,
        atol=1e-6,
        what="weights after the schedule",
    )
    constant = train("mlp_1", data, TrainConfig(epochs=3, optimizer="sgd", lr=0.01, record_every=1), seed=2)
    assert_equal(constant.loss_curve[:2], history.loss_curve[:2], "epoch 0 is before the first switch")
    assert constant.loss_curve[3] != history.loss_curve[3]
    assert_equal(config.lr_at(0), 0.01, "lr in epoch 0")
    assert_equal([config.lr_at(e) for e in (1, 2, 9)], [0.2, 0.001, 0.001], "lr after the switches")


def test_divergence_is_flagged_not_raised():
    history = train(
        "mlp_1", random_splits(), TrainConfig(epochs=5, optimizer="sgd", lr=1e6, record_every=1), seed=0
    )
    assert history.diverged
    assert history.steps < 5 * history.steps_per_epoch
    assert all(math.isfinite(x) for x in history.loss_curve)
    # A point per step: every step before the one whose loss was not finite, and not that one.
    assert_equal(len(history.loss_curve), history.steps - 1, "points recorded before the divergence")


def test_a_healthy_run_is_not_flagged_diverged():
    assert not train("mlp_1", random_splits(), TrainConfig(epochs=1, record_every=1), seed=0).diverged


@pytest.mark.parametrize(
    "field, value, valid",
    [
        ("optimizer", "rmsprop", "adam, sgd"),
        ("activation", "tanh", "relu, sigmoid"),
    ],
)
def test_unknown_config_names_raise_value_error_listing_valid_ones(field, value, valid):
    with pytest.raises(ValueError, match=f"{value}.*{valid}"):
        TrainConfig(**{field: value})


def test_unknown_architecture_raises_value_error_listing_valid_ones():
    with pytest.raises(ValueError, match="mlp_9.*mlp_1, mlp_2, cnn_3, cnn_4, cnn_5"):
        train("mlp_9", random_splits(), TrainConfig(epochs=1), seed=0)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"epochs": 0},
        {"batch_size": -1},
        {"lr": 0.0},
        {"lr_schedule": ((2, 0.1), (1, 0.1))},
        {"lr_schedule": ((1, -0.1),)},
        {"device": "gpu7"},
        {"eval_chunk": -5},
    ],
)
def test_bad_config_values_raise_value_error(kwargs):
    with pytest.raises(ValueError):
        TrainConfig(**kwargs)


def test_bad_data_shapes_raise_value_error():
    good = random_splits()
    with pytest.raises(ValueError, match="train_images"):
        train(
            "mlp_1", DataSplits(good.train_images[..., :16], *_rest(good, 1)), TrainConfig(epochs=1), seed=0
        )
    with pytest.raises(ValueError, match="val split has 40 images but 39 labels"):
        fields = [
            good.train_images,
            good.train_labels,
            good.val_images,
            good.val_labels[:-1],
            good.test_images,
            good.test_labels,
        ]
        train("mlp_1", DataSplits(*fields), TrainConfig(epochs=1), seed=0)
    with pytest.raises(TypeError, match="test_labels"):
        train("mlp_1", object(), TrainConfig(epochs=1), seed=0)


def _rest(splits: DataSplits, skip: int) -> list[torch.Tensor]:
    return [getattr(splits, name) for name in DataSplits.tensor_names()][skip:]


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the CPU fallback")
def test_auto_device_resolves_to_cpu_without_cuda():
    assert_equal(resolve_device("auto"), torch.device("cpu"), "auto device")
    assert_equal(
        train("mlp_1", random_splits(), TrainConfig(epochs=1), seed=0).device, "cpu", "History.device"
    )


def test_progress_is_called_once_per_record_point_with_the_recorded_loss():
    events: list[ProgressEvent] = []
    config = TrainConfig(epochs=3, record_every=2)
    history = train("mlp_1", random_splits(n_train=120), config, seed=0, progress=events.append)  # 9 steps
    assert_equal([e.step for e in events], [2, 4, 6, 8], "steps at record points")
    assert_equal([e.epoch for e in events], [0, 1, 1, 2], "epochs at record points")
    assert_equal([e.loss for e in events], history.loss_curve, "losses sent to progress")
    assert_equal({(e.run, e.runs, e.epochs, e.steps) for e in events}, {(0, 1, 3, 9)}, "run and totals")


def test_recording_switches_leave_their_curves_empty():
    config = TrainConfig(epochs=1, record_every=1, record_train=False, record_val=False, record_grad=False)
    history = train("mlp_1", random_splits(), config, seed=0)
    assert_equal(
        (history.loss_curve, history.train_acc_curve, history.val_acc_curve, history.grad_curve),
        ([], [], [], []),
        "curves",
    )
    assert 0.0 <= history.test_acc <= 100.0


@pytest.mark.gpu
def test_cuda_run_matches_the_cpu_run(require_cuda):
    data = random_splits(n_train=100, n_val=40, n_test=30)
    config = TrainConfig(epochs=2, optimizer="sgd", lr=0.05, record_every=2, record_grad=True)
    cpu = train("cnn_4", data, config, seed=0)
    cuda = train("cnn_4", data, replace(config, device=require_cuda), seed=0)
    assert cuda.device.startswith("cuda")
    assert_close(cuda.loss_curve, cpu.loss_curve, rtol=1e-3, what="loss curve, cuda vs cpu")
    assert_close(cuda.grad_curve, cpu.grad_curve, rtol=1e-3, what="grad curve, cuda vs cpu")
    assert_close(cuda.first_layer_weights, cpu.first_layer_weights, rtol=1e-3, atol=1e-5, what="weights")


@pytest.mark.gpu
def test_compiled_training_matches_eager_training_on_cuda(require_cuda):
    data = random_splits(n_train=100)
    config = TrainConfig(epochs=2, record_every=2, record_grad=True, device=require_cuda)
    eager = train("cnn_3", data, config, seed=1)
    compiled = train("cnn_3", data, replace(config, compile=True), seed=1)
    assert_close(compiled.loss_curve, eager.loss_curve, rtol=1e-3, what="loss curve, compiled vs eager")
    assert_close(
        compiled.first_layer_weights, eager.first_layer_weights, rtol=1e-3, atol=1e-5, what="weights"
    )
