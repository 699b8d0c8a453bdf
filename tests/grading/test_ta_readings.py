"""The grader against a TA's reading on every TA-read fixture: within 2 of 10 on every item.

The fixtures (`fixtures/submissions/ta_*`, written by `ta_read.py`) each hold `ta_reading.json`:
the TA's score per item and the defects the TA names. Those whose reading needs a feature of
another part of issue 20 (running the student's code, never crashing on folded strings, no
credit for ee449's own code) are expected to fail until it lands (`xfail(strict=True)`, naming
it), so they flip visibly when it does. The set is graded once per module, two at a time.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ee449.grading.grades import GradeOptions
from ee449.grading.output.items import item_scores

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "submissions"
READINGS = {p.parent.name: json.loads(p.read_text()) for p in sorted(FIXTURES.glob("ta_*/ta_reading.json"))}
TOLERANCE = 0.2  # 2 points of 10, scaled to the item's maximum (4 of conv's 20)
CHECK_TIMEOUT = 30.0  # no hostile code here: a generous limit keeps a busy machine from failing honest checks


def _cases(names: list[str]) -> list:
    return [
        pytest.param(
            name,
            marks=[pytest.mark.xfail(strict=True, reason=READINGS[name]["needs"])]
            if READINGS[name]["needs"]
            else [],
            id=name,
        )
        for name in names
    ]


WITH_ARCH_DEFECTS = [n for n, r in READINGS.items() if set(r["defects"]) - {"conv"}]


def _ta_class(classroom: Path) -> None:
    for name in READINGS:
        shutil.copytree(FIXTURES / name, classroom / name, ignore=shutil.ignore_patterns("ta_reading.json"))


@pytest.fixture(scope="module")
def graded(graded_class):
    return graded_class("ta-read", _ta_class, GradeOptions(check_timeout=CHECK_TIMEOUT))[0]


def test_a_model_made_with_a_config_dict_is_rebuilt_as_the_students_code_made_it(graded):
    """mlp_1(CONFIG) under `__main__`: the recorded dict travels and the model is built from it."""
    checks = {c.id: c for c in graded["ta_hardcoded_batch_unbuilt"].checks}
    assert checks["arch/mlp_1/constructible"].passed, checks["arch/mlp_1/constructible"].message
    shape = checks["arch/mlp_1/output_shape"]
    assert "mlp_1({'input': 1024, 'hidden': 32, 'classes': 10})" in shape.message, shape.message


def test_there_are_at_least_25_ta_read_fixtures():
    assert len(READINGS) >= 25, sorted(READINGS)


@pytest.mark.parametrize("name", _cases(list(READINGS)))
def test_the_grader_is_within_2_of_10_of_the_ta_on_every_item(graded, name):
    scores = item_scores(graded[name].checks)
    far = {
        item: (want, scores[item][0], scores[item][1])
        for item, want in READINGS[name]["ta"].items()
        if abs(scores[item][0] - want) > TOLERANCE * scores[item][1] + 1e-9
    }
    assert not far, (
        f"{name}: (TA, grader, max) per item {far}; defects the TA names: {READINGS[name]['defects']}"
    )


@pytest.mark.parametrize("name", _cases(WITH_ARCH_DEFECTS))
def test_every_architecture_defect_the_ta_names_is_diagnosed_in_a_sentence(graded, name):
    for item in READINGS[name]["defects"]:
        if item == "conv":
            continue
        failed = [c for c in graded[name].checks if c.id.startswith(f"arch/{item}/") and not c.passed]
        if any(c.id.endswith("/constructible") for c in failed):  # no model: the others say only that
            failed = [c for c in failed if c.id.endswith("/constructible")]
        assert failed and all(c.diagnoses for c in failed), [(c.id, c.message[:200]) for c in failed]


def test_a_hard_coded_batch_is_said_even_when_the_model_cannot_be_built(graded):
    check = next(
        c for c in graded["ta_hardcoded_batch_broken_init"].checks if c.id == "arch/mlp_1/constructible"
    )
    assert not check.passed
    sentences = [s for code, s in check.diagnoses if code == "hardcoded_batch"]
    assert sentences and "x.view(BATCH_SIZE, -1)" in sentences[0] and "hw1.py, line" in sentences[0], (
        check.diagnoses
    )


def test_no_model_a_ta_read_is_sent_to_review(graded):
    """arch/*/computes flags records that claim the homework's layers without computing them: every
    TA-read model, right or wrong, computes what its recorded layers compute (or is not compared)."""
    flagged = {
        (name, check.id): check.message
        for name, result in graded.items()
        for check in result.checks
        if any(code.startswith("review_") for code, _ in check.diagnoses)
    }
    assert not flagged, flagged
