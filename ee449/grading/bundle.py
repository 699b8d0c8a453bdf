"""`ee449 grade --gradescope-bundle DIR`: the files a course uploads to Gradescope as its autograder.

Gradescope unpacks the uploaded zip into /autograder/source, runs `setup.sh` once to build the
image, then `run_autograder` per submission: the student's files are in /autograder/submission
(often in a subfolder), `submission_metadata.json` next to it, and the results go to
/autograder/results/results.json (https://gradescope-autograders.readthedocs.io/en/latest/specs/).
The bundle holds this package's source, the rubric, and the two scripts; torch is installed as
its CPU-only wheel (grading runs on the CPU, and the CUDA wheels are gigabytes larger).
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import ee449

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, to build the autograder image.
set -euo pipefail
SOURCE="$(cd "$(dirname "$0")" && pwd)"
apt-get update -q
apt-get install -y -q python3 python3-pip python3-venv bubblewrap  # bwrap: the sandbox (else the fence, announced)
python3 -m venv /autograder/ee449-venv
/autograder/ee449-venv/bin/python -m pip install --upgrade pip
# CPU-only torch: grading never uses a GPU, and the CUDA wheels are gigabytes larger.
/autograder/ee449-venv/bin/python -m pip install torch torchvision \\
  --index-url https://download.pytorch.org/whl/cpu
/autograder/ee449-venv/bin/python -m pip install "$SOURCE/ee449-src"
/autograder/ee449-venv/bin/ee449 --version
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this per submission. AUTOGRADER_ROOT and EE449 are for testing the bundle
# outside Gradescope; on Gradescope both keep their defaults.
set -uo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
EE449="${EE449:-$ROOT/ee449-venv/bin/ee449}"
mkdir -p "$ROOT/results"
# The whole submission folder is one student's, whatever its layout (subfolders, notebooks).
$EE449 grade "$ROOT/submission" --out "$ROOT/results" --rubric "$ROOT/source/rubric.json"
status=$?
if [ ! -f "$ROOT/results/results.json" ]; then
  # The grader itself failed (not the student's doing): say so rather than leave Gradescope without results.
  message="The autograder failed (exit status $status); your instructor has been told."
  printf '{"score": 0, "output": "%s", "tests": []}\\n' "$message" > "$ROOT/results/results.json"
fi
exit 0
"""


def _package_source(target: Path) -> None:
    """This ee449's source (package and build files) into `target`, installable with pip."""
    package = Path(ee449.__file__).resolve().parent
    shutil.copytree(package, target / "ee449", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    checkout = package.parent
    for name in ("pyproject.toml", "README.md", "LICENSE"):  # pyproject names LICENSE in license-files
        if (checkout / name).is_file():
            shutil.copy2(checkout / name, target / name)
    if not (target / "pyproject.toml").is_file():
        raise ValueError(
            f"no pyproject.toml beside {package}: build the bundle from a source checkout of ee449"
        )


def write_bundle(folder: Path, rubric: Path | None = None) -> list[Path]:
    """setup.sh, run_autograder, rubric.json and ee449-src/ into `folder`; returns the files written."""
    if folder.exists() and any(folder.iterdir()):
        raise ValueError(f"{folder} is not empty: the bundle goes into a new or empty folder")
    folder.mkdir(parents=True, exist_ok=True)
    _package_source(folder / "ee449-src")
    if rubric is None:
        text = resources.files("ee449.grading").joinpath("default_rubric.json").read_text(encoding="utf-8")
    else:
        text = Path(rubric).read_text(encoding="utf-8")
    written = []
    for name, content, mode in (
        ("rubric.json", text, 0o644),
        ("setup.sh", SETUP_SH, 0o755),
        ("run_autograder", RUN_AUTOGRADER, 0o755),
    ):
        path = folder / name
        path.write_text(content, encoding="utf-8")
        path.chmod(mode)
        written.append(path)
    return written
