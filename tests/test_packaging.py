"""The source distribution carries its own test suite, and its license is the declared one.

The oracle is the repository itself: every file git tracks under tests/ and fixtures/ (and the
control panel conftest.py) must be in the sdist, and pytest run inside the unpacked sdist must
collect the same tests as here and pass a real test module.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _tracked_files(*roots: str) -> set[str]:
    listing = subprocess.run(["git", "ls-files", "-z", *roots], cwd=REPO, capture_output=True, check=True)
    return {name for name in listing.stdout.decode().split("\0") if name}


@pytest.fixture(scope="module")
def sdist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist built from this checkout, unpacked; skips outside a git checkout."""
    if not (REPO / ".git").exists():
        pytest.skip("not a git checkout (already running from an sdist?)")
    pytest.importorskip("setuptools", minversion="77")
    out = tmp_path_factory.mktemp("sdist")
    # Built from a copy of the tracked files: a stale ee449.egg-info/SOURCES.txt in the checkout
    # would otherwise be reused by setuptools and hide a file that MANIFEST.in fails to include.
    source = out / "source"
    for name in _tracked_files():
        if (REPO / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, source / name)
    # The build backend is called directly (no isolated build environment: nothing is downloaded).
    code = "import sys; from setuptools import build_meta; print(build_meta.build_sdist(sys.argv[1]))"
    built = subprocess.run(
        [sys.executable, "-c", code, str(out)], cwd=source, capture_output=True, text=True, timeout=300
    )
    assert built.returncode == 0, built.stderr[-3000:]
    archive = out / built.stdout.strip().splitlines()[-1]
    with tarfile.open(archive) as tar:
        tar.extractall(out / "unpacked", filter="data")
    (top,) = (out / "unpacked").iterdir()
    return top


@pytest.mark.slow  # builds and unpacks the sdist, then collects the suite twice: 83 s
def test_sdist_contains_every_tracked_test_fixture_and_the_control_panel(sdist: Path) -> None:
    wanted = _tracked_files("tests", "fixtures", "conftest.py", "LICENSE", "tox.ini")
    missing = sorted(name for name in wanted if not (sdist / name).is_file())
    assert not missing, f"{len(missing)} tracked files missing from the sdist, e.g. {missing[:8]}"


@pytest.mark.slow  # builds and unpacks the sdist, then collects the suite twice: 83 s
def test_tests_collect_and_pass_from_the_unpacked_sdist(sdist: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(sdist), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTEST_XDIST_WORKER", None)

    def pytest_in_sdist(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args],
            cwd=sdist,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )

    collected = pytest_in_sdist("--collect-only", "-m", "not gpu", "--snapshot-warn-unused")
    assert collected.returncode == 0, collected.stdout[-3000:] + collected.stderr[-2000:]
    here = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
            "--collect-only",
            "-m",
            "not gpu",
            "--snapshot-warn-unused",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        env={**env, "PYTHONPATH": str(REPO)},
    )
    assert _collected_count(collected.stdout) == _collected_count(here.stdout), (
        f"the sdist collects {_collected_count(collected.stdout)} tests, the checkout {_collected_count(here.stdout)}"
    )
    formulas = next(sdist.glob("tests/**/test_formulas.py")).relative_to(sdist)
    run = pytest_in_sdist(str(formulas), "-x")
    assert run.returncode == 0, run.stdout[-3000:]
    assert " passed" in run.stdout.splitlines()[-1]


def _collected_count(output: str) -> int:
    """N from pytest's closing line 'N tests collected in 3.2s' (or 'N/M tests collected ...')."""
    match = re.search(r"(\d+)(?:/\d+)? tests? collected", output)
    assert match, f"no 'tests collected' line in: {output[-500:]}"
    return int(match.group(1))


def test_declared_license_is_an_spdx_string_matching_the_license_file() -> None:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+; 3.10 has no TOML reader in the stdlib
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT", (
        f"project.license is {project['license']!r}, expected the SPDX id 'MIT'"
    )
    assert project["license-files"] == ["LICENSE"]
    assert (REPO / "LICENSE").read_text().startswith("MIT License")
