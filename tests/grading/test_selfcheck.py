"""`ee449 check` and `ee449.check`: the grader's own verdicts on the visible checks, and nothing hidden.

The notebook form is compared with the fixtures' expected failures and diagnoses (what the
sandboxed grader gives them, tests/grading/test_grade.py); the command with `ee449 grade` on
the same fixtures under a rubric that hides some checks.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch.nn as nn

from ee449.grading.classroom import grade_class
from ee449.grading.grades import GradeOptions
from ee449.grading.judging.conv import CASES
from ee449.grading.judging.diagnose import _cross_correlate
from ee449.grading.output.report import check_output
from ee449.grading.rubric import load_rubric
from ee449.grading.selfcheck import check_one
from ee449.models import build

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures" / "submissions"
CONV_FIXTURES = ["correct", "flipped_kernel", "zero_last_row", "conv_channel0", "same_padding", "uint8_wrap"]
HIDING = {
    "title": "some checks hidden",
    "rules": [
        {"match": "conv/matches_reference[*]", "points": 3, "visibility": "hidden"},
        {"match": "arch/*/layers", "points": 4, "visibility": "after_due_date"},
        {"match": "conv/*", "points": 2},
        {"match": "arch/*", "points": 1},
    ],
}


def _fixture_function(name: str, function: str = "my_conv2d"):
    """`function` (and its helpers) from a fixture's hw1.py, without running the script's training code."""
    tree = ast.parse((FIXTURES / name / "hw1.py").read_text())
    kept = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom, ast.FunctionDef))]
    namespace: dict = {}
    exec(compile(ast.Module(kept, []), name, "exec"), namespace)  # our own fixture: trusted
    return namespace[function]


@pytest.mark.parametrize("name", CONV_FIXTURES)
def test_the_notebook_check_of_a_conv_gives_the_graders_failures_and_diagnoses(name):
    expected = json.loads((FIXTURES / name / "expected.json").read_text())
    result = check_one("conv", _fixture_function(name))
    failed = sorted(c.id for c in result.checks if not c.passed)
    assert failed == sorted(
        f for f in expected["failed"] if f.startswith("conv/") and f != "conv/implemented_in_numpy"
    )
    by_id = {c.id: c for c in result.checks}
    for check, codes in expected["diagnoses"].items():
        if check in by_id:
            assert set(codes) <= {code for code, _ in by_id[check].diagnoses}, check


def test_a_conv_that_raises_fails_with_its_error_not_a_crash():
    def broken(x, k):
        raise IndexError("tuple index out of range")

    result = check_one("conv", broken)
    assert not any(c.passed for c in result.checks)
    assert "my_conv2d raised IndexError: tuple index out of range" in result.checks[0].message


def test_the_notebook_check_of_a_model_passes_the_reference_and_names_a_missing_relu():
    assert all(c.passed for c in check_one("cnn_3", build("cnn_3", "relu")).checks)
    model = build("mlp_1", "relu")
    without_relu = nn.Sequential(*[m for m in model.modules() if isinstance(m, (nn.Flatten, nn.Linear))])
    layers = next(c for c in check_one("mlp_1", without_relu).checks if c.id == "arch/mlp_1/layers")
    assert not layers.passed and "missing_relu" in {code for code, _ in layers.diagnoses}


def test_an_unknown_part_is_refused_with_the_valid_ones():
    with pytest.raises(ValueError, match="'conv' or one of mlp_1"):
        check_one("cnn_9", object())
    with pytest.raises(ValueError, match="the 2023 edition"):  # Part 1 of 2023 is on paper: no XOR network
        check_one("xor", object())


@pytest.mark.parametrize("year", [2024, 2025])
def test_the_notebook_check_of_a_model_follows_the_edition_it_is_told(year):
    """A model built for the edition's images passes that edition's checks and fails 2023's, named."""
    shape = {2024: (1, 28, 28), 2025: (3, 32, 32)}[year]
    model = build("cnn_4", "relu", input_shape=shape)
    assert all(c.passed for c in check_one("cnn_4", model, homework=year).checks)
    as_2023 = {c.id: c for c in check_one("cnn_4", model).checks}
    assert not as_2023["arch/cnn_4/output_shape"].passed
    said = [s for code, s in as_2023["arch/cnn_4/output_shape"].diagnoses if code == "other_edition"]
    assert said and str(year) in said[0], as_2023["arch/cnn_4/output_shape"].diagnoses


