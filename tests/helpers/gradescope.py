"""The Gradescope results.json format, checked field by field (shared by the grading tests)."""

from __future__ import annotations

import pytest

# From https://gradescope-autograders.readthedocs.io/en/latest/specs/ ("Output format").
GRADESCOPE_TOP = {
    "score",
    "execution_time",
    "output",
    "output_format",
    "test_output_format",
    "test_name_format",
    "visibility",
    "stdout_visibility",
    "extra_data",
    "tests",
    "leaderboard",
}
GRADESCOPE_TEST = {
    "score",
    "max_score",
    "status",
    "name",
    "name_format",
    "number",
    "output",
    "output_format",
    "tags",
    "visibility",
    "extra_data",
}
VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}


def assert_gradescope_results(payload: dict) -> None:
    """Every field is one Gradescope documents, with the documented type and values."""
    __tracebackhide__ = True
    assert set(payload) <= GRADESCOPE_TOP, set(payload) - GRADESCOPE_TOP
    assert isinstance(payload["score"], (int, float)) and isinstance(payload["tests"], list)
    assert payload.get("visibility", "visible") in VISIBILITIES
    for test in payload["tests"]:
        assert set(test) <= GRADESCOPE_TEST, set(test) - GRADESCOPE_TEST
        assert isinstance(test["name"], str) and isinstance(test["output"], str)
        assert isinstance(test["score"], (int, float)) and isinstance(test["max_score"], (int, float))
        assert 0 <= test["score"] <= test["max_score"]
        assert test["status"] in {"passed", "failed"} and test["visibility"] in VISIBILITIES
    assert payload["score"] == pytest.approx(sum(t["score"] for t in payload["tests"]))
