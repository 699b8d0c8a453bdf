"""Grading end to end the fixtures whose models only running the student's code finds.

fixtures/submissions/running.py writes them: a Learner(Net) built in a loop over the names, constructors
called through a module alias beside a broken demo, generic classes assigned to telling names in a
script that crashes on a missing file. Each is correct code: exactly its expected.json score, every
architecture found by running, the notes naming the call; and reading alone still works as the fallback.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ee449.grading.classroom import grade_class
from ee449.grading.grades import GradeOptions
from ee449.spec import ARCHITECTURES

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "submissions"
NAMES = ("run_learner_loop", "run_module_alias", "run_crash_early")
CALLS = {  # what each fixture's own code calls, as the notes must show it
    "run_learner_loop": "Learner('cnn_3', torch.nn.ReLU) at hw1.py, line 81",
    "run_module_alias": "CNN_3(1, 50, 10) at main.py, line 43",
    "run_crash_early": "ConvNet([(16, 3), 'relu', (8, 5), 'relu', 'pool', (16, 7), 'pool'], 144) at hw1.py, line 44",
}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    room = tmp_path_factory.mktemp("running-class")
    for name in NAMES:
        shutil.copytree(FIXTURES / name, room / name)
    return {r.student: r for r in grade_class(room, GradeOptions(check_timeout=10.0), jobs=2)}


@pytest.mark.parametrize("name", NAMES)
def test_the_models_the_code_builds_are_graded_for_full_marks_on_code(graded, name):
    result, want = graded[name], json.loads((FIXTURES / name / "expected.json").read_text())
    failed = sorted(c.id for c in result.checks if not c.passed and not c.id.startswith("results/"))
    assert failed == want["failed"], "\n".join(
        [*result.notes, *(f"{c.id}: {c.message}" for c in result.checks)]
    )
    assert (result.score, result.max_score) == (want["score"], want["max_score"])


@pytest.mark.parametrize("name", NAMES)
def test_the_notes_say_each_architecture_was_found_by_running_and_where(graded, name):
    notes = "\n".join(graded[name].notes)
    for arch in ARCHITECTURES:
        line = next(n for n in graded[name].notes if n.startswith(f"{arch}: "))
        assert ", found by running " in line, notes
    assert CALLS[name] in notes
    assert "my_conv2d: my_conv2d (conv.py, line 4), found by reading the code" in notes


def test_the_crash_is_told_and_costs_nothing(graded):
    notes = graded["run_crash_early"].notes
    assert any(
        n.startswith(
            "ran hw1.py with stand-in data and training cut short: 5 models made, its first error: "
            "FileNotFoundError"
        )
        for n in notes
    ), notes


def test_the_broken_demo_call_is_not_reported_when_the_real_models_were_found(graded):
    text = "\n".join(c.message for c in graded["run_module_alias"].checks)
    assert "CNN_3()" not in text and "TypeError" not in text


def test_reading_alone_remains_the_fallback(tmp_path):
    shutil.copytree(FIXTURES / "run_crash_early", tmp_path / "run_crash_early")
    (result,) = grade_class(tmp_path, GradeOptions(check_timeout=10.0, run_code=False), jobs=1)
    notes = "\n".join(result.notes)
    assert "found by running" not in notes and "ran hw1.py" not in notes
    assert "found by reading the code" in notes
