"""A class run end to end, as a TA meets it: unique ids, Ctrl-C and resume, re-scoring equal to a regrade.

Real `ee449` processes on a class of twelve: a folder and a zip of one name, two folders whose names
differ only in case, a name with spaces and non-ASCII letters, two PDF reports, two Gradescope
submissions of one student (by their metadata), an empty folder and a zip that is not one. Graded
once with a stop half way and a resume, then once more in full under another rubric to compare
with `ee449 rescore`.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from ee449.cli import main
from ee449.grading import grades, sandbox
from ee449.grading.judging import arch
from tests.helpers.signals import ctrl_c_reaches_it

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"
STUDENTS = {
    "correct",
    "dup",
    "dup.zip",
    "Ayse",
    "ayse_ayse_2",  # `ayse/` beside `Ayse/`: one folder on a case-insensitive file system
    "elik_Ay_e",  # `Çelik Ayşe/`
    "report",
    "report2",
    "e7654321_submission_4711",  # one student's two Gradescope submissions
    "e7654321_submission_4712",
    "empty",
    "broken",
}
WITHOUT_CODE = {"broken", "empty"}


def _ee449(*args: str, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-m", "ee449", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=ctrl_c_reaches_it,  # the test stops it with Ctrl-C
        **kwargs,
    )


def _make_class(folder: Path) -> Path:
    shutil.copytree(FIXTURES / "submissions" / "correct", folder / "correct")
    shutil.copytree(FIXTURES / "submissions" / "flipped_kernel", folder / "dup")
    with zipfile.ZipFile(folder / "dup.zip", "w") as zf:
        for path in (FIXTURES / "submissions" / "missing_relu").rglob("*"):
            zf.write(path, Path("hw1") / path.relative_to(FIXTURES / "submissions" / "missing_relu"))
    shutil.copy(FIXTURES / "pdf" / "listings_numbered.pdf", folder / "report.pdf")
    shutil.copy(FIXTURES / "pdf" / "listings_plain.pdf", folder / "report2.pdf")
    shutil.copytree(FIXTURES / "submissions" / "extra_relu", folder / "Ayse")
    shutil.copytree(FIXTURES / "submissions" / "fc64_bias", folder / "ayse")
    shutil.copytree(FIXTURES / "submissions" / "hardcoded_batch", folder / "Çelik Ayşe")
    (folder / "empty").mkdir()
    (folder / "broken.zip").write_bytes(b"PK\x03\x04 a download cut short")  # graded 0 of the class's maximum
    metadata = {
        "id": 4711,
        "created_at": "2026-03-01T10:00:00Z",
        "users": [{"sid": "e7654321", "name": "Ali Veli"}],
    }
    for submission, fixture in (("submission_4711", "adam_lr"), ("submission_4712", "missing_relu")):
        shutil.copytree(FIXTURES / "submissions" / fixture, folder / submission)
        (folder / submission / "submission_metadata.json").write_text(json.dumps(metadata))
    return folder


def _scores(out: Path) -> list[dict]:
    with (out / "scores.csv").open() as handle:
        return list(csv.DictReader(handle))


def _tests(out: Path, student: str) -> list[tuple]:
    payload = json.loads((out / student / "results.json").read_text())
    return [(t["name"], t["score"], t["max_score"], t["status"]) for t in payload["tests"]] + [
        payload["score"]
    ]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The class graded with a Ctrl-C after the first student, resumed, re-scored; and graded again in full."""
    base = tmp_path_factory.mktemp("classrun")
    classroom = _make_class(base / "class")
    out, full = base / "out", base / "full"
    args = ("grade", "--class", str(classroom), "--timeout", "10")
    first = _ee449(*args, "-j", "1", "--out", str(out))  # one at a time: stopped after the first is done
    deadline = time.monotonic() + 300
    while not list(out.glob("*/graded.json")) and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    first.send_signal(signal.SIGINT)
    stopped = first.communicate(timeout=120)
    partial = _scores(out)
    done_before = {p.parent.name: p.stat().st_mtime_ns for p in out.glob("*/graded.json")}
    second = _ee449(*args, "-j", "2", "--out", str(out))
    resumed = second.communicate(timeout=600)
    after = {p.parent.name: p.stat().st_mtime_ns for p in out.glob("*/graded.json")}
    rescored = subprocess.run(
        [sys.executable, "-m", "ee449", "rescore", str(out), "--rubric", "with-results"],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    third = _ee449(*args, "-j", "2", "--out", str(full), "--rubric", "with-results")
    regraded = third.communicate(timeout=600)
    return {
        "out": out,
        "full": full,
        "stopped": (first.returncode, *stopped),
        "partial": partial,
        "resumed": (second.returncode, *resumed),
        "before": done_before,
        "after": after,
        "rescored": rescored,
        "regraded": (third.returncode, *regraded),
    }


@pytest.mark.slow
def test_ctrl_c_leaves_a_partial_table_marked_so_and_the_rerun_goes_on_without_regrading(runs):
    code, _, err = runs["stopped"]
    assert code == 130 and "is partial" in err, err
    statuses = [r["status"] for r in runs["partial"] if r["status"] != "max"]
    assert len(statuses) == len(STUDENTS) and "graded" in statuses
    assert "not graded (the run was stopped)" in statuses
    code, _, err = runs["resumed"]
    assert code == 0, err
    assert f"resuming: {len(runs['before'])} of {len(STUDENTS)}" in err
    assert all(runs["after"][s] == t for s, t in runs["before"].items())  # not graded again
    assert set(runs["after"]) == STUDENTS


@pytest.mark.slow
def test_every_student_has_one_row_an_id_and_subtotals(runs):
    rows = _scores(runs["out"])
    assert {r["id"] for r in rows if r["status"] == "graded"} == STUDENTS
    assert {r["name"] for r in rows if r["id"].startswith("e7654321_")} == {"Ali Veli"}
    assert len({r["id"].casefold() for r in rows}) == len(rows)  # one folder each, on any file system
    parts = [c for c in rows[0] if c not in {"id", "name", "status", "score", "max_score"}]
    assert {"conv", "mlp_1", "cnn_5", "results"} <= set(parts)
    for row in rows:
        assert sum(float(row[p]) for p in parts) == float(row["score"])
    assert len({r["max_score"] for r in rows}) == 1  # one maximum for the class
    with (runs["out"] / "checks.csv").open() as handle:
        long = list(csv.DictReader(handle))
    assert {r["id"] for r in long} == STUDENTS


@pytest.mark.slow
def test_rescoring_with_another_rubric_equals_grading_again_with_it(runs):
    assert runs["rescored"].returncode == 0, runs["rescored"].stderr
    assert runs["regraded"][0] == 0, runs["regraded"][2]
    for student in STUDENTS:
        assert _tests(runs["out"], student) == _tests(runs["full"], student), student
    strip = ("id", "name", "status", "score", "max_score")
    assert [{k: r[k] for k in strip} for r in _scores(runs["out"])] == [
        {k: r[k] for k in strip} for r in _scores(runs["full"])
    ]
    assert float(_scores(runs["out"])[0]["max_score"]) == 113


@pytest.mark.slow
def test_rejudging_from_the_kept_evidence_reaches_every_student_without_running_their_code(
    runs, tmp_path, monkeypatch, capsys
):
    """`rescore --rejudge` decides each run check again from OUT/<id>/evidence/ with the grader's judge
    as it is now: unchanged, it gives exactly the grading's verdicts; after a change to one verdict
    (here a parameter count judged by a new rule), every student who has evidence gets the new
    verdict, and no sandboxed child starts (the student's code never runs again)."""
    out = tmp_path / "out"
    shutil.copytree(runs["full"], out)

    def no_sandbox(*args, **kwargs):
        raise AssertionError("a sandboxed child was started: rejudging must not run student code")

    monkeypatch.setattr(sandbox, "run", no_sandbox)
    assert main(["rescore", str(out), "--rubric", "with-results", "--rejudge"]) == 0
    for student in STUDENTS:
        assert _tests(out, student) == _tests(runs["full"], student), student
    said = capsys.readouterr().out
    assert "broken: no evidence kept" in said  # an unreadable zip was never run: nothing to judge again
    monkeypatch.setitem(
        arch.ARCH_VERDICTS, "parameter_count", lambda key, record, context: (True, "counted anew", [])
    )
    assert main(["rescore", str(out), "--rubric", "with-results", "--rejudge"]) == 0
    for student in STUDENTS - WITHOUT_CODE:
        tests = json.loads((out / student / "results.json").read_text())["tests"]
        counts = [t for t in tests if t["name"].endswith("/parameter_count")]
        assert counts and all(
            t["score"] == t["max_score"] and "counted anew" in t["output"] for t in counts
        ), student
    kept = json.loads((out / "correct" / "graded.json").read_text())["checks"]
    assert any(
        c["message"] == "counted anew" for c in kept
    )  # the new verdicts are what later rescoring reads


def test_a_file_given_to_class_is_a_usage_error(tmp_path, capsys):
    report = tmp_path / "report.pdf"
    shutil.copy(FIXTURES / "pdf" / "listings_numbered.pdf", report)
    with pytest.raises(SystemExit) as stop:
        main(["grade", "--class", str(report), "--out", str(tmp_path / "out")])
    assert stop.value.code == 2
    assert "is a file: grade it without --class" in capsys.readouterr().err


@pytest.mark.slow
def test_the_class_summary_ranks_near_identical_code_and_writes_the_side_by_side_page(runs):
    """The PDF report is the correct fixture's twin: the same graded code, flagged; ranked first."""
    _, out, _ = runs["resumed"]
    assert "similarity hints:" in out and "correct ~ report: 100%" in out, out[-2000:]
    with (runs["out"] / "similarity.csv").open() as handle:
        pairs = list(csv.DictReader(handle))
    with_code = STUDENTS - WITHOUT_CODE  # nothing to compare
    assert len(pairs) == len(with_code) * (len(with_code) - 1) // 2
    top = [(p["first"], p["second"]) for p in pairs if p["flagged"] == "1"]
    assert ("correct", "report") in top
    page = (runs["out"] / "similarity.html").read_text()
    assert "correct ~ report" in page and "def my_conv2d" in page


def test_a_class_folder_graded_without_class_gets_a_hint(tmp_path, capsys, monkeypatch):
    """Graded as one submission (as asked), with a hint on stderr; the grading itself is stubbed here."""
    from ee449.grading import grade

    classroom = tmp_path / "class"
    for name in ("ada", "bob"):
        shutil.copytree(FIXTURES / "submissions" / "correct", classroom / name)
    graded = []
    monkeypatch.setattr(
        grade,
        "grade_submission",
        lambda path, options, student=None: graded.append(path) or grades.GradeResult("class", [], 0.0),
    )
    assert main(["grade", str(classroom), "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert "is graded as ONE submission, but it holds 2 subfolders that each define my_conv2d" in err
    assert "add --class" in err and graded == [classroom]
