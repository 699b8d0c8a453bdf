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

from ee449.grading.grade import GradeOptions, GradeResult, grade_submission

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "submissions"
CHECK_TIMEOUT = 30.0  # honest code: a generous limit keeps a busy machine from failing it


def _grade(name: str, year: int) -> GradeResult:
    return grade_submission(FIXTURES / name, GradeOptions(check_timeout=CHECK_TIMEOUT, homework=year), name)


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
    assert any("Part 1" in note and "no automatic checks" in note for note in result.notes), result.notes


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
