"""ee449.experiments: configs, seeds, the plateau rule, and Parts 3 to 5 on tiny real runs.

The runs are real (the trainer on the synthetic stand-in, tiny sizes); the oracles are
recomputations from the per-run histories and a second, uninterrupted run of the same work.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ee449 import experiments as ex
from ee449.experiments.payloads import epoch_means
from ee449.experiments.store import RunStore
from tests.helpers.assertions import assert_close, assert_equal
from tests.helpers.splits import TINY
from tests.helpers.strategies import plateau_curves

pytestmark = pytest.mark.usefixtures("one_cpu_thread")


@pytest.fixture(scope="module")
def part3_three_runs(data):
    config = ex.Part3Config("cnn_3", epochs=1, runs=3, **TINY)
    return ex.part3(config, data, device="cpu")


# -- the plateau rule ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "means, patience, delta, expected",
    [
        ([10, 20, 30, 30, 30, 30], 3, 0.25, 3),  # last gain in epoch 3, three flat epochs after it
        ([10, 20, 30, 30.2, 30.1, 30.2], 3, 0.25, 3),  # gains under delta do not count
        ([10, 20, 30, 30.5, 30.5, 30.5, 30.5], 3, 0.25, 4),  # a gain over delta moves the plateau
        ([10, 20, 30, 29, 31, 31, 31, 31], 3, 0.25, 5),  # a dip shorter than patience is not a plateau
        ([10, 20, 30, 40], 3, 0.25, 4),  # never plateaus: switch at the end of the curve
        ([50, 50, 50, 50], 1, 0.0, 1),  # flat from the start, patience 1
        ([42.0], 3, 0.25, 1),
    ],
)
def test_plateau_epoch_on_hand_built_curves(means, patience, delta, expected):
    assert_equal(ex.plateau_epoch(means, patience, delta), expected, what=f"plateau_epoch({means})")


@given(case=plateau_curves())
def test_a_curve_that_keeps_improving_never_switches_early(case):
    # Every epoch gains more than min_delta on the previous one.
    rising = np.cumsum([case.min_delta + 1.0 + abs(v) for v in case.means]).tolist()
    assert_equal(ex.plateau_epoch(rising, case.patience, case.min_delta), len(rising))


@given(case=plateau_curves())
def test_plateau_epoch_is_in_range_and_causal(case):
    e = ex.plateau_epoch(case.means, case.patience, case.min_delta)
    assert 1 <= e <= len(case.means)
    if e < len(case.means):
        # A plateau was found: it is seen by epoch e - 1 + patience, and later epochs cannot move it.
        seen_by = e - 1 + case.patience + 1
        assert seen_by <= len(case.means)
        assert_equal(ex.plateau_epoch(case.means[:seen_by], case.patience, case.min_delta), e, what="prefix")
        # No epoch after the switch and within the patience window beat the best by min_delta.
        best = max(case.means[:e])
        assert all(v <= best + case.min_delta for v in case.means[e:seen_by])


@given(case=plateau_curves(), shift=st.integers(-50, 50))
def test_plateau_epoch_ignores_a_constant_shift(case, shift):
    # The curves hold whole numbers and the deltas are binary fractions, so the shift is exact.
    shifted = [v + shift for v in case.means]
    assert_equal(
        ex.plateau_epoch(shifted, case.patience, case.min_delta),
        ex.plateau_epoch(case.means, case.patience, case.min_delta),
    )


def test_epoch_means_average_the_points_recorded_in_each_epoch():
    curve = list(range(12))  # 12 points, 3 per epoch when epochs have 30 steps and record_every 10
    assert_close(epoch_means(curve, 30, 10), np.arange(12).reshape(4, 3).mean(axis=1), what="epoch means")
    # 18 steps per epoch, a point every 3: points at steps 3..36, six per epoch.
    assert_close(epoch_means(list(range(12)), 18, 3), [2.5, 8.5], what="epoch means")
    with pytest.raises(ValueError, match="holds no point"):
        epoch_means([1.0], 5, 10)


# -- Part 3: mean over runs, best run -----------------------------------------------------------


def test_part3_curves_are_the_point_by_point_mean_of_the_runs(part3_three_runs):
    payload = part3_three_runs.payload()
    runs = part3_three_runs.histories
    assert_equal(len(runs), 3, what="runs")
    for key in ("loss_curve", "train_acc_curve", "val_acc_curve"):
        expected = [sum(r.__dict__[key][i] for r in runs) / 3 for i in range(len(runs[0].__dict__[key]))]
        assert_close(payload[key], expected, rtol=1e-12, what=key)
    assert_equal(len(payload["loss_curve"]), 18 // 3, what="points in one epoch of 18 steps")


def test_part3_reports_the_best_runs_test_accuracy_and_weights(part3_three_runs):
    payload = part3_three_runs.payload()
    accs = [r.test_acc for r in part3_three_runs.histories]
    best = int(np.argmax(accs))
    assert_equal(payload["test_acc"], max(accs), what="test_acc")
    assert_close(payload["weights"], part3_three_runs.histories[best].first_layer_weights, what="weights")
    assert_equal(
        tuple(np.shape(payload["weights"])), (16, 1, 3, 3), what="cnn_3 first layer (PyTorch layout)"
    )
    assert_equal(payload["meta"]["run_test_accs"], accs, what="meta.run_test_accs")
    assert_equal(payload["meta"]["seeds"], ex.run_seeds(0, 3), what="meta.seeds")


def test_part3_runs_differ_from_each_other(part3_three_runs):
    first, second = part3_three_runs.histories[:2]
    assert first.loss_curve != second.loss_curve, "two runs with different seeds gave identical curves"


# -- resuming -----------------------------------------------------------------------------------


def test_part3_resumed_after_its_first_run_equals_an_uninterrupted_part3(data, tmp_path):
    config = ex.Part3Config("mlp_2", epochs=1, runs=2, **TINY)
    first = ex.part3(
        ex.override(config, runs=1), data, device="cpu", store=RunStore(tmp_path / "a")
    )  # stopped
    trained = []
    resumed = ex.part3(config, data, device="cpu", store=RunStore(tmp_path / "a"), progress=trained.append)
    whole = ex.part3(config, data, device="cpu", store=RunStore(tmp_path / "b"))
    assert {e.run for e in trained} == {1}, "the resumed Part 3 retrained its saved first run"
    # The saved run comes back bit for bit.
    for key in ("loss_curve", "train_acc_curve", "val_acc_curve", "test_acc"):
        assert_equal(
            getattr(resumed.histories[0], key), getattr(first.histories[0], key), what=f"run 0 {key}"
        )
    assert_close(
        resumed.histories[0].first_layer_weights, first.histories[0].first_layer_weights, rtol=0, atol=0
    )
    # The uninterrupted Part 3 may train its two runs together as replicas, which agree with
    # single runs to float rounding only (the replica trainer's own tolerances).
    for got, want in zip(resumed.histories, whole.histories):
        assert_close(got.loss_curve, want.loss_curve, rtol=1e-5, what="loss curve")
        for key in ("train_acc_curve", "val_acc_curve", "test_acc"):
            assert_close(getattr(got, key), getattr(want, key), rtol=1e-9, what=key)
        assert_close(got.first_layer_weights, want.first_layer_weights, rtol=1e-3, atol=1e-5, what="weights")
    resumed_payload, whole_payload = resumed.payload(), whole.payload()
    assert_close(resumed_payload["loss_curve"], whole_payload["loss_curve"], rtol=1e-5, what="mean loss")
    assert_close(resumed_payload["test_acc"], whole_payload["test_acc"], rtol=1e-9, what="test_acc")


def test_part4_interrupted_during_sigmoid_keeps_relu_and_resumes(data, tmp_path):
    config = ex.Part4Config("mlp_2", epochs=1, **TINY)
    store = RunStore(tmp_path)
    events = []

    def interrupt_in_sigmoid(event):
        events.append(event)
        if len(events) > 6:  # ReLU's six points are done; stop in the sigmoid run
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ex.part4(config, data, device="cpu", store=store, progress=interrupt_in_sigmoid)
    assert_equal(store.count(), 1, what="saved runs after the interrupt")
    events.clear()
    resumed = ex.part4(config, data, device="cpu", store=store, progress=events.append)
    assert_equal(len(events), 6, what="progress events of the resumed Part 4 (sigmoid only)")
    whole = ex.part4(config, data, device="cpu")
    for activation in ("relu", "sigmoid"):
        for key in ("loss_curve", "grad_curve"):
            assert_equal(
                getattr(getattr(resumed, activation), key),
                getattr(getattr(whole, activation), key),
                what=f"{activation} {key}",
            )


def test_runs_made_with_tf32_are_saved_apart_and_not_reused_without_it(data, tmp_path):
    # TF32 changes results on CUDA (about 1e-3), so its runs must not stand in for exact ones. On
    # the CPU the switch computes nothing differently, which keeps this test cheap.
    config = ex.Part4Config("mlp_1", epochs=1, **TINY)
    store = RunStore(tmp_path)
    ex.part4(config, data, device="cpu", store=store, speed=ex.Speed(allow_tf32=True))
    assert_equal(store.count(), 2, what="saved runs (ReLU, sigmoid) with TF32")
    events = []
    exact = ex.part4(config, data, device="cpu", store=store, progress=events.append)
    assert_equal(store.count(), 4, what="saved runs after the same Part 4 without TF32")
    assert_equal(len(events), 12, what="progress events: both runs retrained, six points each")
    again = []
    ex.part4(config, data, device="cpu", store=store, progress=again.append)
    assert_equal((store.count(), len(again)), (4, 0), what="a third, exact Part 4 reuses the exact runs")
    assert_equal(
        exact.relu.loss_curve, ex.part4(config, data, device="cpu").relu.loss_curve, what="exact loss"
    )


def test_part4_activations_share_one_seed_and_record_gradients(data):
    result = ex.part4(ex.Part4Config("mlp_1", epochs=1, **TINY), data, device="cpu")
    payload = result.payload()
    assert_equal(result.relu.seed, result.sigmoid.seed, what="seeds")
    for key in ("relu_loss_curve", "sigmoid_loss_curve", "relu_grad_curve", "sigmoid_grad_curve"):
        assert_equal(len(payload[key]), 6, what=f"len({key})")
        assert all(math.isfinite(v) and v >= 0 for v in payload[key] if "grad" in key)


def test_schedule_uses_the_given_switch_epochs_and_reuses_part5s_run(data, tmp_path):
    store = RunStore(tmp_path)
    part5 = ex.part5(ex.Part5Config("mlp_2", epochs=2, **TINY), data, device="cpu", store=store)
    events = []
    config = ex.ScheduleConfig("mlp_2", epochs=3, search_epochs=2, switch_epochs=(1, 2), **TINY)
    result = ex.schedule(
        config,
        data,
        device="cpu",
        store=store,
        progress=events.append,
        adam_test_acc=12.5,
        adam_source="given",
    )
    payload = result.payload()
    assert_equal(payload["switch_epochs"], [1, 2], what="switch_epochs")
    assert_equal(
        payload["constant_lr_test_acc"], part5.histories[0].test_acc, what="constant 0.1 test accuracy"
    )
    assert_equal(
        len(events), 2 * 3 * 6, what="progress events: two scheduled runs of 3 epochs, the search reused"
    )
    assert_equal(payload["adam_test_acc"], 12.5, what="adam_test_acc")
    # Stage 2 and stage 3 follow the same path until the second switch (same seed, same rates).
    assert_equal(
        payload["val_acc_curve_stage2"][:12], payload["val_acc_curve_stage3"][:12], what="first 2 epochs"
    )
    assert_equal(payload["test_acc"], result.stage3.test_acc, what="test_acc")


def test_schedule_finds_switches_by_the_plateau_rule(data):
    config = ex.ScheduleConfig("mlp_2", epochs=5, search_epochs=4, patience=1, min_delta=0.0, **TINY)
    result = ex.schedule(config, data, device="cpu", adam_test_acc=0.0)
    # The switches, recomputed from the recorded curves: the first from the constant-rate search
    # run (at most epochs - 1), the second from stage 2's epochs after the first switch.
    search = epoch_means(result.search.val_acc_curve, result.search.steps_per_epoch, 3)
    e1 = min(ex.plateau_epoch(search, 1, 0.0), config.epochs - 1)
    stage2 = epoch_means(result.stage2.val_acc_curve, result.stage2.steps_per_epoch, 3)[e1:]
    e2 = e1 + ex.plateau_epoch(stage2, 1, 0.0)
    assert_equal(result.switch_epochs, (e1, e2), what="switch epochs")
    assert 1 <= e1 < e2 <= config.epochs, result.switch_epochs


def test_a_diverged_run_is_recorded_and_reported_not_raised(data, tmp_path):
    from ee449.io import read_json
    from ee449.results import write_result

    # SGD at 0.5 blows mlp_2 up within one epoch; 0.01 does not.
    result = ex.part5(ex.Part5Config("mlp_2", epochs=1, lrs=(0.5, 0.01), **TINY), data, device="cpu")
    wild, tame = result.histories
    assert wild.diverged and not tame.diverged, (wild.diverged, tame.diverged)
    assert wild.steps < tame.steps and all(math.isfinite(v) for v in wild.loss_curve)
    written = read_json(write_result(tmp_path / "part5.json", result.payload()))
    assert_equal(written["meta"]["diverged_runs"], [wild.seed], what="meta.diverged_runs")
    assert_equal(written["loss_curve_5"], wild.loss_curve, what="the diverged run's finite points")
    assert_equal(len(written["loss_curve_01"]), 6, what="the other rate's curve")
