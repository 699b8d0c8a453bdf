"""The result-file peek: its budget is the grader's and its answer is checked (`resultfiles.peek`)."""

from __future__ import annotations

import pickle
import time

import pytest

from ee449.grading import sandbox
from ee449.grading.intake import resultfiles


class _Sleeps:
    """Unpickling it sleeps: the peek's alarm and the grader's budget must both hold."""

    def __reduce__(self):
        return (time.sleep, (600,))


def test_many_sleeping_pickles_cost_the_grader_s_budget_not_their_count(tmp_path, monkeypatch):
    monkeypatch.setattr(resultfiles, "PEEK_BUDGET_S", 3.0)
    root = sandbox.make_sandbox(tmp_path)
    names = [f"r{i}.pkl" for i in range(15)]
    for name in names:
        (root / "work" / name).write_bytes(pickle.dumps(_Sleeps()))
    described = resultfiles.peek(root / "work", names, root, sandbox.MEMORY_MB_DEFAULT)
    assert set(described) == set(names)
    assert all("timed out" in info["error"] for info in described.values()), described


@pytest.mark.parametrize(
    "answer, error",
    [
        ({"keys": ["a"]}, "no kind or keys"),  # a forged answer without `kind`
        ({"kind": "pickle", "keys": "ab"}, "no kind or keys"),
        ("text", "not read"),
        ({"error": "boom" * 200}, "boom"),
    ],
)
def test_a_forged_peek_answer_is_an_error_for_that_file_not_a_crash(answer, error):
    info = resultfiles.described(answer)
    assert error in info["error"] and len(info["error"]) <= 300


def test_a_valid_peek_answer_keeps_only_strings():
    info = resultfiles.described({"kind": "json", "keys": ["a", 3], "name": 5, "type": "dict"})
    assert info == {"kind": "json", "keys": ["a"], "name": None, "type": "dict"}


def test_more_candidates_than_the_cap_are_listed_as_skipped(tmp_path):
    for i in range(resultfiles.MAX_PEEKED + 3):
        (tmp_path / f"r{i:03}.json").write_text('{"a": 1}')
    found, skipped = resultfiles.candidates(tmp_path)
    assert len(found) == resultfiles.MAX_PEEKED and len(skipped) == 3
    assert all("not opened" in why for why in skipped.values())
