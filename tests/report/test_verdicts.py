"""ee449.report.verdicts: each claim's verdict follows the numbers, whichever way they go."""

from __future__ import annotations

import math

import pytest

from ee449.io import write_json
from ee449.report.load import load_folder
from ee449.report.verdicts import FAILS, HOLDS, INCONCLUSIVE, NOT_MEASURED, spearman, verdicts
from tests.helpers.assertions import assert_close, assert_equal
from tests.helpers.fake_results import (
    CNNS,
    MLPS,
    Claims,
    part3_result,
    part5_result,
    schedule_result,
    write_results_folder,
)

CLAIMS = [
    "CNNs beat MLPs",
    "Sigmoid gradients vanish with depth",
    "lr 0.001 is too slow",
    "The learning-rate schedule helps",
]


@pytest.mark.parametrize("claim_index", range(4))
def test_flipping_one_claims_numbers_flips_only_that_verdict(tmp_path, claim_index):
    flags = [True] * 4
    flags[claim_index] = False
    found = {v.claim: v.status for v in verdicts(load_folder(write_results_folder(tmp_path, Claims(*flags))))}
    for i, claim in enumerate(CLAIMS):
        assert_equal(found[claim], FAILS if i == claim_index else HOLDS, claim)


def test_an_empty_folder_measures_nothing(tmp_path):
    assert_equal([v.status for v in verdicts(load_folder(tmp_path))], [NOT_MEASURED] * 4, "verdicts")


def test_sigmoid_trend_needs_two_depths(tmp_path):
    write_results_folder(tmp_path, parts=("part4",))
    for name in MLPS + CNNS[1:]:
        (tmp_path / f"part4_{name}.json").unlink()
    (verdict,) = [v for v in verdicts(load_folder(tmp_path)) if v.claim == CLAIMS[1]]
    assert_equal(verdict.status, NOT_MEASURED, "one architecture: no trend with depth")


def test_comparisons_at_chance_level_are_inconclusive(tmp_path):
    for i, name in enumerate(MLPS + CNNS):  # 10% to 14%: within 5 points of chance
        write_json(tmp_path / f"part3_{name}.json", part3_result(name, 14.0 - i, seed=i))
    write_json(tmp_path / "part5.json", part5_result({"1": 12.0, "01": 11.0, "001": 10.0}))
    write_json(tmp_path / "part5_schedule.json", schedule_result(12.0, adam=14.0, constant=10.0))
    found = {v.claim: v for v in verdicts(load_folder(tmp_path))}
    for claim in (CLAIMS[0], CLAIMS[2], CLAIMS[3]):
        assert_equal(found[claim].status, INCONCLUSIVE, claim)
        assert "chance" in found[claim].evidence, found[claim].evidence


def _claim(folder, claim):
    return next(v for v in verdicts(load_folder(folder)) if v.claim == claim)


@pytest.mark.parametrize("slow_lr, expected", [(9.0, INCONCLUSIVE), (40.0, FAILS)])
def test_lr_0001_against_an_lr_that_itself_stayed_at_chance(tmp_path, slow_lr, expected):
    # lr 0.01 at 11%: a slower 0.001 proves nothing (inconclusive); a 0.001 that learned beat it (fails)
    write_json(tmp_path / "part5.json", part5_result({"1": 60.0, "01": 11.0, "001": slow_lr}))
    verdict = _claim(tmp_path, CLAIMS[2])
    assert_equal(verdict.status, expected, verdict.evidence)
    if expected == INCONCLUSIVE:
        assert "lr 0.01 itself is at chance" in verdict.evidence, verdict.evidence


@pytest.mark.parametrize("second_switch, expected", [(5, HOLDS), (6, INCONCLUSIVE), (9, INCONCLUSIVE)])
def test_a_schedule_whose_stage_3_never_ran_is_inconclusive(tmp_path, second_switch, expected):
    result = schedule_result(50.0, adam=55.0, constant=40.0)  # curves of 6 epochs: stage 3 runs from E2 < 6
    result["switch_epochs"] = [2, second_switch]
    write_json(tmp_path / "part5_schedule.json", result)
    verdict = _claim(tmp_path, CLAIMS[3])
    assert_equal(verdict.status, expected, verdict.evidence)
    if expected == INCONCLUSIVE:
        assert "stage 3 never ran" in verdict.evidence, verdict.evidence


@pytest.mark.parametrize(
    "x, y, expected",
    [
        ([1, 2, 3, 4], [10, 20, 30, 40], 1.0),
        ([1, 2, 3], [3, 2, 1], -1.0),
        ([2, 3, 4, 5, 7], [0.1, 0.01, 0.02, 1e-3, 1e-5], -0.9),
    ],
)
def test_spearman_matches_pearson_of_ranks(x, y, expected):
    # expected: Pearson's r of the ranks, worked by hand
    assert_close(spearman(x, y), expected, atol=1e-12, what="rank correlation")


def test_spearman_of_a_constant_is_undefined():
    assert math.isnan(spearman([1, 1, 1], [1, 2, 3]))
