"""Grading another year's edition (`ee449 grade --homework 2024|2025`): the models are built and
checked on that edition's images, and code written for one edition is told so by another's grading.

The oracle is the fixtures' own code, written for each edition's text (HOMEWORK-YEARS.md): a
correct 2024 (Fashion-MNIST, 1 x 28 x 28) and 2025 (RGB CIFAR-10, 3 x 32 x 32) submission earns
every code point of its own edition, and each of its models is failed by a 2023 grading with the
sentence that names its edition.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ee449.cli import main
from ee449.grading.grade import grade_submission
from ee449.grading.grades import GradeOptions, GradeResult
from ee449.grading.output.report import check_output

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "submissions"
CHECK_TIMEOUT = 30.0  # honest code: a generous limit keeps a busy machine from failing it


_GRADED: dict[tuple[str, int], GradeResult] = {}  # each (fixture, edition) graded once in this module


def _grade(name: str, year: int) -> GradeResult:
    if (name, year) not in _GRADED:
        options = GradeOptions(check_timeout=CHECK_TIMEOUT, homework=year)
        _GRADED[name, year] = grade_submission(FIXTURES / name, options, name)
    return _GRADED[name, year]


@pytest.mark.parametrize(("name", "year"), [("edition_2024", 2024), ("edition_2025", 2025)])
def test_a_correct_submission_of_an_edition_gets_full_marks_on_code_when_that_edition_is_graded(name, year):
    result = _grade(name, year)
    failed = [
        f"{c.id}: {c.message[:200]}"
        for c in result.checks
        if not c.passed and not c.id.startswith("results/")
    ]
    assert not failed, failed
    assert result.score == result.max_score > 0
    assert any(f"graded as the {year} edition" in note for note in result.notes), result.notes
    xor = {c.id: c for c in result.checks if c.id.startswith("xor/")}
    assert sorted(xor) == ["xor/derivatives", "xor/descent", "xor/forward", "xor/training"]
    assert all(c.max_points > 0 for c in xor.values())  # Part 1 is scored in the editions that have it
    if name == "edition_2025":  # its backward averages the error (1/N): a correct step at another scale
        assert "averages the error over the batch" in xor["xor/training"].message


def test_the_xor_networks_defects_are_named_and_cost_only_their_part():
    """The TA's reading of edition_2025_defects (its part1.py takes the derivatives at the pre-activations;
    hw1.py has an extra ReLU in mlp_2 and in cnn_3): no descent and no training points for Part 1, the
    defect named; a point off each of the two models; everything else full marks."""
    result = _grade("edition_2025_defects", 2025)
    by_id = {c.id: c for c in result.checks}
    failed = sorted(c.id for c in result.checks if not c.passed and not c.id.startswith("results/"))
    assert failed == ["arch/cnn_3/layers", "arch/mlp_2/layers", "xor/descent", "xor/training"], failed
    assert [code for code, _ in by_id["xor/descent"].diagnoses] == ["preactivation_derivative"]
    assert by_id["xor/forward"].passed and by_id["xor/derivatives"].passed
    lost = {c.id: c.max_points - c.points for c in result.checks if c.points < c.max_points}
    assert lost == {"xor/descent": 4, "xor/training": 2, "arch/mlp_2/layers": 1, "arch/cnn_3/layers": 1}, lost


def test_last_years_classifier_size_and_the_hidden_error_defect_are_named_in_2024():
    """The TA's reading of edition_2024_defects: cnn_4 keeps 2023's classifier (256 inputs), so it cannot
    run on 28 x 28 images (told it fits 2023; only its construction scores, as for any model that cannot
    run); the XOR hidden error comes from the output error (named; its training still separates XOR)."""
    result = _grade("edition_2024_defects", 2024)
    by_id = {c.id: c for c in result.checks}
    failed = sorted(c.id for c in result.checks if not c.passed and not c.id.startswith("results/"))
    assert failed == [
        "arch/cnn_4/layers",
        "arch/cnn_4/output_shape",
        "arch/cnn_4/parameter_count",
        "xor/descent",
    ], failed
    assert [code for code, _ in by_id["xor/descent"].diagnoses] == ["hidden_from_output_error"]
    said = [s for code, s in by_id["arch/cnn_4/output_shape"].diagnoses if code == "other_edition"]
    assert said and "2023" in said[0] and "1 x 28 x 28" in said[0], by_id["arch/cnn_4/output_shape"].diagnoses
    assert by_id["xor/training"].passed and by_id["arch/cnn_4/constructible"].passed


def test_a_2024_submission_graded_by_a_2023_course_is_told_each_model_fits_2024():
    """Each model whose code fixes 28 x 28 images (mlp_1 as the script makes it, mlp_1(28 * 28, 10);
    the CNNs' classifiers) is told it fits 2024; mlp_2 takes its input size as a parameter and
    is a correct 2023 model too, as a TA reads it."""
    checks = {c.id: c for c in _grade("edition_2024", 2023).checks}
    assert checks["arch/mlp_2/output_shape"].passed
    for key in ("mlp_1", "cnn_3", "cnn_4", "cnn_5"):
        shape = checks[f"arch/{key}/output_shape"]
        assert not shape.passed
        said = [sentence for code, sentence in shape.diagnoses if code == "other_edition"]
        assert said and "1 x 28 x 28" in said[0] and "2024" in said[0], (key, shape.diagnoses)


def test_the_students_check_of_an_edition_says_what_its_grading_says(capsys):
    """`ee449 check --homework 2025` prints each visible check's verdict as `ee449 grade --homework 2025`
    gives it (the defects fixture: its failed checks and their sentences)."""
    assert (
        main(
            [
                "check",
                "--homework",
                "2025",
                "--timeout",
                str(CHECK_TIMEOUT),
                str(FIXTURES / "edition_2025_defects"),
            ]
        )
        == 0
    )
    shown = capsys.readouterr().out
    graded = _grade("edition_2025_defects", 2025)
    assert f"{graded.score:g} / {graded.max_score:g} points" in shown, shown[:300]
    for check in graded.checks:
        if not check.passed and check.max_points:
            assert check.id in shown and all(line in shown for line in check_output(check).splitlines()), (
                check.id
            )
