"""The Gradescope zip end to end: written by a pip-installed ee449, installed as setup.sh installs it
into a fresh environment, run as Gradescope runs it on an /autograder-shaped tree.

No network at test time, so the one step of setup.sh that downloads (the pinned dependencies)
is stood in for: the fresh venv sees this environment's packages through a .pth file, and the
test checks that they are exactly the versions requirements.txt pins. Every other step is
setup.sh's own: `pip install --no-deps` of the bundle's wheel, then run_autograder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import Marker

from ee449.cli import main

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "fixtures" / "submissions"
PIP = [sys.executable, "-m", "pip"]


def _run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)
    assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-3000:])
    return done


def _clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without PYTHONPATH: nothing may come from the checkout."""
    return {**{k: v for k, v in os.environ.items() if k != "PYTHONPATH"}, **extra}


def _pip_installed_ee449(base: Path) -> Path:
    """ee449 built into a wheel by its build backend and pip-installed into a folder of its own."""
    source = base / "src"
    shutil.copytree(REPO / "ee449", source / "ee449", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(REPO / name, source / name)
    code = "import sys; from setuptools import build_meta; print(build_meta.build_wheel(sys.argv[1]))"
    built = _run([sys.executable, "-c", code, str(base / "dist")], cwd=source)
    wheel = base / "dist" / built.stdout.strip().splitlines()[-1]
    _run([*PIP, "install", "--no-deps", "--no-index", "--target", str(base / "installed"), str(wheel)])
    return base / "installed"


@pytest.fixture(scope="module")
def autograder(tmp_path_factory):
    base = tmp_path_factory.mktemp("bundle")
    installed = _pip_installed_ee449(base)
    bundle = base / "autograder.zip"
    writer = _run(
        [sys.executable, "-m", "ee449", "grade", "--gradescope-bundle", str(bundle), "--timeout", "15"],
        cwd=base,
        env=_clean_env(PYTHONPATH=str(installed)),
    )
    root = base / "autograder"
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(root / "source")
        modes = {i.filename: i.external_attr >> 16 for i in zf.infolist()}
    # A fresh venv; the dependencies setup.sh would download come from this environment instead.
    fresh = base / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(fresh)])
    fresh_python = fresh / "bin" / "python"
    purelib = _run([str(fresh_python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
    (Path(purelib.stdout.strip()) / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    wheel = next((root / "source").glob("ee449-*.whl"))
    _run([*PIP, "--python", str(fresh_python), "install", "--no-deps", "--no-index", str(wheel)])
    shutil.copytree(FIXTURES / "correct", root / "submission" / "hw1-upload")
    metadata_json = {
        "id": 98765,
        "created_at": "2026-03-02T12:00:00+00:00",
        "assignment": {"due_date": "2026-03-02T10:00:00+00:00"},
        "users": [{"name": "Ali Veli", "sid": "e1234567", "email": "ali@example.edu"}],
    }
    (root / "submission_metadata.json").write_text(json.dumps(metadata_json))
    env = _clean_env(AUTOGRADER_ROOT=str(root), EE449=str(fresh / "bin" / "ee449"))
    ran = _run(["bash", str(root / "source" / "run_autograder")], env=env, cwd=base)
    where = _run([str(fresh_python), "-c", "import ee449; print(ee449.__file__)"], cwd=base, env=_clean_env())
    return {
        "root": root,
        "modes": modes,
        "writer": writer,
        "ran": ran,
        "ee449_file": where.stdout.strip(),
        "fresh": fresh,
        "results": json.loads((root / "results" / "results.json").read_text()),
    }


@pytest.mark.slow
def test_the_zip_from_a_pip_install_grades_the_correct_fixture_with_full_marks(autograder):
    payload = autograder["results"]
    assert autograder["ee449_file"].startswith(
        str(autograder["fresh"])
    )  # the bundle's ee449, not the checkout's
    assert payload["score"] == sum(t["max_score"] for t in payload["tests"]) == 70, payload["output"]
    submission = payload["extra_data"]["submission"]
    assert (submission["student_id"], submission["name"], submission["submission_id"]) == (
        "e1234567",
        "Ali Veli",
        "98765",
    )
    assert submission["late"] is True and submission["lateness_s"] == 7200


@pytest.mark.slow
def test_the_zip_holds_the_scripts_runnable_and_pins_the_tested_versions(autograder):
    source = autograder["root"] / "source"
    assert autograder["modes"]["setup.sh"] & 0o111 and autograder["modes"]["run_autograder"] & 0o111
    _run(["bash", "-n", str(source / "setup.sh")])
    lines = (source / "requirements.txt").read_text().splitlines() + (
        source / "requirements-torch.txt"
    ).read_text().splitlines()
    # A requirement whose environment marker does not hold here (tomli on Python < 3.11) has no
    # installed version to pin: it travels as ee449's METADATA writes it.
    elsewhere = [line for line in lines if ";" in line]
    assert all(not Marker(line.split(";", 1)[1]).evaluate() for line in elsewhere), elsewhere
    pins = [line.strip() for line in lines if line.strip() and ";" not in line]
    names = {pin.split("==")[0] for pin in pins}
    assert {"torch", "numpy", "pdfplumber", "nbformat"} <= names
    for pin in pins:
        name, version = pin.split("==")
        assert metadata.version(name).split("+")[0] == version, pin  # what the tests here ran with


@pytest.mark.slow
def test_no_operator_message_reaches_what_the_student_sees(autograder):
    payload = autograder["results"]
    seen = payload["output"] + "".join(t["output"] for t in payload["tests"] if t["visibility"] == "visible")
    assert "sandbox" not in seen.lower() and "WARNING" not in seen


def test_the_bundle_takes_a_zip_path_and_never_overwrites(tmp_path, capsys):
    for target, message in (
        (tmp_path / "folder", "give the path of the .zip"),
        (tmp_path / "x.zip", "exists already"),
    ):
        (tmp_path / "x.zip").write_text("")
        with pytest.raises(SystemExit) as stop:
            main(["grade", "--gradescope-bundle", str(target)])
        assert stop.value.code == 2 and message in capsys.readouterr().err


@pytest.mark.parametrize(("extra", "flag"), [(["--class"], "--class"), (["-j", "2"], "-j")])
def test_options_the_bundle_cannot_carry_are_refused(tmp_path, capsys, extra, flag):
    with pytest.raises(SystemExit) as stop:
        main(["grade", "--gradescope-bundle", str(tmp_path / "a.zip"), *extra])
    assert stop.value.code == 2 and f"{flag} has no meaning there" in capsys.readouterr().err
    assert not (tmp_path / "a.zip").exists()


def test_the_bundle_carries_rubric_course_data_and_check_options(tmp_path, course_data_dir):
    rubric = tmp_path / "course.json"
    rubric.write_text(json.dumps({"rules": [{"match": "*", "points": 1}]}))
    args = [
        "--rubric",
        str(rubric),
        "--course-data",
        str(course_data_dir),
        "--timeout",
        "12",
        "--memory-mb",
        "8192",
        "--homework",
        "2024",
    ]
    assert main(["grade", "--gradescope-bundle", str(tmp_path / "a.zip"), *args]) == 0
    with zipfile.ZipFile(tmp_path / "a.zip") as zf:
        names = set(zf.namelist())
        script = zf.read("run_autograder").decode()
        assert zf.read("rubric.json") == rubric.read_bytes()
    assert "course-data/kernel.npy" in names and any(n.startswith("course-data/samples_") for n in names)
    for option in (
        '--rubric "$SOURCE/rubric.json"',
        '--course-data "$SOURCE/course-data"',
        "--timeout 12",
        "--memory-mb 8192",
        "--homework 2024",
    ):
        assert option in script
