"""ee449.experiments.configs: the homework's defaults, validation that names the bad value, seeds."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ee449 import experiments as ex
from tests.helpers.assertions import assert_equal


@pytest.mark.parametrize(
    "config, expected",
    [
        (
            ex.Part3Config("cnn_4"),
            {"epochs": 15, "runs": 10, "lr": 1e-3, "batch_size": 50, "record_every": 10},
        ),
        (ex.Part4Config("cnn_4"), {"epochs": 15, "lr": 0.01, "batch_size": 50, "record_every": 10}),
        (ex.Part5Config(), {"arch": "cnn_4", "epochs": 20, "lrs": (0.1, 0.01, 0.001), "batch_size": 50}),
        (
            ex.ScheduleConfig(),
            {"arch": "cnn_4", "epochs": 30, "search_epochs": 20, "lrs": (0.1, 0.01, 0.001)},
        ),
    ],
    ids=["part3", "part4", "part5", "schedule"],
)
def test_config_defaults_are_the_specs(config, expected):
    for key, value in expected.items():
        assert_equal(getattr(config, key), value, what=f"{type(config).__name__}.{key}")


def test_train_configs_use_the_specs_optimizers():
    assert ex.Part3Config("mlp_1").train_config().optimizer == "adam"
    part4 = ex.Part4Config("mlp_1").train_config("sigmoid")
    assert (part4.optimizer, part4.activation, part4.record_grad, part4.lr) == ("sgd", "sigmoid", True, 0.01)
    part5 = ex.Part5Config().train_config(0.001)
    assert (part5.optimizer, part5.lr, part5.record_val) == ("sgd", 0.001, True)


def test_override_names_an_unknown_setting():
    with pytest.raises(ValueError, match="'epoch'.*valid:.*epochs"):
        ex.override(ex.Part3Config("cnn_4"), epoch=3)
    assert ex.override(ex.Part3Config("cnn_4"), epochs=3).epochs == 3


def test_configs_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        ex.Part3Config("cnn_4").epochs = 3  # type: ignore[misc]


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: ex.Part3Config("cnn_9"), "unknown architecture 'cnn_9'"),
        (lambda: ex.Part3Config("cnn_4", runs=0), "runs must be a positive int"),
        (lambda: ex.Part5Config("mlp_1"), "other than mlp_1"),
        (lambda: ex.ScheduleConfig("mlp_1"), "other than mlp_1"),
        (lambda: ex.Part5Config(lrs=(0.1, 1.5)), r"in \(0, 1\), got 1.5"),
        (lambda: ex.ScheduleConfig(switch_epochs=(12, 8)), r"0 < E1 < E2 <= 30, got \[12, 8\]"),
        (lambda: ex.ScheduleConfig(switch_epochs=(5, 31)), r"got \[5, 31\]"),
        (lambda: ex.ScheduleConfig(search_epochs=40), "must not exceed epochs"),
        (lambda: ex.Part4Config("cnn_4", seed=-1), "seed must be an int >= 0"),
    ],
)
def test_bad_configs_are_rejected_with_the_bad_value(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@given(seed=st.integers(0, 10_000), runs=st.integers(1, 50), prefix=st.integers(1, 50))
def test_run_seeds_are_distinct_and_a_prefix_of_more_runs(seed, runs, prefix):
    seeds = ex.run_seeds(seed, runs)
    assert len(set(seeds)) == runs
    # Resuming with more runs must find the earlier runs under the same seeds.
    assert ex.run_seeds(seed, min(prefix, runs)) == seeds[: min(prefix, runs)]
    assert not set(seeds) & set(ex.run_seeds(seed + 1, runs)), "base seeds share a run seed"


@pytest.mark.parametrize("lr, suffix", [(0.1, "1"), (0.01, "01"), (0.001, "001"), (0.05, "05")])
def test_rate_suffix_follows_the_homeworks_keys(lr, suffix):
    from ee449.experiments.payloads import rate_suffix

    assert_equal(rate_suffix(lr), suffix, what=f"rate_suffix({lr})")
