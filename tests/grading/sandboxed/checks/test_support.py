"""The sandbox side's support: what a check says when the student's code has no definition to check."""

from __future__ import annotations

import json

import pytest

from ee449.grading.sandboxed.checks import support
from ee449.grading.sandboxed.checks.rules import XOR_TARGET


@pytest.fixture
def empty_manifest(tmp_path, monkeypatch):
    """The manifest of a submission whose one file defines nothing the grader looks for."""
    path = tmp_path / "manifest.json"
    path.write_text(
        json.dumps(
            {"found": {}, "parse_errors": {}, "unresolved": {}, "files": ["hw1.py"], "hung_targets": []}
        )
    )
    monkeypatch.setenv("EE449_GRADING_MANIFEST", str(path))
    monkeypatch.setattr(support, "_MANIFEST", None)


def _failure(key: str) -> str:
    with pytest.raises(pytest.fail.Exception) as failed:
        support.load_target(key)
    return str(failed.value)


def test_a_missing_named_target_is_named_with_the_files_read(empty_manifest):
    assert _failure("my_conv2d") == "no definition of my_conv2d found in your files (hw1.py)"


def test_a_missing_xor_class_is_described_by_what_it_defines_not_by_an_internal_key(empty_manifest):
    """The homework gives the XOR network no name: "xor_mlp" is the grader's key, meaningless to a student."""
    said = _failure(XOR_TARGET)
    assert XOR_TARGET not in said
    assert "forward and backward" in said and "hw1.py" in said
