"""The runner's progress log reader and its verdicts on checks that killed the process."""

from __future__ import annotations

import json

from ee449.grading import sandbox
from ee449.grading.sandbox.progress_log import Progress
from ee449.grading.sandbox.progress_log import died as died_outcome


def _log(path, *events, torn: str = "") -> None:
    with open(path, "a") as handle:
        for event in events:
            handle.write(json.dumps(event) + "\n")
        handle.write(torn)


def test_progress_tracks_collected_running_and_finished_checks_across_reads(tmp_path):
    path = tmp_path / "progress.jsonl"
    progress = Progress(path, 2.0)
    progress.poll()  # no file yet: nothing, no error
    _log(
        path,
        {"event": "collected", "checks": [{"id": "a", "target": "t"}, {"id": "b", "target": "t"}]},
        {"event": "start", "id": "a", "target": "t"},
        {
            "event": "result",
            "id": "a",
            "target": "t",
            "passed": False,
            "message": "m",
            "diagnoses": [["code", "sentence"]],
            "seconds": 0.5,
        },
        {"event": "start", "id": "b", "target": "t", "timeout": 30.0},
        torn='{"event": "resu',
    )
    progress.poll()
    assert [c["id"] for c in progress.collected] == ["a", "b"]
    assert progress.results["a"].diagnoses == [["code", "sentence"]] and not progress.results["a"].passed
    # b started, not finished; its budget is the grader's 2 s, not the 30 s the log claims
    assert progress.running[:2] == ("b", "t") and progress.running[3] == 2.0
    _log(path, torn='lt", "id": "b", "target": "t", "passed": true, "skipped": true}\n')
    progress.poll()  # the torn line completes on the next read
    assert progress.running is None and progress.results["b"].passed and progress.skipped == {"b"}


def test_a_check_that_killed_the_process_is_failed_with_the_reason():
    killed = sandbox.Completed(None, "", "", timed_out=False, stopped_by_watchdog=True, seconds=9.0)
    died = sandbox.Completed(3, "", "", timed_out=False, stopped_by_watchdog=False, seconds=1.0)
    hung = died_outcome("conv/output_shape", "my_conv2d", killed, 4.0, 6144)
    assert (hung.passed, hung.diagnoses[0][0]) == (False, "timeout") and "within 4 s" in hung.message
    exited = died_outcome("arch/cnn_3/layers", "cnn_3", died, 4.0, 6144)
    assert exited.diagnoses[0][0] == "process_died" and "exit status 3" in exited.message
    assert "6144 MB memory limit" in exited.diagnoses[0][1]


def test_malformed_progress_lines_are_skipped_and_the_rest_is_read(tmp_path):
    path = tmp_path / "progress.jsonl"
    progress = Progress(path, 3.0)
    lines = [
        "[1, 2]",  # JSON, not an object
        '"text"',
        '{"event": "start"}',  # no id
        '{"event": "start", "id": 7}',  # id not a string
        '{"event": "result", "id": "a", "passed": true, "diagnoses": "x", "seconds": "NaN"}',
        '{"event": "collected", "checks": [1]}',
        '{"event": "collected", "checks": [{"id": "a", "target": "t"}]}',
        '{"event": "start", "id": "conv/course_samples[x]", "timeout": 1e9}',
    ]
    path.write_text("\n".join(lines) + "\n")
    progress.poll()
    assert [c["id"] for c in progress.collected] == ["a"]
    assert progress.results["a"].passed and progress.results["a"].diagnoses == []
    assert progress.running is not None and progress.running[3] == 30.0  # ten calls of 3 s, not 1e9
