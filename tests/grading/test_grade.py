"""Grading the fixture submissions end to end: each gets exactly its expected failures and diagnoses.

The whole fixture class (plus a zipped copy of the correct submission) is graded once per
session, two at a time. The hostile fixtures are left to tests/grading/test_safety.py, which grades
them in each sandbox mode against the same expected.json and the same rules as here.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import sys
import zipfile
from pathlib import Path

import pytest

from ee449.grading.classroom import grade_class
from ee449.grading.grade import safe_extract_zip
from ee449.grading.grades import GradeOptions
from ee449.grading.intake.resultfiles import SLOTS, find_result_files

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "submissions"
# The hostile fixtures are graded against the same expected.json in tests/grading/test_safety.py, once
# per sandbox mode: grading them here too would grade each twice in the default mode.
NAMES = sorted(
    p.name
    for p in FIXTURES.iterdir()
    if (p / "expected.json").is_file() and not p.name.startswith("hostile_")
)
DEDUCTED = "by the rubric's deductions"  # what a check scored by the deduction table says
CHECK_TIMEOUT = 4.0  # test_safety's: the largest honest check takes ~0.2 s

pytestmark = pytest.mark.slow


def _tree_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(str(path.relative_to(folder)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _fixture_class(classroom: Path) -> None:
    for name in NAMES:
        shutil.copytree(FIXTURES / name, classroom / name)
    with zipfile.ZipFile(classroom / "correct_zipped.zip", "w") as zf:
        for path in (FIXTURES / "correct").rglob("*"):
            zf.write(path, Path("hw1-submission") / path.relative_to(FIXTURES / "correct"))


@pytest.fixture(scope="module")
def graded(graded_class):
    """({student: GradeResult}, fixture hash before, hash after, class folder), graded once."""
    before = _tree_hash(FIXTURES)
    results, classroom = graded_class("fixtures", _fixture_class, GradeOptions(check_timeout=CHECK_TIMEOUT))
    return results, before, _tree_hash(FIXTURES), classroom


def expected(name: str) -> dict:
    return json.loads((FIXTURES / name / "expected.json").read_text())


def not_found_slots(result) -> set[str]:
    """The result slots whose checks failed because no file fills them."""
    return {
        c.id.split("/")[1]
        for c in result.checks
        if c.id.startswith("results/") and not c.passed and c.message.startswith("not found")
    }


@pytest.mark.parametrize("name", NAMES)
def test_each_fixture_fails_exactly_its_expected_checks_with_its_diagnoses(graded, name):
    result, want = graded[0][name], expected(name)
    slots = not_found_slots(result)
    missing = {c.id for c in result.checks if c.id.startswith("results/") and c.id.split("/")[1] in slots}
    failed = sorted(c.id for c in result.checks if not c.passed and c.id not in missing)
    assert failed == want["failed"], "\n".join(f"{c.id}: {c.message}" for c in result.checks if not c.passed)
    assert not_found_slots(result) == set(SLOTS) - set(want["results"]), result.notes
    by_id = {c.id: c for c in result.checks}
    for check, codes in want["diagnoses"].items():
        got = [code for code, _ in by_id[check].diagnoses]
        if want.get("diagnoses_exact"):
            assert sorted(got) == sorted(codes), f"{check}: diagnoses {got}, expected exactly {codes}"
        else:
            assert set(codes) <= set(got), f"{check}: diagnoses {got}, expected {codes}"
    for check in result.checks:
        if not check.passed:  # no points, or the share the deduction table leaves (said in its text)
            assert check.points == 0 or DEDUCTED in check.message, check.id
            assert check.points < check.max_points or check.max_points == 0, check.id
            assert check.message or check.diagnoses, check.id
    if "score" in want:
        assert (result.score, result.max_score) == (want["score"], want["max_score"])


def test_a_2023_grading_never_looks_for_part_1s_xor_network(graded):
    """Part 1 of 2023 is on paper: edition_2025 holds an XOR MLP class (part1.py), and no submission
    graded as 2023 (the default) gets an xor check (the maximum stays 2023's)."""
    assert (FIXTURES / "edition_2025" / "part1.py").is_file()
    assert not [c.id for r in graded[0].values() for c in r.checks if c.id.startswith("xor/")]


def test_the_correct_submission_scores_full_marks_folder_or_zip(graded):
    for student in ("correct", "correct_zipped"):
        result = graded[0][student]
        missing = not_found_slots(result)
        assert missing == set(SLOTS) - {"part3_cnn_5", "part4_cnn_3"}
        assert (
            result.score
            == result.max_score - sum(c.max_points for c in result.checks if c.id.split("/")[1] in missing)
            > 0
        ), student
        ids = {c.id for c in result.checks}
        assert {
            "results/part3_cnn_5/test_accuracy_band",
            "results/part4_cnn_3/gradients_nonnegative",
            "arch/cnn_3_sigmoid/layers",
        } <= ids
        assert "conv/course_samples" not in ids  # only with course data


def test_every_submission_has_the_same_maximum_score(graded):
    """Leaving result files out costs their points: it never lowers the maximum."""
    maxima = {name: result.max_score for name, result in graded[0].items()}
    assert len(set(maxima.values())) == 1, maxima


def test_correct_code_in_every_unusual_form_gets_full_marks_on_code(graded):
    for name in NAMES:
        want = expected(name)
        if want["failed"] or "full marks" not in want["description"]:
            continue
        result = graded[0][name]
        code = [c for c in result.checks if c.id.startswith(("conv/", "arch/"))]
        assert all(c.passed for c in code), (name, [(c.id, c.message) for c in code if not c.passed])


def test_no_message_shows_a_construction_or_layer_list_the_student_did_not_write(graded):
    """sized_constructors' mlp_1 takes (input_size, hidden_size, num_classes): built from train.py's call."""
    result = graded[0]["sized_constructors"]
    text = "\n".join([*(c.message for c in result.checks), *result.notes])
    assert "1->1" not in text and "(1, 1, 10)" not in text
    assert all(c.passed for c in result.checks if c.id.startswith("arch/mlp_"))


def test_the_summary_lists_files_read_and_skipped_and_result_files_checked(graded):
    notes = "\n".join(graded[0]["results_by_content"].notes)
    assert "read: hw1.py" in notes
    assert "results/q3_results.pkl: Part 3 results for cnn_5 (pickle)" in notes
    assert "results/[cnn_3]_record: Part 4 results for cnn_3 (pickle)" in notes
    assert "lr_study: Part 5 results (json)" in notes
    assert "config.json: checked, a dict without the homework's keys: not a result file" in notes
    assert "figure.png: skipped, not JSON, a pickle or a torch.save file" in notes
    notebook = "\n".join(graded[0]["notebook_only"].notes)
    assert "read: EE449_HW1.ipynb" in notebook
    assert "my_conv2d: my_conv2d (EE449_HW1.ipynb, cell 5, line 2)" in notebook
    assert "EE449_HW1.ipynb, cell 7: skipped, does not parse (line 2: invalid syntax): left out" in notebook
    odd = "\n".join(graded[0]["odd_names"].notes)
    assert "cnn_4: Cnn_4_Net" in odd and "ReLU_CNN4 (hw1_models.py, line 48)" in odd  # named, not graded


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

    for name in NAMES:
        result, failed = results[name], set(expected(name)["failed"])
        missing = not_found_slots(result)
        costly = [c for c in result.checks if c.id in failed or c.id.split("/")[1] in missing]
        assert all(c.points == c.max_points for c in result.checks if c not in costly), name
        assert all(c.points == 0 for c in costly if DEDUCTED not in c.message), name


def test_grading_never_touches_the_submissions_or_imports_student_code(graded):
    _, before, after, classroom = graded
    assert before == after
    assert not (classroom.parent / "escaped.txt").exists() and not (classroom / "escaped.txt").exists()
    student_modules = [
        name
        for name, module in sys.modules.items()
        if name.startswith("ee449_student_")
        or name in {"hw1", "models"}
        or str(getattr(module, "__file__", "") or "").startswith(str(classroom))
    ]
    assert student_modules == []


def test_a_zip_with_a_path_outside_its_folder_is_refused(tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("hw1.py", "x = 1\n")
        zf.writestr("../../escaped.py", "x = 2\n")
    with pytest.raises(ValueError, match="unsafe path"):
        safe_extract_zip(archive, tmp_path / "out")
    assert not (tmp_path / "escaped.py").exists()


def test_result_files_are_found_by_content_whatever_their_names(tmp_path):
    work, root = tmp_path / "work", tmp_path
    work.mkdir()
    part3 = {
        "name": "cnn_4",
        "loss_curve": [],
        "train_acc_curve": [],
        "val_acc_curve": [],
        "test_acc": 60,
        "weights": [],
    }
    part4 = {
        "name": "cnn_5",
        "relu_loss_curve": [],
        "sigmoid_loss_curve": [],
        "relu_grad_curve": [],
        "sigmoid_grad_curve": [],
    }
    (work / "q3_results.pkl").write_bytes(pickle.dumps(part3))
    (work / "record").write_bytes(pickle.dumps(part4))  # no extension; architecture from its 'name'
    # The architecture from the file name when the 'name' value says nothing:
    (work / "part_3_mlp1.json").write_text(json.dumps({**part3, "name": "whatever"}))
    (work / "settings.json").write_text(json.dumps({"lr": 0.1}))
    (work / "evil.pkl").write_bytes(b"\x80\x04" + b"garbage")
    found = find_result_files(work, root, memory_mb=4096)
    assert {s: f for s, f in found.slots.items() if f} == {
        "part3_cnn_4": "q3_results.pkl",
        "part4_cnn_5": "record",
        "part3_mlp_1": "part_3_mlp1.json",
    }
    notes = "\n".join(found.notes)
    assert "settings.json: checked, a dict without the homework's keys" in notes
    assert "evil.pkl: could not be read" in notes


def test_a_data_folder_is_skipped_without_flooding_the_summary(tmp_path):
    work = tmp_path / "work"
    (work / "data").mkdir(parents=True)
    for i in range(25):
        (work / "data" / f"{i:02d}.png").write_bytes(b"\x89PNG")
    notes = find_result_files(work, tmp_path, memory_mb=4096).notes
    assert len(notes) == 21 and notes[-1] == "... and 5 more files skipped"


def test_pickles_are_never_loaded_in_the_graders_process(tmp_path):
    """A pickle that records the pid of the process loading it: a child's, never the grader's."""
    work = tmp_path / "work"
    work.mkdir()
    marker = work / "loaded-by-pid"  # in the child's own folder: under bwrap nothing else is writable

    class Marker:
        def __reduce__(self):
            return (exec, (f"import os; open({str(marker)!r}, 'w').write(str(os.getpid()))",))

    (work / "r.pkl").write_bytes(pickle.dumps({"x": Marker()}))
    find_result_files(work, tmp_path, memory_mb=4096)
    assert marker.read_text() != str(os.getpid())


def test_every_graded_fixture_writes_valid_gradescope_results(graded, tmp_path):
    from ee449.grading.output.report import write_outputs
    from tests.helpers.gradescope import assert_gradescope_results

    for name, result in graded[0].items():
        write_outputs(result, tmp_path / name)
        assert_gradescope_results(json.loads((tmp_path / name / "results.json").read_text()))


def test_curve_length_checks_say_which_training_set_the_length_implies(graded):
    checks = {c.id: c for c in graded[0]["results_50k"].checks}
    assert "50,000 training images" in checks["results/part3_cnn_4/curve_lengths"].message
    assert "45,000 training images" in checks["results/part5/curve_lengths"].message
    assert checks["results/part5/accuracy_units"].passed


def test_the_students_check_of_every_fixture_shows_each_visible_failure_and_nothing_hidden(graded, tmp_path):
    """`ee449 check` is the grading shown through `selfcheck.student_view` (tests/grading/test_selfcheck.py
    runs the command itself on three fixtures). Here every fixture's grading, re-scored under a rubric
    that hides some checks: each visible failure appears with the grader's own text, no hidden check's
    id or message does, and the hidden ones are counted."""
    from ee449.grading.output.graded import rescore
    from ee449.grading.output.report import check_output
    from ee449.grading.rubric import load_rubric
    from ee449.grading.selfcheck import student_view

    hiding = {
        "title": "some checks hidden",
        "rules": [
            {"match": "conv/matches_reference[*]", "points": 3, "visibility": "hidden"},
            {"match": "arch/*/layers", "points": 4, "visibility": "after_due_date"},
            {"match": "conv/*", "points": 2},
            {"match": "arch/*", "points": 1},
        ],
    }
    (tmp_path / "hiding.json").write_text(json.dumps(hiding))
    rubric = load_rubric(tmp_path / "hiding.json")
    for name, result in graded[0].items():
        seen = rescore(result, rubric)
        shown = student_view(seen)
        visible_text = "\n".join(c.message for c in seen.checks if c.visibility == "visible")
        for check in seen.checks:
            if check.visibility == "visible" and not check.passed and check.max_points:
                assert check.id in shown, (name, check.id)
                assert all(line in shown for line in check_output(check).splitlines()), (name, check.id)
            if check.visibility != "visible":
                assert check.id not in shown, (name, check.id)
                private = [line for line in check.message.splitlines() if line and line not in visible_text]
                assert not any(line in shown for line in private), (name, check.id)
        hidden = sum(c.visibility != "visible" for c in seen.checks)
        assert f"{hidden} further checks are graded but not shown" in shown, name
