"""Grading the fixture submissions end to end: each gets exactly its expected failures and diagnoses.

The whole fixture class (plus a zipped copy of the correct submission) is graded once per
session, two at a time, with a short per-check timeout so the hostile fixtures finish fast.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import pickle
import shutil
import sys
import zipfile
from pathlib import Path

import pytest

from ee449.grading.grade import GradeOptions, grade_class, is_class_folder, result_files, safe_extract_zip

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "submissions"
NAMES = sorted(p.name for p in FIXTURES.iterdir() if (p / "expected.json").is_file())
CHECK_TIMEOUT = 4.0  # the hostile fixtures each cost one; the largest honest check takes ~0.2 s

pytestmark = pytest.mark.slow


def _tree_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(str(path.relative_to(folder)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _grade_fixture_class(classroom: Path) -> dict:
    before = _tree_hash(FIXTURES)
    for name in NAMES:
        shutil.copytree(FIXTURES / name, classroom / name)
    with zipfile.ZipFile(classroom / "correct_zipped.zip", "w") as zf:
        for path in (FIXTURES / "correct").rglob("*"):
            zf.write(path, Path("hw1-submission") / path.relative_to(FIXTURES / "correct"))
    results = grade_class(classroom, GradeOptions(check_timeout=CHECK_TIMEOUT), jobs=2)
    return {"results": {r.student: r for r in results}, "before": before, "after": _tree_hash(FIXTURES)}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """({student: GradeResult}, fixture hash before, hash after, class folder), graded once per session.

    Under pytest-xdist the workers share one grading through a lock and a pickle in the session's
    common temporary folder, so `-n 2` does not grade the class twice.
    """
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    classroom = shared / "grading-classroom"
    with open(shared / "grading-classroom.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        cache = shared / "grading-classroom.pkl"
        if not cache.exists():
            classroom.mkdir(exist_ok=True)
            cache.write_bytes(pickle.dumps(_grade_fixture_class(classroom)))
        done = pickle.loads(cache.read_bytes())
    return done["results"], done["before"], done["after"], classroom


def expected(name: str) -> dict:
    return json.loads((FIXTURES / name / "expected.json").read_text())


@pytest.mark.parametrize("name", NAMES)
def test_each_fixture_fails_exactly_its_expected_checks_with_its_diagnoses(graded, name):
    result, want = graded[0][name], expected(name)
    failed = sorted(c.id for c in result.checks if not c.passed)
    assert failed == want["failed"], "\n".join(f"{c.id}: {c.message}" for c in result.checks if not c.passed)
    by_id = {c.id: c for c in result.checks}
    for check, codes in want["diagnoses"].items():
        got = [code for code, _ in by_id[check].diagnoses]
        assert set(codes) <= set(got), f"{check}: diagnoses {got}, expected {codes}"
    for check in result.checks:
        if not check.passed:
            assert check.points == 0 and (check.message or check.diagnoses), check.id


def test_the_correct_submission_scores_full_marks_folder_or_zip(graded):
    for student in ("correct", "correct_zipped"):
        result = graded[0][student]
        assert result.score == result.max_score > 0, student
        ids = {c.id for c in result.checks}
        assert {"results/part3_cnn_5.json/test_accuracy_band", "results/part4_cnn_3.pkl/gradients_nonnegative",
                "arch/cnn_3_sigmoid/layers"} <= ids
        assert "conv/course_samples" not in ids  # only with course data


def test_the_course_samples_check_passes_a_correct_conv_and_catches_uint8_wrap(tmp_path, course_data_dir):
    """The course's digits are uint8: the wrap-around defect shows on them as on the drawn case."""
    for name in ("correct", "uint8_wrap"):
        shutil.copytree(FIXTURES / name, tmp_path / name)
    options = GradeOptions(check_timeout=10.0, course_data=course_data_dir)
    results = {r.student: {c.id: c for c in r.checks} for r in grade_class(tmp_path, options, jobs=2)}
    assert results["correct"]["conv/course_samples"].passed
    wrapped = results["uint8_wrap"]["conv/course_samples"]
    assert not wrapped.passed and "uint8_wrap" in [code for code, _ in wrapped.diagnoses]


