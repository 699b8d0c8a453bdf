"""How strong a claim's evidence is: means with spread, overlap, Welch's test, training lengths."""

from __future__ import annotations

import math
import statistics

import pytest
from scipy import stats

from ee449.io import write_json
from ee449.report.evidence import compare_runs, training_lengths
from ee449.report.load import load_folder, run_spread
from ee449.report.verdicts import FAILS, HOLDS, INCONCLUSIVE, verdicts
from tests.helpers.fake_results import CNNS, MLPS, part3_result, schedule_result


def _row(name: str, runs: list[float]) -> dict:
    return {"name": name, **run_spread({"meta": {"run_test_accs": runs}})}


def _welch_p(a: list[float], b: list[float]) -> float:
    """Welch's two-sided p from the textbook formulas (t and Welch-Satterthwaite df), for the oracle."""
    va, vb = statistics.variance(a) / len(a), statistics.variance(b) / len(b)
    t = (statistics.mean(a) - statistics.mean(b)) / math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    return 2 * stats.t.sf(abs(t), df)


def test_the_comparison_quotes_means_spread_and_welchs_p():
    cnn, mlp = [19.0, 29.4, 19.4], [24.4, 28.4, 26.4]
    compared = compare_runs(_row("cnn_5", cnn), _row("mlp_2", mlp))
    assert compared.margin == pytest.approx(statistics.mean(cnn) - statistics.mean(mlp))
    assert compared.overlap
    assert compared.p_value == pytest.approx(_welch_p(cnn, mlp), rel=1e-9)
    assert "cnn_5 mean 22.60%" in compared.text and "mlp_2 mean 26.40%" in compared.text


def test_runs_apart_do_not_overlap():
    assert not compare_runs(_row("cnn_3", [60.0, 61.0]), _row("mlp_1", [40.0, 42.0])).overlap


def _part3_folder(tmp_path, accs: dict[str, list[float]]):
    for name, runs in accs.items():
        result = part3_result(name, max(runs))
        result["meta"]["run_test_accs"] = runs
        write_json(tmp_path / f"part3_{name}.json", result)
    return next(v for v in verdicts(load_folder(tmp_path)) if v.claim == "CNNs beat MLPs")


def test_best_runs_that_beat_while_the_means_reverse_are_inconclusive_not_holds(tmp_path):
    """The demo's case: cnn_5's best run 29.4 beats mlp_2's 28.4, its mean 22.6 is below 26.4."""
    accs = {name: [50.0, 52.0] for name in CNNS} | {name: [20.0, 21.0] for name in MLPS}
    accs["cnn_5"], accs["mlp_2"] = [15.8, 29.4], [24.4, 28.4]
    verdict = _part3_folder(tmp_path, accs)
    assert verdict.status == INCONCLUSIVE and "runs overlap" in verdict.evidence, verdict.evidence
    assert "cnn_5 mean 22.60%" in verdict.evidence


@pytest.mark.parametrize(
    ("cnn", "mlp", "status"), [([60.0, 62.0], [40.0, 41.0], HOLDS), ([30.0, 31.0], [40.0, 41.0], FAILS)]
)
def test_means_apart_decide_the_claim_either_way(tmp_path, cnn, mlp, status):
    accs = {name: cnn for name in CNNS} | {name: mlp for name in MLPS}
    assert _part3_folder(tmp_path, accs).status == status


def test_a_different_training_length_for_adam_is_said(tmp_path):
    schedule = schedule_result(50.0, adam=55.0, constant=40.0)
    schedule["meta"]["config"]["epochs"] = 30
    schedule["meta"]["adam_source"] = "one Adam run trained here (4 epochs)"
    note = training_lengths(schedule, [])
    assert "Adam trained 4 epochs and the schedule 30" in note
    write_json(tmp_path / "part5_schedule.json", schedule)
    verdict = next(
        v for v in verdicts(load_folder(tmp_path)) if v.claim == "The learning-rate schedule helps"
    )
    assert "different training lengths" in verdict.evidence
    schedule["meta"]["adam_source"] = "one Adam run trained here (30 epochs)"
    assert training_lengths(schedule, []) == ""
