"""`ee449 grade` end to end: one submission, a class folder, and bad arguments (exit status 2)."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import zipfile
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
    rows = {r["student"]: r for r in csv.DictReader((out / "scores.csv").open())}
    assert set(rows) == {"alice", "bob"}
    assert float(rows["alice"]["score"]) > float(rows["bob"]["score"])
    assert rows["bob"]["conv/matches_reference[multichannel]"] == "0"
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


@pytest.mark.slow
def test_the_gradescope_bundle_grades_a_submission_laid_out_like_autograder(tmp_path):
    """run_autograder on /autograder's layout (submission in a subfolder, metadata beside it).

    The bundle's setup.sh installs ee449 from ee449-src/ with CPU-only torch; here the installed
    ee449 stands in for that install (no network at test time), through the EE449 variable.
    """
    bundle = tmp_path / "bundle"
    rubric = tmp_path / "rubric.json"
    rubric.write_text(json.dumps({"rules": [{"match": "arch/*", "points": 1}, {"match": "*", "points": 0}]}))
    assert main(["grade", "--gradescope-bundle", str(bundle), "--rubric", str(rubric)]) == 0
    assert {p.name for p in bundle.iterdir()} == {"setup.sh", "run_autograder", "rubric.json", "ee449-src"}
    source = bundle / "ee449-src"
    assert (source / "pyproject.toml").is_file() and (source / "ee449" / "grading").is_dir()
    setup = (bundle / "setup.sh").read_text()
    assert "download.pytorch.org/whl/cpu" in setup and 'pip install "$SOURCE/ee449-src"' in setup
    for script in ("setup.sh", "run_autograder"):
        assert os.access(bundle / script, os.X_OK)
        subprocess.run(["bash", "-n", str(bundle / script)], check=True)
    root = tmp_path / "autograder"
    shutil.copytree(bundle, root / "source")
    shutil.copytree(FIXTURES / "subfolders", root / "submission" / "my-hw1")
    (root / "submission_metadata.json").write_text(json.dumps({"id": 1, "users": [{"name": "Ada"}]}))
    env = {
        **os.environ,
        "AUTOGRADER_ROOT": str(root),
        "EE449": f"{sys.executable} -m ee449",
        "PYTHONPATH": str(REPO),
    }
    subprocess.run(["bash", str(root / "source" / "run_autograder")], check=True, env=env, timeout=600)
    payload = json.loads((root / "results" / "results.json").read_text())
    arch = [t for t in payload["tests"] if t["name"].startswith("arch/")]
    assert len(arch) == 24 and payload["score"] == 24  # the rubric's 1 point per arch check, all passed
    assert payload["output_format"] == "text"


def test_the_bundles_source_builds_into_an_installable_wheel(tmp_path):
    """setup.sh runs `pip install ee449-src`: the source must build, with the grader's data files
    and the license the package declares. Built here offline with the build backend, without pip."""
    pytest.importorskip("setuptools", minversion="77")
    bundle = tmp_path / "bundle"
    assert main(["grade", "--gradescope-bundle", str(bundle)]) == 0
    code = "import sys; from setuptools import build_meta; print(build_meta.build_wheel(sys.argv[1]))"
    built = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "wheel")],
        cwd=bundle / "ee449-src",
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    wheel = tmp_path / "wheel" / built.stdout.strip().splitlines()[-1]
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    assert "ee449/grading/default_rubric.json" in names and "ee449/cli/grade.py" in names
    assert "ee449-0.1.0.dist-info/licenses/LICENSE" in names, sorted(n for n in names if "dist-info" in n)


def test_the_bundle_refuses_a_folder_that_is_not_empty(tmp_path, capsys):
    (tmp_path / "bundle").mkdir()
    (tmp_path / "bundle" / "x").write_text("")
    with pytest.raises(SystemExit) as exit_info:
        main(["grade", "--gradescope-bundle", str(tmp_path / "bundle")])
    assert exit_info.value.code == 2 and "not empty" in capsys.readouterr().err


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
