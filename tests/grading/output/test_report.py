"""Reports: results.json against Gradescope's documented fields, JUnit XML, the class CSV, the summary."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

from ee449.grading.grades import CheckResult, GradeResult
from ee449.grading.output.report import (
    gradescope_results,
    junit_xml,
    scores_csv,
    summary,
    to_read,
    write_outputs,
)
from tests.helpers.gradescope import assert_gradescope_results


def make_result(student: str = "ada") -> GradeResult:
    return GradeResult(
        student,
        [
            CheckResult("conv/output_shape", True, 2.0, 2.0, "visible", seconds=0.1),
            CheckResult(
                "arch/mlp_1/output_shape",
                False,
                0.0,
                3.0,
                "hidden",
                "batch 1: RuntimeError: shape",
                [["hardcoded_batch", "Your mlp_1 works for a batch of 50 but not for 1, 7."]],
                0.2,
            ),
            CheckResult("results/part3_cnn_4.json/keys", True, 0.5, 0.5, "after_published"),
        ],
        seconds=4.2,
        notes=["my_conv2d: taken from hw1.py, line 3"],
    )


def test_results_json_has_only_documented_gradescope_fields_and_adds_up(tmp_path):
    write_outputs(make_result(), tmp_path)
    payload = json.loads((tmp_path / "results.json").read_text())
    assert_gradescope_results(payload)
    assert payload["score"] == 2.5
    failed = payload["tests"][1]
    assert (
        failed["status"] == "failed"
        and failed["visibility"] == "hidden"
        and failed["tags"] == ["hardcoded_batch"]
    )
    assert failed["output"].splitlines() == [
        "Your mlp_1 works for a batch of 50 but not for 1, 7.",
        "batch 1: RuntimeError: shape",
    ]  # diagnosis first, then detail


def test_junit_xml_counts_failures_and_carries_the_diagnosis():
    suite = ET.fromstring(junit_xml(make_result()))
    assert (suite.get("tests"), suite.get("failures")) == ("3", "1")
    failures = [case for case in suite.iter("testcase") if case.find("failure") is not None]
    assert [f.get("name") for f in failures] == ["mlp_1/output_shape"]
    assert "batch of 50" in failures[0].find("failure").text


def test_scores_csv_has_one_row_per_student_and_a_column_per_check():
    other = make_result("bob")
    other.checks = other.checks[:1]  # bob had no result files and one check only
    rows = list(csv.DictReader(io.StringIO(scores_csv([make_result(), other]))))
    assert [r["student"] for r in rows] == ["ada", "bob"]
    assert (rows[0]["score"], rows[0]["max_score"], rows[0]["arch/mlp_1/output_shape"]) == ("2.5", "5.5", "0")
    assert rows[1]["results/part3_cnn_4.json/keys"] == ""  # absent, not zero


def test_the_summary_lists_failed_checks_with_their_diagnosis():
    text = summary(make_result())
    assert text.splitlines()[0].startswith("== ada: 2.5 / 5.5 points")
    assert "FAIL arch/mlp_1/output_shape" in text and "batch of 50" in text
    assert "conv/output_shape" not in text  # passed checks stay quiet


def test_the_summary_says_a_repeated_reason_once():
    result = make_result()
    result.checks.append(
        CheckResult(
            "arch/mlp_1/layers",
            False,
            0.0,
            4.0,
            "visible",
            "batch 1: RuntimeError: shape",
            [["hardcoded_batch", "Your mlp_1 works for a batch of 50 but not for 1, 7."]],
        )
    )
    text = summary(result)
    assert "  FAIL arch/mlp_1/output_shape, arch/mlp_1/layers (0 / 7)" in text.splitlines()
    assert text.count("batch of 50") == 1


def test_the_visible_output_counts_only_visible_checks_one_line_per_part():
    """A hidden check's points and outcome must not show in the text every student reads."""
    result = make_result()
    result.checks.append(CheckResult("conv/matches_reference[secret]", False, 0.0, 20.0, "hidden", "wrong"))
    payload = gradescope_results(result)
    assert payload["output_format"] == "text"
    lines = payload["output"].splitlines()
    assert lines[0] == "my_conv2d: 2 / 2 points (1 of 1 checks passed)"  # the hidden 20 points are not in it
    assert not any(line.startswith("architectures") for line in lines)  # arch's only check is hidden
    assert "22" not in payload["output"] and "secret" not in payload["output"]
    assert "my_conv2d: taken from hw1.py, line 3" in lines  # notes follow the per-part lines


def test_the_summary_marks_a_check_that_asks_for_a_person_as_review_not_info():
    result = make_result()
    sentence = "Your cnn_3's recorded layers are the homework's cnn_3, but it does not compute them."
    result.checks.append(
        CheckResult(
            "arch/cnn_3/computes", False, 0.0, 0.0, "visible", "review", [["review_computation", sentence]]
        )
    )
    result.checks.append(CheckResult("arch/cnn_3_sigmoid/layers", False, 0.0, 0.0, "visible", "differs", []))
    lines = summary(result).splitlines()
    assert "  REVIEW arch/cnn_3/computes (0 / 0)" in lines and f"       {sentence}" in lines
    assert "  INFO arch/cnn_3_sigmoid/layers (0 / 0)" in lines


def test_a_class_run_ends_with_the_students_whose_checks_ask_for_a_person():
    flagged, clean = make_result(), make_result()
    flagged.student, clean.student = "eve\x1b[2J", "bob"
    review = [["review_computation", "a person should read this model"]]
    flagged.checks.append(CheckResult("arch/cnn_3/computes", False, 0.0, 0.0, "visible", "review", review))
    assert to_read([flagged, clean]) == ["eve\\x1b[2J: arch/cnn_3/computes"]  # a name is data: escaped
