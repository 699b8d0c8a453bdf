"""`ee449 grade` end to end: one submission, a class folder, and bad arguments (exit status 2)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from ee449.cli import main

CONV_ONLY = """
import numpy as np

def my_conv2d(input, kernel):
    x = np.asarray(input, dtype=np.float64)
    n, c, h, w = x.shape
    o, _, kh, kw = kernel.shape
    out = np.zeros((n, o, h - kh + 1, w - kw + 1))
    for i in range(h - kh + 1):
        for j in range(w - kw + 1):
            out[:, :, i, j] = np.einsum("nchw,ochw->no", x[:, :, i:i + kh, j:j + kw], kernel)
    return out

print("training for hours...")
"""


def _submission(folder: Path, source: str = CONV_ONLY) -> Path:
    folder.mkdir(parents=True)
    (folder / "part2.py").write_text(source)
    return folder


@pytest.mark.slow
def test_grade_one_submission_writes_gradescope_and_junit_files(tmp_path, capsys):
    submission = _submission(tmp_path / "alice")
    out = tmp_path / "out"
    assert main(["grade", str(submission), "--out", str(out), "--timeout", "10"]) == 0
    payload = json.loads((out / "results.json").read_text())
    status = {t["name"]: t["status"] for t in payload["tests"]}
    assert status["conv/matches_reference[uint8_input]"] == "passed"
    assert status["arch/cnn_3/constructible"] == "failed"  # no models in this submission: graded, not crashed
    assert (out / "junit.xml").read_bytes().startswith(b"<?xml")
    assert "== alice:" in capsys.readouterr().out


@pytest.mark.slow
def test_grade_a_class_folder_writes_one_csv_row_per_student(tmp_path):
    classroom = tmp_path / "class"
    _submission(classroom / "alice")
    _submission(classroom / "bob", CONV_ONLY.replace("range(h - kh + 1)", "range(h - kh)"))
    out = tmp_path / "out"
    assert main(["grade", "--class", str(classroom), "-j", "2", "--out", str(out), "--timeout", "10"]) == 0
    rows = {r["id"]: r for r in csv.DictReader((out / "scores.csv").open()) if r["status"] == "graded"}
    assert set(rows) == {"alice", "bob"}
    assert float(rows["alice"]["score"]) > float(rows["bob"]["score"])
    assert float(rows["alice"]["conv"]) > float(rows["bob"]["conv"])
    checks = {(r["id"], r["check"]): r for r in csv.DictReader((out / "checks.csv").open())}
    assert checks[("bob", "conv/matches_reference[multichannel]")]["points"] == "0"
    assert (out / "alice" / "results.json").is_file() and (out / "bob" / "junit.xml").is_file()


FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "submissions"
REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_a_folder_without_code_at_its_top_is_one_submission_not_a_class(tmp_path):
    """HW1/Q2, HW1/Q3, HW1/part4: one student's, graded into out/results.json as Gradescope needs."""
    out = tmp_path / "out"
    assert main(["grade", str(FIXTURES / "subfolders"), "--out", str(out), "--timeout", "10"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["junit.xml", "results.json"]
    payload = json.loads((out / "results.json").read_text())
    code = [t for t in payload["tests"] if t["name"].startswith(("conv/", "arch/"))]
    assert code and all(t["status"] == "passed" for t in code)


@pytest.mark.parametrize(
    "extra", [["-j", "0"], ["--timeout", "0"], ["--rubric", "missing.json"], ["--course-data", "nowhere"]]
)
def test_bad_arguments_exit_with_status_2(tmp_path, extra, capsys):
    submission = _submission(tmp_path / "alice")
    with pytest.raises(SystemExit) as exit_info:
        main(["grade", str(submission), "--out", str(tmp_path / "out"), *extra])
    assert exit_info.value.code == 2
    assert "error:" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_missing_submission_exits_with_status_2(tmp_path):
    with pytest.raises(SystemExit) as exit_info:
        main(["grade", str(tmp_path / "nobody")])
    assert exit_info.value.code == 2