def test_a_defect_costs_points_only_where_it_is(graded):
    results = graded[0]

    def code_points(result) -> float:  # conv and architecture checks: the same for every submission
        return sum(c.max_points for c in result.checks if c.id.startswith(("conv/", "arch/")))

    for name in NAMES:
        result, failed = results[name], set(expected(name)["failed"])
        assert code_points(result) == code_points(results["correct"]), name
        lost = result.max_score - result.score
        assert lost == sum(c.max_points for c in result.checks if c.id in failed), name


def test_hung_checks_are_stopped_by_their_timeouts(graded):
    alarm = next(c for c in graded[0]["hostile_loop_in_conv"].checks if c.id == "conv/output_shape")
    watchdog = next(c for c in graded[0]["hostile_ignores_alarm"].checks if c.id == "conv/output_shape")
    within = f"did not finish within {CHECK_TIMEOUT:g} s"
    # Stopped by the check's own alarm (its message asks about an infinite loop), not by the
    # watchdog that backs it up; no wall-clock bound, which a busy machine would make flaky.
    assert within in alarm.message and "(an infinite loop?)" in alarm.message, alarm.message
    assert within in watchdog.message
    later = next(c for c in graded[0]["hostile_ignores_alarm"].checks if c.id == "conv/inputs_unmodified")
    assert "already ran out of time" in later.message  # not another full timeout


def test_grading_never_touches_the_submissions_or_imports_student_code(graded):
    _, before, after, classroom = graded
    assert before == after
    assert not (classroom.parent / "escaped.txt").exists() and not (classroom / "escaped.txt").exists()
    student_modules = [name for name, module in sys.modules.items()
                       if name.startswith("ee449_student_") or name in {"hw1", "models"}
                       or str(getattr(module, "__file__", "") or "").startswith(str(classroom))]
    assert student_modules == []


def test_a_zip_with_a_path_outside_its_folder_is_refused(tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("hw1.py", "x = 1\n")
        zf.writestr("../../escaped.py", "x = 2\n")
    with pytest.raises(ValueError, match="unsafe path"):
        safe_extract_zip(archive, tmp_path / "out")
    assert not (tmp_path / "escaped.py").exists()


def test_a_class_folder_is_told_apart_from_a_submission(tmp_path):
    (tmp_path / "alice").mkdir()
    (tmp_path / "alice" / "hw1.py").write_text("")
    assert is_class_folder(tmp_path) and not is_class_folder(tmp_path / "alice")


def test_result_files_are_found_with_their_part_and_architecture(tmp_path):
    for name in ("part3_cnn_4.json", "part3_MLP1.pkl", "part4_cnn_5.json", "part5.json", "notes.json"):
        (tmp_path / name).write_text("{}")
    found = {f["file"]: (f["part"], f["arch"]) for f in result_files(tmp_path)}
    assert found == {"part3_cnn_4.json": (3, "cnn_4"), "part3_MLP1.pkl": (3, "mlp_1"),
                     "part4_cnn_5.json": (4, "cnn_5"), "part5.json": (5, None)}


def test_every_graded_fixture_writes_valid_gradescope_results(graded, tmp_path):
    from ee449.grading.report import write_outputs
    from tests.test_grading_report import assert_gradescope_results

    for name, result in graded[0].items():
        write_outputs(result, tmp_path / name)
        assert_gradescope_results(json.loads((tmp_path / name / "results.json").read_text()))


def test_curve_length_checks_say_which_training_set_the_length_implies(graded):
    checks = {c.id: c for c in graded[0]["results_50k"].checks}
    assert "50,000 training images" in checks["results/part3_cnn_4.json/curve_lengths"].message
    assert "45,000 training images" in checks["results/part5_cnn_4.json/curve_lengths"].message
    assert checks["results/part5_cnn_4.json/accuracy_units"].passed
