"""Gradescope's submission_metadata.json read as data: who submitted and how late, never a crash.

Files written here in Gradescope's documented shape; the oracle is the timestamps' own difference.
"""

from __future__ import annotations

import json

import pytest

from ee449.grading.intake.submission_meta import add_to_results, read_submission_metadata


def _metadata(tmp_path, **fields):
    data = {
        "id": 123456,
        "created_at": "2026-11-02T10:30:00.000000-08:00",
        "assignment": {"due_date": "2026-11-01T23:59:00.000000-08:00"},
        "users": [{"name": "Ada Lovelace", "email": "ada@example.edu", "sid": "2401234"}],
    } | fields
    path = tmp_path / "submission_metadata.json"
    path.write_text(json.dumps(data))
    return path


def test_a_late_submission_is_late_by_the_difference_of_its_timestamps(tmp_path):
    info = read_submission_metadata(_metadata(tmp_path))
    assert info.student_id == "2401234" and info.name == "Ada Lovelace" and info.submission_id == "123456"
    assert info.late and info.lateness_s == (10 * 60 + 31) * 60  # 23:59 to 10:30 the next day


@pytest.mark.parametrize(
    "created", ["2026-11-01T20:00:00Z", "not a time", "", None], ids=["on time", "garbled", "empty", "absent"]
)
def test_on_time_or_unknown_times_are_never_late(tmp_path, created):
    info = read_submission_metadata(_metadata(tmp_path, created_at=created))
    assert not info.late and info.lateness_s == 0.0


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe", b"[]", b'{"users": []}'])
def test_a_file_that_names_nobody_or_is_not_json_is_a_clear_error(tmp_path, content):
    path = tmp_path / "submission_metadata.json"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="--submission-metadata"):
        read_submission_metadata(path)


def test_the_identity_and_lateness_go_into_results_json_and_nothing_else_changes(tmp_path):
    results = tmp_path / "results.json"
    results.write_text(json.dumps({"score": 60.0, "tests": [{"name": "conv"}]}))
    add_to_results(results, read_submission_metadata(_metadata(tmp_path)))
    payload = json.loads(results.read_text())
    assert payload["score"] == 60.0 and payload["tests"] == [{"name": "conv"}]
    assert payload["extra_data"]["submission"]["student_id"] == "2401234"
    assert payload["extra_data"]["submission"]["late"] is True
