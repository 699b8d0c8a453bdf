"""The class tables: one row per student with per-part subtotals, and every check in long form."""

from __future__ import annotations

import csv
import io

from ee449.grading.grades import CheckResult, GradeResult
from ee449.grading.output.exports import Row, checks_csv, part, scores_csv


def _result(student: str, conv_ok: bool, layers_ok: bool) -> GradeResult:
    return GradeResult(
        student,
        [
            CheckResult("conv/output_shape", conv_ok, 2.0 * conv_ok, 2.0, "visible"),
            CheckResult("conv/matches_reference[multichannel]", True, 3.0, 3.0, "visible"),
            CheckResult(
                "arch/mlp_1/layers",
                layers_ok,
                4.0 * layers_ok,
                4.0,
                "visible",
                "" if layers_ok else "=HYPERLINK(x)",
            ),
            CheckResult("arch/cnn_3/layers", True, 4.0, 4.0, "hidden"),
            CheckResult("arch/cnn_3_sigmoid/layers", False, 0.0, 0.0, "visible", "missing ReLU"),
            CheckResult("results/part5/keys", False, 0.0, 0.0, "visible", "not found: ..."),
        ],
        1.0,
    )


def _rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_scores_have_one_row_per_student_with_subtotals_that_add_up_to_the_score():
    rows = [Row("ada", "Ada L.", _result("ada", True, True)), Row("bob", "", _result("bob", False, False))]
    table = _rows(scores_csv(rows))
    assert list(table[0]) == ["id", "name", "status", "score", "max_score", "conv", "mlp_1", "cnn_3"]
    assert [r["status"] for r in table] == ["max", "graded", "graded"]
    assert [table[0][p] for p in ("conv", "mlp_1", "cnn_3")] == ["5", "4", "4"]
    bob = table[2]
    assert (bob["id"], bob["score"], bob["conv"], bob["mlp_1"], bob["cnn_3"]) == ("bob", "7", "3", "0", "4")
    for row in table[1:]:
        assert sum(float(row[p]) for p in ("conv", "mlp_1", "cnn_3")) == float(row["score"])


def test_a_stopped_class_lists_every_student_the_missing_ones_not_graded():
    rows = [Row("ada", "", _result("ada", True, True)), Row("bob", "", None)]
    table = _rows(scores_csv(rows, partial=True))
    assert [(r["id"], r["status"], r["score"]) for r in table[1:]] == [
        ("ada", "graded", "13"),
        ("bob", "not graded (the run was stopped)", ""),
    ]


def test_the_long_table_has_a_row_per_check_and_never_a_live_formula():
    rows = [Row("=1+1", "", _result("=1+1", True, False))]
    table = _rows(checks_csv(rows))
    assert len(table) == 6 and {r["id"] for r in table} == {"'=1+1"}
    layers = next(r for r in table if r["check"] == "arch/mlp_1/layers")
    assert (layers["part"], layers["passed"], layers["points"], layers["message"]) == (
        "mlp_1",
        "0",
        "0",
        "'=HYPERLINK(x)",
    )


def test_parts_are_the_group_or_the_architecture():
    assert [
        part(c)
        for c in ("conv/output_shape", "arch/cnn_5/parameter_count", "results/part5/keys", "static/adam_lr")
    ] == [
        "conv",
        "cnn_5",
        "results",
        "static",
    ]
