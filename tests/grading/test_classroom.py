"""A class run survives anything one student's grading or reporting raises (`classroom`)."""

from __future__ import annotations

import pytest

from ee449.errors import SubmissionError
from ee449.grading import classroom
from ee449.grading.grades import CheckResult, GradeResult
from ee449.grading.output.report import scores_csv, summary
from ee449.grading.sandbox.isolation import ISOLATION_ENV, Isolation


def _fake_grading(path, options, student):
    if student == "bob":
        raise RuntimeError("internal \ud800 failure")  # a lone surrogate: printing it once raised
    if student == "dave":
        raise SubmissionError("dave.zip is password-protected")
    return GradeResult(student, [CheckResult("conv/output_shape", True, 1.0, 1.0, "visible")], 0.1)


@pytest.fixture
def four_students(tmp_path, monkeypatch):
    for name in ("alice", "bob", "carol", "dave"):
        (tmp_path / name).mkdir()
    monkeypatch.setattr(classroom, "grade_submission", _fake_grading)
    monkeypatch.setattr(classroom, "isolation", lambda: Isolation("bwrap"))
    return tmp_path


def test_one_student_s_exception_is_that_student_s_internal_error_and_the_rest_are_graded(four_students):
    reported = []

    def report(result: GradeResult) -> None:
        if result.student == "carol" and result.score > 0:
            raise UnicodeEncodeError("utf-8", "x", 0, 1, "a reporting failure")
        reported.append(summary(result))

    results = {r.student: r for r in classroom.grade_class(four_students, jobs=2, on_result=report)}
    assert results["alice"].score == 1.0
    # A submission that could not be graded or unpacked keeps the class's checks and maximum (those
    # of a blank submission, graded by the same code), each failed saying why.
    assert [c.id for c in results["bob"].checks] == ["submission/graded", "conv/output_shape"]
    assert [c.id for c in results["carol"].checks] == ["submission/reported"]
    assert [c.id for c in results["dave"].checks] == ["submission/unpack", "conv/output_shape"]
    assert "password-protected" in results["dave"].checks[0].message
    shape = results["dave"].checks[1]
    assert not shape.passed and shape.points == 0 and "password-protected" in shape.message
    assert results["dave"].max_score == results["bob"].max_score == results["alice"].max_score == 1.0
    assert len(reported) == 4 and scores_csv(list(results.values())).count("\n") == 5
    "\n".join(reported).encode("utf-8")


def test_a_class_run_under_the_fence_needs_asking_for(monkeypatch):
    monkeypatch.setattr(classroom, "isolation", lambda: Isolation("fence", "bwrap cannot run here"))
    monkeypatch.delenv(ISOLATION_ENV, raising=False)
    with pytest.raises(ValueError, match=f"{ISOLATION_ENV}=fence"):
        classroom.require_isolation()
    monkeypatch.setenv(ISOLATION_ENV, "fence")
    classroom.require_isolation()  # asked for: no error
