"""ee449.report.edition: a report follows one edition, says which, and refuses a folder that mixes two."""

from __future__ import annotations

import json

import pytest

from ee449.errors import ResultsError
from ee449.report import build_report
from ee449.report.edition import edition_of
from tests.helpers.fake_results import write_results_folder


def _set_edition(path, year):
    result = json.loads(path.read_text())
    result["meta"]["homework"] = year
    path.write_text(json.dumps(result))


def test_a_folder_mixing_editions_is_refused_naming_the_files_of_each(tmp_path):
    folder = write_results_folder(tmp_path / "out", parts=("part3",))
    _set_edition(folder / "part3_cnn_4.json", 2025)
    with pytest.raises(
        ResultsError, match=r"mixes editions .*2023: .*part3_mlp_1.json.*2025: part3_cnn_4.json"
    ):
        build_report(folder)


def test_a_report_names_its_edition_and_refuses_another_asked_for(tmp_path):
    folder = write_results_folder(tmp_path / "out", parts=("part3",))
    for path in folder.glob("part3_*.json"):
        _set_edition(path, 2025)
    html = build_report(folder, 2025)
    markdown = html.with_suffix(".md").read_text()
    assert (
        markdown.startswith("# EE449 Homework 1 (2025 edition): results")
        and "Part 1: a NumPy MLP for XOR" in markdown
    )
    assert (
        "Part 1: parameter counts" not in markdown
    )  # 2025's Part 1 is the XOR network, not the paper questions
    with pytest.raises(ResultsError, match="--homework 2024, but the results .* follow the 2025 edition"):
        build_report(folder, 2024)


@pytest.mark.parametrize(
    ("meta", "year"),
    [
        ({"config": {}}, 2023),
        ({"config": {}, "homework": 2025}, 2025),
        ({"config": {}, "data": {"homework": 2024}}, 2024),
        ({}, None),
    ],
    ids=["before-editions", "meta", "data", "no-training-meta"],
)
def test_the_edition_of_a_result_is_its_meta_else_2023(meta, year):
    assert edition_of({"meta": meta}) == year
