"""ee449.training.recording: the window accumulator and the replicas' records, against recomputation."""

from __future__ import annotations

import math

import torch

from ee449.models import first_layer
from ee449.models.stacked import StackedNet
from ee449.training.recording import Point, Records, Window
from tests.helpers.assertions import assert_close, assert_equal


def test_a_window_holds_each_replicas_per_sample_mean_loss_and_correct_count():
    torch.manual_seed(0)
    window = Window(2, torch.device("cpu"))
    steps = [(torch.randn(2, 4, 10), torch.randint(0, 10, (2, 4))) for _ in range(3)]
    for logits, labels in steps:
        losses = torch.stack([torch.nn.functional.cross_entropy(logits[r], labels[r]) for r in range(2)])
        window.add(losses, logits, labels)
    logits = torch.cat([lg for lg, _ in steps], dim=1)  # (2, 12, 10): the window's 12 samples
    labels = torch.cat([lb for _, lb in steps], dim=1)
    expected = [torch.nn.functional.cross_entropy(logits[r], labels[r]).item() for r in range(2)]
    assert_close(window.mean_losses(), expected, atol=1e-6, what="window mean losses")
    assert_equal(window.correct.tolist(), (logits.argmax(-1) == labels).sum(1).tolist(), what="correct")
    assert_equal(window.samples, 12, what="samples")
    window.clear()
    assert_equal(
        (window.loss.tolist(), window.correct.tolist(), window.samples),
        ([0.0, 0.0], [0, 0], 0),
        what="cleared",
    )


def test_a_replica_with_a_non_finite_loss_stops_and_its_curves_stay_as_they_were():
    net = StackedNet("mlp_1", "relu", [0, 1], torch.device("cpu"))
    records = Records(2)
    records.append(Point(loss=[1.0, 2.0], train_acc=[10.0, 20.0], val_acc=None, grad=None))
    records.stop_diverged(net, [0.5, math.nan], step=20)
    records.append(Point(loss=[0.5, math.nan], train_acc=[30.0, 0.0], val_acc=None, grad=None))
    assert_equal(records.active, [True, False], what="active")
    assert_equal(records.curves[0]["loss"], [1.0, 0.5], what="replica 0's losses")
    assert_equal(records.curves[1]["loss"], [2.0], what="replica 1's losses: the finite point only")
    assert_equal(records.curves[1]["val_acc"], [], what="an unrecorded curve")
    model, steps = records.stopped[1]
    assert_equal(steps, 20, what="the stopped replica's steps")
    assert_close(
        first_layer(model).weight.detach().numpy(),
        net.first_weights(1).detach().numpy(),
        what="its model's first layer: replica 1's when it stopped",
    )
    assert_equal(records.mean_active_loss([0.5, math.nan]), 0.5, what="the mean loss of active replicas")
