"""Rubrics: the shipped default, a course's own (JSON or TOML), and clear errors for bad ones."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from ee449.grading.rubric import glob_match, load_rubric
from ee449.grading.sandboxed.checks import registry

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
TWINS = json.loads((FIXTURES / "pdf" / "twins.json").read_text())


def test_the_default_rubric_scores_every_check_family():
    rubric = load_rubric()
    for check in (
        "conv/output_shape",
        "conv/matches_reference[uint8_input]",
        "arch/cnn_3/layers",
        "arch/mlp_1/output_shape",
    ):
        assert rubric.rule_for(check).points > 0, check
    # The homework hands in one PDF, which cannot hold result files: reported, not scored.
    assert rubric.rule_for("results/part3_cnn_4/keys").points == 0
    assert rubric.rule_for("arch/cnn_3_sigmoid/layers").points == 0  # optional variants: reported only
    assert rubric.rule_for("something/else").points == 0


def test_every_kind_of_run_check_has_a_rule_of_its_own_in_the_default_rubric():
    # The registry is the list of checks (`sandboxed.checks.registry`): a kind added there without a
    # rule would score through no rule at all (0 points, silently).
    rubric = load_rubric()
    for check in registry.CHECKS:
        subject = {"key": "cnn_3", "slot": "part3_cnn_3", "case": "multichannel"}.get(check.param, "")
        check_id = check.template.format(**{check.param: subject}) if check.param else check.template
        assert rubric.rule_for(check_id).match, f"no rule of the default rubric matches {check_id}"


@pytest.mark.parametrize(
    ("pattern", "check", "matches"),
    [
        ("conv/matches_reference[*]", "conv/matches_reference[uint8_input]", True),
        ("conv/matches_reference[u]", "conv/matches_reference[uint8_input]", False),
        ("conv/matches_reference[u]", "conv/matches_reference[u]", True),  # brackets are literal
        ("arch/*/layers", "arch/cnn_3/layers", True),
        ("arch/cnn_?/layers", "arch/cnn_3/layers", True),
        ("arch/*/layers", "arch/cnn_3/parameter_count", False),
    ],
)
def test_rule_patterns_are_globs_with_literal_brackets(pattern, check, matches):
    assert glob_match(pattern, check) is matches


def test_the_first_matching_rule_wins_and_carries_visibility(tmp_path):
    path = tmp_path / "rubric.json"
    path.write_text(
        json.dumps(
            {
                "title": "t",
                "rules": [
                    {"match": "arch/cnn_5/*", "points": 5, "visibility": "hidden"},
                    {"match": "arch/*", "points": 1},
                ],
            }
        )
    )
    rubric = load_rubric(path)
    assert (rubric.rule_for("arch/cnn_5/layers").points, rubric.rule_for("arch/cnn_5/layers").visibility) == (
        5,
        "hidden",
    )
    assert rubric.rule_for("arch/cnn_4/layers").points == 1


@pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib is Python 3.11+ (3.10 needs tomli)")
def test_a_toml_rubric_reads_like_the_json_one(tmp_path):
    path = tmp_path / "rubric.toml"
    path.write_text('title = "t"\n[[rules]]\nmatch = "conv/*"\npoints = 2.5\nvisibility = "after_due_date"\n')
    rule = load_rubric(path).rule_for("conv/output_shape")
    assert (rule.points, rule.visibility) == (2.5, "after_due_date")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"rules": []}, "non-empty list"),
        ({"rules": [{"match": "x"}]}, "'match' and 'points'"),
        ({"rules": [{"match": "x", "points": -1}]}, "points must be a number >= 0"),
        ({"rules": [{"match": "x", "points": 1, "visibility": "secret"}]}, "visibility 'secret'"),
        ({"rules": [{"match": "x", "points": 1}], "weights": 2}, "unknown keys"),
    ],
)
def test_a_bad_rubric_is_rejected_with_the_reason(tmp_path, content, message):
    path = tmp_path / "rubric.json"
    path.write_text(json.dumps(content))
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_rubric(path)


def test_a_missing_or_unknown_rubric_file_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        load_rubric(tmp_path / "none.json")
    (tmp_path / "r.yaml").write_text("rules: []")
    with pytest.raises(ValueError, match=".json or .toml"):
        load_rubric(tmp_path / "r.yaml")


def test_the_with_results_preset_is_the_default_with_result_files_scored():
    default, with_results = load_rubric(), load_rubric("with-results")
    assert with_results.rule_for("results/part3_cnn_4/keys").points == 1
    changed = [(a.match, a.points, b.points) for a, b in zip(default.rules, with_results.rules) if a != b]
    assert changed == [("results/*", 0, 1)]
    assert load_rubric("default") == default


def test_a_file_named_like_a_preset_is_read_as_the_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "with-results").write_text("{}")
    with pytest.raises(ValueError, match=".json or .toml"):
        load_rubric("with-results")


@pytest.fixture(scope="module")
def correct_py_and_pdf(tmp_path_factory):
    """The correct fixture as .py files and its PDF twin, each graded once under the default rubric."""
    from ee449.grading.classroom import grade_class

    classroom = tmp_path_factory.mktemp("class")
    shutil.copytree(FIXTURES / "submissions" / "correct", classroom / "correct")
    twin = next(pdf for pdf, info in TWINS.items() if info["twin"] == "correct")
    shutil.copy(FIXTURES / "pdf" / twin, classroom / "report.pdf")
    return {r.student: r for r in grade_class(classroom, jobs=2)}


@pytest.mark.slow
def test_the_correct_code_and_its_pdf_twin_get_full_marks_under_the_default_rubric(correct_py_and_pdf):
    from ee449.grading.output.report import summary

    py, pdf = correct_py_and_pdf["correct"], correct_py_and_pdf["report"]
    assert py.max_score == pdf.max_score == 70  # conv 20 + architectures 50, the same for both
    assert (py.score, pdf.score) == (70, 70), [(c.id, c.message) for c in pdf.checks if not c.passed][:5]
    text = summary(pdf)
    assert "FAIL" not in text
    assert text.count("results/not_submitted") == 1 and "part3_mlp_1" in text  # said once, not per slot


@pytest.mark.slow
def test_the_with_results_preset_scores_the_result_files_the_pdf_cannot_hold(correct_py_and_pdf):
    rubric = load_rubric("with-results")
    scored = {
        student: sum(rubric.rule_for(c.id).points for c in result.checks if c.passed)
        for student, result in correct_py_and_pdf.items()
    }
    maximum = {s: sum(rubric.rule_for(c.id).points for c in r.checks) for s, r in correct_py_and_pdf.items()}
    assert maximum == {"correct": 113, "report": 113}
    assert scored == {"correct": 70 + 8, "report": 70}  # the .py fixture's two result files: 5 + 3 checks