@pytest.mark.slow  # trains the class as the homework sets it (10,000 epochs, seconds)
@pytest.mark.parametrize(
    ("name", "failed"), [("correct_skeleton", []), ("defect_sign", ["xor/descent", "xor/training"])]
)
def test_the_notebook_check_of_the_xor_network_gives_the_graders_verdicts(name, failed):
    """Measured and judged in the notebook's process as the sandbox measures and the grader judges:
    the TA's readings of fixtures/xor (the comment at each file's top)."""
    namespace: dict = {}
    exec(compile((REPO / "fixtures" / "xor" / f"{name}.py").read_text(), name, "exec"), namespace)  # ours
    result = check_one("xor", namespace["MLP"], homework=2024)
    assert sorted(c.id for c in result.checks if not c.passed) == failed
    assert [c.id for c in result.checks] == ["xor/forward", "xor/descent", "xor/derivatives", "xor/training"]


GRADED = ["flipped_kernel", "missing_relu", "correct"]


@pytest.fixture(scope="module")
def graded_and_checked(tmp_path_factory):
    """Each fixture graded once in-process (`grade`) and once by the `ee449 check` command, under HIDING."""
    base = tmp_path_factory.mktemp("selfcheck")
    rubric = base / "rubric.json"
    rubric.write_text(json.dumps(HIDING))
    for name in GRADED:
        shutil.copytree(FIXTURES / name, base / "class" / name)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "ee449", "check", "--rubric", str(rubric), "--timeout", "10"]
    checks = {
        n: subprocess.Popen([*command, str(base / "class" / n)], env=env, stdout=subprocess.PIPE, text=True)
        for n in GRADED
    }
    graded = {
        r.student: r
        for r in grade_class(
            base / "class", GradeOptions(rubric=load_rubric(rubric), check_timeout=10.0), jobs=2
        )
    }
    return {n: (graded[n], checks[n].communicate(timeout=600)[0], checks[n].returncode) for n in GRADED}


@pytest.mark.slow
@pytest.mark.parametrize("name", GRADED)
def test_check_shows_what_grade_says_on_visible_checks_and_nothing_hidden(graded_and_checked, name):
    result, shown, code = graded_and_checked[name]
    assert code == 0
    for check in result.checks:
        if check.visibility == "visible" and not check.passed and check.max_points:
            assert check.id in shown and all(line in shown for line in check_output(check).splitlines()), (
                check.id
            )
        if check.visibility != "visible":
            assert check.id not in shown
            assert not check.message or check.message not in shown
    hidden = sum(c.visibility != "visible" for c in result.checks)
    assert f"{hidden} further checks are graded but not shown" in shown
    assert "WARNING: sandbox" not in shown  # an operator's message, not the student's


@pytest.mark.slow
def test_check_output_holds_no_reference_array(graded_and_checked):
    """The reference outputs of the drawn cases (hidden here) appear nowhere, nor any array print."""
    _, shown, _ = graded_and_checked["flipped_kernel"]
    assert "array(" not in shown and "[[" not in shown
    for x, kernel in CASES.values():
        for value in _cross_correlate(x, kernel).ravel()[:50]:
            assert repr(float(value)) not in shown


_LIBRARY_CONV = """
import numpy as np
import torch
import torch.nn.functional as F


def my_conv2d(input, kernel):
    return F.conv2d(torch.from_numpy(input.astype(np.float64)), torch.from_numpy(kernel.astype(np.float64))).numpy()
"""


def test_the_notebook_check_of_a_library_conv_fails_as_the_grading_does(tmp_path):
    """The grading runs my_conv2d where no library convolution exists (`needs_library` on every conv check);
    the notebook check runs it in the student's process, so it reads the function's source for the call
    (its `F` resolved from the module's globals) and says the same."""
    (tmp_path / "library_conv_module.py").write_text(_LIBRARY_CONV)
    spec = importlib.util.spec_from_file_location("library_conv_module", tmp_path / "library_conv_module.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = check_one("conv", module.my_conv2d)
    assert result.checks and not any(c.passed for c in result.checks)
    for check in result.checks:
        assert [code for code, _ in check.diagnoses] == ["needs_library"], check.id
        assert "torch.nn.functional.conv2d (line 8)" in check.message  # the line in its file
    assert all(c.passed for c in check_one("conv", _fixture_function("conv_torch_tensor")).checks)
