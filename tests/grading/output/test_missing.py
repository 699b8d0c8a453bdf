"""A part not handed in is said once: the not-found result checks fold into one entry per visibility."""

from __future__ import annotations

from ee449.grading.grades import CheckResult
from ee449.grading.output.missing import NOT_SUBMITTED, fold_not_submitted


def _missing(slot: str, check: str, visibility: str = "visible", points: float = 1.0) -> CheckResult:
    return CheckResult(
        f"results/{slot}/{check}", False, 0.0, points, visibility, f"not found: no file for {slot}"
    )


def test_not_found_checks_fold_into_one_entry_keeping_their_maximum_and_place():
    checks = [
        CheckResult("conv/output_shape", True, 2.0, 2.0, "visible"),
        _missing("part3_mlp_1", "keys"),
        _missing("part3_mlp_1", "curve_lengths"),
        CheckResult("results/part3_cnn_5/keys", False, 0.0, 1.0, "visible", "missing key 'name'"),
        _missing("part5", "keys"),
    ]
    folded = fold_not_submitted(checks)
    assert [c.id for c in folded] == ["conv/output_shape", NOT_SUBMITTED, "results/part3_cnn_5/keys"]
    entry = folded[1]
    assert (entry.passed, entry.points, entry.max_points) == (False, 0.0, 3.0)
    assert "part3_mlp_1, part5" in entry.message and "3 checks" in entry.message


def test_a_hidden_missing_part_stays_a_separate_hidden_entry():
    folded = fold_not_submitted([_missing("part5", "keys", "hidden"), _missing("part3_mlp_1", "keys")])
    assert [(c.id, c.visibility) for c in folded] == [(NOT_SUBMITTED, "hidden"), (NOT_SUBMITTED, "visible")]


def test_unscored_missing_parts_say_so():
    (entry,) = fold_not_submitted([_missing("part5", "keys", points=0.0)])
    assert entry.max_points == 0 and "not scored under this rubric" in entry.message
