"""The report on suspect result files: impossible values are flagged, and comparisons across
different data or settings say "not comparable" instead of a verdict."""

from __future__ import annotations

import json

import pytest

from ee449.report import build_report
from ee449.report.load import load_folder
from ee449.report.verdicts import HOLDS, NOT_COMPARABLE, cnns_beat_mlps, sigmoid_gradients_vanish
from tests.helpers.fake_results import write_results_folder


def _edit(path, change) -> None:
    result = json.loads(path.read_text())
    change(result)
    path.write_text(json.dumps(result))  # json.dumps writes NaN / Infinity literals, as another writer might


@pytest.mark.parametrize(
    "value, says",
    [
        (150.0, "150% is outside 0-100%"),
        (-50.0, "-50% is outside"),
        (1e300, "1e+300% is outside"),
        (float("nan"), "nan literal"),
        (float("inf"), "inf literal"),
    ],
)
def test_an_impossible_test_accuracy_is_flagged_in_the_report(tmp_path, value, says):
    folder = write_results_folder(tmp_path / "out", parts=("part3",))
    _edit(folder / "part3_cnn_4.json", lambda r: r.update(test_acc=value))
    problems = load_folder(folder).problems
    assert [p for p in problems if p.startswith("part3_cnn_4.json") and says in p], problems


def test_the_written_report_shows_the_flag(tmp_path):
    folder = write_results_folder(tmp_path / "out", parts=("part3",))
    _edit(folder / "part3_mlp_2.json", lambda r: r.update(test_acc=150.0))
    build_report(folder)
    flag = "part3_mlp_2.json: impossible value test_acc: 150% is outside 0-100%"
    assert flag in (folder / "report.md").read_text()


def test_an_intact_folder_has_no_value_problems(tmp_path):
    folder = write_results_folder(tmp_path / "out")
    assert load_folder(folder).problems == []


def test_a_verdict_across_different_data_is_not_comparable(tmp_path):
    folder = write_results_folder(tmp_path / "out", parts=("part3", "part4"))
    assert cnns_beat_mlps(load_folder(folder)).status == HOLDS
    _edit(
        folder / "part3_mlp_1.json",
        lambda r: r["meta"]["data"].update(source="/data/cifar10", synthetic=False),
    )
    verdict = cnns_beat_mlps(load_folder(folder))
    assert verdict.status == NOT_COMPARABLE and "different data" in verdict.evidence, verdict


def test_a_verdict_across_different_settings_names_them(tmp_path):
    folder = write_results_folder(tmp_path / "out", parts=("part4",))
    assert sigmoid_gradients_vanish(load_folder(folder)).status == HOLDS
    _edit(folder / "part4_cnn_5.json", lambda r: r["meta"]["config"].update(epochs=30))
    verdict = sigmoid_gradients_vanish(load_folder(folder))
    assert verdict.status == NOT_COMPARABLE and "epochs" in verdict.evidence, verdict
