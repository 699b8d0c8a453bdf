"""Rubrics: the shipped default, a course's own (JSON or TOML), and clear errors for bad ones."""

from __future__ import annotations

import json
import sys

import pytest

from ee449.grading.rubric import glob_match, load_rubric


def test_the_default_rubric_scores_every_check_family():
    rubric = load_rubric()
    for check in (
        "conv/output_shape",
        "conv/matches_reference[uint8_input]",
        "arch/cnn_3/layers",
        "arch/mlp_1/output_shape",
        "results/part3_cnn_4.json/keys",
    ):
        assert rubric.rule_for(check).points > 0, check
    assert rubric.rule_for("arch/cnn_3_sigmoid/layers").points == 0  # optional variants: reported only
    assert rubric.rule_for("something/else").points == 0


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
