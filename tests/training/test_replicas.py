"""Replica batching equals training the runs one after another (CPU, tiny random data)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from ee449 import models
from ee449.models.stacked import StackedNet
from ee449.training import ProgressEvent, TrainConfig, batching_pays_off, train, train_many
from tests.helpers.assertions import assert_close, assert_equal
from tests.helpers.splits import random_splits

CURVES = ("loss_curve", "train_acc_curve", "val_acc_curve", "grad_curve")


def assert_same_runs(
    batched, sequential, *, grad_rtol: float = 1e-4, loss_rtol: float = 1e-5, acc_atol: float = 1e-9
) -> None:
    __tracebackhide__ = True
    assert_equal(len(batched), len(sequential), "number of runs")
    for b, s in zip(batched, sequential):
        where = f"seed {s.seed}"
        assert_equal(
            (b.seed, b.steps, b.steps_per_epoch, b.diverged),
            (s.seed, s.steps, s.steps_per_epoch, s.diverged),
            f"{where}: seed, steps, steps per epoch, diverged",
        )
        assert_close(b.loss_curve, s.loss_curve, rtol=loss_rtol, what=f"{where}: loss curve")
        assert_close(b.train_acc_curve, s.train_acc_curve, atol=acc_atol, what=f"{where}: train accuracy")
        assert_close(b.val_acc_curve, s.val_acc_curve, atol=acc_atol, what=f"{where}: validation accuracy")
        assert_close(b.grad_curve, s.grad_curve, rtol=grad_rtol, atol=1e-6, what=f"{where}: grad curve")
        assert_close(b.test_acc, s.test_acc, atol=acc_atol, what=f"{where}: test accuracy")
        assert_close(
            b.first_layer_weights, s.first_layer_weights, rtol=1e-3, atol=1e-5, what=f"{where}: weights"
        )


@pytest.mark.parametrize(
    "arch, optimizer, lr",
    [
        ("mlp_1", "adam", 1e-3),
        ("mlp_2", "sgd", 0.05),
        ("cnn_3", "sgd", 0.05),
        ("cnn_4", "adam", 1e-3),
    ],
)
def test_batched_runs_equal_sequential_runs(arch, optimizer, lr):
    data = random_splits(n_train=100, n_val=20, n_test=20)
    config = TrainConfig(
        epochs=2, optimizer=optimizer, lr=lr, lr_schedule=((1, lr / 3),), record_every=2, record_grad=True
    )
    seeds = [4, 0, 9]
    sequential = [train(arch, data, config, seed=s) for s in seeds]
    # Adam's step is m / (sqrt(v) + eps): tiny gradient differences move it more than SGD's.
    assert_same_runs(
        train_many(arch, data, config, seeds, batched=True),
        sequential,
        grad_rtol=2e-3 if optimizer == "adam" else 1e-4,
    )


def test_batched_sigmoid_runs_equal_sequential_runs():
    data = random_splits(n_train=100, n_val=20, n_test=20)
    config = TrainConfig(
        epochs=2, optimizer="sgd", lr=0.01, activation="sigmoid", record_every=2, record_grad=True
    )
    seeds = [1, 2]
    assert_same_runs(
        train_many("cnn_5", data, config, seeds, batched=True),
        train_many("cnn_5", data, config, seeds, batched=False),
    )


def test_a_diverging_replica_stops_alone_as_its_sequential_run_does():
    data = random_splits(n_train=100, n_val=20, n_test=20)
    # seeds 0 and 4 blow up, at steps 5 and 7 of 8; the others do not
    config = TrainConfig(epochs=4, optimizer="sgd", lr=15.0, record_every=1, record_val=False)
    seeds = list(range(5))
    sequential = train_many("cnn_3", data, config, seeds, batched=False)
    assert 0 < sum(h.diverged for h in sequential) < len(seeds), [h.diverged for h in sequential]
    batched = train_many("cnn_3", data, config, seeds, batched=True)
    for b, s in zip(batched, sequential):
        assert_equal(
            (b.diverged, b.steps, len(b.loss_curve)),
            (s.diverged, s.steps, len(s.loss_curve)),
            f"seed {s.seed}: diverged, steps, curve length",
        )
        assert all(np.isfinite(b.loss_curve))
        assert_close(b.loss_curve, s.loss_curve, rtol=1e-2, what=f"seed {s.seed}: loss curve")


@pytest.mark.parametrize("arch", models.ARCHITECTURES)
def test_stacked_forward_equals_each_seeded_model(arch):
    seeds = [3, 1, 4]
    net = StackedNet(arch, "relu", seeds, torch.device("cpu"))
    g = torch.Generator().manual_seed(0)
    per_replica = torch.randn(len(seeds), 6, 1, 32, 32, generator=g)
    shared = torch.randn(5, 1, 32, 32, generator=g)
    with torch.no_grad():
        own, common = net.forward(per_replica), net.forward(shared)
        for r, seed in enumerate(seeds):
            torch.manual_seed(seed)
            model = models.build(arch, "relu")
            assert_close(
                own[r], model(per_replica[r]), rtol=1e-5, atol=1e-6, what=f"replica {r} on its own batch"
            )
            assert_close(
                common[r], model(shared), rtol=1e-5, atol=1e-6, what=f"replica {r} on the shared batch"
            )
            assert_close(
                net.first_weights(r), models.first_layer(model).weight, what=f"replica {r} first layer"
            )
            for got, expected in zip(net.replica(r).parameters(), model.parameters()):
                assert_close(got, expected, what=f"replica {r} parameters")


def test_batched_progress_reports_each_record_point_once_for_the_group():
    events: list[ProgressEvent] = []
    config = TrainConfig(epochs=2, record_every=3, record_val=False)
    histories = train_many(
        "mlp_1", random_splits(n_train=150), config, [0, 1], progress=events.append, batched=True
    )
    assert_equal([e.step for e in events], [3, 6], "steps at record points")
    assert_equal(
        {(e.run, e.runs, e.replicas, e.steps) for e in events}, {(0, 2, 2, 6)}, "run, runs, replicas, steps"
    )
    for i, event in enumerate(events):
        assert_close(
            event.loss, np.mean([h.loss_curve[i] for h in histories]), rtol=1e-6, what="mean replica loss"
        )


def test_sequential_progress_numbers_the_runs():
    events: list[ProgressEvent] = []
    train_many(
        "mlp_1",
        random_splits(n_train=100),
        TrainConfig(epochs=1, record_every=1, record_val=False),
        [5, 6],
        progress=events.append,
        batched=False,
    )
    assert_equal([(e.run, e.runs, e.replicas) for e in events], [(0, 2, 1)] * 2 + [(1, 2, 1)] * 2, "runs")


@pytest.mark.parametrize("arch", ["mlp_2", "cnn_3"])  # batched and sequential by default on the CPU
def test_automatic_choice_gives_the_same_runs_as_forcing_either_way(arch):
    data = random_splits(n_train=60, n_val=20, n_test=20)
    config = TrainConfig(epochs=1, record_every=1)
    automatic = train_many(arch, data, config, [0, 1])
    assert_same_runs(automatic, train_many(arch, data, config, [0, 1], batched=False))
    assert_same_runs(automatic, train_many(arch, data, config, [0, 1], batched=True))


@pytest.mark.parametrize("arch", models.ARCHITECTURES)
def test_a_single_run_is_never_batched(arch):
    assert not batching_pays_off(arch, torch.device("cpu"), 1)
    assert not batching_pays_off(arch, torch.device("cuda"), 1)


@pytest.mark.gpu
@pytest.mark.parametrize("compile_forward", [False, True])
def test_batched_runs_equal_sequential_runs_on_cuda(require_cuda, compile_forward):
    data = random_splits(n_train=100, n_val=20, n_test=20)
    config = TrainConfig(
        epochs=2, record_every=2, record_grad=True, device=require_cuda, compile=compile_forward
    )
    seeds = [2, 7, 1]
    sequential = train_many("cnn_4", data, replace(config, compile=False), seeds, batched=False)
    # cuDNN may pick other algorithms for grouped convs: allow one image of 20 to flip class
    assert_same_runs(
        train_many("cnn_4", data, config, seeds, batched=True),
        sequential,
        grad_rtol=2e-3,
        loss_rtol=1e-3,
        acc_atol=5.0,
    )
